"""kept task state

Revision ID: 0008
Revises: 0007
Create Date: 2026-11-28 03:40:00

Each task's derived state, kept exact. ``tracker init-db`` fills the rows of
existing tasks after upgrading; ``tracker rebuild-state`` recomputes them all.
"""
from alembic import op
import sqlalchemy as sa


revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "task_states",
        sa.Column("task_id", sa.Integer(), nullable=False),
        sa.Column("plan_id", sa.Integer(), nullable=False),
        sa.Column("owner_unit_id", sa.Integer(), nullable=False),
        sa.Column("due_on", sa.Date(), nullable=False),
        sa.Column("status", sa.String(length=25), nullable=False),
        sa.Column("light", sa.String(length=10), nullable=True),
        sa.Column("planned_percent", sa.Integer(), nullable=False),
        sa.Column("actual_percent", sa.Integer(), nullable=False),
        sa.Column("last_reported_on", sa.Date(), nullable=True),
        sa.Column("valid_from", sa.Date(), nullable=False),
        sa.Column("changes_on", sa.Date(), nullable=True),
        sa.CheckConstraint("planned_percent BETWEEN 0 AND 100", name=op.f("ck_task_states_planned")),
        sa.CheckConstraint("actual_percent BETWEEN 0 AND 100", name=op.f("ck_task_states_actual")),
        sa.ForeignKeyConstraint(["task_id"], ["tasks.id"], name=op.f("fk_task_states_task_id_tasks"),
                                ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["plan_id"], ["plans.id"], name=op.f("fk_task_states_plan_id_plans"),
                                ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["owner_unit_id"], ["units.id"],
                                name=op.f("fk_task_states_owner_unit_id_units"), ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("task_id", name=op.f("pk_task_states")),
    )
    with op.batch_alter_table("task_states", schema=None) as batch_op:
        batch_op.create_index("ix_task_states_due", ["due_on", "task_id"], unique=False)
        batch_op.create_index("ix_task_states_status_due", ["status", "due_on", "task_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_task_states_owner_unit_id"), ["owner_unit_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_task_states_light"), ["light"], unique=False)
        batch_op.create_index(batch_op.f("ix_task_states_valid_from"), ["valid_from"], unique=False)
        batch_op.create_index(batch_op.f("ix_task_states_changes_on"), ["changes_on"], unique=False)
    # the ledger's order, (due date, id), from one index
    with op.batch_alter_table("tasks", schema=None) as batch_op:
        batch_op.drop_index("ix_tasks_due_on")
        batch_op.create_index("ix_tasks_due_id", ["due_on", "id"], unique=False)


def downgrade():
    with op.batch_alter_table("tasks", schema=None) as batch_op:
        batch_op.drop_index("ix_tasks_due_id")
        batch_op.create_index("ix_tasks_due_on", ["due_on"], unique=False)
    op.drop_table("task_states")
