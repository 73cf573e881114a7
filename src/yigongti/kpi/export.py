"""XLSX export of any table a page shows (openpyxl)."""
from __future__ import annotations

import io
from collections.abc import Iterable, Sequence
from decimal import Decimal
from urllib.parse import quote

from django.http import HttpResponse
from openpyxl import Workbook
from openpyxl.styles import Font

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _cell(value):
    if value is None:
        return ""
    if isinstance(value, Decimal):
        return float(value)
    if isinstance(value, int | float | str):
        return value
    return str(value)


def workbook(title: str, headers: Sequence, rows: Iterable[Sequence], notes: Sequence[str] = (),
             ticket=None) -> bytes:
    """``ticket``: an audit.exports.ExportTicket when the rows are personal data (watermarked)."""
    book = Workbook()
    sheet = book.active
    sheet.title = (str(title)[:31] or "sheet").replace("/", "-")
    if ticket is not None:
        sheet.append([ticket.watermark])
    for note in notes:
        sheet.append([str(note)])
    sheet.append([str(h) for h in headers])
    for cell in sheet[sheet.max_row]:
        cell.font = Font(bold=True)
    for row in rows:
        sheet.append([_cell(v) for v in row])
    for column in sheet.columns:
        width = max((len(str(c.value)) for c in column if c.value is not None), default=8)
        sheet.column_dimensions[column[0].column_letter].width = min(max(width * 1.6, 8), 60)
    buffer = io.BytesIO()
    if ticket is not None:
        from yigongti.audit.exports import watermark_workbook

        watermark_workbook(book, ticket)
    book.save(buffer)
    return buffer.getvalue()


def xlsx_response(filename: str, title: str, headers: Sequence, rows: Iterable[Sequence],
                  notes: Sequence[str] = (), ticket=None) -> HttpResponse:
    response = HttpResponse(workbook(title, headers, rows, notes, ticket), content_type=XLSX)
    response["Content-Disposition"] = f"attachment; filename*=UTF-8''{quote(filename)}.xlsx"
    return response
