"""The search indexes (PostgreSQL): trigram GIN indexes over each large table's searched text.

Two of each: over the text *spaced* — ``spaced`` puts ``x`` before and after
every character (一中 → x一x中x), so that a query of two characters has
trigrams to look up — and over the plain text, which serves a query with
three letters or digits in a row and whose proposed rows are checked without
computing their spaced text. ``tracker/services/search.py`` explains the
design and asks the indexes. The expressions here are the ones the
service's conditions use (constants written inline, so that PostgreSQL matches
them to the index) and the ones migration 0019 created. SQLite has none.
"""

from __future__ import annotations

from sqlalchemy import ColumnElement, Index, Text, func, literal_column

from tracker.models.complaints import Complaint
from tracker.models.notices import Notice
from tracker.models.plans import Task

SPACER = "x"


def spaced_sql(expression) -> ColumnElement:
    """``expression`` with ``SPACER`` before and after every character, in SQL."""
    return literal_column(f"'{SPACER}'", Text) + func.regexp_replace(
        expression,
        literal_column("'(.)'"),
        literal_column(f"'\\1{SPACER}'"),
        literal_column("'g'"),
        type_=Text,
    )


# The searched text of each table, written as PostgreSQL writes an index's expression back (each
# || grouped), so that Alembic finds the reflected index equal to the declared one. A task's title
# and standard have an index each: findings are searched by their task's title alone, and the
# shorter the text, the cheaper the check of each row the index proposes.
COMPLAINT_TEXT = (
    "(((((complaints.tracking_code || ' ') || complaints.subject) || ' ')"
    " || complaints.description) || ' ') || coalesce(complaints.name, '')"
)


def task_title() -> ColumnElement:
    return Task.title


def task_standard() -> ColumnElement:
    return Task.standard


def complaint_text() -> ColumnElement:
    return literal_column(COMPLAINT_TEXT, Text)


def notice_text() -> ColumnElement:
    return Notice.problems


def _index(name: str, table, text: ColumnElement) -> Index:
    return Index(
        name,
        spaced_sql(text).label("spaced"),
        _table=table,
        postgresql_using="gin",
        postgresql_ops={"spaced": "gin_trgm_ops"},
    ).ddl_if(dialect="postgresql")


def _plain_index(name: str, table, text: ColumnElement) -> Index:
    return Index(
        name,
        text.label("plain"),
        _table=table,
        postgresql_using="gin",
        postgresql_ops={"plain": "gin_trgm_ops"},
    ).ddl_if(dialect="postgresql")


SEARCH_INDEXES = (
    # spaced: every query, two characters included
    _index("ix_tasks_search_title", Task.__table__, task_title()),
    _index("ix_tasks_search_standard", Task.__table__, task_standard()),
    _index("ix_complaints_search", Complaint.__table__, complaint_text()),
    _index("ix_notices_search", Notice.__table__, notice_text()),
    # plain: a query with three letters or digits in a row, whose rows are checked more cheaply
    _plain_index("ix_tasks_trigrams_title", Task.__table__, task_title()),
    _plain_index("ix_tasks_trigrams_standard", Task.__table__, task_standard()),
    _plain_index("ix_complaints_trigrams", Complaint.__table__, complaint_text()),
    _plain_index("ix_notices_trigrams", Notice.__table__, notice_text()),
)
