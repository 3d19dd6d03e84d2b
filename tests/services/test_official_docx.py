"""Every .docx the product writes is drawn by one renderer in one official-document layout.

services/official_docx.py holds the layout (GB/T 9704-style page, fonts,
styles, page numbers); the services supply content only. The tests check the
renderer on its own, then every ``.docx`` route of the app — found in its URL
map, so a new one cannot escape — against the same layout, and that no other
module of the product writes .docx itself.
"""

from __future__ import annotations

import io
import re
import zipfile
from datetime import UTC, date, datetime
from pathlib import Path

import pytest
from docx import Document
from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_LINE_SPACING
from docx.oxml.ns import qn
from docx.shared import Pt

from tests import accountability_data as data
from tracker.extensions import db
from tracker.services import accountability, bulletins, chart_images, official_docx
from tracker.services.audit import Actor
from tracker.services.official_docx import Heading, OfficialDocument, Paragraph, Table

ALIGNMENTS = {None: None, "center": WD_ALIGN_PARAGRAPH.CENTER, "right": WD_ALIGN_PARAGRAPH.RIGHT,
              "left": WD_ALIGN_PARAGRAPH.LEFT, "justify": WD_ALIGN_PARAGRAPH.JUSTIFY}
W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
NUMBER = re.compile(r"(\S+〔\d{4}〕\d+号|（草稿）)")


def east_asian(element) -> str | None:
    return element.rPr.rFonts.get(qn("w:eastAsia"))


def part(data: bytes, name: str) -> str:
    with zipfile.ZipFile(io.BytesIO(data)) as package:
        return package.read(name).decode()


def border(paragraph, side: str) -> dict[str, str] | None:
    found = paragraph._p.find(f"{W}pPr/{W}pBdr/{W}{side}")
    if found is None:
        found = paragraph.style.element.find(f"{W}pPr/{W}pBdr/{W}{side}")
    return None if found is None else {k.removeprefix(W): v for k, v in found.attrib.items()}


def assert_official_layout(data: bytes) -> Document:
    """GB/T 9704-2012 on a produced file, read back with python-docx and as raw XML."""
    document = Document(io.BytesIO(data))
    [section] = document.sections

    def mm(*lengths):  # stored in twentieths of a point: equal to the millimetre's tenth
        return tuple(round(length.mm, 1) for length in lengths)

    assert mm(section.page_width, section.page_height) == (210, 297)
    top, bottom, left, right = mm(section.top_margin, section.bottom_margin, section.left_margin,
                                  section.right_margin)
    assert abs(top - 37) <= 1 and abs(left - 28) <= 1
    assert (round(210 - left - right), round(297 - top - bottom)) == (156, 225)  # 版心
    grid = section._sectPr.find(qn("w:docGrid"))
    assert grid.get(qn("w:type")) == "lines" and grid.get(qn("w:charSpace")) is None  # see below
    pitch_pt = int(grid.get(qn("w:linePitch"))) / 20
    assert 28.9 <= pitch_pt <= 29.0 and int(225 * 72 / 25.4 // pitch_pt) == 22  # 22 lines a page
    # 28 characters a line in 3号: each condensed by the defaults' w:spacing (twentieths of a point)
    defaults = document.styles.element.find(qn("w:docDefaults")).find(qn("w:rPrDefault")).find(qn("w:rPr"))
    char_pt = 16 + int(defaults.find(qn("w:spacing")).get(qn("w:val"))) / 20
    assert int(156 * 72 / 25.4 // char_pt) == 28
    for name, (font, size, bold, alignment) in official_docx.STYLES.items():
        style = document.styles[name]
        assert (style.font.name, east_asian(style.element)) == (font, font), name
        assert style.font.size == Pt(size) and bool(style.font.bold) is bold, name
        if name != "Normal":
            assert style.base_style.name == "Normal", name
        assert style.paragraph_format.alignment == ALIGNMENTS[alignment], name
        if name in official_docx.ON_GRID:
            assert style.paragraph_format.line_spacing_rule == WD_LINE_SPACING.EXACTLY, name
            assert abs(style.paragraph_format.line_spacing.pt - pitch_pt) < 0.01, name
    styles = document.styles
    assert (styles["Normal"].font.name, styles[official_docx.HEADING].font.name,
            styles[official_docx.SUBHEADING].font.name, styles[official_docx.TITLE].font.size) == (
        "仿宋", "黑体", "楷体", Pt(22))
    assert styles["Normal"].paragraph_format.first_line_indent == Pt(2 * char_pt)  # 首行缩进二字
    paragraphs = document.paragraphs
    masthead, number, title, addressee = paragraphs[:4]
    assert masthead.style.name == official_docx.MASTHEAD and masthead.text
    assert str(masthead.style.font.color.rgb) == "FF0000"
    assert number.style.name == official_docx.NUMBER and NUMBER.fullmatch(number.text)
    separator = border(number, "bottom")
    assert separator["color"] == "FF0000" and separator["val"] == "single"
    assert number.paragraph_format.left_indent in (None, 0) and number.paragraph_format.right_indent in (
        None, 0)  # the red line is as wide as the 版心
    assert title.style.name == official_docx.TITLE
    assert addressee.text.endswith("：") and addressee.style.name == official_docx.ADDRESSEE
    *body, issuer, dated = [p for p in paragraphs if p.style.name != official_docx.RECORD]
    assert (issuer.style.name, dated.style.name) == (official_docx.SIGNATURE, official_docx.DATE_LINE)
    assert re.fullmatch(r"\d{4}年\d{1,2}月\d{1,2}日", dated.text)
    assert round(dated.style.paragraph_format.right_indent.pt / official_docx.CHAR_PITCH_PT) == 4  # 右空四字
    body_styles = {"Normal", official_docx.HEADING, official_docx.SUBHEADING, official_docx.FIGURE}
    assert {p.style.name for p in body[4:]} <= body_styles
    record = [p for p in paragraphs if p.style.name == official_docx.RECORD]  # 版记, last
    assert record and paragraphs[-len(record):] == record
    assert record[-1].text.endswith("印发") and "\t" in record[-1].text
    assert all(p._p.find(f"{W}pPr/{W}framePr").get(f"{W}yAlign") == "bottom" for p in record)
    assert int(border(record[0], "top")["sz"]) > int(border(record[0], "bottom")["sz"]) or len(record) == 1
    assert border(record[0], "top")["sz"] == border(record[-1], "bottom")["sz"] == str(official_docx.RULE_THICK)
    fonts = {name: spec[0] for name, spec in official_docx.STYLES.items()}
    for paragraph in [*paragraphs, *(p for t in document.tables for r in t.rows for c in r.cells
                                    for p in c.paragraphs)]:
        for run in paragraph.runs:  # every run names its style's font, East Asian included
            assert east_asian(run._r) == run.font.name == fonts[paragraph.style.name], paragraph.text
            if paragraph.style.name == official_docx.MASTHEAD and run.font.size is not None:
                # a long organ's name is made smaller to stay on one line
                assert run.font.size == Pt(official_docx.masthead_pt(paragraph.text)) < Pt(26)
            else:
                assert run.font.size is None  # the size comes from the style
    for table in document.tables:
        assert table.style.name == official_docx.TABLE_STYLE
        assert {p.style.name for row in table.rows for cell in row.cells for p in cell.paragraphs} == {
            official_docx.TABLE_TEXT}
    assert "<w:evenAndOddHeaders/>" in part(data, "word/settings.xml").replace(' w:val="1"', "")
    for footer, alignment, side in ((section.footer, WD_ALIGN_PARAGRAPH.RIGHT, "right_indent"),
                                    (section.even_page_footer, WD_ALIGN_PARAGRAPH.LEFT, "left_indent")):
        [paragraph] = footer.paragraphs
        assert paragraph.style.name == official_docx.FOOTER and paragraph.style.font.size == Pt(14)
        assert paragraph.paragraph_format.alignment == alignment  # odd right, even left
        assert getattr(paragraph.paragraph_format, side) == Pt(14)  # 空一字
        assert [f.get(qn("w:instr")) for f in paragraph._p.iter(qn("w:fldSimple"))] == ["PAGE"]
        assert paragraph.text == "—  —"  # "— PAGE —": the field's text is Word's to fill
        assert {east_asian(r) for r in paragraph._p.iter(qn("w:r"))} == {"宋体"}
    return document


def test_the_renderer_draws_the_blocks_in_order():
    content = OfficialDocument(
        title="关于某事的通知", number="教作整〔2026〕3号", addressee="各学校", issuer="作风整顿办公室",
        dated=date(2026, 10, 5), organ="某区教育局作风整顿工作领导小组办公室", copies_to="局领导班子成员",
        body=[Paragraph("第一段。"), Heading("一、标题"), Heading("（一）小标题", level=2),
              Table(("甲", "乙"), [("1", "2"), ("3", "4")]), *official_docx.lines("  第二段  \n\n第三段\n")])
    data = official_docx.render(content)
    document = assert_official_layout(data)
    assert [p.text for p in document.paragraphs] == [
        "某区教育局作风整顿工作领导小组办公室", "教作整〔2026〕3号", "关于某事的通知", "各学校：", "第一段。",
        "一、标题", "（一）小标题", "第二段", "第三段", "作风整顿办公室", "2026年10月5日", "抄送：局领导班子成员。",
        "某区教育局作风整顿工作领导小组办公室\t2026年10月5日印发"]
    assert [p.style.name for p in document.paragraphs[5:7]] == [official_docx.HEADING, official_docx.SUBHEADING]
    [table] = document.tables
    assert [[c.text for c in row.cells] for row in table.rows] == [["甲", "乙"], ["1", "2"], ["3", "4"]]
    body = [child.tag.rsplit("}", 1)[1] for child in document.element.body.iterchildren()]
    assert body[:9] == ["p", "p", "p", "p", "p", "p", "p", "tbl", "p"]  # the table where it was given
    assert document.core_properties.title == "关于某事的通知"
    assert document.core_properties.author == "作风整顿办公室"
    # the issuer is centred over the date, four characters from the right edge
    assert official_docx.signature_indent_chars("作风整顿办公室", date(2026, 10, 5)) == 3.75  # 7 vs 6.5
    assert official_docx.signature_indent_chars("办公室", date(2026, 10, 5)) == 5.75


def test_an_empty_body_still_has_the_frame():
    content = OfficialDocument(title="标题", number="（草稿）", addressee="各股室", issuer="办公室",
                               dated=date(2026, 1, 9))
    document = assert_official_layout(official_docx.render(content))
    assert [p.text for p in document.paragraphs] == [
        "办公室", "（草稿）", "标题", "各股室：", "办公室", "2026年1月9日", "办公室\t2026年1月9日印发"]
    assert document.tables == []


def test_a_figure_is_a_picture_no_wider_than_the_text():
    png = chart_images.bars([("城关小学", 80, "80.0%")])
    data = official_docx.render(OfficialDocument(
        title="标题", number="（草稿）", addressee="各股室", issuer="办公室", dated=date(2026, 1, 9),
        body=[Heading("一、图"), official_docx.Figure(png, "按期完成率", width_mm=400)]))
    document = assert_official_layout(data)
    [picture] = document.inline_shapes
    assert round(picture.width.mm) == 156
    assert 'descr="按期完成率"' in part(data, "word/document.xml")


# Every .docx of the product -----------------------------------------------------------------


@pytest.fixture
def records(make):
    """A notice and a bulletin whose sections all hold rows (tables, red notices, flags)."""
    unit = make.unit(name="城关小学")
    other = make.unit(name="实验小学")
    task = make.task(make.measure(make.plan()), unit, starts_on="2026-10-01", due_on="2026-10-10")
    make.entry(task, 100, "2026-10-08")
    notice = data.notice(unit, date(2026, 10, 10))
    data.complaints(other, date(2026, 10, 3), ["dissatisfied"] * 10)
    actor = Actor(None, "127.0.0.1", datetime(2026, 10, 30, 1, 0, tzinfo=UTC))
    accountability.evaluate(actor, date(2026, 10, 30))  # the notice is long overdue from 10-25
    bulletin, _created = bulletins.generate(
        Actor(None, "127.0.0.1", datetime(2026, 11, 1, 1, 0, tzinfo=UTC)), "monthly", "2026-10")
    db.session.commit()
    assert bulletin.content["flags"] and bulletin.content["notices"]["red"]
    return {"bulletin_id": bulletin.id, "notice_id": notice.id}


def test_every_docx_route_answers_in_the_official_layout(app, client, login, token, make, records):
    office = make.user("office")
    bearer = token(office)
    login(office)
    routes = sorted((rule for rule in app.url_map.iter_rules() if rule.rule.endswith(".docx")),
                    key=lambda rule: rule.rule)
    assert len(routes) >= 4  # bulletins and notices, as pages and through the API
    for rule in routes:
        missing = set(rule.arguments) - set(records)
        assert not missing, f"{rule.rule}: give the test a record for {missing}"
        path = rule.rule
        for name in rule.arguments:
            path = re.sub(rf"<(?:\w+:)?{name}>", str(records[name]), path)
        response = client.get(path, headers=bearer if path.startswith("/api/") else {})
        assert response.status_code == 200, path
        document = assert_official_layout(response.data)
        assert document.tables or "notice" in path, path


def test_no_other_module_writes_docx_itself():
    root = Path(official_docx.__file__).parents[1]
    writers = sorted(str(path.relative_to(root.parent)) for path in root.rglob("*.py")
                     if re.search(r"^\s*(from docx\b|import docx\b)", path.read_text(encoding="utf-8"), re.M))
    assert writers == ["tracker/services/official_docx.py"]


def test_the_bulletin_docx_has_the_sections_of_its_page_in_order(app, client, login, make, records):
    """One outline (bulletins.outline): the page's headings are the .docx's, numbering included."""
    login(make.user("office"))
    bulletin_id = records["bulletin_id"]
    page = client.get(f"/bulletins/{bulletin_id}").get_data(as_text=True)
    on_page = re.findall(r'<h2 class="h5 mt-4" data-testid="bulletin-section">([^<]+)</h2>', page)
    document = assert_official_layout(client.get(f"/bulletins/{bulletin_id}.docx").data)
    in_docx = [p.text for p in document.paragraphs if p.style.name == official_docx.HEADING]
    assert on_page == in_docx
    assert [heading[:2] for heading in in_docx] == ["一、", "二、", "三、", "四、", "五、", "六、", "七、", "八、", "九、"]
    assert in_docx[-1] == "九、一月一查缺报情况" and in_docx[0] == "一、各单位任务按期完成情况"
    assert len(document.inline_shapes) >= 1  # the on-time chart as a picture
    assert "九、一月一查缺报情况" not in client.get(f"/public/bulletins/{bulletin_id}").get_data(as_text=True)


def test_the_number_shows_its_prefix_and_the_organ_comes_from_the_settings(app, client, login, make, records):
    from tracker.services import notices, settings

    office = make.user("office")
    settings.update(Actor(office, "127.0.0.1", datetime(2026, 11, 2, tzinfo=UTC)), {
        "documents.organ_name": "城区教育局作风办", "documents.prefix.notice": "城教整改"})
    db.session.commit()
    login(office)
    notice_id = records["notice_id"]
    page = client.get(f"/notices/{notice_id}").get_data(as_text=True)
    assert re.search(r'data-testid="notice-number">城教整改〔\d{4}〕\d+号<', page)
    document = assert_official_layout(client.get(f"/notices/{notice_id}.docx").data)
    texts = [p.text for p in document.paragraphs]
    assert texts[0] == "城区教育局作风办" and re.fullmatch(r"城教整改〔\d{4}〕\d+号", texts[1])
    assert any("报送城区教育局作风办。" in text for text in texts) and "城区教育局作风办" in texts[-4:]
    assert notices.issuer_name() == "城区教育局作风办"
