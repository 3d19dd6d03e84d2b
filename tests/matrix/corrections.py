"""Access-matrix rows of the correction of a ledger report (services/ledger.py ``correct``).

The world's report is the unit_head's, 40 %, on a task of the department (the
unit_head's and unit_member's unit). The office corrects it first; the report is
then superseded, so the unit_head meets a conflict (409); a unit member reports
through drafts and may not correct (403), nor may the readers.
"""

from __future__ import annotations

from datetime import timedelta

from tracker import clock
from tracker.extensions import db
from tracker.services import ledger

ANONYMOUS = "anonymous"
ROLES = ("admin", "office", "leader", "unit_head", "unit_member")
EVERYONE = (ANONYMOUS, *ROLES)
FORBIDDEN, CONFLICT = 403, 409
TO_LOGIN = (302, "/login")
TO_TASK = (302, "/tasks/<int:task_id>")
RULE = "/tasks/<int:task_id>/entries/<int:entry_id>/correct"


def row(anonymous, admin, office, leader, unit_head, unit_member) -> dict:
    return dict(zip(EVERYONE, (anonymous, admin, office, leader, unit_head, unit_member), strict=True))


WEB_ROWS = {("POST", RULE): row(TO_LOGIN, FORBIDDEN, TO_TASK, FORBIDDEN, CONFLICT, FORBIDDEN)}
API_ROWS = {("POST", f"/api/v1{RULE}"): row(401, 403, 201, 403, 409, 403)}


def build(world, make) -> None:
    from flask import current_app

    today = clock.today()
    task = make.task(world.plan.measures[0], unit=world.department, starts_on=today - timedelta(days=5),
                     due_on=today + timedelta(days=25))
    entry = ledger.add_entry(make.actor(world.users["unit_head"]), task, percent=40, narrative="完成摸底",
                             upload_folder=current_app.config["UPLOAD_FOLDER"])
    db.session.flush()
    world.extra.update(correct_task=task.id, correct_entry=entry.id)


def _ids(world, key):
    if key[1] in (RULE, f"/api/v1{RULE}"):
        return {**world.ids, "task_id": world.extra["correct_task"], "entry_id": world.extra["correct_entry"]}
    return None


def web_ids(world, key):
    return _ids(world, key) if key in WEB_ROWS else None


def api_ids(world, key):
    return _ids(world, key) if key in API_ROWS else None


def web_body(world, key):
    return {"percent": "45", "narrative": "完成摸底并建档"} if key in WEB_ROWS else None


def api_options(world, key):
    return {"json": {"percent": 45, "narrative": "完成摸底并建档"}} if key in API_ROWS else None
