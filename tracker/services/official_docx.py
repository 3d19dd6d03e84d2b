"""The official-document layout 公文格式 of every .docx the product writes (bulletins, notices).

Services supply only content — an :class:`OfficialDocument` with the issuing
organ, a document number, a title, an addressee, body blocks (:class:`Heading`,
:class:`Paragraph`, :class:`Table`, :class:`Figure`), the issuer, the date and
the 版记 — and :func:`render` draws it, once, in the layout of GB/T 9704-2012
《党政机关公文格式》:

- A4 portrait; 天头 (top margin) 37 mm, 订口 (left margin) 28 mm, a 版心 of
  156 mm × 225 mm (so 26 mm right, 35 mm bottom);
- 22 lines of 28 characters per page in 3号 (16 pt) text: every paragraph has
  an exact line spacing of :data:`LINE_PITCH_TWIPS` (≈ 28.95 pt) on the
  section's line grid, and every character is condensed by 0.25 pt
  (:data:`CHAR_SPACING_TWENTIETHS`) so that 28 fill the 156 mm line — measured
  in LibreOffice's print of the file (tests/services/test_documents_rendered.py);
- the red 发文机关标志 (the organ's name in 小标宋, centred), then the
  发文字号 (机关代字〔年份〕序号号) centred, above a red separator line as wide as
  the 版心 (the number paragraph's bottom border, 4 mm below it);
- the title in 小标宋 2号 (22 pt), centred; the addressee 主送机关 flush left,
  followed by "："; the body in 仿宋 3号 with a two-character first-line
  indent, first-level headings (一、) in 黑体 3号, second-level ones (（一）) in
  楷体 3号; tables with grid lines, their text in 仿宋 4号 (14 pt); figures
  (charts as PNG) centred, no wider than the 版心;
- the issuer centred above the 成文日期, which is written in Arabic numerals
  (2026年11月28日) and stands right-aligned four characters from the edge;
- the page number "— 1 —" in 4号 半角宋体 below the 版心: odd pages on the right
  and even pages on the left, one character in (``w:evenAndOddHeaders``);
- the 版记 at the foot of the last page: 抄送 and 印发机关 with 印发日期, between
  rules — the first and the last thicker (0.35 mm) than the one between (0.25 mm).

Each font is named for Latin and East Asian text alike (Word reads Chinese text
from ``w:eastAsia``), on the styles, the document defaults and every run. The
look lives in named paragraph styles, so the layout can be checked on any
produced file (:data:`STYLES`).
"""

from __future__ import annotations

import io
import math
import unicodedata
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date

PAGE_MM = (210, 297)  # A4, portrait
MARGINS_MM = {"top": 37, "bottom": 35, "left": 28, "right": 26}
TEXT_MM = (PAGE_MM[0] - MARGINS_MM["left"] - MARGINS_MM["right"],
           PAGE_MM[1] - MARGINS_MM["top"] - MARGINS_MM["bottom"])  # 版心: 156 × 225
LINES_PER_PAGE, CHARS_PER_LINE = 22, 28
BODY_PT = 16  # 3号
_TWIPS_PER_MM = 1440 / 25.4
# 225 mm ÷ 22 lines = 28.99 pt; Word's 公文 templates round down to 579 twips (28.95 pt) so that the
# 22nd line never spills onto the next page
LINE_PITCH_TWIPS = int(TEXT_MM[1] * _TWIPS_PER_MM / LINES_PER_PAGE)
# 28 characters of 16 pt (448 pt) are a little wider than the 156 mm line (442.2 pt): every character
# is condensed by a whole number of twentieths of a point (w:spacing, -5: -0.25 pt) so that 28 fit.
# Word, WPS and LibreOffice all honour that; a character grid (linesAndChars with a negative
# charSpace) is honoured by Word only — LibreOffice gives each character two cells of it, 14 a line.
CHAR_SPACING_TWENTIETHS = math.floor((TEXT_MM[0] * 72 / 25.4 / CHARS_PER_LINE - BODY_PT) * 20)
CHAR_PITCH_PT = BODY_PT + CHAR_SPACING_TWENTIETHS / 20
MASTHEAD_PT = 26  # the organ's name, made smaller when it would not fit on one line
# the masthead's upper edge 35 mm below the top of the 版心: its line's leading above the characters
# (≈ 2.5 mm, measured in a rendering) comes off the space before it
MASTHEAD_SPACE_MM = 32.5
RED = "FF0000"

BODY_FONT, TITLE_FONT, HEADING_FONT, SUBHEADING_FONT, FOOTER_FONT = (
    "仿宋", "方正小标宋简体", "黑体", "楷体", "宋体")

# style name → (font, size in points, bold, alignment); "Normal" is the body
(MASTHEAD, TITLE, NUMBER, ADDRESSEE, HEADING, SUBHEADING, TABLE_TEXT, FIGURE, SIGNATURE, DATE_LINE,
 RECORD, FOOTER) = ("Official Masthead", "Official Title", "Official Number", "Official Addressee",
                    "Official Heading", "Official Subheading", "Official Table Text", "Official Figure",
                    "Official Signature", "Official Date", "Official Record", "Official Footer")
STYLES: dict[str, tuple[str, float, bool, str | None]] = {
    "Normal": (BODY_FONT, BODY_PT, False, "justify"),
    MASTHEAD: (TITLE_FONT, MASTHEAD_PT, False, "center"),
    TITLE: (TITLE_FONT, 22, False, "center"),
    NUMBER: (BODY_FONT, BODY_PT, False, "center"),
    ADDRESSEE: (BODY_FONT, BODY_PT, False, "justify"),
    HEADING: (HEADING_FONT, BODY_PT, False, "justify"),
    SUBHEADING: (SUBHEADING_FONT, BODY_PT, False, "justify"),
    TABLE_TEXT: (BODY_FONT, 14, False, "center"),
    FIGURE: (BODY_FONT, BODY_PT, False, "center"),
    SIGNATURE: (BODY_FONT, BODY_PT, False, "right"),
    DATE_LINE: (BODY_FONT, BODY_PT, False, "right"),
    RECORD: (BODY_FONT, 14, False, "left"),
    FOOTER: (FOOTER_FONT, 14, False, None),  # odd pages right, even pages left: set per footer
}
# styles whose paragraphs keep to the page's line grid (exact spacing); the others (tables, figures,
# the footer) size their lines to their content
ON_GRID = {"Normal", TITLE, NUMBER, ADDRESSEE, HEADING, SUBHEADING, SIGNATURE, DATE_LINE, RECORD}
INDENTED = {"Normal", HEADING, SUBHEADING}  # 首行缩进二字
TABLE_STYLE = "Table Grid"
DATE_RIGHT_INDENT_CHARS = 4  # 成文日期右空四字
SEPARATOR_SPACE_PT = 5  # the red line 4 mm below the number's lower edge (measured in a rendering)
SEPARATOR_SIZE = 12  # eighths of a point: 1.5 pt
RULE_THICK, RULE_THIN = 8, 6  # 版记 rules: 0.35 mm (1 pt) and 0.25 mm (0.75 pt), in eighths of a point
FOOTER_DISTANCE_MM = 25  # the page number's 一字线 7 mm below the 版心 (measured in a rendering)

# The issuer of the bureau's documents when no setting names it: the campaign office's usual name.
ISSUER = "作风整顿工作领导小组办公室"


@dataclass(frozen=True)
class Heading:
    """A heading: level 1 "一、存在问题" (黑体), level 2 "（一）…" (楷体)."""

    text: str
    level: int = 1


@dataclass(frozen=True)
class Paragraph:
    text: str


@dataclass(frozen=True)
class Table:
    header: Sequence[str]
    rows: Sequence[Sequence[str]] = ()


@dataclass(frozen=True)
class Figure:
    """A picture (a chart) as PNG bytes, centred, ``width_mm`` wide (at most the 版心)."""

    png: bytes
    description: str
    width_mm: float = 150


Block = Heading | Paragraph | Table | Figure


@dataclass(frozen=True)
class OfficialDocument:
    title: str
    number: str  # 发文字号, e.g. "教作整〔2026〕1号"; a draft says so
    addressee: str  # 主送机关, without the colon
    issuer: str  # 发文机关署名
    dated: date  # 成文日期
    body: Sequence[Block] = field(default_factory=tuple)
    organ: str | None = None  # 发文机关标志 (the red masthead); the issuer if not given
    copies_to: str = ""  # 抄送机关, "、"-separated; none: no 抄送 line
    printed_by: str | None = None  # 印发机关; the organ if not given
    printed_on: date | None = None  # 印发日期; the 成文日期 if not given


def tagged(blocks: Iterable[Block]) -> list[tuple[str, Block]]:
    """Each block with its kind ("heading", "paragraph", "table", "figure"): for an HTML view."""
    kinds = {Heading: "heading", Paragraph: "paragraph", Table: "table", Figure: "figure"}
    return [(kinds[type(block)], block) for block in blocks]


def masthead_pt(organ: str) -> int:
    """The masthead's size: :data:`MASTHEAD_PT`, or smaller so that the organ's name fits one line."""
    return min(MASTHEAD_PT, math.floor(TEXT_MM[0] * 72 / 25.4 / max(len(organ), 1) - 0.5))


def chinese_date(day: date) -> str:
    """2026年10月5日: the way a document of record writes a date (Arabic numerals, GB/T 9704)."""
    return f"{day.year}年{day.month}月{day.day}日"


def lines(text: str | None) -> list[Paragraph]:
    """One paragraph per non-blank line of ``text``, trimmed."""
    return [Paragraph(line.strip()) for line in (text or "").splitlines() if line.strip()]


def _width_in_chars(text: str) -> float:
    """How many full-width characters ``text`` spans: a half-width one (a digit) counts a half."""
    return sum(1 if unicodedata.east_asian_width(ch) in "WF" else 0.5 for ch in text)


def signature_indent_chars(issuer: str, dated: date) -> float:
    """The issuer's right indent, in characters, that centres it over the date (右空四字)."""
    offset = (_width_in_chars(chinese_date(dated)) - _width_in_chars(issuer)) / 2
    return max(0.0, DATE_RIGHT_INDENT_CHARS + offset)


# Drawing ------------------------------------------------------------------------------------


def _set_fonts(r_pr, name: str) -> None:
    """Name ``name`` for Latin, East Asian and complex-script text in an ``w:rPr`` element."""
    from docx.oxml.ns import qn

    fonts = r_pr.find(qn("w:rFonts"))
    if fonts is None:
        fonts = r_pr.makeelement(qn("w:rFonts"), {})
        r_pr.insert(0, fonts)
    for theme in ("w:asciiTheme", "w:hAnsiTheme", "w:eastAsiaTheme", "w:cstheme"):
        fonts.attrib.pop(qn(theme), None)
    for slot in ("w:ascii", "w:hAnsi", "w:eastAsia", "w:cs"):
        fonts.set(qn(slot), name)


def _element(tag: str, **attributes):
    from docx.oxml import OxmlElement
    from docx.oxml.ns import qn

    element = OxmlElement(tag)
    for name, value in attributes.items():
        element.set(qn(f"w:{name}"), str(value))
    return element


def _child(parent, tag: str):
    """``parent``'s child ``tag``, created (appended) if missing."""
    from docx.oxml.ns import qn

    found = parent.find(qn(tag))
    if found is None:
        found = _element(tag)
        parent.append(found)
    return found


def _defaults(document) -> None:
    """The document defaults: the body font and size, no space between paragraphs, the grid's lines."""
    from docx.oxml.ns import qn

    defaults = document.styles.element.find(qn("w:docDefaults"))
    r_pr = defaults.find(qn("w:rPrDefault")).find(qn("w:rPr"))
    _set_fonts(r_pr, BODY_FONT)
    for tag in ("w:sz", "w:szCs"):
        r_pr.find(qn(tag)).set(qn("w:val"), str(BODY_PT * 2))
    r_pr.find(qn("w:sz")).addprevious(_element("w:spacing", val=CHAR_SPACING_TWENTIETHS))  # 28 a line
    r_pr.find(qn("w:lang")).set(qn("w:eastAsia"), "zh-CN")
    spacing = defaults.find(qn("w:pPrDefault")).find(qn("w:pPr")).find(qn("w:spacing"))
    spacing.set(qn("w:after"), "0")
    spacing.set(qn("w:line"), str(LINE_PITCH_TWIPS))
    spacing.set(qn("w:lineRule"), "exact")


def _styles(document) -> None:
    from docx.enum.style import WD_STYLE_TYPE
    from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_LINE_SPACING
    from docx.shared import Pt, RGBColor, Twips

    alignments = {"center": WD_ALIGN_PARAGRAPH.CENTER, "right": WD_ALIGN_PARAGRAPH.RIGHT,
                  "left": WD_ALIGN_PARAGRAPH.LEFT, "justify": WD_ALIGN_PARAGRAPH.JUSTIFY}
    for name, (font, size, bold, alignment) in STYLES.items():
        if name == "Normal":
            style = document.styles["Normal"]
        else:
            style = document.styles.add_style(name, WD_STYLE_TYPE.PARAGRAPH)
            style.base_style = document.styles["Normal"]
            style.quick_style = True
        style.font.name = font  # creates w:rFonts
        _set_fonts(style.element.rPr, font)
        style.font.size, style.font.bold = Pt(size), bold or None
        style.paragraph_format.alignment = alignments[alignment] if alignment else None
        layout = style.paragraph_format
        layout.space_before, layout.space_after = Pt(0), Pt(0)
        layout.first_line_indent = Pt(2 * CHAR_PITCH_PT) if name in INDENTED else Pt(0)
        layout.widow_control = False  # a widow rule would move a line and break the 22-line grid
        if name in ON_GRID:
            layout.line_spacing_rule, layout.line_spacing = WD_LINE_SPACING.EXACTLY, Twips(LINE_PITCH_TWIPS)
        else:  # sized to its content, off the line grid
            layout.line_spacing_rule = WD_LINE_SPACING.SINGLE
            _child(style.element.get_or_add_pPr(), "w:snapToGrid").set(
                "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}val", "0")
    document.styles[MASTHEAD].font.color.rgb = RGBColor.from_string(RED)
    grid = Twips(LINE_PITCH_TWIPS)
    document.styles[MASTHEAD].paragraph_format.space_before = Pt(MASTHEAD_SPACE_MM * 72 / 25.4)
    document.styles[NUMBER].paragraph_format.space_before = grid * 2  # 标志下空二行
    document.styles[TITLE].paragraph_format.space_before = grid * 2  # 分隔线下空二行
    document.styles[ADDRESSEE].paragraph_format.space_before = grid  # 标题下空一行
    document.styles[SIGNATURE].paragraph_format.space_before = grid * 2  # room for the seal
    document.styles[DATE_LINE].paragraph_format.right_indent = Pt(DATE_RIGHT_INDENT_CHARS * CHAR_PITCH_PT)
    document.styles[FIGURE].paragraph_format.keep_with_next = True
    # the red separator: the number's bottom border, as wide as the 版心
    _border(document.styles[NUMBER].element.get_or_add_pPr(), "bottom", SEPARATOR_SIZE, RED,
            SEPARATOR_SPACE_PT)


def _border(p_pr, side: str, size: int, colour: str = "000000", space: int = 1) -> None:
    borders = _child(p_pr, "w:pBdr")
    borders.append(_element(f"w:{side}", val="single", sz=size, space=space, color=colour))


def _page(document, section) -> None:
    from docx.enum.section import WD_ORIENT
    from docx.oxml.ns import qn
    from docx.shared import Mm

    section.orientation = WD_ORIENT.PORTRAIT
    section.page_width, section.page_height = Mm(PAGE_MM[0]), Mm(PAGE_MM[1])
    section.top_margin, section.bottom_margin = Mm(MARGINS_MM["top"]), Mm(MARGINS_MM["bottom"])
    section.left_margin, section.right_margin = Mm(MARGINS_MM["left"]), Mm(MARGINS_MM["right"])
    section.footer_distance = Mm(FOOTER_DISTANCE_MM)
    sect_pr = section._sectPr
    grid = sect_pr.find(qn("w:docGrid"))
    if grid is None:
        grid = _element("w:docGrid")
        sect_pr.append(grid)
    grid.set(qn("w:type"), "lines")
    grid.set(qn("w:linePitch"), str(LINE_PITCH_TWIPS))
    document.settings.odd_and_even_pages_header_footer = True  # w:evenAndOddHeaders


def _page_number(paragraph, odd: bool) -> None:
    """A footer's "— n —", n being Word's PAGE field: odd pages right, even pages left, 空一字."""
    from docx.enum.text import WD_ALIGN_PARAGRAPH
    from docx.shared import Pt

    paragraph.style = FOOTER
    layout = paragraph.paragraph_format
    if odd:
        layout.alignment, layout.right_indent = WD_ALIGN_PARAGRAPH.RIGHT, Pt(STYLES[FOOTER][1])
    else:
        layout.alignment, layout.left_indent = WD_ALIGN_PARAGRAPH.LEFT, Pt(STYLES[FOOTER][1])
    paragraph.add_run("— ")
    number = _element("w:fldSimple", instr="PAGE")
    run = _element("w:r")
    text = _element("w:t")
    text.text = "1"
    run.append(text)
    number.append(run)
    paragraph._p.append(number)
    paragraph.add_run(" —")


def _table(document, block: Table) -> None:
    from docx.oxml.ns import qn

    table = document.add_table(rows=1, cols=len(block.header))
    table.style = TABLE_STYLE
    _child(table.rows[0]._tr.get_or_add_trPr(), "w:tblHeader").set(qn("w:val"), "1")  # repeated
    for cells, texts in ((table.rows[0].cells, block.header),
                         *((table.add_row().cells, row) for row in block.rows)):
        for cell, text in zip(cells, texts, strict=True):
            cell.text = text
            for paragraph in cell.paragraphs:
                paragraph.style = TABLE_TEXT


def _figure(document, block: Figure) -> None:
    from docx.oxml.ns import qn
    from docx.shared import Mm

    run = document.add_paragraph(style=FIGURE).add_run()
    run.add_picture(io.BytesIO(block.png), width=Mm(min(block.width_mm, TEXT_MM[0])))
    for properties in run._r.iter(qn("wp:docPr")):
        properties.set("descr", block.description)


def _blocks(document, blocks: Iterable[Block]) -> None:
    for block in blocks:
        if isinstance(block, Table):
            _table(document, block)
        elif isinstance(block, Figure):
            _figure(document, block)
        elif isinstance(block, Heading):
            document.add_paragraph(block.text, style=HEADING if block.level == 1 else SUBHEADING)
        else:
            document.add_paragraph(block.text)


def _signature(document, official: OfficialDocument) -> None:
    from docx.shared import Pt

    issuer = document.add_paragraph(official.issuer, style=SIGNATURE)
    issuer.paragraph_format.right_indent = Pt(
        signature_indent_chars(official.issuer, official.dated) * CHAR_PITCH_PT)
    document.add_paragraph(chinese_date(official.dated), style=DATE_LINE)


def _record(document, official: OfficialDocument) -> None:
    """The 版记 at the foot of the last page: a frame anchored to the bottom of the 版心."""
    from docx.enum.text import WD_TAB_ALIGNMENT
    from docx.shared import Pt

    char = STYLES[RECORD][1]  # 空一字 in 4号
    width_pt = TEXT_MM[0] * 72 / 25.4
    paragraphs = []
    if official.copies_to:
        copies = document.add_paragraph(f"抄送：{official.copies_to.rstrip('。')}。", style=RECORD)
        layout = copies.paragraph_format
        layout.left_indent, layout.right_indent = Pt(4 * char), Pt(char)
        layout.first_line_indent = Pt(-3 * char)  # a second line starts under the first name
        paragraphs.append(copies)
    printed = document.add_paragraph(
        f"{official.printed_by or official.organ or official.issuer}\t"
        f"{chinese_date(official.printed_on or official.dated)}印发", style=RECORD)
    printed.paragraph_format.left_indent = Pt(char)
    printed.paragraph_format.tab_stops.add_tab_stop(Pt(width_pt - 2 * char), WD_TAB_ALIGNMENT.RIGHT)
    paragraphs.append(printed)
    for index, paragraph in enumerate(paragraphs):
        p_pr = paragraph._p.get_or_add_pPr()
        p_pr.insert(0, _element("w:framePr", w=round(TEXT_MM[0] * _TWIPS_PER_MM), hAnchor="margin",
                                vAnchor="margin", xAlign="center", yAlign="bottom", wrap="around"))
        if index == 0:
            _border(p_pr, "top", RULE_THICK)
        _border(p_pr, "bottom", RULE_THICK if index == len(paragraphs) - 1 else RULE_THIN)


def _run_fonts(document) -> None:
    """Name the style's font on every run too, East Asian included, so no editor guesses."""
    from docx.enum.style import WD_STYLE_TYPE
    from docx.oxml.ns import qn

    parts = [document.element.body]
    for section in document.sections:
        parts += [section.footer._element, section.even_page_footer._element]
    for part in parts:
        for p in part.iter(qn("w:p")):
            style = p.pPr.pStyle.val if p.pPr is not None and p.pPr.pStyle is not None else None
            name = document.styles.get_by_id(style, WD_STYLE_TYPE.PARAGRAPH).name if style else "Normal"
            font = STYLES.get(name, STYLES["Normal"])[0]
            for run in p.iter(qn("w:r")):
                _set_fonts(run.get_or_add_rPr(), font)


def render(official: OfficialDocument) -> bytes:
    """Return ``official`` as .docx bytes in the official-document layout (GB/T 9704-2012)."""
    from docx import Document
    from docx.shared import Pt

    document = Document()
    _defaults(document)
    _styles(document)
    section = document.sections[0]
    _page(document, section)
    _page_number(section.footer.paragraphs[0], odd=True)
    _page_number(section.even_page_footer.paragraphs[0], odd=False)
    properties = document.core_properties
    properties.title, properties.author, properties.comments = official.title, official.issuer, ""
    organ = official.organ or official.issuer
    masthead = document.add_paragraph(organ, style=MASTHEAD)
    if masthead_pt(organ) < MASTHEAD_PT:
        masthead.runs[0].font.size = Pt(masthead_pt(organ))
    document.add_paragraph(official.number, style=NUMBER)
    document.add_paragraph(official.title, style=TITLE)
    document.add_paragraph(f"{official.addressee}：", style=ADDRESSEE)
    _blocks(document, official.body)
    _signature(document, official)
    _record(document, official)
    _run_fonts(document)
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()
