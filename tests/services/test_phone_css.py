"""The navigation's text meets WCAG AA contrast (4.5:1) on the tracker red, computed from the CSS."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

CSS = Path(__file__).resolve().parents[2] / "tracker" / "static" / "css"


def rgb(hex_colour: str) -> tuple[int, int, int]:
    value = hex_colour.lstrip("#")
    if len(value) == 3:
        value = "".join(ch * 2 for ch in value)
    return int(value[0:2], 16), int(value[2:4], 16), int(value[4:6], 16)


def luminance(colour: tuple[int, int, int]) -> float:
    """Relative luminance (WCAG 2.x)."""
    def channel(c: int) -> float:
        s = c / 255
        return s / 12.92 if s <= 0.04045 else ((s + 0.055) / 1.055) ** 2.4
    r, g, b = (channel(c) for c in colour)
    return 0.2126 * r + 0.7152 * g + 0.0722 * b


def contrast(one: tuple[int, int, int], two: tuple[int, int, int]) -> float:
    high, low = sorted((luminance(one), luminance(two)), reverse=True)
    return (high + 0.05) / (low + 0.05)


def declared(css: str, prop: str) -> str:
    match = re.search(rf"{re.escape(prop)}\s*:\s*(#[0-9a-fA-F]{{3,6}})\b", css)
    assert match, f"{prop} is not an opaque #hex colour"
    return match.group(1)


def test_the_formula_matches_known_pairs():
    assert contrast(rgb("#000"), rgb("#fff")) == pytest.approx(21.0)
    assert contrast(rgb("#767676"), rgb("#ffffff")) == pytest.approx(4.54, abs=0.01)


@pytest.mark.parametrize("prop", ["--bs-navbar-color", "--bs-navbar-hover-color",
                                  "--bs-navbar-active-color", "--bs-navbar-brand-color"])
def test_navigation_text_contrast_is_at_least_aa(prop):
    background = rgb(declared((CSS / "tracker.css").read_text(), "--tracker-red"))
    text = rgb(declared((CSS / "phone.css").read_text(), prop))
    assert contrast(text, background) >= 4.5, (prop, round(contrast(text, background), 2))


def test_bootstraps_own_navbar_grey_would_fail():
    """What the navigation had before: white at 55 % over the red, about 2.9:1."""
    red = rgb(declared((CSS / "tracker.css").read_text(), "--tracker-red"))
    blended = tuple(round(0.55 * 255 + 0.45 * c) for c in red)
    assert contrast(blended, red) < 4.5
