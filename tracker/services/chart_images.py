"""A bulletin's charts as PNG images for its .docx: the same bars the page draws in SVG.

Drawn with Pillow (already installed with reportlab), at 2× the print size so they
stay sharp. Unit names need a font with Chinese characters: the first one found
of :data:`CJK_FONTS` (Noto CJK, WenQuanYi, Droid, SimSun…); on a host without
any, each bar is labelled with its rank/row number instead, which the table
printed next to the chart resolves.
"""

from __future__ import annotations

import io
from collections.abc import Sequence
from functools import cache
from pathlib import Path

CJK_FONTS = (
    "/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc",
    "/usr/share/fonts/noto-cjk/NotoSansCJK-Regular.ttc",
    "/usr/share/fonts/opentype/noto/NotoSerifCJK-Regular.ttc",
    "/usr/share/fonts/truetype/wqy/wqy-microhei.ttc",
    "/usr/share/fonts/truetype/wqy/wqy-zenhei.ttc",
    "/usr/share/fonts/truetype/droid/DroidSansFallbackFull.ttf",
    "C:/Windows/Fonts/simsun.ttc",
    "C:/Windows/Fonts/msyh.ttc",
    "/System/Library/Fonts/PingFang.ttc",
)
BAR, TRACK, INK, GRID = (31, 119, 180), (232, 236, 241), (33, 37, 41), (200, 200, 200)
SCALE = 2  # pixels per design pixel


@cache
def _font_path() -> str | None:
    return next((path for path in CJK_FONTS if Path(path).is_file()), None)


def _font(size: int):
    from PIL import ImageFont

    path = _font_path()
    if path:
        return ImageFont.truetype(path, size * SCALE)
    return ImageFont.load_default(size * SCALE)


def _label(text: str, index: int) -> str:
    """``text``, or its row number when no font here draws Chinese characters."""
    if _font_path() or text.isascii():
        return text if len(text) <= 12 else text[:11] + "…"
    return str(index + 1)


def _png(image) -> bytes:
    buffer = io.BytesIO()
    image.save(buffer, format="PNG", optimize=True)
    return buffer.getvalue()


def bars(items: Sequence[tuple[str, float, str]], maximum: float = 100.0) -> bytes | None:
    """Horizontal bars, one per (label, value, value text), longest scale ``maximum``."""
    from PIL import Image, ImageDraw

    if not items:
        return None
    width, row, left, right = 600, 22, 170, 60
    height = 10 + row * len(items)
    image = Image.new("RGB", (width * SCALE, height * SCALE), "white")
    draw, font = ImageDraw.Draw(image), _font(12)
    track = width - left - right
    for index, (label, value, text) in enumerate(items):
        top = 5 + index * row
        box = [left, top + 4, left + track, top + row - 4]
        draw.rectangle([c * SCALE for c in box], fill=TRACK)
        length = track * max(0.0, min(value, maximum)) / maximum if maximum else 0
        if length:
            draw.rectangle([c * SCALE for c in (left, top + 4, left + length, top + row - 4)], fill=BAR)
        middle = (top + row / 2) * SCALE
        draw.text(((left - 6) * SCALE, middle), _label(label, index), fill=INK, font=font, anchor="rm")
        draw.text(((left + track + 6) * SCALE, middle), text, fill=INK, font=font, anchor="lm")
    return _png(image)


def columns(items: Sequence[tuple[str, float]]) -> bytes | None:
    """Vertical columns, one per (label, value), the tallest the highest value."""
    from PIL import Image, ImageDraw

    if not items:
        return None
    width, height, pad, top_pad = 600, 220, 30, 20
    image = Image.new("RGB", (width * SCALE, height * SCALE), "white")
    draw, font = ImageDraw.Draw(image), _font(11)
    highest = max((value for _label, value in items), default=0) or 1
    slot = (width - 2 * pad) / len(items)
    base = height - pad
    draw.line([c * SCALE for c in (pad, base, width - pad, base)], fill=GRID, width=SCALE)
    for index, (label, value) in enumerate(items):
        x = pad + index * slot
        bar_height = (base - top_pad) * value / highest
        draw.rectangle([c * SCALE for c in (x + slot * 0.2, base - bar_height, x + slot * 0.8, base)],
                       fill=BAR)
        centre = (x + slot / 2) * SCALE
        draw.text((centre, (base - bar_height - 3) * SCALE), f"{value:g}", fill=INK, font=font, anchor="mb")
        draw.text((centre, (base + 4) * SCALE), _label(label, index), fill=INK, font=font, anchor="mt")
    return _png(image)
