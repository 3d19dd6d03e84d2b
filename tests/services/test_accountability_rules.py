"""The six accountability rules of docs/domain.md "Accountability", case by case, without a database.

Each rule is a pure function ``(rows, parameters, as_of) -> candidates``; the
tables below walk each one at and around its thresholds. The last section
checks the loader's SQL (the monthly complaint tallies) on the database.
"""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from tracker.services.accountability import (
    ClosedRound,
    LaggingFinding,
    MonthTally,
    OpenNotice,
    OverdueTask,
    Parameters,
    PublishedRanking,
    RankedRow,
    RatedComplaint,
    Rows,
    SupervisionRow,
    find,
    last_place,
    long_overdue,
    low_satisfaction,
    persistently_low,
    poor_delivery,
    satisfaction_is_low,
    strong_dissent,
)
from tracker.services.rankings import Line, rank_lines

P = Parameters()
AS_OF = date(2026, 7, 1)
_ids = iter(range(1, 1_000_000))


def ranking(kind: str, period: str, scores: dict[int, float | None], *, groups: dict[int, str] | None = None,
            vetoed=(), unranked=(), ballots: dict[int, int | None] | None = None,
            dissent: dict[int, float | None] | None = None) -> PublishedRanking:
    """A frozen ranking of ``unit → score``, ranked per peer group as the ranking services do."""
    groups = groups or {}
    lines = [Line(unit_id=unit, peer_group=groups.get(unit, "g"), score=score, eligible=unit not in unranked,
                  veto=unit in vetoed) for unit, score in scores.items()]
    ident = next(_ids)
    rows = tuple(RankedRow(row_id=next(_ids), unit_id=line.unit_id, unit_name=f"单位{line.unit_id}",
                           peer_group=line.peer_group, rank=line.rank, ranked_count=line.ranked_count,
                           score=line.score, ballots=(ballots or {}).get(line.unit_id, 20),
                           dissatisfaction_rate=(dissent or {}).get(line.unit_id, 0.0), veto=line.veto)
                 for line in rank_lines(lines))
    return PublishedRanking(id=ident, kind=kind, title=f"{kind} {period}", period=period,
                            rating_round_id=ident if kind == "rating" else None,
                            assessment_id=ident if kind == "assessment" else None,
                            year=int(period) if kind == "innovation" else None, rows=rows)


def rounds(*scores: dict[int, float | None], unranked: tuple[set[int], ...] = ()) -> tuple[ClosedRound, ...]:
    """Closed rating rounds, oldest first, named 2024-H1, 2024-H2, 2025-H1 …"""
    made = []
    for index, round_scores in enumerate(scores):
        period = f"{2024 + index // 2}-H{index % 2 + 1}"
        skipped = unranked[index] if index < len(unranked) else set()
        made.append(ClosedRound(period, ranking("rating", period, round_scores, unranked=skipped)))
    return tuple(made)


def keys(candidates) -> list[tuple[int, str]]:
    return sorted((c.unit_id, c.period) for c in candidates)


def spread(n: int, low: dict[int, float] | None = None) -> dict[int, float]:
    """Units 1…n scored 100 − unit, with some scores overridden."""
    return {unit: (low or {}).get(unit, 100 - unit) for unit in range(1, n + 1)}


# 末位问责 last_place -------------------------------------------------------------------


@pytest.mark.parametrize(("case", "scores", "options", "expected"), [
    ("the lowest score", {1: 90, 2: 80, 3: 70}, {}, [3]),
    ("a tie at the last rank: both", {1: 90, 2: 70, 3: 70}, {}, [2, 3]),
    ("everyone tied: all last", {1: 80, 2: 80}, {}, [1, 2]),
    ("a vetoed unit is last whatever its score", {1: 99, 2: 80, 3: 70}, {"vetoed": {1}}, [1]),
    ("two vetoed units share the last rank", {1: 99, 2: 80, 3: 70}, {"vetoed": {1, 2}}, [1, 2]),
    ("an unranked unit is never last", {1: 90, 2: 80, 3: 10}, {"unranked": {3}}, [2]),
    ("nobody ranked: nobody last", {1: 90, 2: 80}, {"unranked": {1, 2}}, []),
    ("a unit alone in its peer group is its last", {1: 90}, {}, [1]),
    ("peer groups are kept apart", {1: 90, 2: 80, 3: 60, 4: 50},
     {"groups": {1: "a", 2: "a", 3: "b", 4: "b"}}, [2, 4]),
    ("no rows", {}, {}, []),
])
def test_last_place(case, scores, options, expected):
    found = last_place(Rows(rankings=(ranking("assessment", "2026-H1", scores, **options),)), P, AS_OF)
    assert keys(found) == [(unit, "2026-H1") for unit in expected], case


def test_last_place_names_the_ranking_period_and_keeps_its_evidence():
    assessment = ranking("assessment", "2026-H1", {1: 90, 2: 80})
    innovation = ranking("innovation", "2026", {1: 5, 2: 30})
    found = last_place(Rows(rankings=(assessment, innovation)), P, AS_OF)
    assert keys(found) == [(1, "2026"), (2, "2026-H1")]
    flagged = next(c for c in found if c.unit_id == 2)
    assert flagged.rule == "last_place" and flagged.summary == {"rank": 2, "ranked_count": 2}
    source = flagged.sources[0]
    assert source["link"] == f"/assessments/{assessment.id}" and source["ranking_id"] == assessment.id
    assert [row["unit_id"] for row in source["rows"]] == [2]
    assert next(c for c in found if c.unit_id == 1).sources[0]["link"] == "/innovations/ranking?year=2026"


def test_last_in_two_rankings_of_one_period_is_one_candidate_with_both_sources():
    first = ranking("assessment", "2026-H1", {1: 90, 2: 80})
    second = ranking("assessment", "2026-H1", {1: 70, 2: 60})
    [candidate] = last_place(Rows(rankings=(first, second)), P, AS_OF)
    assert (candidate.unit_id, candidate.period) == (2, "2026-H1")
    assert [s["ranking_id"] for s in candidate.sources] == [first.id, second.id]


def test_rating_rankings_are_not_read_for_last_place():
    assert last_place(Rows(rankings=(ranking("rating", "2026-H1", {1: 90, 2: 80}),)), P, AS_OF) == []


# 长期靠后 persistently_low ---------------------------------------------------------------


TIED = {9: 50, 10: 50, 11: 10}  # positions 9 and 10 share rank 9; position 11 is last


@pytest.mark.parametrize(("case", "history", "unranked", "percent", "expected"), [
    ("bottom in both rounds", [spread(10), spread(10)], (), 10, [(10, "2024-H2")]),
    ("bottom only in the later round", [spread(10), spread(10, {1: 1})], (), 10, []),
    ("bottom only in the earlier round", [spread(10, {1: 1}), spread(10)], (), 10, []),
    ("a single round has no previous one", [spread(10)], (), 10, []),
    ("no rounds", [], (), 10, []),
    # 11 ranked: ⌈1.1⌉ = 2 positions; 10 ranked: ⌈1.0⌉ = 1 position (exactly at the share)
    ("eleven units: the last two", [spread(11), spread(11)], (), 10, [(10, "2024-H2"), (11, "2024-H2")]),
    ("a tie at the boundary joins the share", [spread(11, TIED)] * 2, (), 10,
     [(9, "2024-H2"), (10, "2024-H2"), (11, "2024-H2")]),
    ("20 % of ten units is two", [spread(10), spread(10)], (), 20, [(9, "2024-H2"), (10, "2024-H2")]),
    ("three rounds at the bottom: the second and the third", [spread(10)] * 3, (), 10,
     [(10, "2024-H2"), (10, "2025-H1")]),
    ("an unranked round between is skipped", [spread(10)] * 3, (set(), {10}, set()), 10, [(10, "2025-H1")]),
    ("unranked in the earlier round: no previous ranked round", [spread(10)] * 2, ({10},), 10, []),
])
def test_persistently_low(case, history, unranked, percent, expected):
    params = Parameters(bottom_percent=percent)
    found = persistently_low(Rows(rounds=rounds(*history, unranked=unranked)), params, AS_OF)
    assert keys(found) == expected, case


def test_a_unit_created_mid_period_needs_two_ranked_rounds():
    """Unit 4 joins in the second round: at the bottom there, flagged only from the third."""
    history = rounds({1: 90, 2: 80, 3: 70}, {1: 90, 2: 80, 3: 85, 4: 60}, {1: 90, 2: 80, 3: 85, 4: 60})
    assert keys(persistently_low(Rows(rounds=history), P, AS_OF)) == [(4, "2025-H1")]


def test_persistently_low_evidence_is_the_later_round_then_the_previous_one():
    history = rounds(spread(10), spread(10), spread(10))
    found = persistently_low(Rows(rounds=history), P, AS_OF)
    later = next(c for c in found if c.period == "2025-H1")
    assert [s["ranking_id"] for s in later.sources] == [history[2].ranking.id, history[1].ranking.id]
    assert later.summary == {"bottom_percent": 10}
    assert later.sources[0]["link"] == f"/ratings/{history[2].ranking.rating_round_id}"


def test_the_round_period_names_the_flag():
    history = rounds(spread(10), spread(10))
    renamed = (history[0], ClosedRound("2026-H1", history[1].ranking))
    assert keys(persistently_low(Rows(rounds=renamed), P, AS_OF)) == [(10, "2026-H1")]


# 意见较大 strong_dissent ------------------------------------------------------------------


@pytest.mark.parametrize(("case", "ballots", "unranked", "rate", "threshold", "flagged"), [
    ("exactly at 20 %", 20, False, 0.2, 20, True),
    ("just below", 20, False, 0.1999, 20, False),
    ("above", 20, False, 0.35, 20, True),
    ("no dissent", 20, False, 0.0, 20, False),
    ("no rate", 20, False, None, 20, False),
    ("one ballot too few", 9, False, 0.5, 20, False),
    ("exactly the fewest ballots", 10, False, 0.5, 20, True),
    ("ballots unknown, ranked", None, False, 0.5, 20, True),
    ("ballots unknown, not ranked", None, True, 0.5, 20, False),
    ("enough ballots though not ranked", 20, True, 0.5, 20, True),
    ("0.3 × 100 is 30 despite the float", 20, False, 0.3, 30, True),
    ("0.57 × 100 is 57 despite the float", 20, False, 0.57, 57, True),
    ("below a raised threshold", 20, False, 0.29, 30, False),
])
def test_strong_dissent(case, ballots, unranked, rate, threshold, flagged):
    history = (ClosedRound("2026-H1", ranking("rating", "2026-H1", {1: 70, 2: 80},
                                              unranked={1} if unranked else (),
                                              ballots={1: ballots}, dissent={1: rate})),)
    found = strong_dissent(Rows(rounds=history), Parameters(dissent_percent=threshold), AS_OF)
    assert keys(found) == ([(1, "2026-H1")] if flagged else []), case
    if flagged:
        assert found[0].summary == {"dissent_percent": threshold}
        assert found[0].sources[0]["rows"][0]["dissatisfaction_rate"] == rate


def test_strong_dissent_in_each_round():
    history = rounds({1: 70, 2: 80}, {1: 70, 2: 80})
    dissent = tuple(ClosedRound(r.period, ranking("rating", r.period, {1: 70, 2: 80}, dissent={2: 0.4}))
                    for r in history)
    assert keys(strong_dissent(Rows(rounds=dissent), P, AS_OF)) == [(2, "2024-H1"), (2, "2024-H2")]


# 落实不力 poor_delivery -------------------------------------------------------------------

WEEKS = [date(2026, 6, 1) + timedelta(weeks=i) for i in range(6)]  # Mondays; as_of the Sunday after
SUPERVISION = tuple(SupervisionRow(100 + i, week, week + timedelta(days=6)) for i, week in enumerate(WEEKS))


def lagging_in(*positions: int, task: int = 7, unit: int = 3) -> tuple[LaggingFinding, ...]:
    return tuple(LaggingFinding(task, f"任务{task}", unit, SUPERVISION[p].id) for p in positions)


@pytest.mark.parametrize(("case", "positions", "needed", "as_of", "expected"), [
    ("three consecutive rounds", (0, 1, 2), 3, AS_OF, ["2026-06"]),
    ("a gap breaks the streak", (0, 1, 3), 3, AS_OF, []),
    ("a gap at the start", (0, 2, 3), 3, AS_OF, []),
    ("the later three", (1, 2, 3), 3, AS_OF, ["2026-06"]),
    ("the streak's last round closes in July", (2, 3, 4), 3, AS_OF + timedelta(days=10), ["2026-07"]),
    ("a longer streak is flagged once", (0, 1, 2, 3, 4, 5), 3, AS_OF + timedelta(days=20), ["2026-06"]),
    ("two rounds are not enough", (0, 1), 3, AS_OF, []),
    ("a round after the day does not count yet", (2, 3, 4), 3, date(2026, 7, 4), []),
    ("the day of the round's snapshot counts", (2, 3, 4), 3, date(2026, 7, 5), ["2026-07"]),
    ("one round enough: every new streak", (0, 2), 1, AS_OF, ["2026-06"]),
    ("two streaks in two months", (0, 1, 3, 4), 2, AS_OF + timedelta(days=10), ["2026-06", "2026-07"]),
    ("no findings", (), 3, AS_OF, []),
])
def test_lagging_rounds(case, positions, needed, as_of, expected):
    rows = Rows(supervision=SUPERVISION, lagging=lagging_in(*positions))
    found = poor_delivery(rows, Parameters(lagging_rounds=needed), as_of)
    assert keys(found) == [(3, month) for month in expected], case


def test_lagging_rounds_are_consecutive_in_the_rounds_held():
    """A week without a round does not break the streak: consecutive means in the sequence held."""
    held = (SUPERVISION[0], SUPERVISION[2], SUPERVISION[4])
    rows = Rows(supervision=held, lagging=lagging_in(0, 2, 4))
    [candidate] = poor_delivery(rows, P, AS_OF + timedelta(days=10))
    assert candidate.period == "2026-07"
    source = candidate.sources[0]
    assert source["reason"] == "lagging_rounds" and source["met_on"] == "2026-07-05"
    assert [r["round_id"] for r in source["rounds"]] == [100, 102, 104]
    assert source["link"] == "/tasks/7" and candidate.summary == {"lagging_rounds": 3}


def test_findings_of_a_round_not_held_by_the_day_are_ignored():
    rows = Rows(supervision=SUPERVISION[:2], lagging=lagging_in(0, 1, 2))
    assert poor_delivery(rows, P, AS_OF + timedelta(days=30)) == []


def overdue(due_on: date, *, task: int = 8, unit: int = 3, actual: int = 40) -> OverdueTask:
    return OverdueTask(task, f"任务{task}", unit, due_on, actual)


@pytest.mark.parametrize(("case", "due_on", "as_of", "days", "expected"), [
    ("14 days overdue: not yet", date(2026, 6, 10), date(2026, 6, 24), 14, None),
    ("15 days overdue", date(2026, 6, 10), date(2026, 6, 25), 14, "2026-06"),
    ("met in the next month", date(2026, 6, 20), date(2026, 7, 5), 14, "2026-07"),
    ("the period stays the month first met", date(2026, 6, 20), date(2026, 8, 20), 14, "2026-07"),
    ("no days allowed: the day after the due date", date(2026, 6, 30), date(2026, 7, 1), 0, "2026-07"),
    ("no days allowed, on the due date", date(2026, 6, 30), date(2026, 6, 30), 0, None),
    ("met across the year", date(2026, 12, 20), date(2027, 1, 4), 14, "2027-01"),
])
def test_task_overdue(case, due_on, as_of, days, expected):
    found = poor_delivery(Rows(overdue=(overdue(due_on),)), Parameters(task_overdue_days=days), as_of)
    assert keys(found) == ([(3, expected)] if expected else []), case
    if expected:
        source = found[0].sources[0]
        assert source["reason"] == "overdue" and source["overdue_days"] == (as_of - due_on).days
        assert source["met_on"] == (due_on + timedelta(days=days + 1)).isoformat()
        assert source["actual_percent"] == 40 and found[0].summary == {"task_overdue_days": days}


def test_lagging_and_overdue_tasks_of_a_unit_in_one_month_are_one_candidate():
    rows = Rows(supervision=SUPERVISION, lagging=lagging_in(0, 1, 2, task=9),
                overdue=(overdue(date(2026, 6, 1), task=8), overdue(date(2026, 6, 2), task=5)))
    [candidate] = poor_delivery(rows, P, AS_OF)
    assert [(s["task_id"], s["reason"]) for s in candidate.sources] == [
        (9, "lagging_rounds"), (5, "overdue"), (8, "overdue")]
    assert candidate.summary == {"lagging_rounds": 3, "task_overdue_days": 14}


# 久拖不决 long_overdue ---------------------------------------------------------------------


def notice(due_on: date, status: str = "issued", *, ident: int = 4, unit: int = 3) -> OpenNotice:
    return OpenNotice(ident, f"〔2026〕{ident}号", unit, due_on - timedelta(days=10), due_on, status)


@pytest.mark.parametrize(("case", "days_after", "status", "allowed", "expected"), [
    ("14 days after the deadline", 14, "issued", 14, None),
    ("15 days after", 15, "issued", 14, "2026-07"),
    ("acknowledged counts as open", 15, "acknowledged", 14, "2026-07"),
    ("reported is not open", 40, "reported", 14, None),
    ("verified is not open", 40, "verified", 14, None),
    ("long after: still the month first met", 90, "issued", 14, "2026-07"),
    ("no days allowed", 1, "issued", 0, "2026-06"),
    ("the deadline day itself", 0, "issued", 0, None),
])
def test_long_overdue(case, days_after, status, allowed, expected):
    due = date(2026, 6, 20)
    found = long_overdue(Rows(notices=(notice(due, status),)), Parameters(notice_overdue_days=allowed),
                         due + timedelta(days=days_after))
    assert keys(found) == ([(3, expected)] if expected else []), case
    if expected:
        source = found[0].sources[0]
        assert source["link"] == "/notices/4" and source["title"] == "〔2026〕4号"
        assert source["overdue_days"] == days_after and found[0].summary == {"notice_overdue_days": allowed}


def test_two_long_overdue_notices_of_a_unit_in_one_month_are_one_candidate():
    rows = Rows(notices=(notice(date(2026, 6, 20), ident=6), notice(date(2026, 6, 25), ident=5)))
    [candidate] = long_overdue(rows, P, date(2026, 8, 1))
    assert candidate.period == "2026-07" and [s["notice_id"] for s in candidate.sources] == [5, 6]


# 投诉满意率低 low_satisfaction --------------------------------------------------------------


@pytest.mark.parametrize(("case", "rated", "satisfied", "minimum", "percent", "low"), [
    ("10 rated, 80 %", 10, 8, 10, 85, True),
    ("25 rated, 84 %", 25, 21, 10, 85, True),
    ("20 rated, exactly 85 %", 20, 17, 10, 85, False),
    ("9 rated: too few, at 44 %", 9, 4, 10, 85, False),
    ("exactly the fewest ratings", 10, 0, 10, 85, True),
    ("all satisfied", 10, 10, 10, 85, False),
    ("a threshold of 100 %: one dissatisfied is enough", 10, 9, 10, 100, True),
    ("a threshold of 0 %: never", 10, 0, 10, 0, False),
    ("one rating enough", 1, 0, 1, 85, True),
])
def test_low_satisfaction(case, rated, satisfied, minimum, percent, low):
    params = Parameters(satisfaction_min_rated=minimum, satisfaction_percent=percent)
    tally = MonthTally(3, "2026-05", rated, satisfied)
    assert satisfaction_is_low(tally, params) is low, case
    found = low_satisfaction(Rows(tallies=(tally,)), params, AS_OF)
    assert keys(found) == ([(3, "2026-05")] if low else []), case


def test_low_satisfaction_evidence_lists_the_month_s_rated_complaints():
    cases = tuple(RatedComplaint(n, date(2026, 5, n), "dissatisfied" if n <= 4 else "satisfied")
                  for n in range(1, 13))
    rows = Rows(tallies=(MonthTally(3, "2026-05", 12, 8), MonthTally(3, "2026-06", 3, 0)),
                complaints={(3, "2026-05"): cases})
    [candidate] = low_satisfaction(rows, P, AS_OF)
    source = candidate.sources[0]
    assert (candidate.period, source["rated"], source["satisfied"]) == ("2026-05", 12, 8)
    assert source["satisfaction_rate"] == 0.6667 and source["title"] == "2026-05"
    assert [r["complaint_id"] for r in source["rows"]] == list(range(1, 13))
    assert source["rows"][0] == {"complaint_id": 1, "link": "/complaints/1",
                                 "first_dispatched_on": "2026-05-01", "rating": "dissatisfied"}
    assert candidate.summary == {"satisfaction_percent": 85.0, "min_rated": 10}


def test_months_and_units_are_judged_apart():
    tallies = (MonthTally(3, "2026-05", 10, 9), MonthTally(3, "2026-06", 10, 5), MonthTally(4, "2026-05", 10, 5),
               MonthTally(5, "2026-04", 5, 0))
    assert keys(low_satisfaction(Rows(tallies=tallies), P, AS_OF)) == [(3, "2026-06"), (4, "2026-05")]


# All six ---------------------------------------------------------------------------------


def test_parameters_from_the_settings():
    values = {"rules.bottom_percent": 15, "rules.dissent_percent": 25, "ratings.min_ballots": 8,
              "rules.lagging_rounds": 2, "rules.task_overdue_days": 7, "rules.notice_overdue_days": 10,
              "rules.satisfaction_percent": 90, "rules.satisfaction_min_rated": 5}
    params = Parameters.from_settings(values)
    assert params == Parameters(15, 25.0, 8, 2, 7, 10, 90.0, 5)
    assert isinstance(params.dissent_percent, float) and isinstance(params.satisfaction_percent, float)


def test_nothing_to_read_finds_nothing():
    assert find(Rows(), P, AS_OF) == []


def test_find_orders_by_rule_then_period_then_unit():
    rows = Rows(rankings=(ranking("assessment", "2026-H1", {5: 90, 6: 10}),),
                rounds=(ClosedRound("2026-H1", ranking("rating", "2026-H1", {1: 70, 2: 80},
                                                       dissent={1: 0.5, 2: 0.5})),),
                notices=(notice(date(2026, 5, 1), unit=9),),
                tallies=(MonthTally(2, "2026-04", 10, 0), MonthTally(1, "2026-05", 10, 0)))
    assert [(c.rule, c.unit_id, c.period) for c in find(rows, P, AS_OF)] == [
        ("last_place", 6, "2026-H1"),
        ("strong_dissent", 1, "2026-H1"), ("strong_dissent", 2, "2026-H1"),
        ("long_overdue", 9, "2026-05"),
        ("low_satisfaction", 2, "2026-04"), ("low_satisfaction", 1, "2026-05")]


# The loader's SQL (SQLite and PostgreSQL) --------------------------------------------------


def test_rated_complaints_are_counted_by_unit_and_month_in_sql(make):
    from tests import accountability_data as data
    from tracker.services import accountability

    a, b = make.unit(), make.unit()
    data.complaints(a, date(2025, 12, 31), ["dissatisfied", "satisfied"])
    data.complaints(a, date(2026, 1, 1), ["basically_satisfied", "dissatisfied", None])
    data.complaints(a, date(2026, 1, 31), ["dissatisfied"] * 2)
    data.complaints(b, date(2026, 1, 15), ["satisfied"] * 3)
    data.complaints(b, date(2026, 2, 2), ["dissatisfied"])  # after the day
    tallies = accountability.rated_by_month(date(2026, 2, 1))
    assert tallies == [MonthTally(a.id, "2025-12", 2, 1), MonthTally(a.id, "2026-01", 4, 1),
                       MonthTally(b.id, "2026-01", 3, 3)]
    loaded = accountability.rated_complaints(date(2026, 2, 1), [(a.id, "2026-01")])
    assert list(loaded) == [(a.id, "2026-01")]
    assert [(c.first_dispatched_on, c.rating) for c in loaded[(a.id, "2026-01")]] == [
        (date(2026, 1, 1), "basically_satisfied"), (date(2026, 1, 1), "dissatisfied"),
        (date(2026, 1, 31), "dissatisfied"), (date(2026, 1, 31), "dissatisfied")]


def test_the_loader_reads_the_complaints_of_low_months_only(make):
    from tests import accountability_data as data
    from tracker.services import accountability

    unit = make.unit()
    data.complaints(unit, date(2026, 5, 12), ["satisfied"] * 8 + ["dissatisfied"] * 2)
    data.complaints(unit, date(2026, 6, 2), ["satisfied"] * 10)
    params = Parameters()
    rows = accountability.load(AS_OF, params)
    assert [(t.month, t.rated, t.satisfied) for t in rows.tallies] == [("2026-05", 10, 8), ("2026-06", 10, 10)]
    assert list(rows.complaints) == [(unit.id, "2026-05")] and len(rows.complaints[(unit.id, "2026-05")]) == 10
    assert keys(find(rows, params, AS_OF)) == [(unit.id, "2026-05")]
