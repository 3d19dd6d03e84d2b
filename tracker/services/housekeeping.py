"""Housekeeping: forget what has stopped mattering, every night.

Log-in throttles whose window and lock are over and rate-limit counters that
have expired are deleted (requests also delete some as they go, but a quiet
system would keep them for ever); stored files that no record refers to —
written by a request that was then refused or rolled back — are removed once
they are a day old, so that a request still on its way keeps its file.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path

from sqlalchemy import delete, or_, select

from tracker.extensions import db
from tracker.models import LoginThrottle, RateLimitCounter
from tracker.services import auth, integrity

# an unreferenced file younger than this may belong to a request still running
ORPHAN_AGE = timedelta(days=1)


@dataclass(frozen=True)
class Swept:
    throttles: int
    counters: int
    files: int

    def summary(self) -> str:
        return (f"{self.throttles} log-in throttles, {self.counters} rate-limit counters, "
                f"{self.files} unreferenced files removed")


def sweep(now: datetime, upload_folder: str | Path) -> Swept:
    """Delete expired throttles and counters and old unreferenced files; say how many."""
    window = max(auth.ADDRESS_WINDOW, auth.ACCOUNT_WINDOW)
    throttles = db.session.execute(delete(LoginThrottle).where(
        LoginThrottle.window_started_at < now - window,
        or_(LoginThrottle.locked_until.is_(None), LoginThrottle.locked_until < now))).rowcount
    counters = db.session.execute(delete(RateLimitCounter).where(
        RateLimitCounter.expires_at <= time.time())).rowcount
    return Swept(throttles, counters, _remove_orphans(Path(upload_folder), now))


def _remove_orphans(folder: Path, now: datetime) -> int:
    if not folder.is_dir():
        return 0
    known: set[str] = set()
    for model in integrity.FILE_MODELS:
        known.update(db.session.scalars(select(model.stored_name)))
    before = (now - ORPHAN_AGE).timestamp()
    removed = 0
    for path in folder.iterdir():
        if (integrity.STORED_NAME.fullmatch(path.name) and path.name not in known
                and path.is_file() and path.stat().st_mtime < before):
            path.unlink(missing_ok=True)
            removed += 1
    return removed
