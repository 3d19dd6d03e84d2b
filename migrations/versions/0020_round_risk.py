"""round risk: a weekly round keeps which tasks it projected to finish late

Revision ID: 0020
Revises: 0019
Create Date: 2026-11-28 14:10:00

A round's snapshot row records whether, as of the round's day, the task was
projected to finish after its due date at its recent pace (预计逾期), and the
projected day: the round's 风险预警 section, frozen with the rest of the round.
Rounds held before this revision keep ``false`` (they were not judged so).
"""
import sqlalchemy as sa
from alembic import op

revision = "0020"
down_revision = "0019"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("round_snapshots") as batch:
        batch.add_column(sa.Column("projected_late", sa.Boolean(), nullable=False, server_default=sa.false()))
        batch.add_column(sa.Column("projected_on", sa.Date(), nullable=True))


def downgrade():
    with op.batch_alter_table("round_snapshots") as batch:
        batch.drop_column("projected_on")
        batch.drop_column("projected_late")
