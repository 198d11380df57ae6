"""The pure table parser: layouts, encodings, XLSX, and every problem at its row and column."""

from __future__ import annotations

import codecs
import csv
import dataclasses
import io
import math
from collections.abc import Callable, Iterable, Sequence

import openpyxl
import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from dyrd.core.errors import FieldError
from dyrd.region.compute.cells import CellError, parse_number
from dyrd.region.compute.tables import parse_table
from dyrd.region.types import (
    IndicatorDefinition,
    ParsedTable,
    StatisticRecord,
    TableLayout,
    TableRejected,
)

CITIES = frozenset({"310000", "320100", "320500", "330100", "340100"})
UNITS = {"gdp": "100m yuan", "population_resident": "10k persons"}
SRC = "Jiangsu Statistical Yearbook 2021, table 2-5"
LONG_HEADER = "city_code,indicator,year,value,unit,source"


def csv_bytes(
    rows: Iterable[Sequence[object]], *, encoding: str = "utf-8", sep: str = ","
) -> bytes:
    buf = io.StringIO()
    writer = csv.writer(buf, delimiter=sep, lineterminator="\n")
    for row in rows:
        writer.writerow(row)
    return buf.getvalue().encode(encoding)


def xlsx_bytes(sheets: dict[str, Sequence[Sequence[object]]]) -> bytes:
    book = openpyxl.Workbook()
    first = True
    for title, rows in sheets.items():
        ws = book.active if first else book.create_sheet()
        assert ws is not None
        ws.title = title
        first = False
        for row in rows:
            ws.append(list(row))
    buf = io.BytesIO()
    book.save(buf)
    return buf.getvalue()


def parse(content: bytes, filename: str = "t.csv", **kw: object) -> ParsedTable | TableRejected:
    kw.setdefault("cities", CITIES)
    kw.setdefault("units", UNITS)
    return parse_table(content, filename, **kw)  # type: ignore[arg-type]


def ok(content: bytes, filename: str = "t.csv", **kw: object) -> ParsedTable:
    result = parse(content, filename, **kw)
    assert isinstance(result, ParsedTable), getattr(result, "errors", None)
    return result


def rejected(content: bytes, filename: str = "t.csv", **kw: object) -> list[FieldError]:
    result = parse(content, filename, **kw)
    assert isinstance(result, TableRejected), result
    return list(result.errors)


def at(errors: list[FieldError], location: str) -> FieldError:
    found = [e for e in errors if e.location == location]
    assert len(found) == 1, (location, [e.location for e in errors])
    return found[0]


# --- layouts -------------------------------------------------------------------------------------


def test_long_csv_gives_every_row_with_its_spreadsheet_row_number() -> None:
    content = csv_bytes(
        [
            [
                "city_code",
                "indicator",
                "year",
                "value",
                "unit",
                "source",
                "indicator_name_zh",
                "indicator_name_en",
            ],
            ["320500", "gdp", "2020", "20170.5", "100m yuan", SRC, "", ""],
            ["310000", "urban_income", "2020", "76437", "yuan", SRC, "城镇居民人均可支配收入", ""],
            ["310000", "urban_income", "2021", "-1.5e3", "yuan", "", "", "Urban income"],
        ]
    )
    table = ok(content, source="fallback source")
    assert table.layout is TableLayout.LONG
    assert table.rows_read == 3
    assert [r.row for r in table.rows] == [2, 3, 4]
    assert table.records == (
        StatisticRecord("320500", "gdp", 2020, 20170.5, "100m yuan", SRC),
        StatisticRecord("310000", "urban_income", 2020, 76437.0, "yuan", SRC),
        StatisticRecord("310000", "urban_income", 2021, -1500.0, "yuan", "fallback source"),
    )
    assert table.new_indicators == (
        IndicatorDefinition("urban_income", "城镇居民人均可支配收入", "Urban income", "yuan"),
    )


def test_long_empty_unit_of_a_known_indicator_means_the_stored_unit() -> None:
    table = ok(csv_bytes([[*LONG_HEADER.split(",")], ["320500", "gdp", "2020", "1", "", SRC]]))
    assert table.records[0].unit == "100m yuan"
    assert table.new_indicators == ()


def test_wide_csv_empty_cells_are_missing_not_zero() -> None:
    content = csv_bytes(
        [
            ["city_code", "city_name", "year", "gdp [100m yuan]", "urban_income [yuan]"],
            ["320500", "Suzhou", "2020", "20170.5", ""],
            ["310000", "Shanghai", "2020", "", "76437"],
            ["320100", "Nanjing", "2020", "", ""],
        ]
    )
    table = ok(content, source=SRC)
    assert table.layout is TableLayout.WIDE
    assert table.rows_read == 3
    assert [(r.row, r.record) for r in table.rows] == [
        (2, StatisticRecord("320500", "gdp", 2020, 20170.5, "100m yuan", SRC)),
        (3, StatisticRecord("310000", "urban_income", 2020, 76437.0, "yuan", SRC)),
    ]
    assert table.new_indicators == (
        IndicatorDefinition("urban_income", "urban_income", "urban_income", "yuan"),
    )


def test_wide_without_year_column_takes_the_year_parameter() -> None:
    content = csv_bytes([["city_code", "gdp【100m yuan】"], ["320500", "20170.5"]])
    table = ok(content, source=SRC, year=2020)
    assert table.records == (StatisticRecord("320500", "gdp", 2020, 20170.5, "100m yuan", SRC),)


def test_wide_without_year_column_or_parameter_is_refused_at_the_header() -> None:
    errors = rejected(csv_bytes([["city_code", "gdp [100m yuan]"], ["320500", "1"]]), source=SRC)
    assert [e.location for e in errors] == ["row 1"]
    assert "'year'" in errors[0].message
    assert errors[0].value == "city_code, gdp [100m yuan]"


def test_chinese_headers_in_gbk_csv() -> None:
    rows = [
        ["城市代码", "城市", "指标", "年份", "数值", "单位", "来源", "指标名称"],
        [
            "320500",
            "苏州市",
            "urban_income",
            "2020年",
            "70966",
            "元",
            "苏州统计年鉴",
            "城镇居民人均可支配收入",
        ],
    ]
    content = csv_bytes(rows, encoding="gbk")
    with pytest.raises(UnicodeDecodeError):
        content.decode("utf-8")  # so the test really exercises the fallback
    table = ok(content)
    assert table.records == (
        StatisticRecord("320500", "urban_income", 2020, 70966.0, "元", "苏州统计年鉴"),
    )
    assert table.new_indicators[0].name_zh == "城镇居民人均可支配收入"


@pytest.mark.parametrize(
    "encode",
    [
        lambda s: s.encode("utf-8"),
        lambda s: codecs.BOM_UTF8 + s.encode("utf-8"),
        lambda s: s.encode("gb18030"),
        lambda s: s.encode("utf-16"),  # Excel "Unicode text", with its BOM
    ],
    ids=["utf8", "utf8-bom", "gb18030", "utf16"],
)
def test_encodings_give_the_same_table(encode: Callable[[str], bytes]) -> None:
    text = "代码,年份,gdp [100m yuan],来源\n320500,2020,20170.5,苏州统计年鉴\n"
    table = ok(encode(text))
    assert table.records == (
        StatisticRecord("320500", "gdp", 2020, 20170.5, "100m yuan", "苏州统计年鉴"),
    )


@pytest.mark.parametrize(
    ("text", "encoding", "unit"),
    [
        ("income [元]", "gbk", "元"),  # D4 AA is also valid UTF-8 ("Ԫ"): still read as GBK
        ("income [千元]", "gbk", "千元"),
        ("pm25 [μg/m³]", "utf-8", "μg/m³"),
        ("area [km²]", "utf-8", "km²"),
        ("temp [°C]", "utf-8", "°C"),
        ("income [元]", "utf-8", "元"),
    ],
)
def test_gbk_that_is_also_valid_utf8_is_read_as_gbk(text: str, encoding: str, unit: str) -> None:
    content = f"city_code,year,{text}\n320500,2020,1\n".encode(encoding)
    assert ok(content, source=SRC).records[0].unit == unit


def test_tab_separated_text_is_read() -> None:
    table = ok(
        csv_bytes(
            [LONG_HEADER.split(","), ["320500", "gdp", "2020", "1,234.5", "100m yuan", SRC]],
            sep="\t",
        )
    )
    assert table.records[0].value == 1234.5


def test_xlsx_long_with_numeric_cells_and_title_rows() -> None:
    content = xlsx_bytes(
        {
            "表1": [
                ["表 2-5 各市地区生产总值"],
                [],
                ["city_code", "indicator", "year", "value", "unit", "source"],
                [320500, "gdp", 2020, 20170.5, "100m yuan", SRC],
                ["310000", "gdp", 2020.0, "38,700.58", "100m yuan", SRC],
            ]
        }
    )
    table = ok(content, "yearbook.xlsx")
    assert [r.row for r in table.rows] == [4, 5]
    assert table.records == (
        StatisticRecord("320500", "gdp", 2020, 20170.5, "100m yuan", SRC),
        StatisticRecord("310000", "gdp", 2020, 38700.58, "100m yuan", SRC),
    )


def test_xlsx_wide_named_sheet_and_first_sheet_by_default() -> None:
    content = xlsx_bytes(
        {
            "notes": [["city_code", "year", "gdp [100m yuan]"], [320500, 2019, 1.0]],
            "data": [["代码", "年份", "gdp [100m yuan]", "来源"], [320500, 2020, 2.0, SRC]],
        }
    )
    named = ok(content, "t.xlsx", sheet="data")
    assert named.records == (StatisticRecord("320500", "gdp", 2020, 2.0, "100m yuan", SRC),)
    first = ok(content, "t.xlsx", source="s")
    assert first.records == (StatisticRecord("320500", "gdp", 2019, 1.0, "100m yuan", "s"),)
    errors = rejected(content, "t.xlsx", sheet="nope")
    assert [e.location for e in errors] == ["file"]
    assert "notes, data" in errors[0].message


def test_xlsx_error_rows_are_the_rows_excel_shows() -> None:
    content = xlsx_bytes(
        {"s": [["title"], ["city_code", "year", "gdp [100m yuan]"], [320500, 2020, "n/a"]]}
    )
    errors = rejected(content, "t.xlsx", source=SRC)
    assert [e.location for e in errors] == ["row 3, column gdp [100m yuan]"]
    assert errors[0].value == "n/a"


def test_xlsx_bool_and_date_cells_are_not_numbers() -> None:
    from datetime import datetime

    content = xlsx_bytes(
        {
            "s": [
                ["city_code", "year", "gdp [100m yuan]", "population_resident [10k persons]"],
                [320500, 2020, True, datetime(2020, 1, 1)],  # noqa: DTZ001  # a naive Excel date
            ]
        }
    )
    errors = rejected(content, "t.xlsx", source=SRC)
    assert [e.location for e in errors] == [
        "row 2, column gdp [100m yuan]",
        "row 2, column population_resident [10k persons]",
    ]


# --- problems, each at its place ---------------------------------------------------------------


def long_file(*rows: Sequence[object], header: str = LONG_HEADER) -> bytes:
    return csv_bytes([header.split(","), *rows])


def test_every_problem_of_a_file_is_reported_in_file_order() -> None:
    content = long_file(
        ["999999", "gdp", "2020", "1", "100m yuan", SRC],  # row 2 unknown city
        ["320500", "GDP", "2020", "1", "100m yuan", SRC],  # row 3 invalid indicator code
        ["320500", "gdp", "1948", "1", "100m yuan", SRC],  # row 4 year out of range
        ["320500", "gdp", "2019.5", "1", "100m yuan", SRC],  # row 5 non-integer year
        ["320500", "gdp", "2020", "abc", "100m yuan", SRC],  # row 6 non-numeric
        ["320500", "gdp", "2021", "inf", "100m yuan", SRC],  # row 7 non-finite
        ["320500", "gdp", "2020", "2", "100m yuan", SRC],  # row 8 duplicate of row 6
        ["320500", "gdp", "2022", "", "100m yuan", SRC],  # row 9 missing value
        ["320500", "gdp", "2023", "1", "100m yuan", ""],  # row 10 missing source
    )
    errors = rejected(content)
    assert [e.location for e in errors] == [
        "row 2, column city_code",
        "row 3, column indicator",
        "row 4, column year",
        "row 5, column year",
        "row 6, column value",
        "row 7, column value",
        "row 8",
        "row 9, column value",
        "row 10, column source",
    ]
    assert all(e.message and e.message_zh for e in errors)
    assert at(errors, "row 2, column city_code").value == "999999"
    assert "1949..2100" in at(errors, "row 4, column year").message
    assert "integer" in at(errors, "row 5, column year").message
    assert "finite" in at(errors, "row 7, column value").message
    dup = at(errors, "row 8")
    assert "row 6" in dup.message
    assert "第 6 行" in dup.message_zh


@pytest.mark.parametrize("text", ["nan", "NaN", "-inf", "Infinity", "1e999"])
def test_non_finite_values_are_refused(text: str) -> None:
    errors = rejected(long_file(["320500", "gdp", "2020", text, "100m yuan", SRC]))
    assert at(errors, "row 2, column value").message.startswith("The number is not finite")


@pytest.mark.parametrize("text", ["1,5", "1,23", "12,3456", "1,234,56", ",123", "1.234,5"])
def test_decimal_commas_and_broken_groups_are_refused(text: str) -> None:
    errors = rejected(long_file(["320500", "gdp", "2020", text, "100m yuan", SRC]))
    assert at(errors, "row 2, column value").value == text


@pytest.mark.parametrize(
    ("text", "value"),
    [("1,234.5", 1234.5), ("12,345,678", 12345678.0), ("-1,000", -1000.0), (" 7 ", 7.0)],
)
def test_thousands_separators_in_groups_of_three_are_accepted(text: str, value: float) -> None:
    assert (
        ok(long_file(["320500", "gdp", "2020", text, "100m yuan", SRC])).records[0].value == value
    )


@pytest.mark.parametrize("text", ["１２３", "1_000", "12%", "—", "…", "0x1A", "1 234"])
def test_other_number_spellings_are_refused(text: str) -> None:
    errors = rejected(long_file(["320500", "gdp", "2020", text, "100m yuan", SRC]))
    assert [e.location for e in errors] == ["row 2, column value"]


def test_semicolon_files_may_not_group_with_commas() -> None:
    content = csv_bytes(
        [LONG_HEADER.split(","), ["320500", "gdp", "2020", "1,234", "100m yuan", SRC]], sep=";"
    )
    errors = rejected(content)
    assert [e.location for e in errors] == ["row 2, column value"]
    assert "decimal comma" in errors[0].message
    plain = csv_bytes(
        [LONG_HEADER.split(","), ["320500", "gdp", "2020", "1234.5", "100m yuan", SRC]], sep=";"
    )
    assert ok(plain).records[0].value == 1234.5


@pytest.mark.parametrize("year", ["1948", "2101", "0", "-2020"])
def test_years_outside_the_range_are_refused(year: str) -> None:
    errors = rejected(long_file(["320500", "gdp", year, "1", "100m yuan", SRC]))
    assert at(errors, "row 2, column year").value == year


@pytest.mark.parametrize("year", ["1949", "2100", "2020.0", "2020年", " 2020 "])
def test_years_accepted(year: str) -> None:
    assert ok(long_file(["320500", "gdp", year, "1", "100m yuan", SRC])).records[0].year in {
        1949,
        2100,
        2020,
    }


def test_year_cell_contradicting_the_year_parameter() -> None:
    content = long_file(
        ["320500", "gdp", "2019", "1", "100m yuan", SRC],
        ["320500", "gdp", "", "1", "100m yuan", SRC],
    )
    errors = rejected(content, year=2020)
    assert [e.location for e in errors] == ["row 2, column year"]
    assert "2020" in errors[0].message


def test_year_parameter_out_of_range() -> None:
    errors = rejected(long_file(["320500", "gdp", "2020", "1", "100m yuan", SRC]), year=1800)
    assert [e.location for e in errors] == ["year"]


@pytest.mark.parametrize("code", ["GDP", "g", "1gdp", "gdp-total", "国内生产总值", "a" * 65])
def test_invalid_indicator_codes_in_long_cells(code: str) -> None:
    errors = rejected(long_file(["320500", code, "2020", "1", "u", SRC]))
    assert [e.location for e in errors] == ["row 2, column indicator"]


def test_invalid_indicator_code_in_wide_header() -> None:
    content = csv_bytes(
        [["city_code", "year", "GDP [100m yuan]", "gdp [100m yuan]"], ["320500", "2020", "1", "2"]]
    )
    errors = rejected(content, source=SRC)
    assert [e.location for e in errors] == ["row 1, column GDP [100m yuan]"]


def test_unit_conflict_within_a_long_file_names_the_first_row() -> None:
    content = long_file(
        ["320500", "income", "2020", "1", "yuan", SRC],
        ["310000", "income", "2020", "1", "10k yuan", SRC],
        ["320100", "income", "2020", "1", "10k yuan", SRC],
    )
    errors = rejected(content)
    assert [e.location for e in errors] == ["row 3, column unit"]
    assert "'yuan' in row 2" in errors[0].message
    assert "1 more row" in errors[0].message


def test_unit_conflict_with_the_stored_definition() -> None:
    errors = rejected(long_file(["320500", "gdp", "2020", "2017050000", "yuan", SRC]))
    assert [e.location for e in errors] == ["row 2, column unit"]
    assert "stored in '100m yuan'" in errors[0].message
    wide = csv_bytes([["city_code", "year", "gdp [yuan]"], ["320500", "2020", "1"]])
    errors = rejected(wide, source=SRC)
    assert [e.location for e in errors] == ["row 1, column gdp [yuan]"]
    assert "stored in '100m yuan'" in errors[0].message


def test_unit_conflict_between_two_wide_columns() -> None:
    content = csv_bytes(
        [["city_code", "year", "x1 [yuan]", "x1 [10k yuan]"], ["320500", "2020", "1", "2"]]
    )
    errors = rejected(content, source=SRC)
    assert [e.location for e in errors] == ["row 1, column x1 [10k yuan]"]
    assert "Unit conflict" in errors[0].message


def test_units_compare_with_whitespace_collapsed() -> None:
    assert (
        ok(long_file(["320500", "gdp", "2020", "1", " 100m   yuan ", SRC])).records[0].unit
        == "100m yuan"
    )


def test_duplicate_wide_rows_name_both_rows() -> None:
    content = csv_bytes(
        [
            ["city_code", "year", "gdp [100m yuan]"],
            ["320500", "2020", "1"],
            ["310000", "2020", "1"],
            ["320500", "2020", "2"],
        ]
    )
    errors = rejected(content, source=SRC)
    assert [e.location for e in errors] == ["row 4"]
    assert "row 2" in errors[0].message


def test_missing_columns_are_reported_at_the_header_with_the_header_read() -> None:
    errors = rejected(
        csv_bytes([["city_code", "indicator", "year", "amount"], ["320500", "gdp", "2020", "1"]]),
        source=SRC,
    )
    assert [e.location for e in errors] == ["row 1", "row 1", "row 1, column amount"]
    assert {e.message.split(".")[0] for e in errors[:2]} == {
        "Missing required column 'value'",
        "Missing required column 'unit'",
    }
    assert errors[0].value == "city_code, indicator, year, amount"


def test_a_header_without_any_layout_says_both_are_possible() -> None:
    errors = rejected(csv_bytes([["city", "gdp"], ["320500", "1"]]), source=SRC)
    assert errors[0].location == "row 1"
    assert "'city_code'" in errors[0].message
    assert "code [unit]" in errors[0].message


def test_no_source_anywhere_is_one_header_error() -> None:
    errors = rejected(
        long_file(
            ["320500", "gdp", "2020", "1", "100m yuan"],
            header="city_code,indicator,year,value,unit",
        )
    )
    assert [e.location for e in errors] == ["row 1"]
    assert "source" in errors[0].message


def test_repeated_and_headerless_columns() -> None:
    content = csv_bytes(
        [
            ["city_code", "year", "年份", "gdp [100m yuan]", ""],
            ["320500", "2020", "2020", "1", "x"],
            ["310000", "2020", "2020", "1", "", "y"],
        ]
    )
    errors = rejected(content, source=SRC)
    assert [e.location for e in errors] == [
        "row 1, column 年份",
        "row 2, column E",
        "row 3, column F",
    ]


@pytest.mark.parametrize(
    "content",
    [b"", b"\n\n \n", codecs.BOM_UTF8, b",,,\n,,\n"],
    ids=["zero", "blank", "bom", "commas"],
)
def test_empty_files(content: bytes) -> None:
    errors = rejected(content)
    assert [(e.location, e.message) for e in errors] == [("file", "The file is empty.")]


def test_header_without_rows_and_rows_without_values() -> None:
    errors = rejected(csv_bytes([LONG_HEADER.split(",")]))
    assert [e.location for e in errors] == ["file"]
    assert "No data rows" in errors[0].message
    errors = rejected(
        csv_bytes([["city_code", "year", "gdp [100m yuan]"], ["320500", "2020", ""]]), source=SRC
    )
    assert [e.location for e in errors] == ["file"]
    assert "no values" in errors[0].message


@pytest.mark.parametrize(
    ("content", "filename", "says"),
    [
        (b"%PDF-1.7", "table.pdf", "Unsupported file type 'pdf'"),
        (b"a,b", "table", "(no extension)"),
        (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1", "table.xls", "Legacy .xls"),
        (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1", "table.xlsx", "legacy Excel 97-2003"),
        (b"PK\x03\x04garbage", "table.xlsx", "damaged"),
        (b"not a zip", "table.xlsx", "not a zip"),
        (b"PK\x03\x04garbage", "table.csv", "name it .xlsx"),
        (b"city_code\x00,\xff\xfe\xfa", "table.csv", "binary"),
        (b'city_code,"unterminated\n', "table.csv", "malformed"),
    ],
)
def test_unreadable_files(content: bytes, filename: str, says: str) -> None:
    errors = rejected(content, filename, source=SRC)
    assert [e.location for e in errors] == ["file"]
    assert says in errors[0].message


def test_an_unbalanced_quote_is_not_swallowing_the_rest_of_the_file() -> None:
    content = b'city_code,year,gdp [100m yuan],source\n320500,2020,1,"Yearbook\n310000,2020,2,x\n'
    errors = rejected(content)
    assert [e.location for e in errors] == ["file"]
    assert "malformed" in errors[0].message


def test_a_truncated_xlsx_is_damaged() -> None:
    content = xlsx_bytes({"s": [["city_code", "year", "gdp [100m yuan]"], [320500, 2020, 1]]})
    errors = rejected(content[: len(content) // 2], "t.xlsx", source=SRC)
    assert [e.location for e in errors] == ["file"]


def test_too_many_rows_stops_at_the_first_row_past_the_cap() -> None:
    rows = [["320500", "gdp", str(2000 + i), "1", "100m yuan", SRC] for i in range(5)]
    assert ok(long_file(*rows), max_rows=5).rows_read == 5
    errors = rejected(long_file(*rows), max_rows=3)
    assert [e.location for e in errors] == ["row 5"]
    assert "more than 3 data rows" in errors[0].message


def test_problems_are_capped_with_a_count_of_the_rest() -> None:
    rows = [["999999", "gdp", "2020", "1", "100m yuan", SRC] for _ in range(10)]
    errors = rejected(long_file(*rows), max_errors=3)
    assert [e.location for e in errors] == [
        "row 2, column city_code",
        "row 3, column city_code",
        "row 4, column city_code",
        "file",
    ]
    assert errors[-1].message.startswith("7 more problem(s)")


def test_informational_columns_are_ignored_and_unknown_long_columns_refused() -> None:
    ok(
        long_file(
            ["320500", "gdp", "2020", "1", "100m yuan", SRC, "苏州", "note"],
            header=LONG_HEADER + ",城市,备注",
        )
    )
    errors = rejected(
        long_file(
            ["320500", "gdp", "2020", "1", "100m yuan", SRC, "x"], header=LONG_HEADER + ",comment"
        )
    )
    assert [e.location for e in errors] == ["row 1, column comment"]


# --- properties ----------------------------------------------------------------------------------

codes = st.from_regex(r"[a-z][a-z0-9_]{1,20}", fullmatch=True)
finite = st.floats(allow_nan=False, allow_infinity=False)
units = st.sampled_from(["yuan", "10k persons", "%", "元", "per 1000 persons"])


@st.composite
def long_tables(draw: st.DrawFn) -> list[StatisticRecord]:
    keys = draw(
        st.lists(
            st.tuples(
                st.sampled_from(sorted(CITIES)),
                codes.filter(lambda c: c not in UNITS),
                st.integers(1949, 2100),
            ),
            min_size=1,
            max_size=30,
            unique=True,
        )
    )
    unit_of = {code: draw(units) for _, code, _ in keys}
    # Latin-1 and CJK: the scripts a yearbook source is written in (see sheets.decode).
    letters = ("L", "N", "P", "S")
    sources = st.text(
        st.characters(max_codepoint=0xFF, categories=letters)
        | st.characters(min_codepoint=0x3000, max_codepoint=0x9FFF, categories=letters),
        min_size=1,
        max_size=20,
    ).filter(lambda t: not t.startswith("="))  # openpyxl would write "=..." as a formula
    return [StatisticRecord(c, i, y, draw(finite), unit_of[i], draw(sources)) for c, i, y in keys]


@given(long_tables(), st.sampled_from(["utf-8", "utf-8-sig", "gb18030"]), st.booleans())
@settings(max_examples=60, deadline=None)
def test_property_a_valid_long_table_round_trips(
    records: list[StatisticRecord], encoding: str, as_xlsx: bool
) -> None:
    rows = [[r.city_code, r.indicator, r.year, repr(r.value), r.unit, r.source] for r in records]
    if as_xlsx:
        # Excel keeps 15 significant digits (openpyxl writes 16), so compare at that precision.
        records = [dataclasses.replace(r, value=float(f"{r.value:.15g}")) for r in records]
        assume(all(math.isfinite(r.value) for r in records))  # 1.7976931348623157e308 rounds up
        cells = [[r.city_code, r.indicator, r.year, r.value, r.unit, r.source] for r in records]
        content, name = xlsx_bytes({"s": [LONG_HEADER.split(","), *cells]}), "t.xlsx"
    else:
        content, name = csv_bytes([LONG_HEADER.split(","), *rows], encoding=encoding), "t.csv"
    table = ok(content, name)
    assert list(table.records) == records
    assert [r.row for r in table.rows] == list(range(2, len(records) + 2))
    assert {d.code: d.unit for d in table.new_indicators} == {r.indicator: r.unit for r in records}


@given(long_tables())
@settings(max_examples=40, deadline=None)
def test_property_wide_and_long_layouts_of_the_same_data_agree(
    records: list[StatisticRecord],
) -> None:
    records = [
        StatisticRecord(r.city_code, r.indicator, r.year, r.value, r.unit, SRC) for r in records
    ]
    indicators = sorted({r.indicator for r in records})
    unit_of = {r.indicator: r.unit for r in records}
    cells = {(r.city_code, r.year): {} for r in records}  # type: dict[tuple[str, int], dict[str, str]]
    for r in records:
        cells[(r.city_code, r.year)][r.indicator] = repr(r.value)
    wide = csv_bytes(
        [
            ["city_code", "year", *(f"{i} [{unit_of[i]}]" for i in indicators)],
            *([c, y, *(row.get(i, "") for i in indicators)] for (c, y), row in cells.items()),
        ]
    )
    long = csv_bytes(
        [
            LONG_HEADER.split(","),
            *([r.city_code, r.indicator, r.year, repr(r.value), r.unit, SRC] for r in records),
        ]
    )
    assert set(ok(wide, source=SRC).records) == set(ok(long).records) == set(records)


@given(finite)
def test_property_numbers_round_trip_plain_and_grouped(x: float) -> None:
    assert parse_number(repr(x)) == x
    assert parse_number(f"{x:,}") == x
    assert parse_number(x) == x


@given(st.integers(0, 999), st.integers(0, 10**6).filter(lambda b: not 100 <= b <= 999))
def test_property_a_comma_not_grouping_three_digits_is_never_guessed(a: int, b: int) -> None:
    text = f"{a},{b:02d}" if b < 100 else f"{a},{b}"
    with pytest.raises(CellError):
        parse_number(text)


@given(st.binary(max_size=300), st.sampled_from(["t.csv", "t.xlsx", "t.txt"]))
@settings(max_examples=200, deadline=None)
def test_property_arbitrary_bytes_never_raise(content: bytes, filename: str) -> None:
    result = parse(content, filename, source=SRC)
    assert isinstance(result, ParsedTable | TableRejected)
    if isinstance(result, TableRejected):
        assert result.errors
        assert all(e.location and e.message for e in result.errors)


@given(st.lists(st.lists(st.text(max_size=8), max_size=6), max_size=8))
@settings(max_examples=200, deadline=None)
def test_property_arbitrary_csv_cells_never_raise(rows: list[list[str]]) -> None:
    header = [["city_code", "indicator", "year", "value", "unit"], ["city_code", "year", "x [u]"]]
    for head in header:
        result = parse(csv_bytes([head, *rows]), source=SRC)
        for record in getattr(result, "records", ()):
            assert math.isfinite(record.value)
            assert record.city_code in CITIES
