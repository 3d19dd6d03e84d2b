"""Demo data, apart from the domain: the bureau of seed 003 and a history in every area.

``tracker demo`` calls ``load_all``; running it again changes nothing. Each
module adds its records through the services, once:

- ``bureau``: units, leaders and one user per role (``PASSWORD``, ``logins``);
- ``plan``: the plan of seed 003, its responsibility list and ledger history;
- ``complaints``, ``notices``: complaints, inspections and notices in every state;
- ``cadence``: past weekly rounds, bulletins and liaison checks;
- ``ratings``, ``assessments``: rating rounds, special assessments, innovations;
- ``accountability``: flags in every state, from everything before.
"""

from __future__ import annotations

from datetime import date

from tracker import clock
from tracker.demo import accountability, assessments, bureau, cadence, complaints, notices, plan, ratings
from tracker.demo.bureau import PASSWORD, logins
from tracker.services import audit

__all__ = ["PASSWORD", "load", "load_all", "logins"]


def load(actor: audit.Actor) -> bool:
    """Create the demo bureau and its plan; return False (changing nothing) if the bureau is there."""
    if not bureau.load(actor):
        return False
    plan.load_plan(actor, actor.now.astimezone(clock.zone()).date())
    return True


def load_all(actor: audit.Actor, today: date) -> bool:
    """Load the bureau, its plan and every area's history; return whether anything was added."""
    created = load(actor)
    # complaints and notices come before the rounds and bulletins that report on them;
    # flags last, from everything before
    for module in (complaints, notices, cadence, ratings, assessments, accountability):
        created = module.load(actor, today) or created
    return created
