"""Accountability rules at and around their thresholds, idempotence, races, the workflow."""

from __future__ import annotations

import io
from datetime import date, timedelta

import pytest
from sqlalchemy import func, select

from tests import accountability_data as data
from tests.races import race
from tracker.extensions import db
from tracker.models import AuditEvent, Finding, Flag, FlagEvent, SupervisionRound
from tracker.services import accountability, bulletins, periods, settings
from tracker.services.audit import Actor
from tracker.services.errors import Conflict, InvalidInput

AS_OF = date(2026, 7, 1)


def act(user=None) -> Actor:
    return Actor(user, "127.0.0.1", data.NOW)


def flags(rule: str | None = None) -> list[tuple[str, int, str]]:
    stmt = select(Flag.rule, Flag.unit_id, Flag.period).order_by(Flag.rule, Flag.unit_id, Flag.period)
    if rule:
        stmt = stmt.where(Flag.rule == rule)
    return [tuple(row) for row in db.session.execute(stmt)]


def schools(make, n: int, group: str = "primary_schools"):
    leader = make.user("leader")
    return [make.unit(kind="school", peer_group=group, leader_user_id=leader.id) for _ in range(n)]


# 意见较大 strong_dissent -------------------------------------------------------------


def test_strong_dissent_at_exactly_twenty_percent(make):
    a, b, c, d = schools(make, 4)
    head = make.user("unit_head", unit=a)
    a.head_user_id = head.id
    db.session.commit()
    rows = data.rows_for([(a, 70), (b, 80), (c, 90), (d, 60)], ballots={d.id: 9},
                         dissent={a.id: 0.2, b.id: 0.1999, c.id: 0.35, d.id: 0.5}, unranked={d.id})
    rnd = data.rating_round("2026-H1", rows)
    raised = accountability.evaluate(act(), AS_OF)
    db.session.commit()
    assert {(f.rule, f.unit_id) for f in raised} == {("strong_dissent", a.id), ("strong_dissent", c.id)}
    flag = next(f for f in raised if f.unit_id == a.id)
    assert flag.period == "2026-H1" and flag.proposed_action == "interview"
    assert flag.person_user_id == head.id and flag.status == "raised"
    source = flag.evidence["sources"][0]
    assert source["link"] == f"/ratings/{rnd.id}"
    assert source["rows"][0]["dissatisfaction_rate"] == 0.2 and source["rows"][0]["unit_id"] == a.id


def test_strong_dissent_threshold_from_the_settings(make):
    a, b = schools(make, 2)
    settings.update(act(), {"rules.dissent_percent": "30"})
    db.session.commit()
    data.rating_round("2026-H1", data.rows_for([(a, 70), (b, 80)], dissent={a.id: 0.29, b.id: 0.3}))
    accountability.evaluate(act(), AS_OF)
    assert flags("strong_dissent") == [("strong_dissent", b.id, "2026-H1")]


def test_open_rounds_and_draft_rankings_do_not_count(make):
    a, b = schools(make, 2)
    data.rating_round("2026-H1", data.rows_for([(a, 70), (b, 80)], dissent={a.id: 0.5}), status="open")
    data.rating_round("2025-H2", data.rows_for([(a, 70), (b, 80)], dissent={a.id: 0.5}),
                      published=False)
    data.innovation_ranking(2026, data.rows_for([(a, 1), (b, 2)]), status="draft")
    assert accountability.evaluate(act(), AS_OF) == []


# 长期靠后 persistently_low -----------------------------------------------------------


def test_bottom_share_with_a_tie_at_the_boundary(make):
    """11 ranked: the bottom ⌈1.1⌉ = 2 positions, and the unit tied with the 10th."""
    units = schools(make, 11)
    scores = [99, 98, 97, 96, 95, 94, 93, 92, 80, 80, 70]  # positions 9 and 10 tie
    pairs = list(zip(units, scores, strict=True))
    data.rating_round("2025-H2", data.rows_for(pairs))
    data.rating_round("2026-H1", data.rows_for(pairs))
    accountability.evaluate(act(), AS_OF)
    assert flags("persistently_low") == sorted(
        ("persistently_low", u.id, "2026-H1") for u in units[8:])
    flag = db.session.scalar(select(Flag).where(Flag.unit_id == units[10].id))
    assert flag.person_user_id == units[10].leader_user_id
    assert len(flag.evidence["sources"]) == 2  # this round's row and the previous one's


def test_peer_groups_are_kept_apart(make):
    primary = schools(make, 3)
    middle = schools(make, 3, group="middle_schools")
    pairs = list(zip(primary + middle, [90, 80, 70, 60, 50, 40], strict=True))
    data.rating_round("2025-H2", data.rows_for(pairs))
    data.rating_round("2026-H1", data.rows_for(pairs))
    accountability.evaluate(act(), AS_OF)
    assert {u for _r, u, _p in flags("persistently_low")} == {primary[2].id, middle[2].id}


def test_previous_ranked_round_skips_an_unranked_one(make):
    units = schools(make, 5)
    x, y = units[4], units[3]
    base = [(u, s) for u, s in zip(units[:3], [90, 85, 80], strict=True)]
    data.rating_round("2025-H1", data.rows_for(base + [(y, 60), (x, 50)]))  # x bottom
    # x listed, not ranked (too few ballots); y ranked, bottom this time
    data.rating_round("2025-H2", data.rows_for(base + [(y, 40), (x, 95)], unranked={x.id},
                                               ballots={x.id: 5}))
    data.rating_round("2026-H1", data.rows_for(base + [(y, 70), (x, 50)]))  # x bottom again
    accountability.evaluate(act(), AS_OF)
    assert flags("persistently_low") == [("persistently_low", x.id, "2026-H1")]


def test_bottom_in_a_round_but_not_in_the_previous_ranked_one(make):
    units = schools(make, 4)
    data.rating_round("2025-H2", data.rows_for(list(zip(units, [90, 80, 70, 60], strict=True))))
    data.rating_round("2026-H1", data.rows_for(list(zip(units, [60, 80, 70, 90], strict=True))))
    accountability.evaluate(act(), AS_OF)
    assert flags("persistently_low") == []


# 末位问责 last_place -----------------------------------------------------------------


def test_last_place_in_assessments_and_innovations(make):
    a, b, c, d = schools(make, 4)
    ranking = data.assessment_ranking("2026-H1", data.rows_for([(a, 90), (b, 80), (c, 80), (d, 95)]))
    data.innovation_ranking(2026, data.rows_for([(a, 10), (b, 30), (c, 20), (d, 5)]))
    accountability.evaluate(act(), AS_OF)
    assert flags("last_place") == sorted([("last_place", b.id, "2026-H1"), ("last_place", c.id, "2026-H1"),
                                          ("last_place", d.id, "2026")])
    flag = db.session.scalar(select(Flag).where(Flag.unit_id == b.id))
    assert flag.proposed_action == "accountability/adjustment"
    assert flag.evidence["sources"][0]["link"] == f"/assessments/{ranking.assessment_id}"


def test_a_vetoed_unit_is_last(make):
    a, b, c = schools(make, 3)
    data.assessment_ranking("2026-H1", data.rows_for([(a, 99), (b, 80), (c, 70)], vetoed={a.id}),
                            theme="teacher_ethics")
    accountability.evaluate(act(), AS_OF)
    assert flags("last_place") == [("last_place", a.id, "2026-H1")]


# 落实不力 poor_delivery --------------------------------------------------------------


@pytest.mark.parametrize(("days", "flagged"), [(14, False), (15, True)])
def test_task_overdue_by_more_than_fourteen_days(make, days, flagged):
    unit = make.unit()
    task = make.task(unit=unit, starts_on="2026-05-01", due_on="2026-06-10")
    accountability.evaluate(act(), date(2026, 6, 10) + timedelta(days=days))
    assert flags("poor_delivery") == ([("poor_delivery", unit.id, "2026-06")] if flagged else [])
    if flagged:
        source = db.session.scalar(select(Flag)).evidence["sources"][0]
        assert source["link"] == f"/tasks/{task.id}" and source["overdue_days"] == 15


def test_overdue_task_flag_period_is_the_month_first_met(make):
    unit = make.unit()
    make.task(unit=unit, starts_on="2026-05-01", due_on="2026-06-20")  # first met on 07-05
    accountability.evaluate(act(), date(2026, 7, 5))
    accountability.evaluate(act(), date(2026, 8, 20))
    assert flags("poor_delivery") == [("poor_delivery", unit.id, "2026-07")]


def _rounds(weeks: list[date]) -> list[SupervisionRound]:
    made = []
    for week in weeks:
        rnd = SupervisionRound(week_start=week, as_of=week + timedelta(days=6), status="closed",
                               created_at=data.NOW)
        db.session.add(rnd)
        made.append(rnd)
    db.session.flush()
    return made


def _lagging(rnd, task) -> None:
    db.session.add(Finding(round_id=rnd.id, task_id=task.id, unit_id=task.owner_unit_id, kind="lagging",
                           planned_percent=50, actual_percent=10))


@pytest.mark.parametrize(("lagging_in", "flagged"), [((0, 1, 2), True), ((0, 1, 3), False),
                                                     ((0, 2, 3), False), ((1, 2, 3), True)])
def test_lagging_in_consecutive_rounds(make, lagging_in, flagged):
    unit = make.unit()
    task = make.task(unit=unit, starts_on="2026-05-01", due_on="2026-12-31")
    rounds = _rounds([date(2026, 6, 1) + timedelta(weeks=i) for i in range(4)])
    for index in lagging_in:
        _lagging(rounds[index], task)
    db.session.commit()
    accountability.evaluate(act(), date(2026, 7, 1))
    third = rounds[lagging_in[2]]
    period = f"{third.as_of.year}-{third.as_of.month:02d}"
    assert flags("poor_delivery") == ([("poor_delivery", unit.id, period)] if flagged else [])


# 久拖不决 long_overdue ---------------------------------------------------------------


@pytest.mark.parametrize(("days", "status", "flagged"), [
    (14, "issued", False), (15, "issued", True), (15, "acknowledged", True), (40, "reported", False),
    (40, "verified", False)])
def test_notice_overdue_by_more_than_fourteen_days(make, days, status, flagged):
    unit = make.unit()
    notice = data.notice(unit, date(2026, 6, 20), status=status)
    accountability.evaluate(act(), date(2026, 6, 20) + timedelta(days=days))
    assert flags("long_overdue") == ([("long_overdue", unit.id, "2026-07")] if flagged else [])
    if flagged:
        flag = db.session.scalar(select(Flag))
        assert flag.proposed_action == "accountability"
        assert flag.evidence["sources"][0]["link"] == f"/notices/{notice.id}"


# 投诉满意率低 low_satisfaction ----------------------------------------------------------


@pytest.mark.parametrize(("satisfied", "basic", "dissatisfied", "flagged"), [
    (8, 0, 2, True),  # 10 rated, 80 %
    (15, 6, 4, True),  # 25 rated, 84 %
    (10, 7, 3, False),  # 20 rated, 85 %
    (4, 0, 5, False),  # 9 rated: too few, at 44 %
    (0, 10, 0, False),  # basically satisfied counts as satisfied
])
def test_low_satisfaction(make, satisfied, basic, dissatisfied, flagged):
    unit = make.unit()
    ratings = ["satisfied"] * satisfied + ["basically_satisfied"] * basic + ["dissatisfied"] * dissatisfied
    data.complaints(unit, date(2026, 5, 12), ratings + [None, None])  # unrated ones do not count
    data.complaints(unit, date(2026, 6, 2), ["dissatisfied"] * 3)  # another month
    accountability.evaluate(act(), AS_OF)
    assert flags("low_satisfaction") == ([("low_satisfaction", unit.id, "2026-05")] if flagged else [])


# Idempotence and races -----------------------------------------------------------------


def test_evaluation_is_idempotent_and_audited(make):
    a, b = schools(make, 2)
    data.rating_round("2026-H1", data.rows_for([(a, 70), (b, 80)], dissent={a.id: 0.4}))
    first = accountability.evaluate(act(), AS_OF)
    db.session.commit()
    assert len(first) == 1
    assert accountability.evaluate(act(), AS_OF) == []
    assert accountability.evaluate(act(), AS_OF + timedelta(days=30)) == []
    db.session.commit()
    assert db.session.scalar(select(func.count()).select_from(Flag)) == 1
    assert db.session.scalar(select(func.count()).select_from(AuditEvent).where(
        AuditEvent.action == "flag.raise")) == 1
    assert [e.action for e in db.session.scalars(select(FlagEvent))] == ["raise"]


def test_two_evaluations_at_once_raise_one_flag(app, make):
    units = schools(make, 3)
    data.rating_round("2026-H1", data.rows_for(list(zip(units, [90, 80, 70], strict=True)),
                                               dissent={u.id: 0.5 for u in units}))
    unit = make.unit()
    data.notice(unit, date(2026, 5, 1))

    def evaluate(_client, _index):
        raised = accountability.evaluate(act(), AS_OF)
        db.session.commit()
        return len(raised)

    assert sum(race(app, 2, evaluate)) == 4
    assert db.session.scalar(select(func.count()).select_from(Flag)) == 4
    assert db.session.scalar(select(func.count()).select_from(FlagEvent)) == 4


# Workflow ------------------------------------------------------------------------


@pytest.fixture
def flag(make):
    a, b = schools(make, 2)
    data.rating_round("2026-H1", data.rows_for([(a, 70), (b, 80)], dissent={a.id: 0.4}))
    raised = accountability.evaluate(act(), AS_OF)
    db.session.commit()
    return raised[0]


def _actions(flag) -> list[str]:
    return [e.action for e in db.session.scalars(
        select(AuditEvent).where(AuditEvent.object_type == "flags", AuditEvent.object_id == flag.id)
        .order_by(AuditEvent.id))]


def test_review_then_decide(make, flag):
    office, leader = make.user("office"), make.user("leader")
    with pytest.raises(Conflict):
        accountability.decide(act(leader), flag, action="interview", reasons="约谈主要负责人")
    accountability.review(act(office), flag, "核实属实，进入审核")
    with pytest.raises(Conflict):
        accountability.review(act(office), flag, "核实属实，进入审核")
    with pytest.raises(InvalidInput) as caught:
        accountability.decide(act(leader), flag, action="fire", reasons=" ")
    assert set(caught.value.fields) == {"action", "reasons"}
    accountability.decide(act(leader), flag, action="interview", reasons="约谈主要负责人")
    db.session.commit()
    assert (flag.status, flag.action, flag.decided_by_id) == ("decided", "interview", leader.id)
    for call in (lambda: accountability.review(act(office), flag, "核实属实，进入审核"),
                 lambda: accountability.decide(act(leader), flag, action="none", reasons="x"),
                 lambda: accountability.exempt(act(leader), flag, "容错")):
        with pytest.raises(Conflict):
            call()
    assert flag.action == "interview"
    assert _actions(flag) == ["flag.raise", "flag.review", "flag.decide"]
    assert [(e.from_status, e.to_status) for e in flag.events] == [
        (None, "raised"), ("raised", "under_review"), ("under_review", "decided")]


def test_exemption_proposed_then_approved(make, flag):
    office, leader = make.user("office"), make.user("leader")
    with pytest.raises(Conflict):
        accountability.exempt(act(office), flag, "改革探索中的失误")  # not under review yet
    accountability.review(act(office), flag, "核实属实，进入审核")
    with pytest.raises(InvalidInput):
        accountability.exempt(act(office), flag, "")
    accountability.exempt(act(office), flag, "改革探索中的失误，非明知故犯")
    assert flag.status == "under_review" and accountability.exemption_pending(flag)
    with pytest.raises(Conflict):
        accountability.exempt(act(office), flag, "再次提出")
    accountability.exempt(act(leader), flag, None)
    db.session.commit()
    assert flag.status == "exempted" and flag.exemption_approved_by_id == leader.id
    assert flag.exemption_justification == "改革探索中的失误，非明知故犯"
    assert _actions(flag) == ["flag.raise", "flag.review", "flag.propose_exemption",
                              "flag.approve_exemption"]


def test_leader_decides_instead_of_the_proposed_exemption(make, flag):
    office, leader = make.user("office"), make.user("leader")
    accountability.review(act(office), flag, "核实属实，进入审核")
    accountability.exempt(act(office), flag, "改革探索")
    accountability.decide(act(leader), flag, action="admonition", reasons="属明知故犯")
    assert flag.status == "decided" and flag.exemption_approved_at is None


def test_leader_exempts_directly_with_a_justification(make, flag):
    office, leader = make.user("office"), make.user("leader")
    accountability.review(act(office), flag, "核实属实，进入审核")
    with pytest.raises(InvalidInput) as caught:
        accountability.exempt(act(leader), flag, None)
    assert "justification" in caught.value.fields
    accountability.exempt(act(leader), flag, "先行先试，容错免责")
    assert flag.status == "exempted" and flag.exemption_proposed_by_id == leader.id


def test_others_may_not_exempt(make, flag):
    office = make.user("office")
    accountability.review(act(office), flag, "核实属实，进入审核")
    with pytest.raises(Conflict):
        accountability.exempt(act(make.user("unit_head")), flag, "容错")
    assert flag.exemption_proposed_at is None


# Reminders and the bulletin ---------------------------------------------------------


def test_reminders_to_the_leader_in_charge_once_per_state(make, flag):
    from tracker.models import Notification

    office = make.user("office")
    other_leader = make.user("leader")
    assert accountability.remind(AS_OF, data.NOW) == 0  # raised: waits on the office
    accountability.review(act(office), flag, "核实属实，进入审核")  # the leader is told at once,
    assert accountability.remind(AS_OF, data.NOW) == 0  # not again by the morning reminder
    accountability.exempt(act(office), flag, "改革探索")
    assert accountability.remind(AS_OF, data.NOW) == 0
    in_charge = flag.unit.leader_user_id
    assert {n.user_id for n in db.session.scalars(select(Notification))} == {in_charge}
    flag.unit.leader_user_id = None
    accountability.remind(AS_OF, data.NOW)
    assert other_leader.id in {n.user_id for n in db.session.scalars(select(Notification))}


def test_bulletin_section_lists_flags_of_the_period(make, flag):
    period = periods.parse_period("monthly", "2026-07")
    rows = accountability.bulletin_section(period)
    assert [(r["flag_id"], r["rule"], r["status"]) for r in rows] == [(flag.id, "strong_dissent", "raised")]
    assert accountability.bulletin_section(periods.parse_period("monthly", "2026-05")) == []


def test_bulletin_docx_and_page_show_the_flags(client, login, make, flag):
    from docx import Document

    august = Actor(None, "127.0.0.1", data.NOW + timedelta(days=31))  # once July is over
    bulletin, _created = bulletins.generate(august, "monthly", "2026-07")
    db.session.commit()
    assert [r["flag_id"] for r in bulletin.content["flags"]] == [flag.id]
    text = "\n".join(cell.text for table in Document(io.BytesIO(bulletins.to_docx(bulletin))).tables
                     for row in table.rows for cell in row.cells)
    assert "意见较大" in text and flag.unit.name in text
    login(make.user("office"))
    page = client.get(f"/bulletins/{bulletin.id}").get_data(as_text=True)
    assert 'data-testid="bulletin-flags"' in page and flag.unit.name in page
