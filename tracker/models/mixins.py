"""Column sets that several tables share: stored files and workflow events.

Each table keeps its own real foreign key to what it belongs to (a complaint,
a notice, a ledger entry…); the mixin brings the columns that mean the same in
every one, in the manner of Indico's ``StoredFileMixin``.
"""

from __future__ import annotations

from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING

from sqlalchemy import ForeignKey, String, Text
from sqlalchemy.orm import Mapped, declared_attr, mapped_column, relationship

if TYPE_CHECKING:
    from tracker.models.organisation import User


class StoredFileMixin:
    """An uploaded file kept under the upload folder with a random name (docs/architecture.md, Uploads)."""

    original_name: Mapped[str] = mapped_column(String(200))  # as the uploader named it
    stored_name: Mapped[str] = mapped_column(String(64), unique=True)
    content_type: Mapped[str] = mapped_column(String(100))
    size: Mapped[int]
    sha256: Mapped[str] = mapped_column(String(64))
    uploaded_at: Mapped[datetime]

    @declared_attr
    def uploaded_by_id(cls) -> Mapped[int | None]:
        return mapped_column(ForeignKey("users.id", ondelete="RESTRICT"))

    def path(self, folder: str | Path) -> Path:
        """Where the file's bytes are, under ``folder`` (the configured upload folder)."""
        return Path(folder) / self.stored_name


class WorkflowEventMixin:
    """One step of a workflow, timestamped and attributed: append-only (services/workflow.py)."""

    action: Mapped[str] = mapped_column(String(20))
    from_status: Mapped[str | None] = mapped_column(String(12))
    to_status: Mapped[str] = mapped_column(String(12))
    at: Mapped[datetime]  # when it happened (the office may record a step done on paper)
    text: Mapped[str | None] = mapped_column(Text)

    @declared_attr
    def user_id(cls) -> Mapped[int | None]:
        return mapped_column(ForeignKey("users.id", ondelete="RESTRICT"))

    @declared_attr
    def user(cls) -> Mapped[User | None]:
        return relationship("User")


class DraftMixin:
    """A unit member's draft awaiting the unit head: not the record it proposes until submitted
    (services/drafts.py). ``is_open`` is true while pending or returned and null afterwards, so
    that a unique key over (subject, author, is_open) allows one open draft per subject and author.
    """

    status: Mapped[str] = mapped_column(String(10), default="pending")
    is_open: Mapped[bool | None] = mapped_column(default=True)
    created_at: Mapped[datetime]
    updated_at: Mapped[datetime]
    return_comment: Mapped[str | None] = mapped_column(Text)
    returned_at: Mapped[datetime | None]
    submitted_at: Mapped[datetime | None]

    @declared_attr
    def author_id(cls) -> Mapped[int]:
        return mapped_column(ForeignKey("users.id", ondelete="RESTRICT"), index=True)

    @declared_attr
    def returned_by_id(cls) -> Mapped[int | None]:
        return mapped_column(ForeignKey("users.id", ondelete="RESTRICT"))

    @declared_attr
    def submitted_by_id(cls) -> Mapped[int | None]:
        return mapped_column(ForeignKey("users.id", ondelete="RESTRICT"))

    @declared_attr
    def author(cls) -> Mapped[User]:
        return relationship("User", foreign_keys=f"[{cls.__name__}.author_id]")

    @declared_attr
    def returned_by(cls) -> Mapped[User | None]:
        return relationship("User", foreign_keys=f"[{cls.__name__}.returned_by_id]")

    @declared_attr
    def submitted_by(cls) -> Mapped[User | None]:
        return relationship("User", foreign_keys=f"[{cls.__name__}.submitted_by_id]")
