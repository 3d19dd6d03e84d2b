"""The status table of docs/domain.md "Task status", row by row and at each boundary."""

from datetime import date, timedelta

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tracker.services.progress import Thresholds, days_overdue, light, planned_percent, rollup, task_progress

S, DUE = date(2026, 10, 1), date(2026, 10, 31)


def status(as_of, entries=(), milestones=(), verified_on=None, starts_on=S, due_on=DUE):
    entries = [(on, i, p) for i, (on, p) in enumerate(entries)]
    return task_progress(starts_on=starts_on, due_on=due_on, milestones=list(milestones),
                         entries=entries, verified_on=verified_on, as_of=as_of)


def d(day: int) -> date:
    return S + timedelta(days=day - 1)  # d(1) == 2026-10-01


class TestPlanned:
    def test_linear_from_start_to_due(self):
        assert planned_percent(S, DUE, [], S) == 0
        assert planned_percent(S, DUE, [], S - timedelta(days=3)) == 0
        assert planned_percent(S, DUE, [], d(16)) == 50  # 15 of 30 days
        assert planned_percent(S, DUE, [], d(2)) == 3  # 100/30 rounded down
        assert planned_percent(S, DUE, [], DUE) == 100
        assert planned_percent(S, DUE, [], DUE + timedelta(days=9)) == 100

    def test_one_day_task(self):
        assert planned_percent(S, S, [], S - timedelta(days=1)) == 0
        assert planned_percent(S, S, [], S) == 0
        assert planned_percent(S, S, [], S + timedelta(days=1)) == 100

    def test_milestones(self):
        milestones = [(d(10), 30), (d(20), 60), (d(31), 100)]
        assert planned_percent(S, DUE, milestones, d(9)) == 0
        assert planned_percent(S, DUE, milestones, d(10)) == 30
        assert planned_percent(S, DUE, milestones, d(19)) == 30
        assert planned_percent(S, DUE, milestones, d(20)) == 60
        assert planned_percent(S, DUE, milestones, DUE + timedelta(days=5)) == 100

    @given(st.integers(0, 400), st.integers(0, 60), st.integers(-50, 500))
    def test_never_decreasing_and_within_bounds(self, start, length, offset):
        starts = date(2026, 1, 1) + timedelta(days=start)
        due = starts + timedelta(days=length)
        day = starts + timedelta(days=offset)
        value = planned_percent(starts, due, [], day)
        assert 0 <= value <= 100
        assert planned_percent(starts, due, [], day + timedelta(days=1)) >= value

    @given(st.lists(st.tuples(st.integers(0, 30), st.integers(0, 100)), max_size=6, unique_by=lambda m: m[0]),
           st.integers(-5, 40))
    def test_milestones_never_decreasing(self, raw, offset):
        ordered = sorted(raw)
        percents = sorted(p for _, p in ordered)
        milestones = [(S + timedelta(days=o), p) for (o, _), p in zip(ordered, percents, strict=True)]
        day = S + timedelta(days=offset)
        value = planned_percent(S, DUE, milestones, day)
        assert 0 <= value <= 100
        assert planned_percent(S, DUE, milestones, day + timedelta(days=1)) >= value


class TestStatus:
    def test_verified_on_or_before_d(self):
        entries = [(d(5), 100)]
        assert status(d(6), entries, verified_on=d(6)).status == "verified"
        assert status(d(5), entries, verified_on=d(6)).status == "awaiting_verification"
        assert status(d(6), entries, verified_on=d(6)).light is None

    def test_awaiting_verification_even_when_overdue(self):
        assert status(DUE + timedelta(days=3), [(d(20), 100)]).status == "awaiting_verification"

    def test_not_started_before_starts_on_and_d_equal_starts_on(self):
        assert status(S - timedelta(days=1)).status == "not_started"
        assert status(S).status == "on_track"

    def test_overdue_only_after_due_on(self):
        assert status(DUE, [(d(30), 90)]).status == "on_track"
        assert status(DUE + timedelta(days=1), [(d(30), 90)]).status == "overdue"
        assert status(DUE + timedelta(days=1), [(d(30), 90)]).light == "red"

    def test_lagging_at_exactly_15_points(self):
        # planned on d(16) is 50: actual 35 is exactly 15 behind, 36 is 14 behind
        assert status(d(16), [(d(16), 35)]).status == "lagging"
        assert status(d(16), [(d(16), 36)]).status == "on_track"

    def test_stale_after_more_than_7_days(self):
        milestones = [(DUE, 100)]  # planned stays 0: no lag
        assert status(d(9), [(d(2), 10)], milestones).status == "on_track"  # 7 days
        assert status(d(10), [(d(2), 10)], milestones).status == "stale"  # 8 days
        # without an entry, counted from starts_on
        assert status(d(8), milestones=milestones).status == "on_track"
        assert status(d(9), milestones=milestones).status == "stale"
        assert status(d(9), milestones=milestones).light == "yellow"

    def test_entries_after_d_are_ignored(self):
        result = status(d(16), [(d(10), 40), (d(17), 100)])
        assert (result.actual, result.status) == (40, "on_track")

    def test_latest_entry_wins_even_if_lower(self):
        result = status(d(12), [(d(10), 60), (d(11), 30)])
        assert result.actual == 30

    def test_same_day_entries_the_later_one_counts(self):
        entries = [(d(10, ), 100), (d(10), 60)]
        assert status(d(10), entries).actual == 60

    def test_lagging_before_stale(self):
        assert status(d(25), [(d(2), 0)]).status == "lagging"


class TestLight:
    def test_yellow_when_due_within_3_days(self):
        assert light("on_track", DUE, DUE - timedelta(days=3)) == "yellow"
        assert light("on_track", DUE, DUE - timedelta(days=4)) == "green"
        assert light("on_track", DUE, DUE) == "yellow"
        assert light("awaiting_verification", DUE, DUE + timedelta(days=1)) == "green"
        assert light("not_started", DUE, DUE - timedelta(days=2)) == "yellow"

    def test_thresholds_come_from_arguments(self):
        tight = Thresholds(lagging_points=5, stale_days=2, due_soon_days=0)
        assert light("on_track", DUE, DUE - timedelta(days=1), tight) == "green"
        result = task_progress(starts_on=S, due_on=DUE, milestones=[], entries=[(d(16), 1, 44)],
                               verified_on=None, as_of=d(16), thresholds=tight)
        assert result.status == "lagging"


def test_rollup_is_weight_averaged():
    assert rollup([(1, 100), (3, 0)]) == 25.0
    assert rollup([(2, 50), (2, 51)]) == 50.5
    assert rollup([]) is None


@given(st.lists(st.tuples(st.floats(0.1, 100), st.integers(0, 100)), min_size=1, max_size=20))
@settings(max_examples=50)
def test_rollup_lies_between_the_parts(pairs):
    value = rollup(pairs)
    assert min(p for _, p in pairs) - 0.05 <= value <= max(p for _, p in pairs) + 0.05


@pytest.mark.parametrize("day", [0, 1, 5, 15, 29, 30, 31, 40])
def test_light_none_only_when_verified(day):
    assert status(S + timedelta(days=day)).light in ("green", "yellow", "red")


@pytest.mark.parametrize(("due_on", "as_of", "days"), [
    (DUE, DUE - timedelta(days=5), 0),  # not yet due
    (DUE, DUE, 0),  # due today: not overdue
    (DUE, DUE + timedelta(days=1), 1),  # the day after the deadline
    (DUE, date(2026, 11, 20), 20),  # calendar days, weekends included
    (date(2026, 2, 28), date(2026, 3, 1), 1),  # across a month end
])
def test_days_overdue(due_on, as_of, days):
    assert days_overdue(due_on, as_of) == days


def test_days_overdue_agrees_with_the_status():
    for offset in range(-3, 4):
        as_of = DUE + timedelta(days=offset)
        assert (days_overdue(DUE, as_of) > 0) == (status(as_of, [(d(2), 10)]).status == "overdue")
