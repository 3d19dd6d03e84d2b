"""Coordinates for server-rendered SVG charts (no JavaScript needed)."""

from __future__ import annotations

from collections.abc import Sequence
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
