"""Pagination: pages of multi-column selects, keyset pages of long time-sorted lists, pages of lists.

A long list sorted newest first (the complaint queue, the audit log) is paged
by its sort key, not by an offset: the next page is "the rows older than the
last one shown", which an index on (time, id) answers without reading the rows
before it. Such a page counts its rows only up to ``COUNT_CAP``.
"""

from __future__ import annotations

import math
import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from flask_sqlalchemy.pagination import Pagination, SelectPagination
from sqlalchemy import ColumnElement, Select, func, select, tuple_

from tracker.extensions import db

COUNT_CAP = 10_000
_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
_MICROSECOND = timedelta(microseconds=1)
CURSOR = re.compile(r"^([0-9]{1,17})-([0-9]{1,12})$")
CURSOR_PATTERN = CURSOR.pattern


class RowPagination(SelectPagination):
    """Like ``db.paginate``, but each item is a whole row."""

    def _query_items(self) -> list:
        stmt = self._query_args["select"].limit(self.per_page).offset(self._query_offset)
        return list(self._query_args["session"].execute(stmt).all())

    def _query_count(self) -> int:
        total = self._query_args.get("total")
        return super()._query_count() if total is None else total


def paginate_rows(stmt: Select, page: int, per_page: int, max_per_page: int = 200,
                  total: int | None = None) -> RowPagination:
    """A page of ``stmt``; ``total`` saves counting the rows when the caller knows it."""
    return RowPagination(select=stmt, session=db.session(), page=page, per_page=per_page,
                         max_per_page=max_per_page, error_out=False, count=True, total=total)


class ListPagination(Pagination):
    """A page of a list already in memory, with the pager attributes of ``db.paginate``."""

    def __init__(self, rows: Sequence, page: int | None, per_page: int, max_per_page: int = 200):
        self._rows = rows
        per_page = max(1, min(per_page, max_per_page))
        last = max(1, math.ceil(len(rows) / per_page))
        super().__init__(page=min(max(page or 1, 1), last), per_page=per_page,
                         max_per_page=max_per_page, error_out=False, count=True)

    def _query_items(self) -> list:
        return list(self._rows[self._query_offset:self._query_offset + self.per_page])

    def _query_count(self) -> int:
        return len(self._rows)


# Keyset pages ------------------------------------------------------------------------


@dataclass(frozen=True)
class Cursor:
    """A row's place in a newest-first list: its time and id, written ``<microseconds>-<id>``."""

    at: datetime
    id: int

    def __str__(self) -> str:
        return f"{(self.at - _EPOCH) // _MICROSECOND}-{self.id}"

    @classmethod
    def parse(cls, raw: str | None) -> Cursor | None:
        """Return the cursor written in ``raw``, or None when it is not one."""
        match = CURSOR.fullmatch(raw or "")
        if match is None:
            return None
        return cls(_EPOCH + int(match.group(1)) * _MICROSECOND, int(match.group(2)))

    @classmethod
    def of(cls, item, time_column: ColumnElement, id_column: ColumnElement) -> Cursor:
        return cls(getattr(item, time_column.key), getattr(item, id_column.key))


@dataclass
class KeysetPage:
    """One page of a newest-first list and where its neighbours start."""

    items: list
    per_page: int
    total: int  # the matching rows, counted up to the cap
    total_exact: bool  # False: there are more than ``total``
    newer: Cursor | None  # the first row shown, when newer rows come before it
    older: Cursor | None  # the last row shown, when older rows follow it
    at_start: bool = True  # the first page (the newest rows)


def _key(time_column, id_column):
    return tuple_(time_column, id_column)


def _where(stmt: Select, id_column) -> Select:
    """The rows of ``stmt`` (its WHERE clause) as a select of their ids."""
    ids = select(id_column)
    return ids.where(stmt.whereclause) if stmt.whereclause is not None else ids


def count(stmt: Select, id_column, cap: int | None = None) -> tuple[int, bool]:
    """Count the rows of ``stmt``, up to ``cap``; return (count, whether it is exact)."""
    ids = _where(stmt, id_column)
    if cap is not None:
        ids = ids.limit(cap + 1)
    found = db.session.scalar(select(func.count()).select_from(ids.subquery())) or 0
    if cap is not None and found > cap:
        return cap, False
    return found, True


def keyset(stmt: Select, time_column, id_column, *, per_page: int,
           older_than: Cursor | None = None, newer_than: Cursor | None = None,
           cap: int | None = None) -> KeysetPage:
    """Return a page of ``stmt`` (one entity, its filters in WHERE) sorted newest first.

    ``older_than`` gives the page after a row, ``newer_than`` the page before it;
    a page before which nothing newer is left is the first page, full.
    """
    key = _key(time_column, id_column)
    newest_first = stmt.order_by(None).order_by(time_column.desc(), id_column.desc())
    total, exact = count(stmt, id_column, COUNT_CAP if cap is None else cap)
    if newer_than is not None:
        rows = list(db.session.scalars(
            stmt.order_by(None).where(key > (newer_than.at, newer_than.id))
            .order_by(time_column.asc(), id_column.asc()).limit(per_page + 1)))
        if len(rows) > per_page:
            items = rows[:per_page][::-1]
            return KeysetPage(items, per_page, total, exact,
                              newer=Cursor.of(items[0], time_column, id_column),
                              older=Cursor.of(items[-1], time_column, id_column), at_start=False)
        older_than = None  # nothing newer is left before this page: show the first page
    if older_than is not None:
        newest_first = newest_first.where(key < (older_than.at, older_than.id))
    rows = list(db.session.scalars(newest_first.limit(per_page + 1)))
    items = rows[:per_page]
    return KeysetPage(
        items, per_page, total, exact,
        newer=Cursor.of(items[0], time_column, id_column) if older_than and items else None,
        older=Cursor.of(items[-1], time_column, id_column) if len(rows) > per_page else None,
        at_start=older_than is None)


def api_page(stmt: Select, time_column, id_column, *, page: int, per_page: int,
             cursor: Cursor | None = None) -> tuple[list, int, Cursor | None]:
    """Return (items, the exact total, the cursor of the next page or None) for an API list.

    Without ``cursor`` the page is ``page``; with it, the rows older than the cursor.
    """
    newest_first = stmt.order_by(None).order_by(time_column.desc(), id_column.desc())
    if cursor is not None:
        newest_first = newest_first.where(_key(time_column, id_column) < (cursor.at, cursor.id))
    else:
        newest_first = newest_first.offset((page - 1) * per_page)
    rows = list(db.session.scalars(newest_first.limit(per_page + 1)))
    total, _exact = count(stmt, id_column)
    items = rows[:per_page]
    following = Cursor.of(items[-1], time_column, id_column) if len(rows) > per_page else None
    return items, total, following
