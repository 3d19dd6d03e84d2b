"""The wall clock, in the configured time zone.

Services never call these: routes, commands and jobs read the clock once and
pass ``now`` / ``as_of`` down.
"""

from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

from flask import current_app


def zone() -> ZoneInfo:
    """Return the configured time zone."""
    return ZoneInfo(current_app.config["TIMEZONE"])


def now() -> datetime:
    """Return the current time as an aware UTC datetime."""
    return datetime.now(UTC)


def today() -> date:
    """Return today's date in the configured time zone."""
    return datetime.now(zone()).date()


def local(moment: datetime | None) -> datetime | None:
    """Convert an aware datetime to the configured time zone."""
    return moment.astimezone(zone()) if moment is not None else None
