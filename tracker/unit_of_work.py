"""One unit of work per request, command and job: commit on success, roll back on any error.

Services change the session and flush; they never commit. Whoever starts the
work ends it here, in the manner of Indico's ``RH.process``:

* a request: :class:`Application` runs the view, then commits; an exception
  rolls everything back and goes on to the error handlers;
* a CLI command or a scheduled job: ``with unit_of_work():``;
* a view that catches a service's refusal and shows the form again wraps the
  call in ``with attempt():`` so that whatever the service had changed is undone
  (a savepoint) before the page is drawn.

See docs/architecture.md, "The unit of work".
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from flask import Flask
from sqlalchemy.exc import DBAPIError, IntegrityError

from tracker.extensions import db

# SQLSTATEs of a lost race on PostgreSQL: serialization failure, deadlock, lock not available
_CONTENTION_CODES = {"40001", "40P01", "55P03"}


def contention(error: DBAPIError) -> bool:
    """Whether ``error`` means that another transaction got there first (409, not 503)."""
    if isinstance(error, IntegrityError):
        return True
    code = getattr(error.orig, "sqlstate", None) or getattr(error.orig, "pgcode", None)
    return code in _CONTENTION_CODES or "database is locked" in str(error.orig)


def commit() -> None:
    """Commit the session, or roll it back and re-raise if the commit fails."""
    try:
        db.session.commit()
    except BaseException:
        db.session.rollback()
        raise


@contextmanager
def unit_of_work() -> Iterator[None]:
    """Commit when the block ends normally; roll back and re-raise on any error."""
    try:
        yield
    except BaseException:
        db.session.rollback()
        raise
    commit()


@contextmanager
def attempt() -> Iterator[None]:
    """Undo what the block changed if it raises (the error goes on up).

    For a view that catches a service's refusal and shows the page again: the
    rest of the unit of work still commits, the refused step leaves nothing.
    """
    with db.session.begin_nested():
        yield


class Application(Flask):
    """Flask, with each view run as one unit of work (an error goes on to the error handlers)."""

    def dispatch_request(self):  # type: ignore[override]
        try:
            response = self.make_response(super().dispatch_request())
        except BaseException:
            db.session.rollback()
            raise
        commit()
        return response
