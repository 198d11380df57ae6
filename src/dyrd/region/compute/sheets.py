"""Turning uploaded bytes into rows of cells: CSV (UTF-8, UTF-16, GBK/GB18030) or XLSX; pure.

Encodings: a BOM decides (UTF-8 or UTF-16). Without one, UTF-8 is tried first, then GB18030 (the
superset of GBK/GB2312 that Chinese Excel writes for "CSV"). GBK text is seldom valid UTF-8, but a
file whose only Chinese is a few characters can be: "元" (D4 AA) reads as UTF-8 "Ԫ". Such a
misreading yields only two-byte characters, mostly outside Latin-1 (Latin Extended, Greek,
Cyrillic, Armenian...), while genuine UTF-8 Chinese has three-byte characters. So a BOM-less file
that decodes as UTF-8 with no character at or above U+0800 and some in U+0100..U+07FF (other than
the unit symbols μ and Ω) is read as GB18030 when that also decodes. Genuine UTF-8 files of only
ASCII, Latin-1 (° ² ³ µ é ü) or μ/Ω stay UTF-8; a file of Cyrillic or Arabic text without BOM would
be misread, which a Chinese yearbook table is not; saving as "CSV UTF-8" (with BOM) or XLSX avoids
any guess.

The CSV delimiter is whichever of ``,`` TAB ``;`` occurs most in the first non-blank line; quoting
is strict, so an unbalanced quote is an error rather than the rest of the file in one cell.
XLSX is read with openpyxl in read-only mode with ``data_only``: a formula counts as the value
Excel last cached (a formula never calculated reads as an empty cell).
"""

from __future__ import annotations

import codecs
import csv
import io
import zipfile
from collections.abc import Callable, Iterator
from dataclasses import dataclass

from dyrd.region.compute.cells import Cell

Rows = Iterator[tuple[int, tuple[Cell, ...]]]
"""(spreadsheet row number, cells), blank rows included so the numbers stay the user's."""

_ZIP = b"PK\x03\x04"
_OLE = b"\xd0\xcf\x11\xe0"  # Compound File header of legacy .xls


class Unreadable(Exception):
    """The bytes cannot be read as the format they claim."""

    def __init__(self, message: str, message_zh: str) -> None:
        super().__init__(message)
        self.message = message
        self.message_zh = message_zh


@dataclass(frozen=True, slots=True)
class Grid:
    """The rows of one sheet, read lazily; ``close`` releases the workbook."""

    rows: Rows
    allow_grouping: bool
    """False when ',' may be a decimal mark (';'-separated CSV), so numbers may not group."""
    close: Callable[[], None]


def column_letter(index: int) -> str:
    """Spreadsheet column letter of a 0-based index (0 -> A, 26 -> AA)."""
    out = ""
    n = index + 1
    while n:
        n, rem = divmod(n - 1, 26)
        out = chr(65 + rem) + out
    return out


def file_kind(filename: str, fmt: str | None = None) -> str:
    """'csv', 'xlsx' or the unsupported extension itself ('' when there is none)."""
    kind = fmt.lower().lstrip(".") if fmt else ""
    if not kind:
        name = filename.replace("\\", "/").rsplit("/", 1)[-1].lower()
        kind = name.rsplit(".", 1)[-1] if "." in name else ""
    return {"txt": "csv", "tsv": "csv", "xlsm": "xlsx"}.get(kind, kind)


def read_grid(content: bytes, filename: str, *, fmt: str | None, sheet: str | None) -> Grid:
    """The rows of a CSV file or of an XLSX sheet (the named one, else the first)."""
    if not content:
        raise Unreadable("The file is empty.", "文件为空。")
    kind = file_kind(filename, fmt)
    if kind == "csv":
        return _read_csv(content)
    if kind == "xlsx":
        return _read_xlsx(content, sheet)
    if kind == "xls":
        raise Unreadable(
            "Legacy .xls workbooks are not supported; save the sheet as .xlsx or CSV.",
            "不支持旧版 .xls 工作簿；请另存为 .xlsx 或 CSV。",
        )
    raise Unreadable(
        f"Unsupported file type {kind or '(no extension)'!r}: upload .csv or .xlsx.",
        f"不支持的文件类型 {kind or '（无扩展名）'}：请上传 .csv 或 .xlsx 文件。",
    )


_UNIT_SYMBOLS = frozenset("μΩ")


def _looks_misread(text: str) -> bool:
    """True when UTF-8 text has only the two-byte characters that GBK pairs decode to."""
    suspicious = False
    for ch in set(text):
        code = ord(ch)
        if code >= 0x800:
            return False
        if code >= 0x100 and ch not in _UNIT_SYMBOLS:
            suspicious = True
    return suspicious


def decode(content: bytes) -> str:
    """Text of a CSV (rules in the module docstring); raises Unreadable."""
    if content.startswith(codecs.BOM_UTF8):
        encodings: tuple[str, ...] = ("utf-8-sig",)
    elif content.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        encodings = ("utf-16",)
    else:
        try:
            as_utf8 = content.decode("utf-8")
        except UnicodeDecodeError:
            encodings = ("gb18030",)
        else:
            encodings = ("gb18030", "utf-8") if _looks_misread(as_utf8) else ("utf-8",)
    for encoding in encodings:
        try:
            text = content.decode(encoding)
        except UnicodeDecodeError:
            continue
        if "\x00" not in text:
            return text
    raise Unreadable(
        "The file is not text in UTF-8, UTF-16 or GBK/GB18030 (is it a binary file?).",
        "文件不是 UTF-8、UTF-16 或 GBK/GB18030 编码的文本（是否为二进制文件？）。",
    )


def _delimiter(text: str) -> str:
    first = next((line for line in text.splitlines() if line.strip()), "")
    counts = {d: first.count(d) for d in (",", "\t", ";")}
    best = max(counts, key=lambda d: counts[d])
    return best if counts[best] else ","


def _csv_rows(text: str, delimiter: str) -> Rows:
    # strict: an unbalanced quote is an error, not the rest of the file swallowed into one cell.
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter, strict=True)
    number = 0
    try:
        for record in reader:
            number += 1
            yield number, tuple(record)
    except csv.Error as exc:
        raise Unreadable(
            f"The CSV is malformed at row {number + 1}: {exc}.",
            f"CSV 文件第 {number + 1} 行格式错误：{exc}。",
        ) from exc


def _read_csv(content: bytes) -> Grid:
    if content.startswith(_ZIP):
        raise Unreadable(
            "The file is an Excel workbook (XLSX) but is named as CSV; name it .xlsx.",
            "文件实为 Excel 工作簿（XLSX），却以 CSV 命名；请改用 .xlsx 扩展名。",
        )
    text = decode(content)
    delimiter = _delimiter(text)
    return Grid(_csv_rows(text, delimiter), allow_grouping=delimiter != ";", close=lambda: None)


def _read_xlsx(content: bytes, sheet: str | None) -> Grid:
    if content.startswith(_OLE):
        raise Unreadable(
            "The file is a legacy Excel 97-2003 workbook (.xls); save it as .xlsx and upload "
            "again.",
            "文件是旧版 Excel 97-2003 工作簿（.xls）；请另存为 .xlsx 后重新上传。",
        )
    if not content.startswith(_ZIP):
        raise Unreadable(
            "The file is not a valid XLSX workbook (it is not a zip archive).",
            "文件不是有效的 XLSX 工作簿（不是 zip 压缩包）。",
        )
    import openpyxl
    from openpyxl.worksheet._read_only import ReadOnlyWorksheet

    try:
        book = openpyxl.load_workbook(io.BytesIO(content), read_only=True, data_only=True)
    # openpyxl reports a damaged archive through many exception types (BadZipFile, KeyError,
    # ValueError, XML ParseError, ...); to the uploader each means the same thing.
    except Exception as exc:
        raise Unreadable(
            f"The XLSX workbook is damaged or not a spreadsheet ({type(exc).__name__}).",
            "XLSX 工作簿已损坏或不是电子表格。",
        ) from exc
    sheets = [ws for ws in book.worksheets if isinstance(ws, ReadOnlyWorksheet)]
    names = [ws.title for ws in sheets]
    chosen = next((ws for ws in sheets if ws.title == sheet), None) if sheet else None
    if sheet and chosen is None:
        book.close()
        raise Unreadable(
            f"The workbook has no sheet {sheet!r}; its sheets are {', '.join(names) or 'none'}.",
            f"工作簿中没有名为 {sheet} 的工作表；现有工作表：{'、'.join(names) or '无'}。",
        )
    if not sheets:
        book.close()
        raise Unreadable("The workbook has no worksheet.", "工作簿中没有工作表。")
    ws = chosen or sheets[0]
    # Some writers store a wrong <dimension>; without a reset openpyxl trusts it and stops early.
    ws.reset_dimensions()

    def rows() -> Rows:
        number = 0
        try:
            for values in ws.iter_rows(values_only=True):
                number += 1
                yield number, tuple(values)
        # A truncated member raises BadZipFile or EOFError; xml.etree's ParseError is a
        # SyntaxError; a malformed cell reference or value ValueError/KeyError/TypeError.
        except (zipfile.BadZipFile, EOFError, SyntaxError, ValueError, KeyError, TypeError) as exc:
            raise Unreadable(
                f"The XLSX sheet is damaged at row {number + 1} ({type(exc).__name__}).",
                f"XLSX 工作表第 {number + 1} 行附近已损坏。",
            ) from exc

    return Grid(rows(), allow_grouping=True, close=book.close)
