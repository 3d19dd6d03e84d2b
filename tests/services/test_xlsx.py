"""The streaming .xlsx writer: read back with openpyxl, as Excel and WPS would open it."""

import io
import zipfile
from datetime import date

import pytest
from openpyxl import load_workbook

from tracker.services import xlsx

COLUMNS = (xlsx.Column("序号", "int", 6), xlsx.Column("任务", "wrap"), xlsx.Column("单位"),
           xlsx.Column("完成时限", "date"), xlsx.Column("进度", "percent"), xlsx.Column("亮灯"))


def _book(rows, notes=("筛选：全部单位",)):
    output = io.BytesIO()
    xlsx.write(output, sheet_name="工作总台账", title="工作总台账（截至 2026-11-28）", notes=notes,
               columns=COLUMNS, rows=rows)
    output.seek(0)
    return output


def test_title_notes_header_frozen_filtered_and_printable():
    rows = [((1, "完善作风建设制度" * 5, "城关小学", date(2026, 12, 1), 0.5, "黄灯"), {5: "yellow"}),
            ((2, "整治推诿扯皮", "西郊初级中学", date(2026, 11, 30), 1, "红灯"), {5: "red"})]
    sheet = load_workbook(_book(rows)).active
    assert sheet.title == "工作总台账"
    assert sheet["A1"].value == "工作总台账（截至 2026-11-28）" and sheet["A1"].font.b
    assert sheet["A2"].value == "筛选：全部单位"
    assert [cell.value for cell in sheet[3]] == [column.header for column in COLUMNS]
    assert sheet["B3"].font.b
    assert sheet.freeze_panes == "A4"
    assert sheet.auto_filter.ref == "A3:F5"
    assert sheet.print_title_rows == "$3:$3"
    assert (sheet.page_setup.paperSize, sheet.page_setup.orientation) == (9, "landscape")
    assert sheet.page_setup.fitToWidth == 1 and sheet.sheet_properties.pageSetUpPr.fitToPage
    assert sheet["D4"].is_date and sheet["D4"].value.date() == date(2026, 12, 1)
    assert sheet["D4"].number_format == "yyyy-mm-dd"
    assert sheet["E4"].value == 0.5 and sheet["E4"].number_format == "0.0%"
    assert sheet["F4"].fill.fgColor.rgb == "FFFFEB9C" and sheet["F5"].fill.fgColor.rgb == "FFFFC7CE"
    assert sheet["B4"].alignment.wrap_text
    # widths fitted to the content, capped; CJK characters count double
    assert sheet.column_dimensions["B"].width == xlsx.MAX_WIDTH
    assert sheet.column_dimensions["C"].width == len("西郊初级中学") * 2 + 2
    assert sheet.column_dimensions["A"].width == 6


@pytest.mark.parametrize("text", ["=cmd|' /C calc'!A0", "+1+2", "-2+3", "@SUM(A1)", "\t=1+1",
                                  "\r=1+1", '=HYPERLINK("http://x","y")'])
def test_text_is_never_a_formula(text):
    data = _book([((1, text, text, None, None, None), None)], notes=(text,))
    with zipfile.ZipFile(data) as package:
        sheet_xml = package.read("xl/worksheets/sheet1.xml").decode()
    assert "<f>" not in sheet_xml
    sheet = load_workbook(data).active
    for ref in ("A2", "B4", "C4"):
        assert sheet[ref].data_type == "s"
        assert sheet[ref].value.startswith("'")


def test_characters_xml_forbids_are_dropped_and_markup_escaped():
    sheet = load_workbook(_book([((1, "a\x00b\x07c <b>&amp;</b>", "x", None, None, None), None)])).active
    assert sheet["B4"].value == "abc <b>&amp;</b>"


def test_an_empty_sheet_keeps_its_header_and_filter():
    sheet = load_workbook(_book([])).active
    assert sheet.max_row == 3 and sheet.auto_filter.ref == "A3:F3"


# Every report the product exports: one writer, one standard -----------------------------------


def _report(data: bytes):
    """The house standard on a produced report; its sheet, header row and headers."""
    sheet = load_workbook(io.BytesIO(data)).active
    assert sheet["A1"].font.b and sheet["A1"].value  # the title row
    assert sheet["A2"].value  # the filters and the date that produced it
    header = next(row for row in range(2, 8) if sheet.cell(row, 1).fill.fgColor.rgb == "FFD9E1F2")
    assert sheet.freeze_panes == f"A{header + 1}"
    assert sheet.auto_filter.ref.startswith(f"A{header}:")
    assert sheet.print_title_rows == f"${header}:${header}"  # repeated on every printed page
    assert (sheet.page_setup.paperSize, sheet.page_setup.orientation) == (9, "landscape")
    assert sheet.page_setup.fitToWidth == 1 and sheet.sheet_properties.pageSetUpPr.fitToPage
    assert all(0 < sheet.column_dimensions[c.column_letter].width <= xlsx.MAX_WIDTH for c in sheet[header])
    return sheet, header, [cell.value for cell in sheet[header]]


def test_the_complaint_rates_are_percentages(make):
    from tests.notices_data import rate_world
    from tracker.services import complaint_stats

    rate_world(make)
    rows = complaint_stats.stats(complaint_stats.parse_period("2026-10"))
    sheet, header, headers = _report(complaint_stats.to_xlsx(rows, "2026-10", as_of="2026-11-28 09:00"))
    assert sheet["A1"].value == "投诉办理三率统计（2026-10）"
    assert "2026-10" in sheet["A2"].value and "2026-11-28 09:00" in sheet["A3"].value
    rates = [sheet.cell(row, headers.index(name) + 1) for name in ("响应率", "解决率", "满意率")
             for row in range(header + 1, sheet.max_row + 1)]
    assert rates and {cell.number_format for cell in rates} == {"0.0%"}
    assert all(cell.value is None or 0 <= cell.value <= 1 for cell in rates)  # a rate, not a percent
    assert any(isinstance(cell.value, float) for cell in rates)
    assert sheet.cell(header + 1, headers.index("综合得分") + 1).number_format == "0.00"


def test_a_formula_stays_text_in_a_report():
    data = xlsx.to_bytes(sheet_name="=x", title="=HYPERLINK(1)", notes=["+1"], columns=COLUMNS[:2],
                         rows=[((1, "=1+1"), None)])
    sheet = load_workbook(io.BytesIO(data)).active
    assert sheet["A1"].value == "'=HYPERLINK(1)" and sheet["B4"].value == "'=1+1"
    assert sheet["B4"].data_type == "s"


def test_the_rating_results_show_the_dissatisfaction_rate_as_a_percentage(app):
    from types import SimpleNamespace

    from tracker.services import ratings

    group = SimpleNamespace(key="g1", name="服务对象", weight=40)
    dimension = SimpleNamespace(key="d1", name="工作作风")
    rnd = SimpleNamespace(title="2026年下半年作风评议", period="2026-H2", groups=[group], dimensions=[dimension])
    rows = [{"peer_group": "school", "rank": 1, "unit_name": "城关小学", "score": 91.256, "ballots": 87,
             "dissatisfaction_rate": 0.0115, "detail": {"groups": [{"key": "g1", "mean": 90.5}],
                                                        "dimensions": [{"key": "d1", "mean": 92.0}]}}]
    with app.test_request_context():
        data = ratings.ranking_workbook(rnd, rows, lambda code: "学校", as_of="2026-11-28 09:00")
    sheet, header, headers = _report(data)
    assert "2026年下半年作风评议" in sheet["A1"].value and "2026-H2" in sheet["A2"].value
    rate = sheet.cell(header + 1, 6)
    assert (rate.value, rate.number_format) == (0.0115, "0.0%")  # 1.2 %, not "1.15" with no unit
    assert sheet.cell(header + 1, 4).number_format == "0.00"
