"""Pagination of multi-column selects (Flask-SQLAlchemy's paginates scalars only)."""

from __future__ import annotations

from flask_sqlalchemy.pagination import SelectPagination
from sqlalchemy import Select

from tracker.extensions import db


class RowPagination(SelectPagination):
    """Like ``db.paginate``, but each item is a whole row."""

    def _query_items(self) -> list:
        stmt = self._query_args["select"].limit(self.per_page).offset(self._query_offset)
        return list(self._query_args["session"].execute(stmt).all())


def paginate_rows(stmt: Select, page: int, per_page: int, max_per_page: int = 200) -> RowPagination:
    return RowPagination(select=stmt, session=db.session(), page=page, per_page=per_page,
                         max_per_page=max_per_page, error_out=False, count=True)
