"""The fault tests' world: a bureau with a plan under way and an open rating round with ballots.

Built once a run (tests/worlds.py); each test gets a copy of its database.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

from tests import worlds
from tracker import clock
from tracker.extensions import db
from tracker.models import RatingRound
from tracker.services import ratings

TASKS = 40  # a quarter of them overdue and never reported on: a round has findings
BALLOTS = 8


@dataclass(frozen=True)
class FaultsWorld:
    """Ids and names only: the tests talk to the server, and read the database by id."""

    office: int
    leader: int
    unit_head: int
    department: str  # its name, as a responsibility list names a unit
    plan: int
    tasks: int  # in the plan
    rating_round: int  # open, with BALLOTS ballots cast
    ballots: int


def build(make) -> FaultsWorld:
    department = make.unit(kind="department", peer_group="departments")
    schools = [make.unit(kind="school", peer_group="primary_schools") for _n in range(3)]
    office, leader = make.user("office"), make.user("leader")
    head = make.user("unit_head", unit=department)
    today = clock.today()
    plan = make.plan(status="active")
    measure = make.measure(plan)
    for n in range(TASKS):
        unit = (department, *schools)[n % 4]
        if n % 4 == 0:  # overdue, never reported on
            make.task(measure, unit=unit, starts_on=today - timedelta(days=60),
                      due_on=today - timedelta(days=30))
            continue
        task = make.task(measure, unit=unit, starts_on=today - timedelta(days=20),
                         due_on=today + timedelta(days=40 + n))
        make.entry(task, 10 + n, today - timedelta(days=n % 7))
    as_office = make.actor(office)
    rnd = ratings.create_round(as_office, ratings.RoundInput(
        title="故障演练评议", period=f"{today.year}-H1", unit_ids=[u.id for u in (department, *schools)]))
    db.session.flush()
    _batch, codes = ratings.generate_invitations(as_office, rnd, "service_recipients", BALLOTS)
    ratings.open_round(as_office, rnd)
    dimensions = [d.key for d in rnd.dimensions]
    for index, code in enumerate(codes):
        ratings.cast_ballot(make.actor(), code, [
            ratings.AnswerInput(unit_id=unit.id, dimension=key,
                                value=("satisfied", "fairly_satisfied", "dissatisfied")[
                                    (index + position) % 3])
            for position, unit in enumerate((department, *schools)) for key in dimensions])
    db.session.commit()
    assert db.session.get(RatingRound, rnd.id).status == "open"
    return FaultsWorld(office=office.id, leader=leader.id, unit_head=head.id, department=department.name,
                       plan=plan.id, tasks=TASKS, rating_round=rnd.id, ballots=BALLOTS)


def load(handles: FaultsWorld) -> FaultsWorld:
    return handles


faults_world = worlds.world_fixture("faults_world", build=build, load=load)
