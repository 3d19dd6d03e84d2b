"""The production app (``wsgi:app``) with a pause point the fault tests control.

gunicorn loads ``tests.faults.paused_wsgi:app`` in place of ``wsgi:app``.
Before every SQL statement the worker looks for the *arm file*
(``FAULT_ARM_FILE``): it holds a regular expression and a count, ``N
pattern``. The N-th statement of this worker that matches the pattern takes
the arm file away (only one request pauses, once), writes the worker's pid to
``FAULT_PID_FILE`` and blocks for good — inside its request's transaction,
with everything before that statement written and nothing after it. The test
then kills the worker with SIGKILL: a deterministic "mid-write", with no
sleeping and hoping.

Without the arm file the app is exactly the production one.
"""

from __future__ import annotations

import os
import re
import threading

from sqlalchemy import event
from sqlalchemy.engine import Engine

from wsgi import app

ARM_FILE = os.environ["FAULT_ARM_FILE"]
PID_FILE = os.environ["FAULT_PID_FILE"]
_lock = threading.Lock()
_seen = 0  # statements matched since the arm file appeared


def _armed() -> tuple[int, re.Pattern] | None:
    try:
        with open(ARM_FILE, encoding="utf-8") as armed:
            count, pattern = armed.read().split(" ", 1)
    except FileNotFoundError:
        return None
    return int(count), re.compile(pattern, re.IGNORECASE | re.DOTALL)


@event.listens_for(Engine, "before_cursor_execute")
def _pause_point(conn, cursor, statement, parameters, context, executemany):
    global _seen
    with _lock:
        armed = _armed()
        if armed is None or not armed[1].search(statement):
            return
        _seen += 1
        if _seen < armed[0]:
            return
        os.unlink(ARM_FILE)
        _seen = 0
        with open(PID_FILE + ".part", "w", encoding="utf-8") as out:
            out.write(str(os.getpid()))
        os.replace(PID_FILE + ".part", PID_FILE)
    threading.Event().wait()  # until SIGKILL


__all__ = ["app"]
