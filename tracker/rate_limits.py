"""Rate-limit counters in the application's database: one count for every worker and host.

Flask-Limiter keeps its counters in a storage of the ``limits`` library,
chosen by ``RATELIMIT_STORAGE_URL``. Its ``memory://`` storage counts in each
worker process apart, so that gunicorn's workers would each allow the whole
limit. The default here, ``database://``, is this storage instead: the
counters are rows of ``rate_limit_counters`` in the application's own
database, which every worker and host already shares, so the limits hold
exactly with no other server to run. (``redis://…`` works as well, for a site
that runs Redis anyway.)

Each hit is one atomic statement (``INSERT … ON CONFLICT DO UPDATE …
RETURNING``, on SQLite and PostgreSQL alike) on a connection of its own that
commits at once: a hit counts whatever the request then does, and it never
waits for, nor joins, the request's unit of work. It supports the
fixed-window strategy (Flask-Limiter's default).
"""

from __future__ import annotations

import itertools
import time

from limits.storage import Storage
from sqlalchemy import case, delete, func, select, text
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.exc import SQLAlchemyError

from tracker.extensions import db
from tracker.models import RateLimitCounter

COUNTERS = RateLimitCounter.__table__
# every this many hits a worker deletes the counters that have expired
PURGE_EVERY = 500


class DatabaseStorage(Storage):
    """A ``limits`` storage on the application's database (``database://``)."""

    STORAGE_SCHEME = ["database"]

    def __init__(self, uri: str | None = None, wrap_exceptions: bool = False, **options):
        super().__init__(uri, wrap_exceptions=wrap_exceptions, **options)
        self._hits = itertools.count(1)

    @property
    def base_exceptions(self):
        return SQLAlchemyError

    def incr(self, key: str, expiry: int, amount: int = 1) -> int:
        now = time.time()
        expired = COUNTERS.c.expires_at <= now
        insert = (postgresql.insert if db.engine.dialect.name == "postgresql" else sqlite.insert)(COUNTERS)
        stmt = insert.values(key=key, hits=amount, expires_at=now + expiry).on_conflict_do_update(
            index_elements=[COUNTERS.c.key],
            set_={"hits": case((expired, amount), else_=COUNTERS.c.hits + amount),
                  "expires_at": case((expired, now + expiry), else_=COUNTERS.c.expires_at)},
        ).returning(COUNTERS.c.hits)
        with db.engine.begin() as conn:
            hits = conn.execute(stmt).scalar_one()
            if next(self._hits) % PURGE_EVERY == 0:
                conn.execute(delete(COUNTERS).where(COUNTERS.c.expires_at <= now))
        return hits

    def get(self, key: str) -> int:
        with db.engine.connect() as conn:
            hits = conn.scalar(select(COUNTERS.c.hits).where(COUNTERS.c.key == key,
                                                             COUNTERS.c.expires_at > time.time()))
        return hits or 0

    def get_expiry(self, key: str) -> float:
        with db.engine.connect() as conn:
            expires_at = conn.scalar(select(COUNTERS.c.expires_at).where(COUNTERS.c.key == key))
        return expires_at if expires_at is not None else time.time()

    def check(self) -> bool:
        try:
            with db.engine.connect() as conn:
                conn.execute(text("SELECT 1"))
        except SQLAlchemyError:
            return False
        return True

    def reset(self) -> int | None:
        with db.engine.begin() as conn:
            count = conn.scalar(select(func.count()).select_from(COUNTERS))
            conn.execute(delete(COUNTERS))
        return count

    def clear(self, key: str) -> None:
        with db.engine.begin() as conn:
            conn.execute(delete(COUNTERS).where(COUNTERS.c.key == key))
