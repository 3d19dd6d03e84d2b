"""hash chains over the audit log and the ledger

Revision ID: 0012
Revises: 0011
Create Date: 2026-12-02 09:00:00

Each audit event and each ledger entry carries ``chain_hash``, the SHA-256 of
the previous row's hash and its own content (tracker/services/chain.py), so
that ``tracker check`` finds a row changed or deleted behind the app's back.
The rows already there are chained here, in id order, by the same function
the app and the check use.
"""
import sqlalchemy as sa
from alembic import op

from tracker.services import chain

revision = "0012"
down_revision = "0011"
branch_labels = None
depends_on = None


def upgrade():
    for table in ("audit_events", "ledger_entries"):
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.add_column(sa.Column("chain_hash", sa.String(length=64), nullable=True))
    chain.backfill(op.get_bind())


def downgrade():
    # ALTER TABLE … DROP COLUMN (SQLite 3.35+): a batch copy of ledger_entries would have to
    # drop a table that evidence files and verifications refer to
    for table in ("ledger_entries", "audit_events"):
        op.drop_column(table, "chain_hash")
