"""Count the SQL statements a block runs (guards list pages against N+1)."""

from contextlib import contextmanager

from sqlalchemy import event

from tracker.extensions import db


@contextmanager
def count_queries():
    statements: list[str] = []

    def record(conn, cursor, statement, parameters, context, executemany):
        statements.append(statement)

    engine = db.engine
    event.listen(engine, "before_cursor_execute", record)
    try:
        yield statements
    finally:
        event.remove(engine, "before_cursor_execute", record)
