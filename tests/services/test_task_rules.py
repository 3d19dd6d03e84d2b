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
        plans.update_task(make.actor(), task, due_on="2026-10-15")
    assert fields(caught) == {"milestones"}
    db.session.rollback()
    assert task.due_on == date(2026, 10, 31)
    # moving the milestone along with the date is fine
    plans.update_task(make.actor(), task, due_on="2026-10-15",
                      milestones=[{"on": "2026-10-10", "percent": 50}])
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
        plans.update_task(make.actor(), task, owner_user_id=stranger.id)
    assert fields(caught) == {"owner_user_id"}


@pytest.mark.parametrize("value", ["3", 7, {"id": 1}, [True], ["1"]])
def test_co_units_that_are_not_a_list_of_ids_are_a_400(make, value):
    with pytest.raises(InvalidInput) as caught:
        make.task(co_unit_ids=value)
    assert fields(caught) == {"co_unit_ids"}


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
        plans.update_task(make.actor(), task, measure_id=elsewhere.id)
    assert fields(caught) == {"measure_id"}
    sibling = make.measure(task.measure.plan, heading="change_conduct", title="同一方案的措施")
    plans.update_task(make.actor(), task, measure_id=sibling.id)
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
