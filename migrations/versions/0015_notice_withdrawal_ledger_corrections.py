"""notice withdrawal, ledger corrections

Revision ID: 0015
Revises: 0014
Create Date: 2026-12-01 09:00:00.000000

A notice may be withdrawn (status ``withdrawn``); a ledger entry may supersede the
entry it corrects (``supersedes_id``, one correction each) and give the reason a
report lowers the progress (``reason``).
"""
import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = '0015'
down_revision = '0014'
branch_labels = None
depends_on = None

OLD = "status IN ('issued', 'acknowledged', 'reported', 'verified')"
NEW = "status IN ('issued', 'acknowledged', 'reported', 'verified', 'withdrawn')"


def upgrade():
    with op.batch_alter_table('notices', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('ck_notices_status'), type_='check')
        batch_op.create_check_constraint(batch_op.f('ck_notices_status'), sa.text(NEW))
    with op.batch_alter_table('ledger_entries', schema=None) as batch_op:
        batch_op.add_column(sa.Column('supersedes_id', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('reason', sa.Text(), nullable=True))
        batch_op.create_unique_constraint(batch_op.f('uq_ledger_entries_supersedes_id'), ['supersedes_id'])
        batch_op.create_foreign_key(batch_op.f('fk_ledger_entries_supersedes_id_ledger_entries'),
                                    'ledger_entries', ['supersedes_id'], ['id'], ondelete='RESTRICT')


def downgrade():
    with op.batch_alter_table('ledger_entries', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('fk_ledger_entries_supersedes_id_ledger_entries'),
                                 type_='foreignkey')
        batch_op.drop_constraint(batch_op.f('uq_ledger_entries_supersedes_id'), type_='unique')
        batch_op.drop_column('reason')
        batch_op.drop_column('supersedes_id')
    with op.batch_alter_table('notices', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('ck_notices_status'), type_='check')
        batch_op.create_check_constraint(batch_op.f('ck_notices_status'), sa.text(OLD))
