"""The main pages run as many SQL statements on a bureau twice as large (no N+1 anywhere)."""

from __future__ import annotations

import pytest

from tests.querycount import count_queries
from tests.scale.pages import PAGES, context, path_of, sign_in


def statements(client, who: str) -> dict[str, int]:
    """Count the statements of each page of ``who`` (no cache makes a first request differ)."""
    ctx = context()
    headers = sign_in(client, who, ctx)
    counted = {}
    for page_who, template in PAGES:
        if page_who != who:
            continue
        path = path_of(template, ctx)
        with count_queries() as seen:
            reply = client.get(path, headers=headers)
        assert reply.status_code == 200, path
        counted[template] = len(seen)
    return counted


@pytest.mark.parametrize("who", ["office", "head", "api"])
def test_statement_counts_do_not_grow_with_the_rows(app, client, larger, who):
    small = statements(client, who)
    with larger.app.app_context():
        bigger = statements(larger.client, who)
    assert bigger == small
