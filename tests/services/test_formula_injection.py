"""No text of any export becomes a formula (OWASP: CSV and formula injection)."""

from __future__ import annotations

import io
import zipfile

import pytest
from openpyxl import load_workbook

from tracker.services import spreadsheets, xlsx

HOSTILE = ["=cmd|' /C calc'!A0", "+1+1", "-2+3", "@SUM(A1)", "\t=1+1", "\r=1+1",
           '=HYPERLINK("http://evil.example","点我")']


@pytest.mark.parametrize("text", HOSTILE)
def test_the_small_workbooks_write_hostile_text_as_text(text):
    data = spreadsheets.write_workbook([("表", ("单位", "备注"), [(text, text)])])
    sheet = load_workbook(io.BytesIO(data)).active
    for cell in sheet[2]:
        assert cell.data_type == "s" and cell.value == "'" + text
    assert "<f>" not in zipfile.ZipFile(io.BytesIO(data)).read("xl/worksheets/sheet1.xml").decode()


@pytest.mark.parametrize("text", HOSTILE)
def test_the_streamed_ledger_writes_hostile_text_as_text(text, tmp_path):
    with open(tmp_path / "out.xlsx", "w+b") as output:
        xlsx.write(output, sheet_name="台账", title=text, notes=[text],
                   columns=[xlsx.Column("任务")], rows=[([text], None)])
        output.seek(0)
        data = output.read()
    sheet = load_workbook(io.BytesIO(data)).active
    values = [cell.value for row in sheet.iter_rows() for cell in row if cell.value]
    assert values and all(str(value).startswith("'") or value == "任务" for value in values)
    assert "<f>" not in zipfile.ZipFile(io.BytesIO(data)).read("xl/worksheets/sheet1.xml").decode()
