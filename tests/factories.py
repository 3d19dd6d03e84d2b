"""Factories that build records through the real services."""

from __future__ import annotations

import itertools
from datetime import UTC, date, datetime

from werkzeug.security import generate_password_hash

from tracker.extensions import db
from tracker.models import Unit, User
from tracker.services import organisation
from tracker.services.audit import Actor

PASSWORD = "Secret-pass-1"
_sequence = itertools.count(1)
_hash = None


def _password_hash() -> str:
    global _hash
    if _hash is None:
        # The product hashes with scrypt, slow on purpose; the shared test password uses a
        # cheap method that check_password_hash reads from the hash itself, so the thousands
        # of log-ins of the suite stay fast.
        _hash = generate_password_hash(PASSWORD, method="pbkdf2:sha256:1000")
    return _hash


def _day(value):
    return date.fromisoformat(value) if isinstance(value, str) else value


def task_fields(values: dict) -> dict:
    """A task's fields as tests write them (dates as text, milestones as dicts), typed."""
    from tracker.services.plans import MilestoneInput

    typed = dict(values)
    for field in ("starts_on", "due_on"):
        if field in typed:
            typed[field] = _day(typed[field])
    if "milestones" in typed:
        typed["milestones"] = [MilestoneInput(on=_day(m["on"]), percent=m["percent"],
                                              title=m.get("title")) for m in typed["milestones"]]
    return typed


def complaint_input(**values):
    """A complaint as tests write it (codes and dates as text), typed."""
    from tracker.models import ComplaintCategory, ComplaintChannel
    from tracker.services.complaints import ComplaintInput

    typed = dict(values)
    typed["category"] = ComplaintCategory(typed["category"])
    if "channel" in typed:
        typed["channel"] = ComplaintChannel(typed["channel"])
    for field in ("happened_on", "on"):
        if field in typed:
            typed[field] = _day(typed[field])
    return ComplaintInput(**typed)


def notice_input(**values):
    """A notice to issue as tests write it (the source as a code, dates as text), typed."""
    from tracker.models import NoticeSource
    from tracker.services.notices import NoticeInput

    typed = dict(values)
    typed["source_type"] = NoticeSource(typed["source_type"])
    typed["due_on"] = _day(typed["due_on"])
    return NoticeInput(**typed)


def inspection_input(**values):
    """An inspection as tests write it (dates as text), typed."""
    from tracker.services.notices import InspectionInput

    return InspectionInput(**{**values, "inspected_on": _day(values["inspected_on"])})


class Factories:
    """Make units and users; every call commits so the HTTP client sees them."""

    def actor(self, user: User | None = None) -> Actor:
        return Actor(user, "127.0.0.1", datetime.now(UTC))

    def unit(self, **values) -> Unit:
        number = next(_sequence)
        values.setdefault("name", f"测试单位{number}")
        values.setdefault("kind", "school")
        values.setdefault("peer_group", "primary_schools")
        unit = organisation.create_unit(self.actor(), **values)
        db.session.commit()
        return unit

    def user(self, role: str = "unit_head", unit: Unit | None = None, **values) -> User:
        number = next(_sequence)
        if role in ("unit_head", "unit_member") and unit is None:
            unit = self.unit()
        values.setdefault("username", f"user{number}")
        values.setdefault("display_name", f"测试用户{number}")
        user = organisation.create_user(
            self.actor(), role=role, unit_id=unit.id if unit else None,
            password_hash=_password_hash(), **values)
        db.session.commit()
        return user

    # Plans and the ledger ------------------------------------------------------

    def plan(self, status: str = "active", **values):
        from tracker.services import plans

        values.setdefault("title", "深化机关作风整顿实施方案")
        values.setdefault("year", 2026)
        plan = plans.create_plan(self.actor(), plans.PlanInput(**values))
        db.session.flush()
        plan.status = status  # tests set the state directly; the lifecycle has its own tests
        db.session.commit()
        return plan

    def measure(self, plan=None, heading: str = "build_system", title: str = "构建工作责任体系"):
        from tracker.services import plans

        measure = plans.create_measure(self.actor(), plan or self.plan(), heading=heading,
                                       title=title)
        db.session.commit()
        return measure

    def task(self, measure=None, unit=None, **values):
        from tracker.services import plans

        measure = measure or self.measure()
        values.setdefault("title", f"任务{next(_sequence)}")
        values.setdefault("standard", "按期完成并提交佐证材料")
        values.setdefault("starts_on", "2026-10-01")
        values.setdefault("due_on", "2026-10-31")
        task = plans.create_task(self.actor(), plans.TaskInput(
            measure_id=measure.id, owner_unit_id=(unit or self.unit()).id, **task_fields(values)))
        db.session.commit()
        return task

    def entry(self, task, percent: int, on, narrative: str = "按计划推进"):
        """Append a ledger entry dated ``on`` (as the office bringing in a paper ledger)."""
        from tracker.models import LedgerEntry

        entry = LedgerEntry(task_id=task.id, percent=percent, narrative=narrative,
                            reported_on=_day(on),
                            created_at=datetime.now(UTC))
        db.session.add(entry)
        db.session.commit()
        return entry
