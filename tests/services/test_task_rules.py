"""Rules a task keeps whatever changes it: dates vs milestones, the owner person, co-units, its plan."""

from datetime import date

import pytest
from sqlalchemy import func, select

from tracker.extensions import db
from tracker.models import Task
from tracker.services import ledger, organisation, plans
from tracker.services.errors import Conflict, InvalidInput


def fields(caught) -> set[str]:
    return set(caught.value.fields)


def test_moving_the_dates_past_an_existing_milestone_is_refused(make):
    task = make.task(milestones=[{"on": "2026-10-20", "percent": 50}])
    with pytest.raises(InvalidInput) as caught:
        plans.update_task(make.actor(), task, plans.TaskChange(due_on=date(2026, 10, 15)))
    assert fields(caught) == {"milestones"}
    db.session.rollback()
    assert task.due_on == date(2026, 10, 31)
    # moving the milestone along with the date is fine
    plans.update_task(make.actor(), task, plans.TaskChange(
        due_on=date(2026, 10, 15), milestones=[plans.MilestoneInput(on=date(2026, 10, 10), percent=50)]))
    assert task.due_on == date(2026, 10, 15) and task.milestones[0].on == date(2026, 10, 10)


def test_the_owner_person_must_work_in_the_owner_unit(make):
    school, other = make.unit(), make.unit()
    stranger = make.user("unit_head", unit=other)
    with pytest.raises(InvalidInput) as caught:
        make.task(unit=school, owner_user_id=stranger.id)
    assert fields(caught) == {"owner_user_id"}
    db.session.rollback()
    task = make.task(unit=school, owner_user_id=make.user("unit_head", unit=school).id)
    with pytest.raises(InvalidInput) as caught:
        plans.update_task(make.actor(), task, plans.TaskChange(owner_user_id=stranger.id))
    assert fields(caught) == {"owner_user_id"}


def test_an_archived_unit_cannot_become_a_co_unit(make):
    archived = make.unit()
    organisation.set_unit_archived(make.actor(), archived, True)
    with pytest.raises(InvalidInput) as caught:
        make.task(co_unit_ids=[archived.id])
    assert fields(caught) == {"co_unit_ids"}


def test_a_task_cannot_move_to_another_plan(make):
    task = make.task()
    elsewhere = make.measure(make.plan(title="另一个方案"))
    with pytest.raises(InvalidInput) as caught:
        plans.update_task(make.actor(), task, plans.TaskChange(measure_id=elsewhere.id))
    assert fields(caught) == {"measure_id"}
    sibling = make.measure(task.measure.plan, heading="change_conduct", title="同一方案的措施")
    plans.update_task(make.actor(), task, plans.TaskChange(measure_id=sibling.id))
    assert task.measure_id == sibling.id


def test_a_closed_plan_takes_no_verification(make, tmp_path):
    head_unit = make.unit()
    head = make.user("unit_head", unit=head_unit)
    task = make.task(unit=head_unit, recurrence="weekly")
    ledger.add_entry(make.actor(head), task, percent=100, narrative="完成", files=[],
                     upload_folder=str(tmp_path), reported_on=date(2026, 10, 20), may_backdate=True)
    plans.set_plan_status(make.actor(), task.plan, "closed")
    db.session.commit()
    tasks_before = db.session.scalar(select(func.count(Task.id)))
    with pytest.raises(Conflict):
        ledger.verify(make.actor(make.user("office")), task, accept=True, on=date(2026, 10, 21))
    assert task.verified_on is None and db.session.scalar(select(func.count(Task.id))) == tasks_before


# The rules across a task's fields, as pure functions ---------------------------

START, DUE = date(2026, 10, 1), date(2026, 10, 31)  # a task of October 2026
BEFORE_START = "The due date is before the start date."
BAD_WEIGHT = "Enter a weight above 0 and at most 100."
OUTSIDE = "A milestone would lie outside the new dates: change the milestones too."


def day(n: int, month: int = 10) -> date:
    return date(2026, month, n)


def ms(*items) -> list[plans.MilestoneInput]:
    """Milestones from (day of October, percent[, title])."""
    return [plans.MilestoneInput(on=day(item[0]), percent=item[1],
                                 title=item[2] if len(item) > 2 else None) for item in items]


@pytest.mark.parametrize(("starts_on", "due_on", "expected"), [
    (START, DUE, None),
    (START, START, None),  # a task of one day
    (day(2), day(1), BEFORE_START),
    (DUE, START, BEFORE_START),
    (None, START, None),  # a date not known yet (a row whose other date is unreadable)
    (START, None, None),
])
def test_dates_rule(starts_on, due_on, expected):
    assert plans.dates_error(starts_on, due_on) == expected


@pytest.mark.parametrize(("weight", "expected"), [
    (1.0, None), (0.01, None), (100.0, None), (2.5, None),
    (0.0, BAD_WEIGHT), (-1.0, BAD_WEIGHT), (100.5, BAD_WEIGHT),
    (float("nan"), BAD_WEIGHT), (float("inf"), BAD_WEIGHT),
])
def test_weight_rule(weight, expected):
    assert plans.weight_error(weight) == expected


@pytest.mark.parametrize(("milestones", "starts_on", "due_on", "expected"), [
    ([], START, DUE, None),
    (ms((10, 30, "梳理"), (20, 60)), START, DUE, None),
    (ms((20, 60), (10, 30)), START, DUE, None),  # given in any order: compared by date
    (ms((1, 0), (31, 100)), START, DUE, None),  # on the task's first and last days
    (ms((10, 30, "x" * 200)), START, DUE, None),
    (ms((10, 101)), START, DUE, "Milestone 1: the percent is a whole number from 0 to 100."),
    (ms((10, 30), (20, -1)), START, DUE, "Milestone 2: the percent is a whole number from 0 to 100."),
    (ms((10, 30, "x" * 201)), START, DUE, "Milestone 1: the title is at most 200 characters."),
    (ms((10, 30, "铃\x07")), START, DUE, "Milestone 1: the title is at most 200 characters."),
    ([plans.MilestoneInput(on=date(2026, 9, 30), percent=10)], START, DUE,
     "Milestone 1 lies outside the task's dates."),
    (ms((10, 30), (20, 60)), START, day(15), "Milestone 2 lies outside the task's dates."),
    ([plans.MilestoneInput(on=date(2026, 11, 1), percent=10)], None, DUE, None),  # start unknown
    (ms((10, 30), (10, 40)), START, DUE, "Two milestones share the date 2026-10-10."),
    (ms((10, 30, "甲"), (10, 30)), START, DUE, "Two milestones share the date 2026-10-10."),
    (ms((10, 50), (20, 40)), START, DUE, "Milestone percents must increase with their dates."),
    (ms((10, 50), (20, 50)), START, DUE, "Milestone percents must increase with their dates."),
])
def test_milestones_rule(milestones, starts_on, due_on, expected):
    assert plans.milestones_error(milestones, starts_on, due_on) == expected


@pytest.mark.parametrize(("kept", "starts_on", "due_on", "expected"), [
    ([], START, day(15), None),
    ([day(20)], START, DUE, None),
    ([day(20)], START, day(20), None),
    ([day(20)], START, day(15), OUTSIDE),
    ([day(5), day(20)], day(6), DUE, OUTSIDE),
    ([day(20)], None, day(15), None),
])
def test_kept_milestones_rule(kept, starts_on, due_on, expected):
    assert plans.kept_milestones_error(kept, starts_on, due_on) == expected
