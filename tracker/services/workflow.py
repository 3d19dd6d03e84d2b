"""Workflows: one transition table each, and every step a compare-and-set.

A workflow (complaints, notices, flags) declares its steps once — which
states a step may start from, which state it leads to, what the user is told
when it may not — and its service moves a record with :func:`move`. The move
changes the status in the database only if it is still what the service read
(``UPDATE … WHERE id = :id AND status = :read``): of two requests that race for
the same step, exactly one wins; the other gets a :class:`Conflict` (409), and
its whole unit of work is rolled back. The step's event is written with the
same values, so the history is the state's only story (docs/architecture.md,
"Workflows").
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from flask_babel import lazy_gettext as _l
from sqlalchemy import update
from sqlalchemy.orm.attributes import set_committed_value

from tracker.extensions import db
from tracker.services import audit
from tracker.services.errors import Conflict

RACE_LOST = _l("Someone else changed this at the same moment. Please reload the page and try again.")


@dataclass(frozen=True)
class Step:
    sources: tuple[str, ...]  # the states the step may start from
    target: str | None  # the state it leads to; None: the state stays
    refusal: Any = None  # what the user is told otherwise (default: the workflow's)


@dataclass(frozen=True)
class Workflow:
    name: str  # the audit's prefix: "complaint", "notice", "flag"
    event: type  # the event model (WorkflowEventMixin)
    steps: Mapping[str, Step]
    refusal: Any  # a callable (record) -> message, or a message

    def allows(self, record, action: str) -> bool:
        return record.status in self.steps[action].sources

    def open_steps(self, record) -> frozenset[str]:
        """The steps that may start from the record's state (pages show their buttons from it)."""
        return frozenset(action for action in self.steps if self.allows(record, action))

    def require(self, record, action: str) -> None:
        """Raise :class:`Conflict` unless ``action`` may start from the record's state."""
        if not self.allows(record, action):
            refusal = self.steps[action].refusal or self.refusal
            raise Conflict(str(refusal(record) if callable(refusal) else refusal))

    def move(self, actor: audit.Actor, record, action: str, *, at=None, changes: dict | None = None,
             **event_values):
        """Take ``action`` on ``record``: check, compare-and-set its status, write event and audit."""
        self.require(record, action)
        before = record.status
        after = self.steps[action].target or before
        claim(record, before, after)
        event = self.event(action=action, from_status=before, to_status=after, at=at or actor.now,
                           user_id=actor.user.id if actor.user else None, **event_values)
        record.events.append(event)
        db.session.flush()
        audit.record(actor, f"{self.name}.{action}", record,
                     {**({"status": [before, after]} if before != after else {}), **(changes or {})})
        return event


def claim(record, before: str, after: str) -> None:
    """Set ``record.status`` from ``before`` to ``after`` in the database, unless it changed meanwhile.

    The record's own pending changes are flushed first; if no row still holds
    ``before``, another transaction got there first and :class:`Conflict` is raised.
    """
    model = type(record)
    db.session.flush()
    result = db.session.execute(
        update(model).where(model.id == record.id, model.status == before).values(status=after)
        .execution_options(synchronize_session=False))
    if result.rowcount != 1:
        raise Conflict(str(RACE_LOST))
    set_committed_value(record, "status", after)
