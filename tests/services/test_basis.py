"""The records behind each figure (services/basis.py): as many as the figure counts, frozen with it."""

from __future__ import annotations

from datetime import date
from fractions import Fraction

import pytest
from sqlalchemy import select

from tests.notices_data import NAME, complaint, rate_world
from tests.querycount import count_queries
from tests.services.test_bulletins import act, october  # noqa: F401  (october is a fixture)
from tests.services.test_ratings import setup_round, vote
from tracker.extensions import db
from tracker.models import Complaint, Innovation, Task
from tracker.models.accountability import Flag
from tracker.services import accountability, basis, bulletins, complaint_stats, permissions, ratings
from tracker.services.audit import Actor

TASK_FIGURES = ("due", "on_time", "on_time_rate")
COMPLAINT_FIGURES = (
    "dispatched",
    "replied_on_time",
    "closed",
    "resolved",
    "rated",
    "response_rate",
    "resolution_rate",
    "satisfaction_rate",
)
RATES = ("on_time_rate", "response_rate", "resolution_rate", "satisfaction_rate")


def check(found: basis.Basis, figure: str, value) -> None:
    """The basis lists as many records as the figure counts; a rate is its marked share."""
    if figure in RATES:
        if value is None:
            assert found.count == 0 or found.marked is None
        else:
            assert round(found.marked / found.count, 4) == value, figure
    else:
        assert found.count == value, figure


@pytest.fixture
def bulletin(october, make):  # noqa: F811
    units = rate_world(make)  # complaints first dispatched in October 2026
    made, _created = bulletins.generate(act(), "monthly", "2026-10")
    db.session.commit()
    return made, units


def test_every_figure_of_a_bulletin_is_the_count_of_its_basis(bulletin, make):
    made, _units = bulletin
    office = make.user("office")
    content = made.content
    assert content["unit_table"] and content["complaints"] and content["criticised"]
    checked = 0
    for row in content["unit_table"]:
        for figure in TASK_FIGURES:
            check(basis.bulletin_basis(made, figure, row["unit_id"], office), figure, row[figure])
            checked += 1
    for row in content["complaints"]:
        for figure in COMPLAINT_FIGURES:
            check(basis.bulletin_basis(made, figure, row["unit_id"], office), figure, row[figure])
            checked += 1
    for unit_id in {row["unit_id"] for row in content["criticised"]}:
        found = basis.bulletin_basis(made, "criticised", unit_id, office)
        assert found.count == basis.bulletin_figure(content, "criticised", unit_id) > 0
        checked += 1
    assert checked > 40


def test_the_basis_names_the_records_and_their_values(bulletin, make, october):  # noqa: F811
    made, units = bulletin
    _a, b, _c, _d = october
    office = make.user("office")
    due = basis.bulletin_basis(made, "due", b.id, office)
    assert [(r["title"], r["done_on"], r["on_time"]) for r in due.records] == [
        ("迟交任务", "2026-10-12", False),
        (due.records[1]["title"], "2026-10-15", True),
    ]
    assert due.marked == 1 and due.frozen and due.as_of == "2026-10-31"
    rated = basis.bulletin_basis(made, "satisfaction_rate", units["a"].id, office)
    assert sorted(r["rating"] for r in rated.records) == ["basically_satisfied", "dissatisfied", "satisfied"]
    assert all(r["name"] == NAME for r in rated.records)  # the office reads the complainant


def test_a_unit_never_reads_the_complainant(bulletin, make):
    made, units = bulletin
    head = make.user("unit_head", unit=units["a"])
    found = basis.bulletin_basis(made, "dispatched", units["a"].id, head)
    assert found.count == 6
    assert all("name" not in r for r in found.records)
    assert NAME not in str(found.records)


def test_the_basis_is_frozen_when_the_records_change(bulletin, make, october):  # noqa: F811
    made, units = bulletin
    _a, b, _c, _d = october
    office = make.user("office")
    before = {
        figure: basis.bulletin_basis(made, figure, units["a"].id, office).records
        for figure in COMPLAINT_FIGURES
    }
    due_before = basis.bulletin_basis(made, "due", b.id, office).records
    # after the bulletin: a complaint re-rated, another answered, a late task's due date moved
    cases = db.session.scalars(
        select(Complaint).where(
            Complaint.dispatched_unit_id == units["a"].id, Complaint.rating == "dissatisfied"
        )
    ).all()
    for case in cases:
        case.rating = "satisfied"
    unanswered = db.session.scalars(
        select(Complaint).where(
            Complaint.dispatched_unit_id == units["a"].id, Complaint.first_replied_on.is_(None)
        )
    ).all()
    for case in unanswered:
        case.first_replied_on = date(2026, 10, 14)
    late = db.session.scalar(select(Task).where(Task.title == "迟交任务"))
    late.due_on = date(2026, 10, 31)
    db.session.commit()
    live = {row["unit_id"]: row for row in complaint_stats.stats(complaint_stats.parse_period("2026-10"))}
    frozen_row = next(r for r in made.content["complaints"] if r["unit_id"] == units["a"].id)
    assert (live[units["a"].id]["satisfaction_rate"], frozen_row["satisfaction_rate"]) == (1.0, 0.6667)
    for figure in COMPLAINT_FIGURES:
        again = basis.bulletin_basis(made, figure, units["a"].id, office)
        assert again.records == before[figure], figure
        row = next(r for r in made.content["complaints"] if r["unit_id"] == units["a"].id)
        check(again, figure, row[figure])
    assert basis.bulletin_basis(made, "due", b.id, office).records == due_before
    # the live table's basis follows the records: re-rated, the satisfaction rate is now 100 %
    now = basis.stats_basis(
        complaint_stats.parse_period("2026-10"), "satisfaction_rate", units["a"].id, office
    )
    assert now.marked == now.count == 3 and now.frozen is False


def test_every_figure_of_the_rate_table_is_the_count_of_its_basis(make):
    rate_world(make)
    office = make.user("office")
    period = complaint_stats.parse_period("2026-10")
    rows = complaint_stats.stats(period)
    assert len(rows) == 6
    for row in rows:
        for figure in COMPLAINT_FIGURES:
            check(basis.stats_basis(period, figure, row["unit_id"], office), figure, row[figure])
    assert basis.stats_basis(period, "score", rows[0]["unit_id"], office) is None


def test_statements_per_basis_are_constant(bulletin, make):
    made, units = bulletin
    office = make.user("office")
    period = complaint_stats.parse_period("2026-10")
    counts = []
    basis.stats_basis(period, "dispatched", units["e"].id, office)  # loads the settings and the bulletin
    basis.bulletin_basis(made, "dispatched", units["e"].id, office)
    for unit in (units["c"], units["a"]):  # 3 and 6 complaints
        with count_queries() as statements:
            basis.stats_basis(period, "dispatched", unit.id, office)
            basis.bulletin_basis(made, "dispatched", unit.id, office)
        counts.append(len(statements))
    assert counts[0] == counts[1]


def _round_with_ballots(make):
    a, b = (make.unit(peer_group="primary_schools") for _ in range(2))
    rnd = setup_round(make, [a, b])
    vote(rnd, "service_recipients", {a: "satisfied", b: ["dissatisfied", "satisfied", "fairly_satisfied"]}, 6)
    vote(rnd, "grassroots_cadres", {a: "basically_satisfied", b: "dissatisfied"}, 4)
    vote(rnd, "public", {a: "fairly_satisfied"}, 1)
    return rnd, a, b


def _score(found: basis.Basis, rnd) -> float | None:
    """The score recomputed from the listed ballots alone: weighted group means, half up."""
    weights = {g.name: Fraction(str(g.weight)) for g in rnd.groups}
    totals: dict[str, list[int]] = {}
    for record in found.records:
        totals.setdefault(record["group"], []).extend(v for v in record["values"] if v is not None)
    weighted = sum(weights[g] * Fraction(sum(v), len(v)) for g, v in totals.items() if v)
    weight = sum(weights[g] for g, v in totals.items() if v)
    return ratings.round_half_up(weighted / weight) if weight else None


def test_a_rating_rankings_figures_are_its_ballots(make):
    rnd, a, b = _round_with_ballots(make)
    ratings.close(act(), rnd)
    db.session.commit()
    for row in ratings.ranking_rows(rnd):
        found = basis.rating_basis(rnd, row["unit_id"])
        assert found.count == row["ballots"]
        assert found.extra["dissatisfaction_rate"] == pytest.approx(row["dissatisfaction_rate"])
        assert _score(found, rnd) == row["score"]
        assert found.frozen
    found = basis.rating_basis(rnd, b.id)
    assert found.extra["dissatisfied"] == 6 + 4 * 3
    # anonymous: a number of its own, the group and the answers; nothing that leads to a voter
    assert set(found.records[0]) == {
        "group",
        "position",
        "values",
        "codes",
        "dissatisfied",
        "answers",
        "number",
    }
    assert [r["number"] for r in found.records] == list(range(1, 11))
    assert basis.rating_basis(rnd, make.unit().id) is None


def test_a_flags_evidence_is_the_count_of_its_basis(make):
    unit = make.unit(name="庚小学")
    for index in range(10):
        complaint(
            unit,
            "2026-10-05",
            "2026-10-12",
            "2026-10-10",
            resolved=True,
            rating="satisfied" if index < 6 else "dissatisfied",
        )
    accountability.evaluate(Actor(None, "127.0.0.1", act().now), date(2026, 11, 30))
    db.session.commit()
    flag = db.session.scalar(select(Flag).where(Flag.unit_id == unit.id, Flag.rule == "low_satisfaction"))
    office = make.user("office")
    found = basis.flag_basis(flag, 0, office)
    source = flag.evidence["sources"][0]
    assert found.count == source["rated"] == 10 and found.marked == source["satisfied"] == 6
    # frozen: re-rated later, the basis still shows the ratings the rule read
    for case in db.session.scalars(select(Complaint).where(Complaint.dispatched_unit_id == unit.id)):
        case.rating = "satisfied"
    db.session.commit()
    again = basis.flag_basis(flag, 0, office)
    assert again.marked == 6 and again.count == 10
    assert basis.flag_basis(flag, 1, office) is None


def test_a_flag_from_a_ranking_links_to_its_ballots(make):
    rnd, _a, b = _round_with_ballots(make)
    ratings.close(act(), rnd)
    db.session.commit()
    flag = db.session.scalar(select(Flag).where(Flag.unit_id == b.id, Flag.rule == "strong_dissent"))
    found = basis.flag_basis(flag, 0, make.user("office"))
    assert found.kind == "ranking" and found.count == 1
    row = found.records[0]
    assert row["ballots"] == basis.rating_basis(rnd, b.id).count == 10


def test_who_reads_a_basis(make, october):  # noqa: F811
    _a, b, _c, _d = october
    head = make.user("unit_head", unit=b)
    member = make.user("unit_member", unit=b)
    other = make.user("unit_head")
    assert permissions.can(head, "basis.read", b.id) and permissions.can(member, "basis.read", b.id)
    assert not permissions.can(other, "basis.read", b.id)
    for role in ("admin", "office", "leader"):
        assert permissions.can(make.user(role), "basis.read", b.id)
    rnd, a, _b = _round_with_ballots(make)
    school_head = make.user("unit_head", unit=a)
    assert not permissions.can(school_head, "rating.basis", (rnd, a.id))  # open: nothing frozen yet
    ratings.close(act(), rnd)
    assert permissions.can(school_head, "rating.basis", (rnd, a.id))
    assert not permissions.can(school_head, "rating.basis", (rnd, _b.id))


def test_a_bulletin_drafted_before_kept_no_basis(bulletin, make):
    made, units = bulletin
    made.content = {key: value for key, value in made.content.items() if key != "basis"}
    db.session.commit()
    assert not basis.has_basis(made)
    assert basis.bulletin_basis(made, "dispatched", units["a"].id, make.user("office")) is None


def test_a_later_ledger_report_does_not_change_a_bulletins_basis(bulletin, make, october):  # noqa: F811
    made, _units = bulletin
    _a, _b, c, _d = october
    office = make.user("office")
    before = basis.bulletin_basis(made, "due", c.id, office)
    overdue = db.session.scalar(select(Task).where(Task.title == "逾期任务"))
    make.entry(overdue, 100, "2026-10-30")  # a report dated in the period, entered after the bulletin
    overdue.verified_on = date(2026, 11, 2)
    db.session.commit()
    after = basis.bulletin_basis(made, "due", c.id, office)
    assert after.records == before.records and after.marked == 1


def test_an_innovation_rankings_figures_are_the_units_innovations(make):
    from tracker.services import innovations
    from tracker.services.errors import Conflict

    office = Actor(make.user("office"), "127.0.0.1", act().now)
    a, b = (make.unit(kind="school", peer_group="primary_schools") for _ in range(2))
    for unit, scores in ((a, (30, 25.5, None)), (b, (40,))):
        for index, value in enumerate(scores):
            innovation = innovations.register(
                office, unit_id=unit.id, title=f"一招鲜{index}", description="做法与成效", year=2026
            )
            if value is not None:
                innovations.score(office, innovation, value)
    innovations.register(office, unit_id=a.id, title="往年", description="做法", year=2025)
    db.session.commit()
    innovations.publish(office, 2026)
    db.session.commit()
    view = innovations.ranking(2026)
    for row in view.rows:
        found = basis.innovation_basis(2026, row["unit_id"], published=True)
        assert found.count == row["innovations"]
        assert found.extra["total_score"] == row["total_score"]
    found = basis.innovation_basis(2026, a.id, published=True)
    assert (found.count, found.extra["total_score"], found.frozen) == (3, 55.5, True)
    first = db.session.get(Innovation, found.records[0]["innovation_id"])
    with pytest.raises(Conflict):  # a published year's innovations no longer change: the basis holds
        innovations.score(office, first, 99)


@pytest.mark.parametrize(
    "rows",
    [
        [],
        [[1, 0, None, 0, None, None]],
        [[123456, 7, 2, -3, 9, 40], [7, 1, 0, 0, 0, 0]],
        [[5, 30, None, None, 0]],
    ],
)
def test_kept_records_pack_into_one_string_and_back(rows):
    packed = basis._pack(rows)
    assert isinstance(packed, str) and basis._unpack(packed) == rows


def test_a_bulletin_keeps_each_units_records_as_one_string(bulletin):
    made, units = bulletin
    kept = made.content["basis"]
    assert kept["from"] == "2026-10-01"
    assert all(isinstance(text, str) for source in ("tasks", "complaints") for text in kept[source].values())
    assert len(basis._unpack(kept["complaints"][str(units["a"].id)])) == 6
