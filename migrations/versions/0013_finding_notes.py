"""finding notes: internal and to the unit

Revision ID: 0013
Revises: 0012
Create Date: 2026-11-28 12:00:00

A finding of a weekly round carries two notes: the office's internal note
(``note``, read by the office, leaders and the administrator) and a note to
the unit (``unit_note``), which the unit reads. Until now the one note was
shown to the unit, so existing notes become notes to the unit.
"""
import sqlalchemy as sa
from alembic import op

revision = "0013"
down_revision = "0012"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("findings") as batch:
        batch.add_column(sa.Column("unit_note", sa.Text(), nullable=True))
    op.execute("UPDATE findings SET unit_note = note, note = NULL WHERE note IS NOT NULL")


def downgrade():
    op.execute("UPDATE findings SET note = unit_note WHERE unit_note IS NOT NULL")
    with op.batch_alter_table("findings") as batch:
        batch.drop_column("unit_note")
