"""Per-resident features, computed column-wise from the input tables: what colour rules read.

The rules' data context is one flat frame, a column per path (``risk.high_last``...); the same
frame serves the compiled rules (``columnar``) and, row by row, the interpreter
(``facts_of_row`` turns a row into the nested data context CertLogic's ``var`` drills into).

Dates are local dates in China Standard Time; ``external.validationClock`` is the evaluation
instant in UTC and ``external.today`` its local date, both as CertLogic strings.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta, timezone
from typing import Any

import polars as pl

from dyrd.healthcode.compute.columnar import BOOL, DATE, DATETIME, INT, STR

CHINA_STANDARD_TIME = timezone(timedelta(hours=8), "CST")
"""UTC+8, no daylight saving since 1991: the day a stay or a risk list refers to."""

DEFAULT_LOOKBACK_DAYS = 28
"""How far back stays, symptoms and positive tests count: twice the 14-day isolation that a red
code meant in the Hangzhou scheme (research note, section 3.3), so a rule can ask for up to four
weeks. A platform choice, not a standard; rules choose their own windows inside it."""

FEATURES: dict[str, str] = {
    "resident.jurisdiction": STR,
    "resident.birth_year": INT,
    "risk.high_last": DATE,
    "risk.high_city": STR,
    "risk.medium_last": DATE,
    "risk.medium_city": STR,
    "risk.low_last": DATE,
    "risk.low_city": STR,
    "test.last_result": STR,
    "test.last_type": STR,
    "test.last_at": DATETIME,
    "test.positive_last": DATE,
    "vaccination.doses": INT,
    "vaccination.last": DATE,
    "contact.flagged": BOOL,
    "contact.since": DATE,
    "symptoms.declared": BOOL,
    "symptoms.last": DATE,
}
"""Every column of the feature frame (besides the key) and the kind a rule sees."""

LEVELS = ("high", "medium", "low")

SCHEMAS: dict[str, dict[str, pl.DataType | type[pl.DataType]]] = {
    "residents": {"rid": pl.Int64, "jurisdiction": pl.String, "birth_year": pl.Int32},
    "stays": {
        "rid": pl.Int64,
        "city_code": pl.Int32,
        "district_code": pl.Int32,
        "stay_date": pl.Date,
    },
    "areas": {
        "city_code": pl.Int32,
        "district_code": pl.Int32,
        "level": pl.String,
        "effective_from": pl.Date,
        "effective_until": pl.Date,
    },
    "tests": {
        "rid": pl.Int64,
        "test_type": pl.String,
        "result": pl.String,
        "tested_at": pl.Datetime("us", "UTC"),
    },
    "vaccinations": {"rid": pl.Int64, "dose": pl.Int32, "vaccinated_on": pl.Date},
    "contacts": {"rid": pl.Int64, "flagged_on": pl.Date, "cleared_on": pl.Date},
    "symptoms": {"rid": pl.Int64, "declared_on": pl.Date, "count": pl.Int32},
}
"""Columns of each input table. ``rid`` may also be a string key (the service uses resident ids);
every table of one run must use the same key type."""


def empty(table: str, key: pl.DataType | type[pl.DataType] = pl.Int64) -> pl.DataFrame:
    """An empty input table with the right columns."""
    schema = dict(SCHEMAS[table])
    if "rid" in schema:
        schema["rid"] = key
    return pl.DataFrame(schema=schema)


@dataclass(frozen=True, slots=True)
class Inputs:
    """Everything that decides colours, as columnar tables (see SCHEMAS)."""

    residents: pl.DataFrame
    stays: pl.DataFrame = field(default_factory=lambda: empty("stays"))
    areas: pl.DataFrame = field(default_factory=lambda: empty("areas"))
    tests: pl.DataFrame = field(default_factory=lambda: empty("tests"))
    vaccinations: pl.DataFrame = field(default_factory=lambda: empty("vaccinations"))
    contacts: pl.DataFrame = field(default_factory=lambda: empty("contacts"))
    symptoms: pl.DataFrame = field(default_factory=lambda: empty("symptoms"))

    def only(self, keys: pl.Series) -> Inputs:
        """The inputs of the residents ``keys`` (areas are shared)."""

        def pick(df: pl.DataFrame) -> pl.DataFrame:
            return df.filter(pl.col("rid").is_in(keys))

        return Inputs(
            residents=pick(self.residents),
            stays=pick(self.stays),
            areas=self.areas,
            tests=pick(self.tests),
            vaccinations=pick(self.vaccinations),
            contacts=pick(self.contacts),
            symptoms=pick(self.symptoms),
        )


def local_date(at: datetime) -> date:
    """The date in China Standard Time of an aware instant."""
    return at.astimezone(CHINA_STANDARD_TIME).date()


def external_context(at: datetime) -> dict[str, Any]:
    """The ``external`` part of the data context for evaluation instant ``at``."""
    if at.tzinfo is None:
        raise ValueError("the evaluation instant must be timezone-aware")
    utc = at.astimezone(UTC)
    return {
        "validationClock": utc.strftime("%Y-%m-%dT%H:%M:%S.") + f"{utc.microsecond // 1000:03d}Z",
        "today": local_date(at).isoformat(),
    }


def _district_matches() -> pl.Expr:
    # A whole-city area (no district) matches every stay in the city.
    district = pl.col("area_district")
    return district.is_null() | (district == pl.col("district_code"))


def _still_effective() -> pl.Expr:
    until = pl.col("effective_until")
    return until.is_null() | (pl.col("stay_date") <= until)


_CITY_SPAN = 1_000_000
"""GB/T 2260 codes have six digits: (day, city) packs into one integer as day * 10^6 + city."""


def _risk(stays: pl.LazyFrame, areas: pl.LazyFrame, today: date, lookback: int) -> pl.LazyFrame:
    # One group-by for the three levels (not a join per level): per level the last stay date and
    # the city of the last stay, ties broken by the larger city code. The latest (date, city) is
    # the largest packed key, so a filtered max replaces a sort.
    start = today - timedelta(days=lookback)
    key = pl.col("stay_date").cast(pl.Int64) * _CITY_SPAN + pl.col("city_code").cast(pl.Int64)
    hits = (
        stays.filter(pl.col("stay_date").is_between(start, today))
        .join(areas.rename({"district_code": "area_district"}), on="city_code", how="inner")
        .filter(
            _district_matches()
            & (pl.col("effective_from") <= pl.col("stay_date"))
            & _still_effective()
        )
        .group_by("rid")
        .agg(key.filter(pl.col("level") == level).max().alias(level) for level in LEVELS)
    )  # fmt: skip
    columns = []
    for level in LEVELS:
        day = pl.col(level).floordiv(_CITY_SPAN)
        city = pl.col(level) - day * _CITY_SPAN
        columns += [
            day.cast(pl.Int32).cast(pl.Date).alias(f"risk.{level}_last"),
            city.cast(pl.String).alias(f"risk.{level}_city"),
        ]
    return hits.select("rid", *columns)


def _tests(tests: pl.LazyFrame, at: datetime, today: date, lookback: int) -> pl.LazyFrame:
    done = tests.filter(pl.col("tested_at") <= at)
    start = today - timedelta(days=lookback)
    positive_day = pl.col("tested_at").dt.convert_time_zone("Asia/Shanghai").dt.date().cast(pl.Date)
    positive = (pl.col("result") == "positive") & (positive_day >= start)
    return done.group_by("rid").agg(
        pl.col("result").sort_by("tested_at", "result").last().alias("test.last_result"),
        pl.col("test_type").sort_by("tested_at", "result").last().alias("test.last_type"),
        pl.col("tested_at").max().alias("test.last_at"),
        positive_day.filter(positive).max().alias("test.positive_last"),
    )


_TABLES = ("residents", "stays", "tests", "vaccinations", "contacts", "symptoms")


def features_lazy(
    inputs: Inputs,
    at: datetime,
    *,
    lookback_days: int = DEFAULT_LOOKBACK_DAYS,
    part: tuple[int, int] | None = None,
) -> pl.LazyFrame:
    """The feature query, not yet run: one row per resident, in no particular order.

    ``part`` = (k, parts): only residents whose key hashes to k modulo ``parts``, so a
    population can be evaluated a slice at a time (residents are independent).
    """
    if at.tzinfo is None:
        raise ValueError("the evaluation instant must be timezone-aware")
    frames: dict[str, pl.LazyFrame] = {name: getattr(inputs, name).lazy() for name in _TABLES}
    if part is not None:
        k, parts = part
        mine = (pl.col("rid").hash(seed=0) % parts) == k
        frames = {name: lf.filter(mine) for name, lf in frames.items()}
    today = local_date(at)
    start = today - timedelta(days=lookback_days)
    vacc = (
        frames["vaccinations"]
        .filter(pl.col("vaccinated_on") <= today)
        .group_by("rid")
        .agg(
            pl.len().cast(pl.Int64).alias("vaccination.doses"),
            pl.col("vaccinated_on").max().alias("vaccination.last"),
        )
    )
    contact = (
        frames["contacts"]
        .filter(
            (pl.col("flagged_on") <= today)
            & (pl.col("cleared_on").is_null() | (pl.col("cleared_on") > today))
        )
        .group_by("rid")
        .agg(pl.col("flagged_on").max().alias("contact.since"))
    )
    symptoms = (
        frames["symptoms"]
        .filter(pl.col("declared_on").is_between(start, today) & (pl.col("count") > 0))
        .group_by("rid")
        .agg(pl.col("declared_on").max().alias("symptoms.last"))
    )
    risk = _risk(frames["stays"], inputs.areas.lazy(), today, lookback_days)
    return (
        frames["residents"]
        .select(
            "rid",
            pl.col("jurisdiction").alias("resident.jurisdiction"),
            pl.col("birth_year").cast(pl.Int64).alias("resident.birth_year"),
        )
        .join(risk, on="rid", how="left")
        .join(_tests(frames["tests"], at, today, lookback_days), on="rid", how="left")
        .join(vacc, on="rid", how="left")
        .join(contact, on="rid", how="left")
        .join(symptoms, on="rid", how="left")
        .with_columns(
            pl.col("vaccination.doses").fill_null(0),
            pl.col("contact.since").is_not_null().alias("contact.flagged"),
            pl.col("symptoms.last").is_not_null().alias("symptoms.declared"),
        )
        .select("rid", *FEATURES)
    )


def features_frame(
    inputs: Inputs, at: datetime, *, lookback_days: int = DEFAULT_LOOKBACK_DAYS
) -> pl.DataFrame:
    """One row per resident: ``rid`` and every column of FEATURES, as of instant ``at``.

    Rows follow the order of ``inputs.residents``.
    """
    order = inputs.residents.select("rid").with_row_index("__order")
    lazy = features_lazy(inputs, at, lookback_days=lookback_days)
    return lazy.join(order.lazy(), on="rid", how="left").sort("__order").drop("__order").collect()


def _certlogic_value(kind: str, value: Any) -> Any:
    if value is None:
        return None
    if kind == DATE:
        return value.isoformat()
    if kind == DATETIME:
        utc = value.astimezone(UTC)
        return utc.strftime("%Y-%m-%dT%H:%M:%S.") + f"{utc.microsecond // 1000:03d}Z"
    return value


def facts_of_row(row: Mapping[str, Any], external: Mapping[str, Any]) -> dict[str, Any]:
    """The nested CertLogic data context of one feature-frame row."""
    data: dict[str, Any] = {"external": dict(external)}
    for path, kind in FEATURES.items():
        group, name = path.split(".", 1)
        data.setdefault(group, {})[name] = _certlogic_value(kind, row.get(path))
    return data
