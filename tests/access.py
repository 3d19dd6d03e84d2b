"""Shared by the access-matrix and bad-input tests: who acts, on what, and what is stored."""

from __future__ import annotations

import io
import re
from dataclasses import dataclass
from datetime import timedelta

import pytest
from flask import current_app
from sqlalchemy import func, select

from tests import matrix
from tracker import clock
from tracker.extensions import db
from tracker.models import (
    ApiToken,
    AuditEvent,
    EvidenceFile,
    Finding,
    Plan,
    Setting,
    Task,
    Unit,
    User,
)
from tracker.services import bulletins, ledger, periods, supervision

ANONYMOUS = "anonymous"
ROLES = ("admin", "office", "leader", "unit_head", "unit_member")
EVERYONE = (ANONYMOUS, *ROLES)

HOSTILE_SCRIPT = "<script>alert(1)</script>"
HOSTILE_SQL = "'; DROP TABLE units; --"
CONTROL_CHARACTERS = ("\x00", "\x07")
PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


@dataclass
class World:
    """One acting user per role, and real rows for every id a route takes."""

    users: dict[str, User]
    unit: Unit  # a school the department liaises for
    department: Unit  # the unit of the unit_head and unit_member
    target: User  # a unit member nobody acts as
    plan: Plan  # active
    draft_plan: Plan  # a draft with one task: ready to be activated
    task: Task  # of the department, its latest report claiming 100 % with a PDF
    ids: dict[str, int]
    extra: dict  # the round's week, last month's period, the approved and published bulletins


def build_world(make) -> World:
    """Make a small organisation with one user of every role and a plan under way."""
    department = make.unit(kind="department", peer_group="departments")
    school = make.unit(kind="school", peer_group="primary_schools", liaison_unit_id=department.id)
    users = {
        "admin": make.user("admin"),
        "office": make.user("office"),
        "leader": make.user("leader"),
        "unit_head": make.user("unit_head", unit=department),
        "unit_member": make.user("unit_member", unit=department),
    }
    target = make.user("unit_member", unit=school)
    today = clock.today()
    plan = make.plan(status="active")
    measure = make.measure(plan)
    task = make.task(measure, unit=department, starts_on=today - timedelta(days=10),
                     due_on=today + timedelta(days=20))
    ledger.add_entry(make.actor(users["unit_head"]), task, percent=100, narrative="已完成",
                     files=[ledger.Upload(io.BytesIO(PDF), "佐证.pdf")],
                     upload_folder=current_app.config["UPLOAD_FOLDER"])
    db.session.commit()
    draft_plan = make.plan(status="draft", title="草案")
    make.task(make.measure(draft_plan), unit=department)
    evidence = db.session.scalar(select(EvidenceFile.id).where(EvidenceFile.task_id == task.id))
    # a round of last week with one finding: a task of the department never reported on
    make.task(measure, unit=department, starts_on=today - timedelta(days=40),
              due_on=today - timedelta(days=20))
    office = make.actor(users["office"])
    week = supervision.last_full_week(today)
    rnd, _created = supervision.start_round(office, week)
    finding = db.session.scalar(select(Finding.id).where(Finding.round_id == rnd.id))
    # bulletins of last month: a draft, one approved, one published (and one returned to the office)
    period = periods.previous_period("monthly", today)
    draft, _created = bulletins.generate(office, "monthly", period.key)
    approved, _created = bulletins.generate(office, "quarterly", f"{today.year - 1}-Q4")
    bulletins.approve(make.actor(users["leader"]), approved)
    published, _created = bulletins.generate(office, "half_year", f"{today.year - 1}-H2")
    bulletins.approve(make.actor(users["leader"]), published)
    bulletins.publish(office, published, today.year)
    returned, _created = bulletins.generate(office, "quarterly", f"{today.year - 1}-Q3")
    bulletins.return_to_office(make.actor(users["leader"]), returned, "请补充说明")
    db.session.commit()
    ids = {"unit_id": school.id, "user_id": target.id, "plan_id": plan.id,
           "measure_id": measure.id, "task_id": task.id, "file_id": evidence,
           "round_id": rnd.id, "finding_id": finding, "bulletin_id": draft.id,
           "school_id": school.id}
    extra = {"week_start": week.isoformat(), "period": period.key,
             "approved_id": approved.id, "published_id": published.id, "returned_id": returned.id}
    world = World(users=users, unit=school, department=department, target=target, plan=plan,
                  draft_plan=draft_plan, task=task, ids=ids, extra=extra)
    matrix.build(world, make)
    db.session.commit()
    return world


@dataclass(frozen=True)
class WorldHandles:
    """A built :class:`World` as ids and plain values, kept between tests (tests/worlds.py)."""

    users: dict[str, int]
    unit: int
    department: int
    target: int
    plan: int
    draft_plan: int
    task: int
    ids: dict[str, int]
    extra: dict


def world_handles(make) -> WorldHandles:
    """Build the world (``build_world``) and return its handles: the template of ``access_world``."""
    world = build_world(make)
    return WorldHandles(users={role: user.id for role, user in world.users.items()},
                        unit=world.unit.id, department=world.department.id, target=world.target.id,
                        plan=world.plan.id, draft_plan=world.draft_plan.id, task=world.task.id,
                        ids=world.ids, extra=world.extra)


def load_world(handles: WorldHandles) -> World:
    """Return the world of ``handles`` loaded in the current session."""

    def get(model, id_):
        row = db.session.get(model, id_)
        if row is None:
            raise LookupError(f"the world's {model.__name__} {id_} is not in the test's database")
        return row

    return World(users={role: get(User, id_) for role, id_ in handles.users.items()},
                 unit=get(Unit, handles.unit), department=get(Unit, handles.department),
                 target=get(User, handles.target), plan=get(Plan, handles.plan),
                 draft_plan=get(Plan, handles.draft_plan), task=get(Task, handles.task),
                 ids=handles.ids, extra=handles.extra)


def matrix_params(keys) -> list:
    """Parametrize (method, rule) pairs with readable ids."""
    return [pytest.param(method, rule, id=f"{method} {rule}") for method, rule in keys]


def html_routes(app, *, all_methods: bool = False) -> set[tuple[str, str]]:
    """Return (method, rule) of every HTML route: GET if it answers GET, else its methods."""
    found = set()
    for rule in app.url_map.iter_rules():
        if rule.endpoint in ("static", "bootstrap.static") or rule.rule.startswith("/api/"):
            continue
        methods = rule.methods - {"HEAD", "OPTIONS"}
        for method in ["GET"] if "GET" in methods and not all_methods else sorted(methods):
            found.add((method, rule.rule))
    return found


def fill(rule: str, ids: dict[str, int]) -> str:
    """Return ``rule`` with each ``<converter:name>`` replaced by ``ids[name]``."""

    def replace(match: re.Match) -> str:
        name = match.group(1)
        if name not in ids:
            raise LookupError(f"{rule}: make a row for <{name}> in build_world (tests/access.py)")
        return str(ids[name])

    return re.sub(r"<(?:\w+:)?(\w+)>", replace, rule)


def path_for(world: World, kind: str, method: str, rule: str) -> str:
    """Fill ``rule`` with the ids its area chose (``web_ids``/``api_ids``), else the world's."""
    ids = (matrix.first(f"{kind}_ids", world, (method, rule))
           or matrix.first(f"{kind}_ids", world, ("GET", rule)) or world.ids)
    return fill(rule, ids)


def sample_roles(expected: dict, allowed) -> list[str]:
    """Return the first role ``allowed(status)`` lets through and the first it does not."""
    let_in = [who for who in ROLES if allowed(expected[who])]
    kept_out = [who for who in ROLES if not allowed(expected[who])]
    return let_in[:1] + kept_out[:1]


def unknown_ids(rule: str) -> str:
    """Return ``rule`` with every argument an id no row has."""
    return re.sub(r"<(?:\w+:)?\w+>", "999999", rule)


def stored_counts() -> dict[str, int]:
    """Count the committed rows that bad input must never add to.

    The test client's requests share the test's app context, and so its
    session: roll back first so that only what a request committed counts.
    """
    db.session.rollback()
    return {model.__name__: db.session.scalar(select(func.count()).select_from(model))
            for model in (Unit, User, AuditEvent, ApiToken, Setting)}
