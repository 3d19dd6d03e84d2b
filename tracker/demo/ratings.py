"""Demo data: rating rounds 作风评议 (loaded by `tracker demo`, once).

Two closed rounds (the two half-years before today's) with published
results, and one open round of the current half-year with printable codes,
some used. 西郊初级中学 is last among the middle schools in both closed rounds
(so 长期靠后 can fire), 安全股 has 25 % dissatisfied answers in the later one
(意见较大), and 河西乡中心幼儿园 gets too few ballots to be ranked.
Ballots go in with bulk inserts: the demo stays fast.
"""

from __future__ import annotations

import random
from dataclasses import replace
from datetime import date, datetime, time, timedelta

from sqlalchemy import insert, select, update

from tracker import clock
from tracker.extensions import db
from tracker.models import BALLOT_VALUES, Ballot, BallotAnswer, Invitation, RatingRound, Unit
from tracker.services import audit, ratings

LOW = "西郊初级中学"
DISSENT = "安全股"
FEW = "河西乡中心幼儿园"
VALUES = list(BALLOT_VALUES.values())  # 100, 80, 60, 0
# (group key, ballots in a closed round)
BALLOTS = (("service_recipients", 30), ("grassroots_cadres", 14), ("public", 14))


def _half(day: date) -> tuple[int, int]:
    return day.year, 1 if day.month <= 6 else 2


def _previous(year: int, half: int) -> tuple[int, int]:
    return (year, 1) if half == 2 else (year - 1, 2)


def _start(year: int, half: int) -> date:
    return date(year, 1 if half == 1 else 7, 1)


def _at(day: date, hour: int = 9) -> datetime:
    return datetime.combine(day, time(hour, 0), tzinfo=clock.zone())


def _value(rng: random.Random, unit: Unit, ballot_index: int, later: bool) -> int:
    if unit.name == LOW:  # mostly 基本满意, one in ten 不满意
        return 0 if ballot_index % 10 == 0 else 60
    if unit.name == DISSENT and later:  # exactly one answer in four 不满意
        return 0 if ballot_index % 4 == 0 else 100
    return rng.choices(VALUES, weights=(50, 34, 13, 3))[0]


def _cast(actor: audit.Actor, rnd: RatingRound, counts, rng: random.Random, *, later: bool,
          cast_at: datetime) -> int:
    """Make codes for each group and cast ``n`` ballots with them (bulk); return the ballots."""
    units = list(rnd.units)
    total = 0
    for group_key, n_used, n_codes in counts:
        _batch, codes = ratings.generate_invitations(actor, rnd, group_key, n_codes)
        if not n_used:
            continue
        invitations = db.session.execute(select(Invitation.id, Invitation.group_id).where(
            Invitation.code.in_(codes[:n_used])).order_by(Invitation.id)).all()
        db.session.execute(update(Invitation).where(Invitation.id.in_([i.id for i in invitations]))
                           .values(used_at=cast_at))
        ballot_ids = db.session.scalars(insert(Ballot).returning(Ballot.id), [
            {"round_id": rnd.id, "group_id": i.group_id, "invitation_id": i.id,
             "cast_at": cast_at + timedelta(minutes=index)} for index, i in enumerate(invitations)]).all()
        answers = []
        for index, ballot_id in enumerate(ballot_ids):
            number = total + index
            for unit in units:
                if unit.name == FEW and number % 9:  # about 6 ballots of the round rate it
                    continue
                for dimension in rnd.dimensions:
                    answers.append({"ballot_id": ballot_id, "unit_id": unit.id,
                                    "dimension_id": dimension.id,
                                    "value": _value(rng, unit, number, later)})
        db.session.execute(insert(BallotAnswer), answers)
        total += len(ballot_ids)
    audit.record(actor, "rating_round.demo_ballots", rnd, {"ballots": [None, total]})
    return total


def load(actor: audit.Actor, today: date) -> bool:
    """Add the demo records once; return whether anything was added."""
    if db.session.scalar(select(RatingRound.id).limit(1)) is not None:
        return False
    units = db.session.scalars(select(Unit).where(
        Unit.is_archived.is_(False), Unit.peer_group.is_not(None), Unit.kind != "office")
        .order_by(Unit.id)).all()
    if not units:
        return False
    unit_ids = [u.id for u in units]
    rng = random.Random(20260601)
    current = _half(today)
    later = _previous(*current)
    earlier = _previous(*later)
    for (year, half), is_later in ((earlier, False), (later, True)):
        start = _start(year, half)
        period = f"{year}-H{half}"
        title = f"{year}年{'上' if half == 1 else '下'}半年机关作风评议"
        opened = start + timedelta(days=140)
        closed = start + timedelta(days=175)
        rnd = ratings.create_round(replace(actor, now=_at(opened - timedelta(days=7))),
                                   ratings.RoundInput(title=title, period=period, unit_ids=unit_ids))
        ratings.open_round(replace(actor, now=_at(opened)), rnd)
        _cast(replace(actor, now=_at(opened)), rnd, [(key, n, n) for key, n in BALLOTS], rng,
              later=is_later, cast_at=_at(opened + timedelta(days=3), 10))
        ratings.close(replace(actor, now=_at(closed, 17)), rnd)
        ratings.publish_results(replace(actor, now=_at(closed + timedelta(days=2))), rnd)
    # the current half-year's round: open, with slips to print and a few ballots in
    year, half = current
    start = max(_start(year, half), today - timedelta(days=20))
    rnd = ratings.create_round(replace(actor, now=_at(start)), ratings.RoundInput(
        title=f"{year}年{'上' if half == 1 else '下'}半年机关作风评议", period=f"{year}-H{half}",
        unit_ids=unit_ids))
    ratings.open_round(replace(actor, now=_at(start + timedelta(days=1))), rnd)
    _cast(replace(actor, now=_at(start + timedelta(days=1))), rnd,
          [("service_recipients", 8, 40), ("grassroots_cadres", 4, 20), ("public", 3, 20)], rng,
          later=True, cast_at=_at(start + timedelta(days=2), 11))
    db.session.flush()
    return True
