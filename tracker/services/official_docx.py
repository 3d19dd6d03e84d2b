"""The official-document layout 公文格式 of every .docx the product writes (bulletins, notices).

Services supply only content — an :class:`OfficialDocument` with a title, a
document number, an addressee, body blocks (:class:`Heading`,
:class:`Paragraph`, :class:`Table`), the issuer and the date — and
:func:`render` draws it, once, in the layout of GB/T 9704-2012 as far as a
generated file needs it:

- A4 portrait, margins 37 mm top, 35 mm bottom, 28 mm left, 26 mm right;
- the title centred in 方正小标宋简体 2号 (22 pt), bold; the document number
  centred under it;
- the addressee 主送机关 followed by "：", the body in 仿宋 3号 (16 pt),
  first-level headings (一、二、…) in 黑体 3号;
- tables with grid lines, their text in 仿宋 4号 (14 pt);
- the issuer and the date 成文日期 on the right;
- the page number in the footer, "— 1 —", in 宋体 4号, centred.

Each font is named for Latin and East Asian text alike (Word reads Chinese
text from ``w:eastAsia``). The look lives in named paragraph styles, so the
layout can be checked on any produced file (:data:`STYLES`).
"""

from __future__ import annotations

import io
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date

PAGE_MM = (210, 297)  # A4, portrait
MARGINS_MM = {"top": 37, "bottom": 35, "left": 28, "right": 26}

BODY_FONT, TITLE_FONT, HEADING_FONT, FOOTER_FONT = "仿宋", "方正小标宋简体", "黑体", "宋体"

# style name → (font, size in points, bold, alignment); "Normal" is the body
TITLE, NUMBER, HEADING, TABLE_TEXT, SIGNATURE, FOOTER = (
    "Official Title", "Official Number", "Official Heading", "Official Table Text", "Official Signature",
    "Official Footer")
STYLES: dict[str, tuple[str, float, bool, str | None]] = {
    "Normal": (BODY_FONT, 16, False, None),
    TITLE: (TITLE_FONT, 22, True, "center"),
    NUMBER: (BODY_FONT, 16, False, "center"),
    HEADING: (HEADING_FONT, 16, False, None),
    TABLE_TEXT: (BODY_FONT, 14, False, None),
    SIGNATURE: (BODY_FONT, 16, False, "right"),
    FOOTER: (FOOTER_FONT, 14, False, "center"),
}
TABLE_STYLE = "Table Grid"

# The issuer of the bureau's documents when no office unit names it: the campaign office's usual name.
ISSUER = "作风整顿工作领导小组办公室"


@dataclass(frozen=True)
class Heading:
    """A first-level heading, e.g. "一、存在问题"."""

    text: str


@dataclass(frozen=True)
class Paragraph:
    text: str


@dataclass(frozen=True)
class Table:
    header: Sequence[str]
    rows: Sequence[Sequence[str]] = ()


Block = Heading | Paragraph | Table


@dataclass(frozen=True)
class OfficialDocument:
    title: str
    number: str  # 发文字号, e.g. "〔2026〕1号"; a draft says so
    addressee: str  # 主送机关, without the colon
    issuer: str  # 发文机关署名
    dated: date  # 成文日期
    body: Sequence[Block] = field(default_factory=tuple)


def tagged(blocks: Iterable[Block]) -> list[tuple[str, Block]]:
    """Each block with its kind ("heading", "paragraph", "table"): for an HTML view of a document."""
    kinds = {Heading: "heading", Paragraph: "paragraph", Table: "table"}
    return [(kinds[type(block)], block) for block in blocks]


def chinese_date(day: date) -> str:
    """2026年10月5日: the way a document of record writes a date."""
    return f"{day.year}年{day.month}月{day.day}日"


def lines(text: str | None) -> list[Paragraph]:
    """One paragraph per non-blank line of ``text``, trimmed."""
    return [Paragraph(line.strip()) for line in (text or "").splitlines() if line.strip()]


def _fonts(target, name: str) -> None:
    """Name the Latin and the East Asian font of a style or run."""
    from docx.oxml.ns import qn

    target.font.name = name  # creates w:rFonts
    target.element.rPr.rFonts.set(qn("w:eastAsia"), name)


def _styles(document) -> None:
    from docx.enum.style import WD_STYLE_TYPE
    from docx.enum.text import WD_ALIGN_PARAGRAPH
    from docx.shared import Pt

    alignments = {"center": WD_ALIGN_PARAGRAPH.CENTER, "right": WD_ALIGN_PARAGRAPH.RIGHT}
    for name, (font, size, bold, alignment) in STYLES.items():
        if name == "Normal":
            style = document.styles["Normal"]
        else:
            style = document.styles.add_style(name, WD_STYLE_TYPE.PARAGRAPH)
            style.base_style = document.styles["Normal"]
            style.quick_style = True
        _fonts(style, font)
        style.font.size, style.font.bold = Pt(size), bold or None
        if alignment:
            style.paragraph_format.alignment = alignments[alignment]


def _page(section) -> None:
    from docx.enum.section import WD_ORIENT
    from docx.shared import Mm

    section.orientation = WD_ORIENT.PORTRAIT
    section.page_width, section.page_height = Mm(PAGE_MM[0]), Mm(PAGE_MM[1])
    section.top_margin, section.bottom_margin = Mm(MARGINS_MM["top"]), Mm(MARGINS_MM["bottom"])
    section.left_margin, section.right_margin = Mm(MARGINS_MM["left"]), Mm(MARGINS_MM["right"])


def _page_number(section) -> None:
    """The footer: "— n —", n being Word's PAGE field."""
    from docx.oxml import OxmlElement
    from docx.oxml.ns import qn

    paragraph = section.footer.paragraphs[0]
    paragraph.style = FOOTER
    paragraph.add_run("— ")
    number = OxmlElement("w:fldSimple")
    number.set(qn("w:instr"), "PAGE")
    run = OxmlElement("w:r")
    text = OxmlElement("w:t")
    text.text = "1"
    run.append(text)
    number.append(run)
    paragraph._p.append(number)
    paragraph.add_run(" —")


def _table(document, block: Table) -> None:
    table = document.add_table(rows=1, cols=len(block.header))
    table.style = TABLE_STYLE
    for cells, texts in ((table.rows[0].cells, block.header),
                         *((table.add_row().cells, row) for row in block.rows)):
        for cell, text in zip(cells, texts, strict=True):
            cell.text = text
            for paragraph in cell.paragraphs:
                paragraph.style = TABLE_TEXT


def _blocks(document, blocks: Iterable[Block]) -> None:
    for block in blocks:
        if isinstance(block, Table):
            _table(document, block)
        elif isinstance(block, Heading):
            document.add_paragraph(block.text, style=HEADING)
        else:
            document.add_paragraph(block.text)


def render(official: OfficialDocument) -> bytes:
    """Return ``official`` as .docx bytes in the official-document layout."""
    from docx import Document

    document = Document()
    _styles(document)
    section = document.sections[0]
    _page(section)
    _page_number(section)
    properties = document.core_properties
    properties.title, properties.author, properties.comments = official.title, official.issuer, ""
    document.add_paragraph(official.title, style=TITLE)
    document.add_paragraph(official.number, style=NUMBER)
    document.add_paragraph(f"{official.addressee}：")
    _blocks(document, official.body)
    document.add_paragraph(official.issuer, style=SIGNATURE)
    document.add_paragraph(chinese_date(official.dated), style=SIGNATURE)
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()
