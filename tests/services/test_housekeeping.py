"""The nightly housekeeping: expired throttles and counters go, as do old files no record holds."""

from __future__ import annotations

import io
import os
import time
from datetime import timedelta
from pathlib import Path

from sqlalchemy import select

from tracker import clock, jobs
from tracker.extensions import db
from tracker.models import EvidenceFile, LoginThrottle, RateLimitCounter
from tracker.services import uploads

PNG = b"\x89PNG\r\n\x1a\n" + b"\0" * 64


def _age(path: Path, days: float) -> None:
    then = time.time() - days * 86400
    os.utime(path, (then, then))


def test_housekeeping_forgets_what_has_expired_and_keeps_the_rest(app, make):
    now = clock.now()
    db.session.add_all([
        LoginThrottle(account_key="old", address="10.0.0.1", failures=3,
                      window_started_at=now - timedelta(days=2)),
        LoginThrottle(account_key="locked", address="10.0.0.2", failures=0,
                      window_started_at=now - timedelta(days=2), locked_until=now + timedelta(minutes=5)),
        LoginThrottle(account_key="recent", address="10.0.0.3", failures=1,
                      window_started_at=now - timedelta(hours=2)),
        RateLimitCounter(key="gone", hits=4, expires_at=time.time() - 1),
        RateLimitCounter(key="running", hits=1, expires_at=time.time() + 600),
    ])
    folder = Path(app.config["UPLOAD_FOLDER"])
    task = make.task()
    kept = uploads.store(folder, io.BytesIO(PNG), "照片.png", 1 << 20)
    db.session.add(EvidenceFile(task_id=task.id, original_name="照片.png",
                                 stored_name=kept.stored_name, content_type=kept.content_type,
                                 size=kept.size, sha256=kept.sha256, uploaded_at=now))
    db.session.flush()
    orphan_old = uploads.store(folder, io.BytesIO(PNG), "a.png", 1 << 20)
    orphan_new = uploads.store(folder, io.BytesIO(PNG), "b.png", 1 << 20)
    for name in (kept.stored_name, orphan_old.stored_name):
        _age(folder / name, 3)
    (folder / "README.txt").write_text("not a stored file")
    _age(folder / "README.txt", 3)

    run = jobs.execute("housekeeping")

    assert run.outcome == "succeeded", run.detail
    assert run.detail == "1 log-in throttles, 1 rate-limit counters, 1 unreferenced files removed"
    assert set(db.session.scalars(select(LoginThrottle.account_key))) == {"locked", "recent"}
    assert set(db.session.scalars(select(RateLimitCounter.key))) == {"running"}
    assert sorted(p.name for p in folder.iterdir()) == sorted(
        [kept.stored_name, orphan_new.stored_name, "README.txt"])
