"""Reading spreadsheets people send us: CSV (UTF-8 with or without BOM, GBK/GB18030 as Excel in China saves it,
UTF-16 "Unicode text") and XLSX; finding the header row below any title rows; turning cells into values.

No model import: importing.py (residents, exams, encounters) and the ICD-10 catalogue import build on it.
"""
from __future__ import annotations

import csv
import datetime as dt
import io
import re
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import Any

from django.utils.translation import gettext_lazy as _

HEADER_SEARCH_ROWS = 30  # title rows above the header ("XX镇居民花名册", a date line …)


class FileProblem(Exception):
    """The file as a whole cannot be read (not a spreadsheet, no header, a required column missing)."""

    def __init__(self, message):
        super().__init__(str(message))
        self.message = message


class CellProblem(Exception):
    """One cell's value is not usable: ``reason`` is shown in the error report."""

    def __init__(self, reason):
        super().__init__(str(reason))
        self.reason = reason


@dataclass(frozen=True)
class Column:
    key: str
    label: str  # the header in the template (Chinese: the files come from Chinese offices)
    aliases: tuple[str, ...] = ()  # other headers meaning the same, in order of preference
    required: bool = False
    kind: str = "text"  # text | date | decimal | int | bool | number
    note: Any = ""  # 填写说明 (lazy translation)
    example: str = ""

    def names(self) -> list[str]:
        return [normalise_header(n) for n in (self.label, self.key, *self.aliases)]


# --- bytes to rows -----------------------------------------------------------------------------------------

def file_format(data: bytes, filename: str = "") -> str:
    if data[:4] == b"PK\x03\x04":
        return "xlsx"
    if data[:8] == b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1":
        raise FileProblem(_("这是旧版 Excel（.xls）文件，请在 Excel 中“另存为” .xlsx 或 CSV 后再上传。"))
    if filename.lower().endswith((".xlsx", ".xlsm")):
        raise FileProblem(_("文件不是有效的 XLSX 文件。"))
    return "csv"


def decode_text(data: bytes) -> str:
    """UTF-8 (with or without BOM), UTF-16 with BOM, else GB18030 (a superset of GBK and GB2312)."""
    if data.startswith(b"\xef\xbb\xbf"):
        return data[3:].decode("utf-8", errors="strict")
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        return data.decode("utf-16")
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        pass
    try:
        return data.decode("gb18030")
    except UnicodeDecodeError:
        raise FileProblem(_("无法识别文件编码，请保存为 UTF-8 或 GBK 编码的 CSV，或 XLSX。")) from None


def _csv_rows(data: bytes) -> Iterator[list[Any]]:
    text = decode_text(data)
    sample = text[:8192]
    delimiter = ","
    counts = {d: sample.count(d) for d in (",", "\t", ";")}
    if counts[","] == 0 and max(counts.values()) > 0:
        delimiter = max(counts, key=counts.get)
    yield from csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)


def sheets(data: bytes, filename: str = "") -> Iterator[tuple[str, Iterator[Sequence[Any]]]]:
    """(sheet name, rows of cells) for every sheet; a CSV file is one sheet."""
    if file_format(data, filename) == "csv":
        yield "", _csv_rows(data)
        return
    import openpyxl
    from openpyxl.utils.exceptions import InvalidFileException

    try:
        book = openpyxl.load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except (InvalidFileException, KeyError, OSError, ValueError) as exc:
        raise FileProblem(_("文件不是有效的 XLSX 文件。")) from exc
    try:
        for sheet in book.worksheets:
            yield sheet.title, sheet.iter_rows(values_only=True)
    finally:
        book.close()


# --- the header row --------------------------------------------------------------------------------------

_FULLWIDTH = str.maketrans("（）［］：＊", "()[]:*")


def normalise_header(value: Any) -> str:
    """'出生日期（YYYY-MM-DD）*' -> '出生日期'; spaces and case ignored."""
    text = str(value or "").translate(_FULLWIDTH)
    text = re.sub(r"\s+", "", text).strip("*").lower()
    text = re.sub(r"\(.*?\)|\[.*?\]", "", text)
    return text.strip("*:")


@dataclass
class Header:
    row_number: int  # 1-based, as the user sees it in Excel
    columns: dict[str, int]  # column key -> 0-based cell index
    labels: dict[str, str]  # column key -> the header as written in the file


def match_header(cells: Sequence[Any], columns: Sequence[Column]) -> tuple[dict[str, int], dict[str, str]]:
    found = {}
    for index, cell in enumerate(cells):
        name = normalise_header(cell)
        if name:
            found.setdefault(name, index)
    matched, labels = {}, {}
    for column in columns:
        for name in column.names():
            if name in found:
                matched[column.key] = found[name]
                labels[column.key] = str(cells[found[name]]).strip()
                break
    return matched, labels


def find_header(rows: Iterator[Sequence[Any]], columns: Sequence[Column]) -> tuple[Header | None, list[str]]:
    """Read rows until the header: the first row (of the first HEADER_SEARCH_ROWS) holding every required
    column. Returns the header (None if not found) and, when not found, the missing required labels of the
    best candidate row. ``rows`` is left positioned after the header."""
    required = [c for c in columns if c.required]
    best: tuple[int, list[str]] = (-1, [c.label for c in required])
    for number, cells in enumerate(rows, start=1):
        if number > HEADER_SEARCH_ROWS:
            break
        matched, labels = match_header(cells or (), columns)
        missing = [c.label for c in required if c.key not in matched]
        if not missing and matched:
            return Header(row_number=number, columns=matched, labels=labels), []
        if len(matched) > best[0] and len(matched) >= 2:
            best = (len(matched), missing)
    return None, best[1]


def is_blank(cells: Sequence[Any]) -> bool:
    return all(c is None or str(c).strip() == "" for c in cells)


# --- cells to values -----------------------------------------------------------------------------------------

def text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, dt.datetime):
        return value.date().isoformat() if value.time() == dt.time() else value.isoformat(sep=" ")
    if isinstance(value, dt.date):
        return value.isoformat()
    return str(value).strip()


_DATE_FORMATS = ("%Y-%m-%d", "%Y/%m/%d", "%Y.%m.%d", "%Y%m%d", "%Y年%m月%d日", "%Y-%m-%d %H:%M:%S",
                 "%Y/%m/%d %H:%M:%S", "%Y-%m-%d %H:%M", "%Y/%m/%d %H:%M")


def date(value: Any) -> dt.date | None:
    if value in (None, ""):
        return None
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    raw = text(value)
    if not raw:
        return None
    for fmt in _DATE_FORMATS:
        try:
            return dt.datetime.strptime(raw, fmt).date()  # noqa: DTZ007 - a calendar date, no time zone
        except ValueError:
            continue
    raise CellProblem(_("日期格式不正确，请写成 2025-03-18。"))


def decimal(value: Any) -> Decimal | None:
    if value in (None, ""):
        return None
    if isinstance(value, int | float) and not isinstance(value, bool):
        number = Decimal(str(value))
    else:
        raw = text(value).replace(",", "").replace("，", "").lstrip("¥￥").strip()
        if not raw:
            return None
        try:
            number = Decimal(raw)
        except InvalidOperation:
            raise CellProblem(_("应为数字。")) from None
    if not number.is_finite():
        raise CellProblem(_("应为数字。"))
    return number


def integer(value: Any) -> int | None:
    number = decimal(value)
    if number is None:
        return None
    if number != number.to_integral_value():
        raise CellProblem(_("应为整数。"))
    return int(number)


_TRUE = {"是", "y", "yes", "true", "1", "√", "✓", "中医"}
_FALSE = {"否", "n", "no", "false", "0", "", "×", "西医"}


def boolean(value: Any) -> bool:
    if isinstance(value, bool):
        return value
    raw = text(value).lower()
    if raw in _TRUE:
        return True
    if raw in _FALSE:
        return False
    raise CellProblem(_("请填写“是”或“否”。"))


def document_number(value: Any) -> str:
    """A document number as typed. Excel keeps only 15 significant digits of a number: an 18-digit ID number
    saved as a number has lost its last digits, which we say plainly instead of a wrong check digit."""
    if isinstance(value, int | float) and not isinstance(value, bool):
        if abs(value) >= 1e15:
            raise CellProblem(_("证件号码被 Excel 存成了数字，后几位已丢失；请把该列设为“文本”格式后重新填写。"))
        return text(value)
    raw = text(value).replace(" ", "")
    if re.fullmatch(r"\d(\.\d+)?[eE]\+\d+", raw):
        raise CellProblem(_("证件号码被 Excel 存成了数字，后几位已丢失；请把该列设为“文本”格式后重新填写。"))
    return raw
