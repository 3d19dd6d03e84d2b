"""Each benchmark floor (bench/floors.py) fetches the rows its page shows: same ids, order and size."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select, text

from bench import floors
from tests.scale.pages import context, path_of, sign_in
from tracker.extensions import db
from tracker.models import Plan, Task, User
from tracker.services import complaint_stats, ledger, ledger_view


def floor_rows(floor: floors.Floor) -> list:
    with db.engine.connect() as conn:
        return floor.run(conn)


LISTS = [
    # (who, path, the floor, what the page lists)
    ("office", "/ledger", lambda ctx: floors.ledger(ctx), "tasks"),
    ("office", "/ledger?status=lagging", lambda ctx: floors.ledger(ctx, status="lagging"), "tasks"),
    ("office", "/ledger?status=stale", lambda ctx: floors.ledger(ctx, status="stale"), "tasks"),
    ("office", "/ledger?unit_id={unit_id}", lambda ctx: floors.ledger(ctx, unit_id=ctx.unit_id), "tasks"),
    ("office", "/ledger?as_of={past}",
     lambda ctx: floors.ledger(ctx, as_of=ctx.today - timedelta(days=60)), "tasks"),
    ("office", "/complaints/", floors.complaints, "complaints"),
    ("office", "/accountability/", floors.flags, "flags"),
    ("head", "/my-tasks", floors.my_tasks, "tasks"),
    ("api", "/api/v1/tasks", floors.api_tasks, "json"),
    # the search box: the complaints it lists (a common word, and the one complaint with a rare one)
    ("office", "/search?q=补课", lambda ctx: floors.search(ctx, "补课", floors.Searcher()), "complaints"),
    ("office", "/search?q=过期食用油", lambda ctx: floors.search(ctx, "过期食用油", floors.Searcher()), "complaints"),
]


@pytest.mark.parametrize("who", ["office", "head", "api"])
def test_each_floor_lists_the_rows_of_its_page(client, who):
    ctx = context()
    headers = sign_in(client, who, ctx)
    differ = {}
    for page_who, path, make, listing in LISTS:
        if page_who != who:
            continue
        reply = client.get(path_of(path, ctx), headers=headers)
        assert reply.status_code == 200, path
        if listing == "json":
            shown = [item["id"] for item in reply.json["items"]]
        else:
            shown = floors.listed_ids(listing, reply.get_data(as_text=True))
        expected = [row[0] for row in floor_rows(make(ctx))]
        assert shown, f"the generated data fills {path}"
        if shown != expected:
            differ[path] = (shown, expected)
    assert differ == {}


def test_the_ledger_floors_count_what_the_page_counts(app):
    ctx = context()
    office = db.session.scalar(select(User).where(User.username == "office"))
    for as_of in (ctx.today, ctx.today - timedelta(days=60)):
        for unit_id in (None, ctx.unit_id):
            floor = floors.ledger(ctx, as_of=as_of, unit_id=unit_id)
            with db.engine.connect() as conn:
                counted = dict(conn.execute(text(floor.statements[1][0]), floor.statements[1][1]).all())
            shown = {status: n for status, n in ledger_view.status_counts(
                office, ledger_view.LedgerFilter(unit_id=unit_id), as_of).items() if n}
            assert counted == shown, (as_of, unit_id)


def test_the_dashboard_floor_counts_the_tasks_of_active_plans(app):
    ctx = context()
    office = db.session.scalar(select(User).where(User.username == "office"))
    shown = ledger_view.status_counts(office, ledger_view.LedgerFilter(
        extra=[Task.plan.has(Plan.status == "active")]), ctx.today)
    assert dict(floor_rows(floors.dashboard(ctx))) == {k: n for k, n in shown.items() if n}


def test_the_complaint_rates_floor_counts_what_the_page_shows(app):
    ctx = context()
    rows = complaint_stats.stats(complaint_stats.parse_period(ctx.month))
    expected = sorted((row["unit_id"], row["dispatched"], row["replied_on_time"], row["closed"],
                       row["resolved"], row["rated"], row["satisfied"] + row["basically_satisfied"])
                      for row in rows)
    got = [(r.id, r.dispatched, r.on_time, r.closed, r.resolved, r.rated, r.satisfied)
           for r in floor_rows(floors.complaint_rates(ctx))]
    assert got and got == expected


def test_the_task_floor_fetches_the_entries_the_page_shows(app):
    ctx = context()
    task = db.session.get(Task, ctx.task_id)
    shown = [entry.id for entry in ledger.entries_of(task)]
    assert len(shown) > 3
    assert [row[0] for row in floor_rows(floors.task_page(ctx))] == shown


def test_the_computed_states_agree_with_the_kept_ones(app):
    """The floors' SQL twin of the rules gives every task the state the app keeps for today."""
    ctx = context()
    if not ctx.kept:
        pytest.skip("this version keeps no task states")
    columns = "s.task_id, s.status, s.light, s.planned_percent, s.actual_percent, s.last_reported_on"
    with db.engine.connect() as conn:
        kept = conn.execute(text(f"SELECT {columns} FROM task_states s ORDER BY s.task_id")).all()
        computed = conn.execute(text(f"SELECT {columns} FROM {floors.computed_states(ctx)} s "
                                     f"ORDER BY s.task_id"), {"as_of": ctx.day(ctx.today)}).all()
    assert len(kept) == len(computed) > 0
    assert [tuple(row) for row in computed] == [tuple(row) for row in kept]
