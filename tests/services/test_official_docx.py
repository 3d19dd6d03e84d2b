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
from datetime import UTC, date, datetime
from pathlib import Path

import pytest
from docx import Document
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml.ns import qn
from docx.shared import Pt

from tests import accountability_data as data
from tracker.extensions import db
from tracker.services import accountability, bulletins, official_docx
from tracker.services.audit import Actor
from tracker.services.official_docx import Heading, OfficialDocument, Paragraph, Table

ALIGNMENTS = {None: None, "center": WD_ALIGN_PARAGRAPH.CENTER, "right": WD_ALIGN_PARAGRAPH.RIGHT}


def east_asian(style) -> str | None:
    return style.element.rPr.rFonts.get(qn("w:eastAsia"))


def assert_official_layout(document) -> None:
    """The page, the styles and where each is used: the same on every produced file."""
    [section] = document.sections
    def mm(*lengths):  # stored in twentieths of a point: equal to the millimetre's tenth
        return tuple(round(length.mm, 1) for length in lengths)

    assert mm(section.page_width, section.page_height) == (210, 297)
    assert mm(section.top_margin, section.bottom_margin, section.left_margin, section.right_margin) == (
        37, 35, 28, 26)
    for name, (font, size, bold, alignment) in official_docx.STYLES.items():
        style = document.styles[name]
        assert (style.font.name, east_asian(style)) == (font, font), name
        assert style.font.size == Pt(size) and bool(style.font.bold) is bold, name
        if name != "Normal":
            assert style.base_style.name == "Normal", name
        assert style.paragraph_format.alignment == ALIGNMENTS[alignment], name
    paragraphs = document.paragraphs
    assert [p.style.name for p in paragraphs[:2]] == [official_docx.TITLE, official_docx.NUMBER]
    assert paragraphs[2].text.endswith("：") and paragraphs[2].style.name == "Normal"
    assert [p.style.name for p in paragraphs[-2:]] == [official_docx.SIGNATURE] * 2
    assert re.fullmatch(r"\d{4}年\d{1,2}月\d{1,2}日", paragraphs[-1].text)
    body_styles = {"Normal", official_docx.HEADING}
    assert {p.style.name for p in paragraphs[3:-2]} <= body_styles
    for paragraph in paragraphs:  # the look comes from the styles, never from a run
        for run in paragraph.runs:
            assert run.font.name is None and run.font.size is None and run.bold is None
    for table in document.tables:
        assert table.style.name == official_docx.TABLE_STYLE
        assert {p.style.name for row in table.rows for cell in row.cells for p in cell.paragraphs} == {
            official_docx.TABLE_TEXT}
    footer = section.footer.paragraphs[0]
    assert footer.style.name == official_docx.FOOTER
    assert [f.get(qn("w:instr")) for f in footer._p.iter(qn("w:fldSimple"))] == ["PAGE"]
    assert footer.text == "—  —"  # the field's text is Word's to fill


def test_the_renderer_draws_the_blocks_in_order():
    content = OfficialDocument(
        title="关于某事的通知", number="〔2026〕3号", addressee="各学校", issuer="作风整顿办公室",
        dated=date(2026, 10, 5),
        body=[Paragraph("第一段。"), Heading("一、标题"), Table(("甲", "乙"), [("1", "2"), ("3", "4")]),
              *official_docx.lines("  第二段  \n\n第三段\n")])
    document = Document(io.BytesIO(official_docx.render(content)))
    assert [p.text for p in document.paragraphs] == [
        "关于某事的通知", "〔2026〕3号", "各学校：", "第一段。", "一、标题", "第二段", "第三段", "作风整顿办公室",
        "2026年10月5日"]
    assert document.paragraphs[4].style.name == official_docx.HEADING
    [table] = document.tables
    assert [[c.text for c in row.cells] for row in table.rows] == [["甲", "乙"], ["1", "2"], ["3", "4"]]
    body = [child.tag.rsplit("}", 1)[1] for child in document.element.body.iterchildren()]
    assert body[:9] == ["p", "p", "p", "p", "p", "tbl", "p", "p", "p"]  # the table where it was given
    assert document.core_properties.title == "关于某事的通知"
    assert document.core_properties.author == "作风整顿办公室"
    assert_official_layout(document)


def test_an_empty_body_still_has_the_frame():
    content = OfficialDocument(title="标题", number="（草稿）", addressee="各股室", issuer="办公室",
                               dated=date(2026, 1, 9))
    document = Document(io.BytesIO(official_docx.render(content)))
    assert [p.text for p in document.paragraphs] == ["标题", "（草稿）", "各股室：", "办公室", "2026年1月9日"]
    assert document.tables == []
    assert_official_layout(document)


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
        document = Document(io.BytesIO(response.data))
        assert_official_layout(document)
        assert document.tables or "notice" in path, path


def test_no_other_module_writes_docx_itself():
    root = Path(official_docx.__file__).parents[1]
    writers = sorted(str(path.relative_to(root.parent)) for path in root.rglob("*.py")
                     if re.search(r"^\s*(from docx\b|import docx\b)", path.read_text(encoding="utf-8"), re.M))
    assert writers == ["tracker/services/official_docx.py"]
