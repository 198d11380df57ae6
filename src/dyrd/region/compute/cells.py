"""Reading one cell of an uploaded table: numbers, years, city and indicator codes; pure.

Numbers are ASCII digits with an optional sign, decimal point and exponent. A comma is accepted
only as a thousands separator in strict groups of three (``1,234.5``, ``12,345,678``): the
product's locales (zh-CN, en) group with ``,`` and mark decimals with ``.``, so ``1,5`` or ``1,23``
(decimal commas) are refused rather than guessed, and a caller reading a ``;``-separated CSV (the
European Excel export, where ``,`` is the decimal mark) turns grouping off altogether.
``nan``/``inf``, full-width digits, ``1_000``, percentages and yearbook markers such as ``—`` or
``…`` are errors: a missing value is an empty cell.
"""

from __future__ import annotations

import math
import re
from collections.abc import Collection
from datetime import date, datetime, time, timedelta

YEAR_MIN = 1949
"""First year a value may have (founding of the PRC; the yearbook series start no earlier)."""
YEAR_MAX = 2100
INDICATOR_CODE = re.compile(r"^[a-z][a-z0-9_]{1,63}$")

_NUMBER = re.compile(r"[+-]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?", re.ASCII)
_GROUPED = re.compile(r"[+-]?\d{1,3}(?:,\d{3})+(?:\.\d+)?", re.ASCII)
_INTEGER = re.compile(r"[+-]?\d+", re.ASCII)
_NON_FINITE = frozenset(
    sign + word for sign in ("", "+", "-") for word in ("nan", "inf", "infinity")
)

Cell = object
"""A cell as csv (str) or openpyxl (str, int, float, bool, datetime, None) gives it."""


class CellError(Exception):
    """A cell that fails a check, with a bilingual reason."""

    def __init__(self, message: str, message_zh: str) -> None:
        super().__init__(message)
        self.message = message
        self.message_zh = message_zh


def is_blank(cell: Cell) -> bool:
    """True for an empty cell (None or only whitespace)."""
    return cell is None or (isinstance(cell, str) and not cell.strip())


def cell_text(cell: Cell) -> str:
    """The cell as trimmed text; integral floats lose their '.0' (Excel stores 320500.0)."""
    if cell is None:
        return ""
    if isinstance(cell, float) and cell.is_integer():
        return str(int(cell))
    return str(cell).strip()


def norm_unit(text: str) -> str:
    """A unit with its whitespace trimmed and collapsed; case is kept."""
    return " ".join(text.split())


def parse_number(cell: Cell, *, allow_grouping: bool = True) -> float:
    """A finite float from a cell (rules in the module docstring); raises CellError."""
    if isinstance(cell, bool | datetime | date | time | timedelta):
        kind = type(cell).__name__
        raise CellError(f"Not a number ({kind} cell).", f"不是数字（{kind} 类型单元格）。")
    if isinstance(cell, int | float):
        try:
            value = float(cell)
        except OverflowError:
            value = math.inf
    else:
        text = str(cell).strip()
        if _NUMBER.fullmatch(text):
            value = float(text)
        elif _GROUPED.fullmatch(text):
            if not allow_grouping:
                raise CellError(
                    "A comma in a number of a ';'-separated file may be a decimal comma; "
                    "write the number without commas, with '.' as the decimal mark.",
                    "分号分隔的文件中数字里的逗号可能是小数点；请去掉逗号并以“.”作小数点。",
                )
            value = float(text.replace(",", ""))
        elif text.lower() in _NON_FINITE:
            value = math.nan
        elif "," in text and _NUMBER.fullmatch(text.replace(",", "")):
            raise CellError(
                "Ambiguous comma in a number: a comma is accepted only as a thousands "
                "separator in groups of three (1,234.5); use '.' as the decimal mark.",
                "数字中的逗号有歧义：逗号只能作千位分隔符（每三位一组，如 1,234.5），"
                "小数点请用“.”。",
            )
        else:
            raise CellError(
                "Not a number; leave the cell empty when the value is missing.",
                "不是数字；缺失值请留空。",
            )
    if not math.isfinite(value):
        raise CellError(
            "The number is not finite (NaN or infinity).", "数值不是有限数（NaN 或无穷大）。"
        )
    return value


def _not_integer() -> CellError:
    return CellError("The year is not an integer.", "年份不是整数。")


def parse_year(cell: Cell) -> int:
    """A year in YEAR_MIN..YEAR_MAX from '2019', 2019, 2019.0 or '2019年'; raises CellError."""
    if isinstance(cell, bool):
        raise _not_integer()
    if isinstance(cell, int):
        year = cell
    elif isinstance(cell, float):
        if not cell.is_integer():
            raise _not_integer()
        year = int(cell)
    elif isinstance(cell, str):
        text = cell.strip().removesuffix("年").strip()
        if _INTEGER.fullmatch(text):
            year = int(text)
        elif _NUMBER.fullmatch(text) and float(text).is_integer():
            year = int(float(text))
        else:
            raise _not_integer()
    else:
        raise _not_integer()
    if not YEAR_MIN <= year <= YEAR_MAX:
        raise CellError(
            f"The year {year} is outside {YEAR_MIN}..{YEAR_MAX}.",
            f"年份 {year} 不在 {YEAR_MIN} 至 {YEAR_MAX} 之间。",
        )
    return year


def parse_city(cell: Cell, known: Collection[str]) -> str:
    """A known city code (Excel may store 320500 as a number); raises CellError."""
    if isinstance(cell, bool) or not isinstance(cell, str | int | float):
        raise CellError("Not a city code.", "不是城市代码。")
    code = cell_text(cell)
    if code not in known:
        raise CellError(
            f"Unknown city code {code!r}: use the 6-digit GB/T 2260 code of one of the "
            "region's cities (`dyrd region cities` lists them).",
            f"未知的城市代码 {code}：请使用本区域城市的 6 位 GB/T 2260 代码"
            "（`dyrd region cities` 可列出）。",
        )
    return code


def check_indicator_code(code: str) -> str:
    """The code itself when it matches INDICATOR_CODE; raises CellError."""
    if not INDICATOR_CODE.fullmatch(code):
        raise CellError(
            f"Invalid indicator code {code!r}: 2-64 characters, lower-case ASCII letters, digits "
            "and '_', starting with a letter (e.g. urban_disposable_income).",
            f"指标代码 {code} 无效：须为 2-64 个小写英文字母、数字或下划线，且以字母开头"
            "（如 urban_disposable_income）。",
        )
    return code
