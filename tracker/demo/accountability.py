"""Demo data: accountability flags in every state (loaded by `tracker demo`, last, once).

The rules run over the demo records loaded before (two closed rating rounds,
the assessments, overdue notices and tasks); the flags they raise are then
moved through the workflow: one under review, one decided by the bureau's head
王东塾, one exempted with a written justification (容错免责), one with an
exemption awaiting approval, and the rest left raised.
"""

from __future__ import annotations

from datetime import date, timedelta

from sqlalchemy import select

from tracker.extensions import db
from tracker.models import Flag, FlagEvent, User
from tracker.services import accountability, audit

JUSTIFICATION = ("该单位在推进改革探索中先行先试，出现的问题属于无先例可循的失误，"
                 "未谋取私利，且已主动纠错、及时挽回影响，符合容错免责情形。")


def _actor(actor: audit.Actor, username: str, minutes: int) -> audit.Actor | None:
    user = db.session.scalar(select(User).where(User.username == username))
    if user is None:
        return None
    return audit.Actor(user, actor.ip, actor.now + timedelta(minutes=minutes))


def load(actor: audit.Actor, today: date) -> bool:
    """Add the demo records once; return whether anything was added."""
    if db.session.scalar(select(FlagEvent.id).where(FlagEvent.action != "raise").limit(1)) is not None:
        return False
    office = _actor(actor, "office", 1)
    leader = _actor(actor, "wangdongshu", 2)
    if office is None or leader is None:
        return False
    # closing the rounds and entering the assessments raised flags already
    accountability.evaluate(office, today)
    raised = db.session.scalars(select(Flag).where(Flag.status == "raised").order_by(Flag.id)).all()
    if not raised:
        return False
    # spread the steps over the rules: the first flag of each rule, then the others
    seen: set[str] = set()
    ordered = [f for f in raised if not (f.rule in seen or seen.add(f.rule))]
    ordered += [f for f in raised if f not in ordered]
    steps = ["under_review", "decided", "exempted", "proposed"]
    for flag, step in zip(ordered, steps, strict=False):
        accountability.review(office, flag, "证据属实，建议按规定处理。")
        if step == "decided":
            accountability.decide(leader, flag, action="interview",
                                  reasons="经核实，情况属实。由分管领导对单位主要负责人进行约谈，限期整改并书面报告。")
        elif step in ("exempted", "proposed"):
            accountability.exempt(office, flag, JUSTIFICATION)
            if step == "exempted":
                accountability.exempt(leader, flag, "同意容错免责。")
    db.session.flush()
    return True
