"""login throttles and rate-limit counters

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-01 10:00:00

Failed log-ins are counted per account name and address, and per account name
from every address (the row whose address is ``*``): failures from one address
lock the account for that address only, and a much higher ceiling over all
addresses keeps distributed guessing slow.

The rate limits' counters live in the database by default, shared by every
worker and host (tracker/rate_limits.py).
"""
from alembic import op
import sqlalchemy as sa

import tracker.models.base


revision = "0011"
down_revision = "0010"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "login_throttles",
        sa.Column("account_key", sa.String(length=64), nullable=False),
        sa.Column("address", sa.String(length=64), nullable=False),
        sa.Column("failures", sa.Integer(), nullable=False),
        sa.Column("window_started_at", tracker.models.base.UTCDateTime(), nullable=False),
        sa.Column("locked_until", tracker.models.base.UTCDateTime(), nullable=True),
        sa.PrimaryKeyConstraint("account_key", "address", name=op.f("pk_login_throttles")),
    )
    with op.batch_alter_table("login_throttles", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_login_throttles_window_started_at"), ["window_started_at"],
                              unique=False)
    op.create_table(
        "rate_limit_counters",
        sa.Column("key", sa.String(length=255), nullable=False),
        sa.Column("hits", sa.Integer(), nullable=False),
        sa.Column("expires_at", sa.Double(), nullable=False),
        sa.PrimaryKeyConstraint("key", name=op.f("pk_rate_limit_counters")),
    )
    with op.batch_alter_table("rate_limit_counters", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_rate_limit_counters_expires_at"), ["expires_at"], unique=False)


def downgrade():
    with op.batch_alter_table("rate_limit_counters", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_rate_limit_counters_expires_at"))
    op.drop_table("rate_limit_counters")
    with op.batch_alter_table("login_throttles", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_login_throttles_window_started_at"))
    op.drop_table("login_throttles")
