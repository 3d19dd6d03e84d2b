"""Our .docx opened by an office suite and measured against GB/T 9704-2012 on the printed page.

LibreOffice (headless) lays the documents out and prints them to PDF; the test
reads the PDF's characters (pdfplumber) and the ink of the page (a 600 dpi
rendering): paper size, the 版心, 22 lines of 28 characters, the red masthead
35 mm below the 版心's top on one line, the red rule as wide as the 版心 4 mm
below the document number, and "— n —" with its 一字线 7 mm below the 版心,
odd pages right and even pages left, one character in. Fonts are those of the
machine (方正小标宋/仿宋 are substituted), so sizes and positions are checked,
not glyph shapes.
"""

from __future__ import annotations

import shutil
import subprocess
from datetime import date

import pdfplumber
import pytest
from PIL import Image, ImageChops

from tests.conftest import missing
from tracker.services import official_docx
from tracker.services.official_docx import Heading, OfficialDocument, Paragraph, Table

MM = 72 / 25.4
TOP, LEFT = official_docx.MARGINS_MM["top"], official_docx.MARGINS_MM["left"]
RIGHT = official_docx.PAGE_MM[0] - official_docx.MARGINS_MM["right"]  # 184 mm
BOTTOM = TOP + official_docx.TEXT_MM[1]  # 262 mm
DPI = 600
ORGAN = "某区教育局作风整顿工作领导小组办公室"  # 18 characters: too long for one line at 26 pt
SENTENCE = "全区各学校认真落实作风整顿工作要求，按照时间节点推进各项整改任务，取得阶段性成效。"


@pytest.fixture(scope="module")
def printed(tmp_path_factory):
    """The PDF LibreOffice prints of a three-page bulletin-like document."""
    soffice = shutil.which("soffice")
    if soffice is None:
        missing("LibreOffice (soffice) is not installed: apt-get install libreoffice-writer-nogui")
    folder = tmp_path_factory.mktemp("printed")
    body = [Heading("一、总体情况"), *(Paragraph(SENTENCE * 2) for _ in range(24)), Heading("二、存在问题"),
            Table(("单位", "应完成", "按期完成"), [("实验小学", "3", "2"), ("第二小学", "4", "4")]),
            *(Paragraph(SENTENCE) for _ in range(12))]
    data = official_docx.render(OfficialDocument(
        title="关于2026年10月作风整顿工作推进情况的通报", number="教作整通〔2026〕3号",
        addressee="各股室、各学校、幼儿园", issuer=ORGAN, organ=ORGAN, dated=date(2026, 11, 2),
        copies_to="局领导班子成员", body=body))
    source = folder / "bulletin.docx"
    source.write_bytes(data)
    subprocess.run([soffice, f"-env:UserInstallation=file://{folder}/profile", "--headless",
                    "--convert-to", "pdf", "--outdir", str(folder), str(source)],
                   check=True, capture_output=True, timeout=180)
    with pdfplumber.open(folder / "bulletin.pdf") as pdf:
        pages = [{"width": page.width / MM, "height": page.height / MM, "chars": page.chars,
                  "ink": page.to_image(resolution=DPI).original.convert("RGB")} for page in pdf.pages]
    return pages


def lines_of(page) -> list[list[dict]]:
    """The page's characters grouped into lines (by their top), top to bottom."""
    lines: dict[float, list[dict]] = {}
    for char in page["chars"]:
        lines.setdefault(round(char["top"]), []).append(char)
    return [sorted(lines[top], key=lambda c: c["x0"]) for top in sorted(lines)]


def text(line) -> str:
    return "".join(c["text"] for c in line)


def ink(page, top_mm: float, bottom_mm: float, colour: str, left_mm: float = 0, right_mm: float = 210):
    """The bounding box (left, top, right, bottom) in mm of the red or dark ink in a band of the page."""
    image = page["ink"]
    px = image.height / 297
    band = image.crop((round(left_mm * px), round(top_mm * px), round(right_mm * px), round(bottom_mm * px)))
    red, green, blue = band.split()
    if colour == "red":
        mask = ImageChops.multiply(red.point(lambda v: 255 if v > 200 else 0),
                                   green.point(lambda v: 255 if v < 90 else 0))
    else:
        mask = Image.eval(band.convert("L"), lambda v: 255 if v < 110 else 0)
    box = mask.getbbox()
    assert box, (top_mm, bottom_mm, colour)
    return (left_mm + box[0] / px, top_mm + box[1] / px, left_mm + box[2] / px, top_mm + box[3] / px)


def test_every_page_is_a4_with_the_text_inside_the_type_area(printed):
    assert len(printed) >= 3
    for page in printed:
        assert page["width"] == pytest.approx(210, abs=0.5) and page["height"] == pytest.approx(297, abs=0.5)
        for line in lines_of(page):
            if text(line).startswith("—"):
                continue  # the page number, below the 版心
            assert min(c["x0"] for c in line) / MM >= LEFT - 0.3, text(line)
            assert max(c["x1"] for c in line) / MM <= RIGHT + 0.3, text(line)
            assert line[0]["top"] / MM >= TOP - 0.5 and line[0]["bottom"] / MM <= BOTTOM + 0.5, text(line)


def test_22_lines_of_28_characters_in_3hao(printed):
    full = [page for page in printed[1:-1]  # pages of body text alone, between the first and the last
            if all(line[0]["size"] == pytest.approx(16, abs=0.1) for line in lines_of(page)[:-1])]
    assert len(full) >= 2
    for page in full:
        body = lines_of(page)[:-1]  # the last line is the page number
        assert len(body) == official_docx.LINES_PER_PAGE
        widths = [len(line) for line in body]
        assert max(widths) == official_docx.CHARS_PER_LINE  # full lines hold 28, never more
        assert widths.count(official_docx.CHARS_PER_LINE) >= 10


def test_the_red_masthead_number_and_rule(printed):
    first = printed[0]
    lines = lines_of(first)
    masthead = lines[0]
    assert text(masthead) == ORGAN  # on one line, made smaller to fit
    assert all(c["non_stroking_color"] == (1.0, 0.0, 0.0) for c in masthead)
    assert masthead[0]["size"] == official_docx.masthead_pt(ORGAN) < official_docx.MASTHEAD_PT
    left, top, right, bottom = ink(first, TOP, TOP + 60, "red")
    assert top == pytest.approx(TOP + 35, abs=1.5)  # 上边缘至版心上边缘 35 mm
    assert (left + right) / 2 == pytest.approx((LEFT + RIGHT) / 2, abs=1)  # centred
    number = next(line for line in lines if text(line) == "教作整通〔2026〕3号")
    assert number[0]["size"] == pytest.approx(16, abs=0.1)
    rule = ink(first, bottom + 2, bottom + 60, "red")  # the red below the masthead: the rule
    assert rule[0] == pytest.approx(LEFT, abs=0.5) and rule[2] == pytest.approx(RIGHT, abs=0.5)  # 版心 wide
    number_ink = ink(first, number[0]["top"] / MM - 1, rule[1] - 0.2, "dark")
    assert rule[1] - number_ink[3] == pytest.approx(4, abs=1)  # 发文字号之下 4 mm
    title = next(line for line in lines if text(line).startswith("关于2026年10月"))
    assert title[0]["size"] == pytest.approx(22, abs=0.1)  # 二号


def test_page_numbers_below_the_type_area_odd_right_even_left(printed):
    char = official_docx.STYLES[official_docx.FOOTER][1] / MM  # 空一字: one 4号 character
    for index, page in enumerate(printed, start=1):
        [number] = [line for line in lines_of(page) if text(line).startswith("—")]
        assert text(number).replace(" ", "") == f"—{index}—"
        assert number[0]["size"] == pytest.approx(14, abs=0.1)  # 4号
        left, top, right, bottom = ink(page, BOTTOM + 1, 290, "dark")
        if index % 2:
            assert right == pytest.approx(RIGHT - char, abs=0.7)
        else:
            assert left == pytest.approx(LEFT + char, abs=0.7)
        dash = ink(page, BOTTOM + 1, 290, "dark", left, left + 2)  # the first 一字线 alone
        assert dash[1] - BOTTOM == pytest.approx(7, abs=1)  # 一字线上距版心下边缘 7 mm


def test_the_record_closes_the_last_page(printed):
    """The 版记 is a frame anchored to the foot of the 版心 (w:framePr, yAlign bottom): Word and WPS
    place it there; LibreOffice 7.4 lays framed paragraphs inline, after the date. Measured here:
    it comes last, on the last page, in 4号, after the issuer and the date."""
    lines = [text(line) for line in lines_of(printed[-1])]
    assert lines[-1].replace(" ", "") == f"—{len(printed)}—"
    assert lines[-4:-1] == ["2026年11月2日", "抄送：局领导班子成员。", f"{ORGAN}2026年11月2日印发"]
