"""Rating rounds on hand-built ballots (docs/domain.md "Ratings, rankings and accountability")."""

from __future__ import annotations

from datetime import UTC, datetime
from fractions import Fraction

import pytest
from sqlalchemy import func, select

from tests.races import race
from tracker.extensions import db
from tracker.models import AuditEvent, Ballot, BallotAnswer, Invitation, Ranking, RankingRow
from tracker.services import ratings
from tracker.services.audit import Actor
from tracker.services.codes import ALPHABET
from tracker.services.errors import Conflict, InvalidInput

NOW = datetime(2026, 7, 1, 2, 0, tzinfo=UTC)


def act(user=None) -> Actor:
    return Actor(user, "127.0.0.1", NOW)


def round_input(values: dict) -> ratings.RoundInput:
    """A round given as plain values, as an adapter would type it."""
    dimensions, groups = values.get("dimensions"), values.get("groups")
    return ratings.RoundInput(
        title=values["title"], period=values["period"], unit_ids=values["unit_ids"],
        dimensions=None if dimensions is None else [ratings.DimensionInput(**d) for d in dimensions],
        groups=None if groups is None else [ratings.GroupInput(**g) for g in groups])


def answers_of(answers: list[dict]) -> list[ratings.AnswerInput]:
    return [ratings.AnswerInput(**answer) for answer in answers]


def setup_round(make, units, *, groups=None, dimensions=None, open_it=True):
    rnd = ratings.create_round(act(), round_input({"title": "2026年上半年作风评议", "period": "2026-H1",
                                                   "unit_ids": [u.id for u in units], "groups": groups,
                                                   "dimensions": dimensions}))
    if open_it:
        ratings.open_round(act(), rnd)
    db.session.commit()
    return rnd


def vote(rnd, group: str, per_unit: dict, times: int = 1) -> None:
    """Cast ``times`` ballots of ``group``: ``per_unit`` maps a unit to one value or a value per dimension."""
    _batch, codes = ratings.generate_invitations(act(), rnd, group, times)
    for code in codes:
        answers = []
        for unit, value in per_unit.items():
            values = value if isinstance(value, list) else [value] * len(rnd.dimensions)
            answers += [ratings.AnswerInput(unit_id=unit.id, dimension=d.key, value=v)
                        for d, v in zip(rnd.dimensions, values, strict=True)]
        ratings.cast_ballot(act(), code, answers)
    db.session.commit()


def rows_by_unit(rnd):
    return {row["unit_id"]: row for row in ratings.ranking_rows(rnd)}


def test_defaults_from_the_settings(make):
    rnd = setup_round(make, [make.unit()], open_it=False)
    assert rnd.status == "draft"
    assert [(d.key, d.name) for d in rnd.dimensions] == [
        ("spirit", "精神状态"), ("conduct", "工作作风"), ("delivery", "任务落实")]
    assert [(g.key, g.weight) for g in rnd.groups] == [
        ("service_recipients", 40), ("grassroots_cadres", 30), ("public", 30)]
    assert db.session.scalar(select(func.count()).select_from(AuditEvent).where(
        AuditEvent.action == "rating_round.create")) == 1


def test_scores_renormalised_rounded_and_ranked(make):
    a, b, c, d = (make.unit(peer_group="primary_schools") for _ in range(4))
    dept = make.unit(kind="department", peer_group="departments")
    rnd = setup_round(make, [a, b, c, d, dept])
    # a: service recipients all satisfied (100), cadres all basically satisfied (60), no public:
    # (40×100 + 30×60) ÷ 70 = 82.857… → 82.86
    vote(rnd, "service_recipients", {a: "satisfied", b: "fairly_satisfied", c: "fairly_satisfied"}, 6)
    vote(rnd, "grassroots_cadres", {a: "basically_satisfied", b: "fairly_satisfied",
                                    c: "fairly_satisfied"}, 4)
    # d: 9 ballots only — listed, not ranked; dept alone in its peer group
    vote(rnd, "public", {d: "satisfied", dept: ["dissatisfied", "satisfied", "satisfied"]}, 9)
    vote(rnd, "public", {dept: "dissatisfied"}, 1)
    rows = rows_by_unit(rnd)
    assert rows[a.id]["score"] == 82.86
    assert rows[b.id]["score"] == rows[c.id]["score"] == 80.0
    assert rows[a.id]["ballots"] == 10 and rows[d.id]["ballots"] == 9
    assert (rows[a.id]["rank"], rows[b.id]["rank"], rows[c.id]["rank"]) == (1, 2, 2)
    assert rows[d.id]["rank"] is None and rows[d.id]["score"] == 100.0
    assert rows[a.id]["ranked_count"] == 3
    # dept: 10 ballots × 3 answers; 9 + 3 = 12 dissatisfied of 30 → 0.4
    assert rows[dept.id]["rank"] == 1 and rows[dept.id]["ranked_count"] == 1
    assert rows[dept.id]["dissatisfaction_rate"] == pytest.approx(0.4)
    assert rows[dept.id]["score"] == 60.0
    assert rows[a.id]["dissatisfaction_rate"] == 0
    detail = rows[a.id]["detail"]
    assert [(g["key"], g["ballots"], g["mean"]) for g in detail["groups"]] == [
        ("service_recipients", 6, 100.0), ("grassroots_cadres", 4, 60.0), ("public", 0, None)]
    assert [(x["key"], x["mean"]) for x in detail["dimensions"]] == [
        ("spirit", 84.0), ("conduct", 84.0), ("delivery", 84.0)]


def test_group_mean_covers_every_ballot_and_dimension(make):
    a = make.unit()
    rnd = setup_round(make, [a], groups=[{"key": "x", "name": "甲", "weight": 1},
                                         {"key": "y", "name": "乙", "weight": 3}])
    vote(rnd, "x", {a: ["satisfied", "dissatisfied", "basically_satisfied"]}, 5)  # mean 160/3
    vote(rnd, "y", {a: ["fairly_satisfied", "fairly_satisfied", "satisfied"]}, 5)  # mean 260/3
    # (1 × 160/3 + 3 × 260/3) ÷ 4 = 940/12 = 78.333… → 78.33
    row = rows_by_unit(rnd)[a.id]
    assert row["score"] == 78.33 and row["rank"] == 1
    assert row["dissatisfaction_rate"] == pytest.approx(5 / 30)


def test_half_up_rounding():
    assert ratings.round_half_up(Fraction(713, 8)) == 89.13  # 89.125
    assert ratings.round_half_up(Fraction(8912, 100)) == 89.12
    assert ratings.round_half_up(Fraction(580, 7)) == 82.86


def test_exactly_twenty_percent_dissatisfied(make):
    a = make.unit()
    rnd = setup_round(make, [a], dimensions=[{"key": "spirit", "name": "精神状态"}])
    vote(rnd, "public", {a: "dissatisfied"}, 2)
    vote(rnd, "public", {a: "satisfied"}, 8)
    row = rows_by_unit(rnd)[a.id]
    assert row["dissatisfaction_rate"] == 0.2 and row["dissatisfaction_rate"] >= 0.2


def test_close_freezes_and_late_ballots_are_refused(make):
    a, b = make.unit(), make.unit()
    rnd = setup_round(make, [a, b])
    vote(rnd, "public", {a: "satisfied", b: "dissatisfied"}, 10)
    _batch, spare = ratings.generate_invitations(act(), rnd, "public", 2)
    db.session.commit()
    ranking = ratings.close(act(), rnd)
    db.session.commit()
    assert rnd.status == "closed" and ranking.kind == "rating" and ranking.status == "published"
    assert ranking.subject_key == f"round:{rnd.id}" and ranking.published_at is not None
    frozen = [(r.unit_id, r.score, r.rank, r.ranked_count, r.ballots, r.dissatisfaction_rate)
              for r in ranking.rows]
    assert frozen == [(a.id, 100.0, 1, 2, 10, 0.0), (b.id, 0.0, 2, 2, 10, 1.0)]
    with pytest.raises(Conflict):
        ratings.cast_ballot(act(), spare[0], [ratings.AnswerInput(unit_id=a.id, dimension="spirit",
                                                                  value="dissatisfied")])
    db.session.rollback()
    with pytest.raises(Conflict):
        ratings.close(act(), rnd)
    db.session.rollback()
    with pytest.raises(Conflict):
        ratings.generate_invitations(act(), rnd, "public", 1)
    db.session.rollback()
    assert [(r.unit_id, r.score, r.rank) for r in db.session.scalars(
        select(RankingRow).order_by(RankingRow.position))] == [(a.id, 100.0, 1), (b.id, 0.0, 2)]
    assert db.session.scalar(select(func.count()).select_from(Ranking)) == 1


def test_codes_are_long_unguessable_and_single_use(make):
    a = make.unit()
    rnd = setup_round(make, [a])
    _batch, codes = ratings.generate_invitations(act(), rnd, "public", 200)
    db.session.commit()
    assert len(set(codes)) == 200
    for code in codes:
        assert len(code) >= 12 and set(code) <= set(ALPHABET)
        assert not set(code) & set("0O1IL")
    answers = [ratings.AnswerInput(unit_id=a.id, dimension="spirit", value="satisfied")]
    ratings.cast_ballot(act(), codes[0].lower()[:4] + " " + codes[0][4:], answers)  # typed loosely
    db.session.commit()
    with pytest.raises(Conflict):
        ratings.cast_ballot(act(), codes[0], answers)
    db.session.rollback()
    with pytest.raises(ratings.UnknownCode):
        ratings.cast_ballot(act(), "ABCDEFGHJKMN", answers)
    with pytest.raises(ratings.UnknownCode):
        ratings.cast_ballot(act(), "0" * 12, answers)
    assert db.session.scalar(select(func.count()).select_from(Ballot)) == 1


def test_draft_round_codes_cannot_vote_yet(make):
    a = make.unit()
    rnd = setup_round(make, [a], open_it=False)
    _batch, codes = ratings.generate_invitations(act(), rnd, "public", 1)
    db.session.commit()
    with pytest.raises(Conflict):
        ratings.cast_ballot(act(), codes[0], [ratings.AnswerInput(unit_id=a.id, dimension="spirit",
                                                                  value="satisfied")])


@pytest.mark.parametrize(("answers", "field"), [
    ([], "answers"),
    ([{"unit_id": 999999, "dimension": "spirit", "value": "satisfied"}], "answers.0.unit_id"),
    ([{"unit_id": "UNIT", "dimension": "nope", "value": "satisfied"}], "answers.0.dimension"),
    ([{"unit_id": "UNIT", "dimension": "spirit", "value": "great"}], "answers.0.value"),
    ([{"unit_id": "UNIT", "dimension": "spirit", "value": "satisfied"},
      {"unit_id": "UNIT", "dimension": "spirit", "value": "dissatisfied"}], "answers.1"),
])
def test_bad_answers_store_nothing_and_keep_the_code(make, answers, field):
    a, _other = make.unit(), make.unit()
    rnd = setup_round(make, [a])
    _batch, codes = ratings.generate_invitations(act(), rnd, "public", 1)
    db.session.commit()
    if answers:
        answers = [{**x, "unit_id": a.id if x["unit_id"] == "UNIT" else x["unit_id"]} for x in answers]
    with pytest.raises(InvalidInput) as info:
        ratings.cast_ballot(act(), codes[0], answers_of(answers))
    assert field in info.value.fields
    db.session.rollback()
    assert db.session.scalar(select(Invitation.used_at).where(Invitation.code == codes[0])) is None
    assert db.session.scalar(select(func.count()).select_from(BallotAnswer)) == 0


@pytest.mark.parametrize(("values", "field"), [
    ({"title": ""}, "title"),
    ({"period": "2026-Q1"}, "period"),
    ({"unit_ids": []}, "unit_ids"),
    ({"unit_ids": [999999]}, "unit_ids"),
    ({"dimensions": []}, "dimensions"),
    ({"dimensions": [{"key": "Bad Key", "name": "x"}]}, "dimensions.0.key"),
    ({"groups": [{"key": "a", "name": "甲", "weight": 0}]}, "groups.0.weight"),
    ({"groups": [{"key": "a", "name": "甲", "weight": 1}, {"key": "a", "name": "乙", "weight": 1}]},
     "groups.1.key"),
])
def test_bad_round_input(make, values, field):
    unit = make.unit()
    good = {"title": "评议", "period": "2026-H1", "unit_ids": [unit.id]}
    with pytest.raises(InvalidInput) as info:
        ratings.create_round(act(), round_input({**good, **values}))
    assert field in info.value.fields


def test_archived_units_refused_and_edit_only_in_draft(make):
    unit, archived = make.unit(), make.unit()
    archived.is_archived = True
    db.session.commit()
    with pytest.raises(InvalidInput):
        ratings.create_round(act(), round_input({"title": "评议", "period": "2026",
                                                 "unit_ids": [archived.id]}))
    rnd = setup_round(make, [unit], open_it=False)
    ratings.update_round(act(), rnd, round_input({
        "title": "新标题", "period": "2026-H2", "unit_ids": [unit.id],
        "groups": [{"key": "public", "name": "社会公众", "weight": 1}]}))
    db.session.commit()
    assert rnd.title == "新标题" and [g.key for g in rnd.groups] == ["public"]
    ratings.open_round(act(), rnd)
    with pytest.raises(Conflict):
        ratings.update_round(act(), rnd, round_input({"title": "x", "period": "2026",
                                                      "unit_ids": [unit.id]}))
    with pytest.raises(Conflict):
        ratings.open_round(act(), rnd)


def test_bad_invitation_requests(make):
    rnd = setup_round(make, [make.unit()])
    for group, count, field in (("nobody", 1, "group"), ("public", 0, "count"),
                                ("public", 2001, "count")):
        with pytest.raises(InvalidInput) as info:
            ratings.generate_invitations(act(), rnd, group, count)
        assert field in info.value.fields
    batch, codes = ratings.generate_invitations(act(), rnd, "public", 3)
    batch2, _codes = ratings.generate_invitations(act(), rnd, "grassroots_cadres", 2)
    db.session.commit()
    assert (batch, batch2) == (1, 2)
    assert [(b["batch"], b["count"], b["used"]) for b in ratings.batches(rnd)] == [(1, 3, 0), (2, 2, 0)]


def test_a_code_votes_once_when_two_requests_race(app, make):
    a = make.unit()
    rnd = setup_round(make, [a])
    _batch, codes = ratings.generate_invitations(act(), rnd, "public", 1)
    db.session.commit()
    unit_id = a.id

    def vote(_client, _index):
        try:
            ratings.cast_ballot(act(), codes[0], [ratings.AnswerInput(
                unit_id=unit_id, dimension="spirit", value="satisfied")])
            db.session.commit()
            return "cast"
        except Conflict:
            db.session.rollback()
            return "conflict"

    assert sorted(race(app, 2, vote)) == ["cast", "conflict"]
    assert db.session.scalar(select(func.count()).select_from(Ballot)) == 1
    assert db.session.scalar(select(func.count()).select_from(BallotAnswer)) == 1
