"""decisions with their context: bulletin returns, flag review opinions, exemption rejections

Revision ID: 0016
Revises: 0015
Create Date: 2026-12-01 09:00:00

"""
from alembic import op
import sqlalchemy as sa
import tracker.models.base  # noqa: F401  (custom column types)


# revision identifiers, used by Alembic.
revision = '0016'
down_revision = '0015'
branch_labels = None
depends_on = None

STATUSES = "status IN ('draft', 'returned', 'approved', 'published')"
OLD_STATUSES = "status IN ('draft', 'approved', 'published')"


def upgrade():
    with op.batch_alter_table('bulletins', schema=None) as batch_op:
        batch_op.add_column(sa.Column('return_comment', sa.Text(), nullable=True))
        batch_op.add_column(sa.Column('returned_at', tracker.models.base.UTCDateTime(), nullable=True))
        batch_op.add_column(sa.Column('returned_by_id', sa.Integer(), nullable=True))
        batch_op.create_foreign_key(batch_op.f('fk_bulletins_returned_by_id_users'), 'users',
                                    ['returned_by_id'], ['id'], ondelete='RESTRICT')
        batch_op.drop_constraint(batch_op.f('ck_bulletins_status'), type_='check')
        batch_op.create_check_constraint(batch_op.f('ck_bulletins_status'), STATUSES)

    with op.batch_alter_table('flags', schema=None) as batch_op:
        batch_op.add_column(sa.Column('review_opinion', sa.Text(), nullable=True))
        batch_op.add_column(sa.Column('exemption_rejection_reason', sa.Text(), nullable=True))
        batch_op.add_column(sa.Column('exemption_rejected_at', tracker.models.base.UTCDateTime(),
                                      nullable=True))
        batch_op.add_column(sa.Column('exemption_rejected_by_id', sa.Integer(), nullable=True))
        batch_op.create_foreign_key(batch_op.f('fk_flags_exemption_rejected_by_id_users'), 'users',
                                    ['exemption_rejected_by_id'], ['id'], ondelete='RESTRICT')


def downgrade():
    with op.batch_alter_table('flags', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('fk_flags_exemption_rejected_by_id_users'), type_='foreignkey')
        batch_op.drop_column('exemption_rejected_by_id')
        batch_op.drop_column('exemption_rejected_at')
        batch_op.drop_column('exemption_rejection_reason')
        batch_op.drop_column('review_opinion')

    op.execute("UPDATE bulletins SET status = 'draft' WHERE status = 'returned'")
    with op.batch_alter_table('bulletins', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('ck_bulletins_status'), type_='check')
        batch_op.create_check_constraint(batch_op.f('ck_bulletins_status'), OLD_STATUSES)
        batch_op.drop_constraint(batch_op.f('fk_bulletins_returned_by_id_users'), type_='foreignkey')
        batch_op.drop_column('returned_by_id')
        batch_op.drop_column('returned_at')
        batch_op.drop_column('return_comment')
