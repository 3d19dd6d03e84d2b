"""Invitation slips of a rating round: QR codes (segno) as inline SVG and a print-ready PDF (reportlab)."""

from __future__ import annotations

import io
from collections.abc import Sequence
from dataclasses import dataclass

import segno
from flask_babel import gettext as _
from markupsafe import Markup
from reportlab.lib.pagesizes import A4
from reportlab.lib.units import mm
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.cidfonts import UnicodeCIDFont
from reportlab.pdfgen import canvas

from tracker.services import codes

CJK_FONT = "STSong-Light"


@dataclass
class Slip:
    code: str
    url: str  # the ballot page of the code


def qr_svg(url: str) -> Markup:
    """Return the QR code of ``url`` as inline SVG (attributes only: no inline style)."""
    svg = segno.make(url, error="m").svg_inline(scale=4, svgclass="qr", lineclass=None,
                                                omitsize=True)
    # segno writes only numbers and path data: the URL is encoded, never written out
    return Markup(svg.replace("<svg ", '<svg role="img" aria-hidden="true" ', 1))  # noqa: S704


def _font() -> str:
    if CJK_FONT not in pdfmetrics.getRegisteredFontNames():
        pdfmetrics.registerFont(UnicodeCIDFont(CJK_FONT))
    return CJK_FONT


def _draw_qr(pdf: canvas.Canvas, url: str, x: float, y: float, size: float) -> None:
    matrix = segno.make(url, error="m").matrix
    count = len(matrix) + 8  # a quiet zone of 4 modules each side
    module = size / count
    pdf.setFillColorRGB(0, 0, 0)
    for row_index, row in enumerate(matrix):
        for col_index, dark in enumerate(row):
            if dark:
                pdf.rect(x + (col_index + 4) * module, y + size - (row_index + 5) * module,
                         module, module, stroke=0, fill=1)


def slips_pdf(title: str, group_name: str, slips: Sequence[Slip], vote_url: str) -> bytes:
    """Return an A4 PDF with eight slips a page (two columns, four rows), cut lines dashed."""
    font = _font()
    buffer = io.BytesIO()
    pdf = canvas.Canvas(buffer, pagesize=A4, pageCompression=0)
    pdf.setTitle(title)
    width, height = A4
    columns, rows = 2, 4
    margin = 10 * mm
    cell_w = (width - 2 * margin) / columns
    cell_h = (height - 2 * margin) / rows
    per_page = columns * rows
    for index, slip in enumerate(slips):
        if index and index % per_page == 0:
            pdf.showPage()
        place = index % per_page
        x = margin + (place % columns) * cell_w
        y = height - margin - (place // columns + 1) * cell_h
        pdf.setDash(3, 3)
        pdf.setStrokeColorRGB(0.6, 0.6, 0.6)
        pdf.rect(x, y, cell_w, cell_h, stroke=1, fill=0)
        pdf.setDash()
        pdf.setFillColorRGB(0, 0, 0)
        pdf.setFont(font, 11)
        pdf.drawString(x + 5 * mm, y + cell_h - 9 * mm, title[:30])
        pdf.setFont(font, 9)
        pdf.drawString(x + 5 * mm, y + cell_h - 15 * mm, _("Rater group: %(name)s", name=group_name)[:34])
        pdf.setFont("Courier-Bold", 15)
        pdf.drawString(x + 5 * mm, y + cell_h - 25 * mm, codes.group(slip.code))
        qr_size = 34 * mm
        _draw_qr(pdf, slip.url, x + cell_w - qr_size - 3 * mm, y + 4 * mm, qr_size)
        pdf.setFont(font, 7.5)
        lines = [_("Scan the QR code with your phone,"),
                 _("or open %(url)s", url=vote_url),
                 _("and enter the code above."),
                 _("Each code votes once; your ballot is anonymous.")]
        for number, line in enumerate(lines):
            pdf.drawString(x + 5 * mm, y + 22 * mm - number * 4.2 * mm, line[:46])
    if not slips:
        pdf.setFont(font, 12)
        pdf.drawString(margin, height - margin - 12, title)
    pdf.save()
    return buffer.getvalue()
