"""Working days: China's official calendar, then the office's own overrides.

A day is a working day by China's calendar (public holidays and the 调休
make-up working days it moves), unless the office listed it under
``complaints.extra_workdays`` (then it is one) or ``complaints.extra_holidays``
(then it is not). Complaint reply deadlines count these days
(docs/domain.md "Complaints and rectification notices").
"""

from __future__ import annotations

from datetime import date, timedelta
from functools import lru_cache

import holidays

from tracker.services import settings


@lru_cache(maxsize=16)
def _calendar(year: int):
    return holidays.China(years=year)


def is_working_day(day: date) -> bool:
    """China's official calendar (holidays and 调休 make-up days), then the office's overrides."""
    iso = day.isoformat()
    if iso in set(settings.get("complaints.extra_workdays")):
        return True
    if iso in set(settings.get("complaints.extra_holidays")):
        return False
    return _calendar(day.year).is_working_day(day)


def add_working_days(start: date, n: int) -> date:
    """Return the ``n``-th working day after ``start`` (``start`` itself not counted)."""
    extra_work = set(settings.get("complaints.extra_workdays"))
    extra_off = set(settings.get("complaints.extra_holidays"))

    def working(day: date) -> bool:
        if day.isoformat() in extra_work:
            return True
        if day.isoformat() in extra_off:
            return False
        return _calendar(day.year).is_working_day(day)

    day = start
    remaining = n
    while remaining > 0:
        day += timedelta(days=1)
        if working(day):
            remaining -= 1
    return day
