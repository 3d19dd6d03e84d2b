"""A unit member drafts, the unit head submits: the steps every kind of draft shares.

A draft (``models.mixins.DraftMixin``: a ledger report, a complaint's reply)
changes nothing of what it proposes until the head submits it. Its status moves
pending → submitted, pending → returned (with the head's comment) → pending
(the author edits it), pending/returned → discarded, each by compare-and-set, so
of two heads submitting one draft at once exactly one succeeds and the other
gets 409. Each kind (:class:`DraftKind`) supplies its model, its files' model,
its audit name and its messages; its own module says what creating, editing and
submitting do to the area's records.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from flask_babel import gettext as _
from sqlalchemy import update
from sqlalchemy.orm.attributes import set_committed_value

from tracker.extensions import db
from tracker.services import audit, validation, workflow
from tracker.services.errors import Conflict

OPEN = ("pending", "returned")
COMMENT_MAX = 2000


@dataclass(frozen=True)
class DraftKind:
    model: type  # a DraftMixin model
    file_model: type  # its StoredFileMixin files, with a ``draft_id``
    name: str  # the audit's prefix: "ledger_draft", "complaint_reply_draft"
    returned: Callable  # notify the author: (draft, now) -> count
    submitted: Callable  # notify the author: (draft, now) -> count

    def require_open(self, draft) -> None:
        if draft.status not in OPEN:
            raise Conflict(_("This draft has already been submitted or discarded."))

    def require_pending(self, draft) -> None:
        self.require_open(draft)
        if draft.status != "pending":
            raise Conflict(_("This draft is back with its author: it can be submitted once they send it "
                             "again."))

    def move(self, draft, before: tuple[str, ...], after: str) -> None:
        """Move the draft's status by compare-and-set; another transaction's step first: 409."""
        db.session.flush()
        is_open = True if after in OPEN else None
        model = self.model
        result = db.session.execute(
            update(model).where(model.id == draft.id, model.status.in_(before))
            .values(status=after, is_open=is_open).execution_options(synchronize_session=False))
        if result.rowcount != 1:
            raise Conflict(str(workflow.RACE_LOST))
        set_committed_value(draft, "status", after)
        set_committed_value(draft, "is_open", is_open)

    def add_files(self, actor: audit.Actor, draft, stored) -> None:
        for item in stored:
            draft.files.append(self.file_model(
                draft_id=draft.id, original_name=item.original_name, stored_name=item.stored_name,
                content_type=item.content_type, size=item.size, sha256=item.sha256,
                uploaded_by_id=actor.user.id if actor.user else None, uploaded_at=actor.now))
        db.session.flush()

    def reopen(self, draft, changes: dict) -> None:
        """An edit of a returned draft sends it to the head again."""
        if draft.status == "returned":
            self.move(draft, ("returned",), "pending")
            changes["status"] = ["returned", "pending"]

    def discard(self, actor: audit.Actor, draft):
        """The author withdraws an open draft; it is kept, closed, and never becomes a record."""
        self.require_open(draft)
        before = draft.status
        self.move(draft, OPEN, "discarded")
        audit.record(actor, f"{self.name}.discard", draft, {"status": [before, "discarded"]})
        return draft

    def return_draft(self, actor: audit.Actor, draft, *, comment: str | None):
        """The head sends a pending draft back to its author with a comment."""
        errors: dict[str, str] = {}
        text = validation.text(errors, "comment", comment, max_length=COMMENT_MAX, required=True,
                               multiline=True)
        validation.raise_if(errors)
        self.require_pending(draft)
        self.move(draft, ("pending",), "returned")
        draft.return_comment, draft.returned_at = text, actor.now
        draft.returned_by_id = actor.user.id if actor.user else None
        audit.record(actor, f"{self.name}.return", draft, {"status": ["pending", "returned"],
                                                          "comment": [None, text]})
        self.returned(draft, actor.now)
        return draft

    def submitted_as(self, actor: audit.Actor, draft, record_key: str, record_id: int) -> None:
        """Close a submitted draft: who submitted it, when, and the record it became."""
        draft.submitted_at = actor.now
        draft.submitted_by_id = actor.user.id if actor.user else None
        audit.record(actor, f"{self.name}.submit", draft, {"status": ["pending", "submitted"],
                                                          record_key: [None, record_id]})
        self.submitted(draft, actor.now)
