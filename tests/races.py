"""Run requests at the same moment: the race harness of the suite.

Each racer is a thread with its own app context and client (its own database
connection), released together by a barrier, as concurrent requests to
gunicorn's threads would be.
"""

from __future__ import annotations

import threading
from collections.abc import Callable

from flask import Flask
from flask.testing import FlaskClient

from tracker.extensions import db


def race(app: Flask, racers: int, request: Callable[[FlaskClient, int], int]) -> list[int]:
    """Call ``request(client, index)`` in ``racers`` threads at once; return the statuses in order.

    ``request`` must use plain values (ids, URLs), never the ORM objects of the calling thread.
    """
    statuses: list[int | None] = [None] * racers
    barrier = threading.Barrier(racers)
    errors: list[BaseException] = []

    def run(index: int) -> None:
        try:
            with app.app_context():
                client = app.test_client()
                barrier.wait(timeout=30)
                statuses[index] = request(client, index)
                db.session.remove()
        except BaseException as error:  # reported by the caller's thread
            errors.append(error)

    threads = [threading.Thread(target=run, args=(index,)) for index in range(racers)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    if errors:
        raise errors[0]
    return statuses  # type: ignore[return-value]
