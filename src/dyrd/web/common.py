"""Shared pieces of the page models: bilingual notices, formatted cells, names in a language."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta, timezone
from urllib.parse import urlencode

from sqlalchemy.orm import Session

from dyrd.region import service as region
from dyrd.region.schemas import CityRead, IndicatorRead, StatisticValue
from dyrd.web import mapsvg
from dyrd.web.i18n import LANGS, Lang, t


@dataclass(frozen=True, slots=True)
class Notice:
    """A message about the request, in both languages (shown in the page language first)."""

    zh: str
    en: str

    def ordered(self, lang: Lang) -> tuple[str, str]:
        """(text in ``lang``, text in the other language)."""
        return (self.zh, self.en) if lang == "zh" else (self.en, self.zh)


def notice(key: str, **params: Callable[[Lang], object] | object) -> Notice:
    """The catalog message ``key`` in both languages; callable params are filled per language."""

    def fill(lang: Lang) -> str:
        values = {k: (v(lang) if callable(v) else v) for k, v in params.items()}
        return t(key, lang, **values)

    return Notice(zh=fill("zh"), en=fill("en"))


def name_in(obj: CityRead | IndicatorRead, lang: Lang) -> str:
    """The data's own name of a city or indicator in ``lang``."""
    return obj.name_zh if lang == "zh" else obj.name_en


def short_name(city: CityRead, lang: Lang) -> str:
    """Map label of a city."""
    # Map labels: 苏州 rather than 苏州市; the full name is in the tooltip.
    return city.name_zh.removesuffix("市") if lang == "zh" else city.name_en


@dataclass(frozen=True, slots=True)
class Cell:
    """A value as the page shows it: formatted text, or 无数据 / No data."""

    value: float | None
    text: str
    year: int | None = None
    source: str = ""

    @property
    def missing(self) -> bool:
        """Whether there is no value."""
        return self.value is None


def cell(stat: StatisticValue | None, lang: Lang) -> Cell:
    """A stored statistic as a cell; None becomes 无数据 / No data (never a number)."""
    if stat is None:
        return Cell(None, t("nodata", lang))
    return Cell(stat.value, mapsvg.format_value(stat.value, stat.unit), stat.year, stat.source)


def indicator_values(session: Session, indicator: str, year: int) -> dict[str, StatisticValue]:
    """Values of one indicator in one year by city code, detached from the ORM."""
    return {
        code: StatisticValue(value=s.value, year=s.year, unit=s.unit, source=s.source)
        for code, s in region.indicator_values(session, indicator, year).items()
    }


@dataclass(frozen=True, slots=True)
class Kpi:
    """A key figure with its year and source; ``value`` is the formatted number or 无数据."""

    label: str
    value: str
    unit: str = ""
    note: str = ""
    year: int | None = None
    source: str = ""


def language_links(
    path: str, params: Mapping[str, str] | Iterable[tuple[str, str]]
) -> dict[Lang, str]:
    """The current URL with ``lang`` set to each language (other query parameters kept).

    ``params`` may be a mapping or (key, value) pairs, so repeated keys (``?theme=A&theme=B``)
    survive the switch.
    """
    pairs = list(params.items()) if isinstance(params, Mapping) else list(params)
    kept = [(k, v) for k, v in pairs if k != "lang"]
    return {lang: path + "?" + urlencode([*kept, ("lang", lang)]) for lang in LANGS}


BEIJING = timezone(timedelta(hours=8), "UTC+8")
"""China Standard Time: every member of the region keeps it, with no daylight saving."""


def local_time(moment: datetime | None, *, seconds: bool = False) -> str:
    """A stored moment as Beijing time, ``2026-11-26 16:00``; empty for None."""
    if moment is None:
        return ""
    if moment.tzinfo is None:  # SQLite returns naive datetimes; the platform stores UTC
        moment = moment.replace(tzinfo=UTC)
    return moment.astimezone(BEIJING).strftime("%Y-%m-%d %H:%M:%S" if seconds else "%Y-%m-%d %H:%M")


def local_date(moment: datetime | None) -> str:
    """The Beijing calendar date of a stored moment; empty for None."""
    return local_time(moment)[:10]


def clip(given: str, limit: int = 40) -> str:
    """A user-supplied value as echoed in a notice: never more than ``limit`` characters."""
    return given if len(given) <= limit else given[: limit - 1] + "…"
