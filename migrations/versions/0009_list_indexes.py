"""list indexes

Revision ID: 0009
Revises: 0008
Create Date: 2026-11-28 10:00:00

Every sort and filter the long lists offer reads an index: the complaint queue
(newest first, alone or under its status, category, channel or unit filter),
the notices, inspections, flags, the audit log, the inbox and the job runs. A
composite index whose first column was indexed alone replaces that index.
"""
from alembic import op


revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None

# (table, name, columns) created by this revision
NEW = (
    ("complaints", "ix_complaints_submitted", ["submitted_at", "id"]),
    ("complaints", "ix_complaints_status_submitted", ["status", "submitted_at", "id"]),
    ("complaints", "ix_complaints_category_submitted", ["category", "submitted_at", "id"]),
    ("complaints", "ix_complaints_channel_submitted", ["channel", "submitted_at", "id"]),
    ("complaints", "ix_complaints_unit_submitted", ["unit_id", "submitted_at", "id"]),
    ("complaints", "ix_complaints_dispatched_unit_submitted",
     ["dispatched_unit_id", "submitted_at", "id"]),
    ("complaints", "ix_complaints_first_dispatched", ["first_dispatched_on"]),
    ("complaints", "ix_complaints_published_closed", ["is_published", "closed_at", "id"]),
    ("inspections", "ix_inspections_inspected", ["inspected_on", "id"]),
    ("notices", "ix_notices_issued", ["issued_on", "id"]),
    ("notices", "ix_notices_unit_issued", ["unit_id", "issued_on", "id"]),
    ("notices", "ix_notices_status_due", ["status", "due_on"]),
    ("flags", "ix_flags_raised", ["raised_at", "id"]),
    ("flags", "ix_flags_status_raised", ["status", "raised_at", "id"]),
    ("flags", "ix_flags_unit_raised", ["unit_id", "raised_at", "id"]),
    ("flags", "ix_flags_period_raised", ["period", "raised_at", "id"]),
    ("audit_events", "ix_audit_events_at_id", ["at", "id"]),
    ("audit_events", "ix_audit_events_user_at", ["user_id", "at", "id"]),
    ("audit_events", "ix_audit_events_type_at", ["object_type", "at", "id"]),
    ("notifications", "ix_notifications_user_created", ["user_id", "created_at", "id"]),
    ("job_runs", "ix_job_runs_started", ["started_at"]),
)

# (table, name, columns) replaced by a composite index above that starts with the same column
REPLACED = (
    ("complaints", "ix_complaints_status", ["status"]),
    ("complaints", "ix_complaints_unit_id", ["unit_id"]),
    ("complaints", "ix_complaints_is_published", ["is_published"]),
    ("notices", "ix_notices_unit_id", ["unit_id"]),
    ("notices", "ix_notices_status", ["status"]),
    ("flags", "ix_flags_unit_id", ["unit_id"]),
    ("flags", "ix_flags_status", ["status"]),
    ("audit_events", "ix_audit_events_at", ["at"]),
    ("audit_events", "ix_audit_events_user_id", ["user_id"]),
)


def upgrade():
    for table, name, columns in NEW:
        op.create_index(name, table, columns, unique=False)
    for table, name, _columns in REPLACED:
        op.drop_index(name, table_name=table)


def downgrade():
    for table, name, columns in REPLACED:
        op.create_index(name, table, columns, unique=False)
    for table, name, _columns in reversed(NEW):
        op.drop_index(name, table_name=table)
