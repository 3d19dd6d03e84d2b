"""Coordinates for server-rendered SVG charts (no JavaScript needed)."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, timedelta

from tracker.services.progress import planned_percent

WIDTH, HEIGHT, PAD = 600, 200, 30


def progress_chart(starts_on: date, due_on: date, milestones: Sequence[tuple[date, int]],
                   entries: Sequence[tuple[date, int]], as_of: date) -> dict:
    """Return the planned curve and the actual steps of a task as SVG polyline points."""
    first = min([starts_on, *(on for on, _ in entries)])
    last = max([due_on, as_of, *(on for on, _ in entries)])
    span = max((last - first).days, 1)

    def x(day: date) -> float:
        return round(PAD + (WIDTH - 2 * PAD) * (day - first).days / span, 1)

    def y(percent: int) -> float:
        return round(HEIGHT - PAD - (HEIGHT - 2 * PAD) * percent / 100, 1)

    planned = []
    step = max(span // 60, 1)
    day = first
    while day <= last:
        planned.append(f"{x(day)},{y(planned_percent(starts_on, due_on, milestones, day))}")
        day += timedelta(days=step)
    planned.append(f"{x(last)},{y(planned_percent(starts_on, due_on, milestones, last))}")
    actual, level = [f"{x(first)},{y(0)}"], 0
    for on, percent in sorted(entries):
        actual.append(f"{x(on)},{y(level)}")
        level = percent
        actual.append(f"{x(on)},{y(level)}")
    actual.append(f"{x(min(as_of, last))},{y(level)}")
    return {
        "width": WIDTH, "height": HEIGHT,
        "planned": " ".join(planned), "actual": " ".join(actual),
        "today_x": x(min(max(as_of, first), last)), "due_x": x(due_on),
        "milestones": [{"x": x(on), "y": y(p), "label": f"{p}%"} for on, p in milestones],
        "grid": [{"y": y(p), "label": f"{p}%"} for p in (0, 50, 100)],
        "first": first, "last": last, "left": PAD, "right": WIDTH - PAD,
        "bottom": HEIGHT - PAD,
    }


# Rank over time: a unit's place in each ranking, best at the top ---------------------------

RANK_WIDTH, RANK_HEIGHT, RANK_PAD = 600, 220, 34


def rank_chart(history: list[dict]) -> dict | None:
    """SVG coordinates of the relative rank over time: rank ÷ ranked units, best at the top."""
    points = [h for h in history if h["rank"] is not None and h["ranked_count"]]
    if not points:
        return None
    inner_w, inner_h = RANK_WIDTH - 2 * RANK_PAD, RANK_HEIGHT - 2 * RANK_PAD
    step = inner_w / max(len(points) - 1, 1)
    marks = []
    for index, point in enumerate(points):
        share = point["rank"] / point["ranked_count"]
        x = round(RANK_PAD + (step * index if len(points) > 1 else inner_w / 2), 1)
        y = round(RANK_PAD + inner_h * share, 1)
        marks.append({"x": x, "y": y, "label": f"{point['rank']}/{point['ranked_count']}",
                      "title": point["title"], "kind": point["kind"]})
    return {"width": RANK_WIDTH, "height": RANK_HEIGHT, "pad": RANK_PAD,
            "top": RANK_PAD, "bottom": RANK_HEIGHT - RANK_PAD,
            "middle": round(RANK_PAD + inner_h / 2, 1), "right": RANK_WIDTH - RANK_PAD,
            "polyline": " ".join(f"{m['x']},{m['y']}" for m in marks), "marks": marks}


# Bars: every bar chart of the product, drawn by the macros of templates/_charts.html ----------

LABEL_CHARS = 12


def _short(label: str) -> str:
    return label if len(label) <= LABEL_CHARS else label[:LABEL_CHARS - 1] + "…"


@dataclass(frozen=True)
class Bar:
    label: str
    text: str  # the value as shown beside the bar
    y: float
    length: float  # of the filled part, in the track's units
    tone: str = ""  # "", "alert" (a veto) or "muted" (not ranked)


@dataclass(frozen=True)
class BarChart:
    """Horizontal bars, one per row: the label, a track with the value's bar, the value."""

    bars: tuple[Bar, ...]
    width: int = 600
    left: int = 150  # where the track starts; the labels are left of it
    track: int = 400
    row: int = 18
    thickness: int = 14

    @property
    def height(self) -> int:
        return 10 + self.row * len(self.bars)

    @property
    def text_x(self) -> int:
        return self.left + self.track + 5


def bar_chart(items: Iterable[tuple[str, float | None, str, str]], maximum: float = 100.0) -> BarChart | None:
    """Lay out ``(label, value, text, tone)`` items as bars, in the given order; None if empty."""
    chart = BarChart(())
    bars = tuple(
        Bar(_short(label), text, 5 + chart.row * index,
            round(chart.track * max(0.0, min(value, maximum)) / maximum, 1) if value is not None else 0.0,
            tone)
        for index, (label, value, text, tone) in enumerate(items))
    return BarChart(bars) if bars else None


@dataclass(frozen=True)
class Column:
    label: str
    text: str
    x: float
    y: float
    height: float


@dataclass(frozen=True)
class ColumnChart:
    """Vertical columns over time (a trend), one per ``(label, value)``."""

    columns: tuple[Column, ...]
    width: int
    height: int
    step: float
    baseline: int


def column_chart(points: Sequence[tuple[str, float]], width: int = 600,
                 height: int = 160) -> ColumnChart | None:
    """Lay out ``(label, value)`` points as columns scaled to the largest value; None if empty."""
    if not points:
        return None
    left, baseline, tallest = 40, height - 30, height - 50
    peak = max(max(value for _, value in points), 1)
    step = (width - 2 * 30) / len(points)
    columns = tuple(
        Column(label, f"{value:g}", round(left + step * index + 4, 1),
               round(baseline - tallest * value / peak, 1), round(tallest * value / peak, 1))
        for index, (label, value) in enumerate(points))
    return ColumnChart(columns, width, height, round(step - 8, 1), baseline)
