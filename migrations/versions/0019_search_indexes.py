"""search indexes: trigram GIN indexes over the searched text, spaced so that two characters are three

Revision ID: 0019
Revises: 0018
Create Date: 2026-12-04 09:00:00

The staff search box (``tracker/services/search.py``) matches substrings. On
PostgreSQL each large table searched gets GIN indexes (``pg_trgm``,
``gin_trgm_ops``) over its searched text *spaced*: a ``x`` before and after
every character, so that a query of two characters (一中, 迟到) is five
(x一x中x) and has a trigram the index can look up. Tasks: the title and the
standard, one index each; complaints: tracking code, subject, description and
name joined by spaces; notices: the problems. The expressions are those of
``tracker/models/search.py`` (which the queries use); a test checks that
PostgreSQL answers from these indexes. Each text also has a plain trigram
index, for queries with three letters or digits in a row: the rows it
proposes are checked without computing their spaced text. SQLite scans:
nothing to do there.
The extension stays on a downgrade (other objects may come to use it).
"""
from alembic import op


revision = '0019'
down_revision = '0018'
branch_labels = None
depends_on = None


def _spaced(expression: str) -> str:
    return f"('x' || regexp_replace({expression}, '(.)', '\\1x', 'g'))"


# (table, index name, the searched text) — the text as search.py builds it
INDEXES = (
    ("tasks", "ix_tasks_search_title", "title"),
    ("tasks", "ix_tasks_search_standard", "standard"),
    ("complaints", "ix_complaints_search",
     "tracking_code || ' ' || subject || ' ' || description || ' ' || coalesce(name, '')"),
    ("notices", "ix_notices_search", "problems"),
)


# (table, index name, the searched text) — plain, for queries with three letters or digits in a row
PLAIN = (
    ("tasks", "ix_tasks_trigrams_title", "title"),
    ("tasks", "ix_tasks_trigrams_standard", "standard"),
    ("complaints", "ix_complaints_trigrams",
     "(((((tracking_code || ' ') || subject) || ' ') || description) || ' ') || coalesce(name, '')"),
    ("notices", "ix_notices_trigrams", "problems"),
)


def upgrade():
    if op.get_bind().dialect.name != "postgresql":
        return
    op.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
    for table, name, expression in INDEXES:
        op.execute(f"CREATE INDEX {name} ON {table} USING gin ({_spaced(expression)} gin_trgm_ops)")
    for table, name, expression in PLAIN:
        op.execute(f"CREATE INDEX {name} ON {table} USING gin (({expression}) gin_trgm_ops)")


def downgrade():
    if op.get_bind().dialect.name != "postgresql":
        return
    for _table, name, _expression in INDEXES + PLAIN:
        op.execute(f"DROP INDEX IF EXISTS {name}")
