"""Reading and writing .xlsx files (openpyxl)."""

from __future__ import annotations

import io
import zipfile
from collections.abc import Iterable, Sequence
from datetime import date, datetime
from typing import IO, Any

from flask_babel import gettext as _
from openpyxl import Workbook, load_workbook
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils.exceptions import InvalidFileException

from tracker.services.errors import InvalidInput
from tracker.services.xlsx import safe_text

HEADER_FILL = PatternFill("solid", fgColor="DDE6F0")
MAX_ROWS = 5000


def write_workbook(sheets: Iterable[tuple[str, Sequence[str], Iterable[Sequence[Any]]]]) -> bytes:
    """Return an .xlsx with one sheet per (title, headers, rows), headers bold and frozen.

    Text is neutralised as in services/xlsx.py: a value that would start a formula is text.
    """
    book = Workbook(write_only=False)
    book.remove(book.active)
    for title, headers, rows in sheets:
        sheet = book.create_sheet(safe_text(title)[:31])
        sheet.append([safe_text(header) for header in headers])
        for cell in sheet[1]:
            cell.font = Font(bold=True)
            cell.fill = HEADER_FILL
            cell.alignment = Alignment(vertical="center")
        for row in rows:
            sheet.append([safe_text(value) if isinstance(value, str) else value for value in row])
        for index, header in enumerate(headers, start=1):
            width = max(10, min(40, len(str(header)) * 2 + 4))
            sheet.column_dimensions[sheet.cell(1, index).column_letter].width = width
        sheet.freeze_panes = "A2"
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def _cell(value: Any) -> Any:
    if isinstance(value, str):
        value = value.strip()
        return value or None
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, float) and value.is_integer():
        return int(value)
    return value


def read_sheet(
    stream: IO[bytes], sheet_title: str, headers: Sequence[str], *, required: bool = True
) -> list[tuple[int, dict[str, Any]]]:
    """Return (row number, {header: value}) for the non-empty rows of a sheet.

    Raise InvalidInput naming ``file`` when the file is not a workbook, the
    sheet is missing or its first row lacks one of ``headers``.
    """
    try:
        stream.seek(0)
        book = load_workbook(stream, read_only=True, data_only=True)
    except (InvalidFileException, zipfile.BadZipFile, KeyError, OSError, ValueError):
        raise InvalidInput(_("The file is not an .xlsx workbook."),
                           {"file": _("The file is not an .xlsx workbook.")}) from None
    if sheet_title not in book.sheetnames:
        if not required:
            return []
        message = _("The sheet “%(sheet)s” is missing; use the template.", sheet=sheet_title)
        raise InvalidInput(message, {"file": message})
    rows = book[sheet_title].iter_rows(values_only=True)
    found = [str(v).strip() if v is not None else "" for v in next(rows, ())]
    missing = [h for h in headers if h not in found]
    if missing:
        message = _("Sheet “%(sheet)s” lacks the columns: %(columns)s; use the template.",
                    sheet=sheet_title, columns="、".join(missing))
        raise InvalidInput(message, {"file": message})
    index = {h: found.index(h) for h in headers}
    result = []
    for number, row in enumerate(rows, start=2):
        values = {h: _cell(row[i]) if i < len(row) else None for h, i in index.items()}
        if any(v is not None for v in values.values()):
            result.append((number, values))
        if len(result) > MAX_ROWS:
            message = _("At most %(n)d rows per import.", n=MAX_ROWS)
            raise InvalidInput(message, {"file": message})
    book.close()
    return result


def as_text(value: Any) -> str | None:
    """Return a cell's value as text (numbers and dates included)."""
    if value is None:
        return None
    if isinstance(value, date):
        return value.isoformat()
    return str(value)
