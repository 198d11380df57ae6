"""The indicator catalog, derived indicators and the yearbook table parser."""

from __future__ import annotations

import io

import openpyxl
import pytest

from dyrd.economy.compute.catalog import CATALOG, Missing, default_index_indicators, value_of
from dyrd.economy.compute.yearbook import parse_yearbook
from dyrd.economy.types import Concept, InputError, Observation


def test_every_concept_has_indicators_and_every_input_is_base() -> None:
    assert {s.concept for s in CATALOG.values()} == set(Concept)
    for spec in CATALOG.values():
        if spec.formula is not None:
            assert all(CATALOG[c].formula is None for c in spec.formula.inputs)
    assert "gdp_per_capita" in default_index_indicators()


def test_gdp_per_capita_is_computed_with_sources() -> None:
    values = {
        "gdp": {"320500": Observation(19235.8, "100m yuan", "communiqué")},
        "population_resident": {"320500": Observation(1075.0, "10k persons", "census")},
    }
    got = value_of("gdp_per_capita", values, "320500", 2019)
    assert isinstance(got, Observation)
    assert got.value == pytest.approx(19235.8e8 / 1075.0e4)
    assert "communiqué" in got.source
    assert "census" in got.source


def test_missing_input_and_wrong_unit_stay_missing() -> None:
    values = {"gdp": {"320500": Observation(1.0, "yuan", "x")}}
    got = value_of("gdp_per_capita", values, "320500", 2019)
    assert isinstance(got, Missing)
    assert "population_resident has no 2019 value" in got.reason
    assert "'yuan'" in got.reason


def _xlsx(rows: list[list[object]]) -> bytes:
    book = openpyxl.Workbook()
    ws = book.active
    assert ws is not None
    for r in rows:
        ws.append(r)
    buf = io.BytesIO()
    book.save(buf)
    return buf.getvalue()


def test_yearbook_reads_csv_and_xlsx() -> None:
    rows: list[list[object]] = [
        ["code", "indicator", "year", "value", "unit", "source"],
        ["320500", "exports", 2019, 12345.6, "100m yuan", "苏州统计公报 2019"],
        ["320500", "imports", 2019, 9000, "", "苏州统计公报 2019"],
    ]
    csv_bytes = "\n".join(",".join(str(c) for c in r) for r in rows).encode("gbk")
    for content, name in ((csv_bytes, "t.csv"), (_xlsx(rows), "t.xlsx")):
        got, problems = parse_yearbook(content, name)
        assert problems == []
        assert [(r.indicator, r.value, r.unit) for r in got] == [
            ("exports", 12345.6, "100m yuan"),
            ("imports", 9000.0, "100m yuan"),
        ]


def test_yearbook_lists_every_problem() -> None:
    content = (
        "城市代码,指标,年份,数值,单位,来源\n"
        "32050,exports,2019,1,100m yuan,s\n"
        "320500,gdp_per_capita,2019,1,yuan per person,s\n"
        "320500,nonsense,2019,1,x,s\n"
        "320500,exports,19,abc,亿美元,\n"
        "320600,exports,2019,1,100m yuan,s\n"
        "320600,exports,2019,2,100m yuan,s\n"
    ).encode()
    rows, problems = parse_yearbook(content, "t.csv")
    where = [p.location for p in problems]
    assert "row 2, column code" in where
    assert "row 3, column indicator" in where  # derived: computed, never typed in
    assert "row 4, column indicator" in where
    assert {"row 5, column year", "row 5, column value", "row 5, column unit"} <= set(where)
    assert "row 5, column source" in where
    assert "row 7" in where  # duplicate of row 6
    assert all(p.message_zh for p in problems)
    assert len(rows) == 1


def test_yearbook_header_must_name_the_columns() -> None:
    with pytest.raises(InputError, match="lacks"):
        parse_yearbook(b"a,b,c\n1,2,3\n", "t.csv")
    with pytest.raises(InputError):
        parse_yearbook(b"", "t.csv")


def _bundled_codes() -> set[str]:
    """Base indicators the platform ships values of: the region's 2019 table and the panel."""
    from dyrd.economy import bundled as economy_bundled
    from dyrd.region import bundled as region_bundled

    codes = {r["indicator"] for r in economy_bundled.read_panel_rows()}
    codes |= {c.definition.code for c in region_bundled.BUNDLED_COLUMNS}
    return codes


def test_every_base_indicator_without_shipped_values_says_why() -> None:
    shipped = _bundled_codes()
    for spec in CATALOG.values():
        if spec.formula is not None:
            assert not spec.data_gap
            continue
        if spec.code in shipped:
            assert not spec.data_gap, spec.code
        else:
            assert spec.data_gap, spec.code
            assert spec.data_gap_zh, spec.code


def test_green_openness_and_warning_inputs_are_in_the_catalog() -> None:
    for code in ("labour_productivity", "industrial_profit", "fdi_share", "so2_intensity"):
        assert code in CATALOG
    assert CATALOG["fdi_share"].concept is Concept.OPENNESS
    assert CATALOG["so2_intensity"].concept is Concept.GREEN
    assert "CEADs" in CATALOG["co2_emissions"].data_gap


def test_labour_productivity_is_yuan_per_person() -> None:
    values = {
        "gdp": {"320500": Observation(19235.8, "100m yuan", "communiqué")},
        "employment": {"320500": Observation(700.0, "10k persons", "yearbook")},
    }
    got = value_of("labour_productivity", values, "320500", 2019)
    assert isinstance(got, Observation)
    assert got.value == pytest.approx(19235.8e8 / 700.0e4)
    assert "communiqué" in got.source
    assert "yearbook" in got.source
    only_gdp = {"gdp": values["gdp"]}
    assert isinstance(value_of("labour_productivity", only_gdp, "320500", 2019), Missing)
