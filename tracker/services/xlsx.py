"""Streaming .xlsx writer for long exports (a city's 100,000-task ledger in seconds).

openpyxl builds a cell object per value and takes half a minute for the city
ledger; this writer streams the sheet's XML straight into the zip file, so the
time and memory stay flat whatever the number of rows. It writes one sheet to
one house standard: a title row and the lines saying which filters and date
produced the sheet, a bold header that stays frozen on screen and repeats on
every printed page, an autofilter, column widths fitted to the content
(capped) with wrapped text, dates as dates, percents as numbers, coloured
cells where asked, A4 landscape fitted to the page width. Every report the
product exports goes through it (the ledger, complaint rates, rating results,
assessment rankings); only the import templates, whose header must be their
first row, are written by services/spreadsheets.py.

Every text is written as an inline string, never as a formula, so a value
that begins with ``=`` stays text; it is also prefixed with an apostrophe when
it begins with one of ``= + - @``, a tab or a carriage return (OWASP's advice
against formula injection when the sheet is saved again as CSV).
"""

from __future__ import annotations

import io
import re
import tempfile
import zipfile
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import IO, Any

KINDS = ("text", "wrap", "int", "date", "percent", "decimal")  # percent: a rate 0.5 shown 50.0%
FILLS = {"green": "FFC6EFCE", "yellow": "FFFFEB9C", "red": "FFFFC7CE", "blue": "FFDDEBF7",
         "orange": "FFFCE4D6"}
MAX_WIDTH, MIN_WIDTH = 50, 6
_EPOCH = date(1899, 12, 30)
_ILLEGAL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")
_RISKY_START = ("=", "+", "-", "@", "\t", "\r")
# cellXfs: 0 default, 1 title, 2 note, 3 header, then per kind, then per fill
_XF_KIND = {"text": 4, "wrap": 5, "int": 6, "date": 7, "percent": 8, "decimal": 9}
_XF_FILL = {name: 10 + index for index, name in enumerate(FILLS)}


@dataclass(frozen=True)
class Column:
    header: str
    kind: str = "text"  # one of KINDS
    width: float | None = None  # fixed width in characters; else fitted to the content


def safe_text(value: str) -> str:
    """Text as it may stand in a cell: no characters XML forbids, no formula trigger first."""
    value = _ILLEGAL.sub("", value)
    return "'" + value if value.startswith(_RISKY_START) else value


def _escape(value: str) -> str:
    return value.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def _letters(index: int) -> str:
    letters = ""
    index += 1
    while index:
        index, rest = divmod(index - 1, 26)
        letters = chr(65 + rest) + letters
    return letters


def _display_width(text: str) -> int:
    """Characters as wide as a Latin digit: CJK ones (three bytes in UTF-8) count twice."""
    return len(text) + (len(text.encode()) - len(text)) // 2


class _Sheet:
    def __init__(self, columns: Sequence[Column]):
        self.columns = columns
        self.letters = [_letters(index) for index in range(len(columns))]
        self.widths = [_display_width(column.header) + 2 for column in columns]
        self.data = tempfile.TemporaryFile()  # noqa: SIM115  (closed by write)
        self.row_number = 0

    def _cell(self, ref: str, value: Any, kind: str, fill: str | None) -> str:
        style = _XF_FILL[fill] if fill else _XF_KIND[kind]
        if value is None or value == "":
            return f'<c r="{ref}" s="{style}"/>'
        if isinstance(value, bool):
            value = str(value)
        if isinstance(value, datetime):
            value = value.date()
        if isinstance(value, date):
            return f'<c r="{ref}" s="{_XF_KIND["date"]}"><v>{(value - _EPOCH).days}</v></c>'
        if isinstance(value, int | float):
            return f'<c r="{ref}" s="{style}"><v>{value!r}</v></c>'
        text = _escape(safe_text(str(value)))
        return f'<c r="{ref}" s="{style}" t="inlineStr"><is><t xml:space="preserve">{text}</t></is></c>'

    def plain_row(self, values: Sequence[Any], style: int) -> None:
        self.row_number += 1
        cells = "".join(
            f'<c r="{self.letters[i]}{self.row_number}" s="{style}" t="inlineStr"><is><t>'
            f"{_escape(safe_text(str(value)))}</t></is></c>" for i, value in enumerate(values))
        self.data.write(f'<row r="{self.row_number}">{cells}</row>'.encode())

    def row(self, values: Sequence[Any], fills: dict[int, str] | None = None) -> None:
        self.row_number += 1
        number = self.row_number
        parts = [f'<row r="{number}">']
        for index, (column, value) in enumerate(zip(self.columns, values, strict=True)):
            parts.append(self._cell(f"{self.letters[index]}{number}", value, column.kind,
                                    fills.get(index) if fills else None))
            if column.width is None and value is not None and self.widths[index] < MAX_WIDTH:
                width = _display_width(str(value)) + 2
                if width > self.widths[index]:
                    self.widths[index] = min(width, MAX_WIDTH)
        parts.append("</row>")
        self.data.write("".join(parts).encode())


def to_bytes(**sheet: Any) -> bytes:
    """:func:`write` into memory: for the short reports (a ranking, a period's rates)."""
    output = io.BytesIO()
    write(output, **sheet)
    return output.getvalue()


def write(output: IO[bytes], *, sheet_name: str, title: str, notes: Iterable[str],
          columns: Sequence[Column], rows: Iterable[tuple[Sequence[Any], dict[int, str] | None]]
          ) -> None:
    """Write one sheet to ``output``: the title, the notes (filters, as-of date), the header,
    then ``rows`` as (values, {column index: fill name}) pairs."""
    sheet = _Sheet(columns)
    sheet.plain_row([title], 1)
    for note in notes:
        sheet.plain_row([note], 2)
    header_row = sheet.row_number + 1
    sheet.plain_row([column.header for column in columns], 3)
    for values, fills in rows:
        sheet.row(values, fills)
    last_row, last_col = sheet.row_number, sheet.letters[-1]
    widths = [column.width or max(MIN_WIDTH, min(width, MAX_WIDTH))
              for column, width in zip(columns, sheet.widths, strict=True)]
    cols = "".join(f'<col min="{i}" max="{i}" width="{w}" customWidth="1"/>'
                   for i, w in enumerate(widths, start=1))
    name = _escape(safe_text(sheet_name)[:31]).replace("'", "''")
    with zipfile.ZipFile(output, "w", zipfile.ZIP_DEFLATED, compresslevel=1) as book:
        book.writestr("[Content_Types].xml", _CONTENT_TYPES)
        book.writestr("_rels/.rels", _ROOT_RELS)
        book.writestr("xl/_rels/workbook.xml.rels", _WORKBOOK_RELS)
        book.writestr("xl/styles.xml", _STYLES)
        book.writestr("xl/workbook.xml", _WORKBOOK.format(
            name=name, filter=f"'{name}'!$A${header_row}:${last_col}${last_row}",
            titles=f"'{name}'!${header_row}:${header_row}"))
        with book.open("xl/worksheets/sheet1.xml", "w") as part:
            part.write(_SHEET_HEAD.format(
                split=header_row, top=f"A{header_row + 1}", cols=cols).encode())
            sheet.data.seek(0)
            while chunk := sheet.data.read(1 << 20):
                part.write(chunk)
            sheet.data.close()
            part.write(_SHEET_TAIL.format(
                filter=f"A{header_row}:{last_col}{last_row}").encode())


_NS = 'xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"'
_CONTENT_TYPES = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
    '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
    '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
    '<Default Extension="xml" ContentType="application/xml"/>'
    '<Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.'
    'spreadsheetml.sheet.main+xml"/>'
    '<Override PartName="/xl/worksheets/sheet1.xml" ContentType="application/vnd.openxmlformats-'
    'officedocument.spreadsheetml.worksheet+xml"/>'
    '<Override PartName="/xl/styles.xml" ContentType="application/vnd.openxmlformats-officedocument.'
    'spreadsheetml.styles+xml"/>'
    "</Types>")
_ROOT_RELS = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
    '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
    '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/'
    'relationships/officeDocument" Target="xl/workbook.xml"/></Relationships>')
_WORKBOOK_RELS = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
    '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
    '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/'
    'relationships/worksheet" Target="worksheets/sheet1.xml"/>'
    '<Relationship Id="rId2" Type="http://schemas.openxmlformats.org/officeDocument/2006/'
    'relationships/styles" Target="styles.xml"/></Relationships>')
_WORKBOOK = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
    f'<workbook {_NS} xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships">'
    '<sheets><sheet name="{name}" sheetId="1" r:id="rId1"/></sheets>'
    '<definedNames>'
    '<definedName name="_xlnm._FilterDatabase" localSheetId="0" hidden="1">{filter}</definedName>'
    '<definedName name="_xlnm.Print_Titles" localSheetId="0">{titles}</definedName>'
    "</definedNames></workbook>")
_BORDER = "".join(f'<{side} style="thin"><color rgb="FFBFBFBF"/></{side}>'
                  for side in ("left", "right", "top", "bottom"))
_FILL_XML = "".join(f'<fill><patternFill patternType="solid"><fgColor rgb="{rgb}"/><bgColor indexed="64"/>'
                    "</patternFill></fill>" for rgb in ("FFD9E1F2", *FILLS.values()))
_CELL = 'fontId="0" borderId="1" xfId="0" applyBorder="1" applyAlignment="1"'
_FILL_XFS = "".join(f'<xf numFmtId="0" fontId="0" fillId="{3 + index}" borderId="1" xfId="0" applyFill="1" '
                    'applyBorder="1" applyAlignment="1"><alignment horizontal="center" vertical="top"/></xf>'
                    for index in range(len(FILLS)))
_STYLES = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
    f"<styleSheet {_NS}>"
    '<numFmts count="2"><numFmt numFmtId="164" formatCode="yyyy-mm-dd"/>'
    '<numFmt numFmtId="165" formatCode="0.0%"/></numFmts>'
    '<fonts count="3"><font><sz val="11"/><name val="宋体"/><family val="2"/><charset val="134"/></font>'
    '<font><b/><sz val="11"/><name val="宋体"/><family val="2"/><charset val="134"/></font>'
    '<font><b/><sz val="14"/><name val="宋体"/><family val="2"/><charset val="134"/></font></fonts>'
    f'<fills count="{3 + len(FILLS)}"><fill><patternFill patternType="none"/></fill>'
    f'<fill><patternFill patternType="gray125"/></fill>{_FILL_XML}</fills>'
    f'<borders count="2"><border><left/><right/><top/><bottom/><diagonal/></border>'
    f"<border>{_BORDER}<diagonal/></border></borders>"
    '<cellStyleXfs count="1"><xf numFmtId="0" fontId="0" fillId="0" borderId="0"/></cellStyleXfs>'
    f'<cellXfs count="{10 + len(FILLS)}">'
    '<xf numFmtId="0" fontId="0" fillId="0" borderId="0" xfId="0"/>'
    '<xf numFmtId="0" fontId="2" fillId="0" borderId="0" xfId="0" applyFont="1"/>'
    '<xf numFmtId="0" fontId="0" fillId="0" borderId="0" xfId="0"/>'
    '<xf numFmtId="0" fontId="1" fillId="2" borderId="1" xfId="0" applyFont="1" applyFill="1" '
    'applyBorder="1" applyAlignment="1"><alignment horizontal="center" vertical="center" wrapText="1"/></xf>'
    f'<xf numFmtId="0" {_CELL}><alignment vertical="top"/></xf>'
    f'<xf numFmtId="0" {_CELL}><alignment vertical="top" wrapText="1"/></xf>'
    f'<xf numFmtId="1" {_CELL} applyNumberFormat="1"><alignment vertical="top"/></xf>'
    f'<xf numFmtId="164" {_CELL} applyNumberFormat="1"><alignment vertical="top"/></xf>'
    f'<xf numFmtId="165" {_CELL} applyNumberFormat="1"><alignment vertical="top"/></xf>'
    f'<xf numFmtId="2" {_CELL} applyNumberFormat="1"><alignment vertical="top"/></xf>'
    f"{_FILL_XFS}</cellXfs>"
    '<cellStyles count="1"><cellStyle name="Normal" xfId="0" builtinId="0"/></cellStyles>'
    "</styleSheet>")
_SHEET_HEAD = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
    f'<worksheet {_NS} xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships">'
    '<sheetPr><pageSetUpPr fitToPage="1"/></sheetPr>'
    '<sheetViews><sheetView workbookViewId="0"><pane ySplit="{split}" topLeftCell="{top}" '
    'activePane="bottomLeft" state="frozen"/></sheetView></sheetViews>'
    '<sheetFormatPr defaultRowHeight="15"/><cols>{cols}</cols><sheetData>')
_SHEET_TAIL = (
    '</sheetData><autoFilter ref="{filter}"/>'
    '<printOptions horizontalCentered="1"/>'
    '<pageMargins left="0.4" right="0.4" top="0.6" bottom="0.6" header="0.3" footer="0.3"/>'
    '<pageSetup paperSize="9" orientation="landscape" fitToWidth="1" fitToHeight="0"/>'
    '<headerFooter><oddFooter>&amp;C第 &amp;P 页，共 &amp;N 页</oddFooter></headerFooter>'
    "</worksheet>")
