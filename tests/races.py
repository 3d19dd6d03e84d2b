"""Run requests or service calls at the same moment: the race harness of the suite.

Each racer is a thread with its own app context and client — so its own
session and database connection — released together by a barrier, as
concurrent requests to gunicorn's threads (or two workers) would be. Every
race test of the suite goes through :func:`race`.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import TypeVar

from flask import Flask
from flask.testing import FlaskClient

from tracker.extensions import db

T = TypeVar("T")
START_TIMEOUT = 30  # seconds for every racer to reach the start line
FINISH_TIMEOUT = 120  # seconds for all of them to finish


def race(app: Flask, racers: int, action: Callable[[FlaskClient, int], T]) -> list[T]:
    """Call ``action(client, index)`` in ``racers`` threads at once; return the results in order.

    ``action`` makes a request with ``client`` (returning its status, say) or
    calls a service in the racer's app context, committing what it keeps and
    handling the refusal it expects. It must use plain values (ids, URLs),
    never the ORM objects of the calling thread. Whatever a racer raises, and
    a racer that never finishes, fails the test.

    The caller's session is removed first: a transaction it held open would
    make the racers wait for it on SQLite.
    """
    db.session.remove()
    results: list = [None] * racers
    barrier = threading.Barrier(racers)
    errors: list[BaseException] = []

    def run(index: int) -> None:
        try:
            with app.app_context():
                try:
                    client = app.test_client()
                    barrier.wait(timeout=START_TIMEOUT)
                    results[index] = action(client, index)
                finally:
                    db.session.remove()
        except BaseException as error:  # reported by the caller's thread
            errors.append(error)

    threads = [threading.Thread(target=run, args=(index,), name=f"racer-{index}", daemon=True)
               for index in range(racers)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=FINISH_TIMEOUT)
    hung = [thread.name for thread in threads if thread.is_alive()]
    assert not hung, f"{hung} still running after {FINISH_TIMEOUT} s"
    if errors:  # the cause, rather than the barrier it broke for the others
        raise next((error for error in errors if not isinstance(error, threading.BrokenBarrierError)),
                   errors[0])
    return results
