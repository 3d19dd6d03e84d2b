"""work chat: group robots of WeCom and DingTalk, and the outbox of messages to them

Revision ID: 0018
Revises: 0017
Create Date: 2026-12-03 09:00:00

"""
from alembic import op
import sqlalchemy as sa
import tracker.models.base  # noqa: F401  (custom column types)


# revision identifiers, used by Alembic.
revision = '0018'
down_revision = '0017'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('chat_robots',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('unit_id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(length=10), nullable=False),
    sa.Column('url', sa.String(length=500), nullable=False),
    sa.Column('secret', sa.String(length=200), nullable=True),
    sa.Column('updated_at', tracker.models.base.UTCDateTime(), nullable=False),
    sa.CheckConstraint("kind IN ('wecom', 'dingtalk')", name=op.f('ck_chat_robots_kind')),
    sa.ForeignKeyConstraint(['unit_id'], ['units.id'], name=op.f('fk_chat_robots_unit_id_units'), ondelete='RESTRICT'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_chat_robots')),
    sa.UniqueConstraint('unit_id', name=op.f('uq_chat_robots_unit_id'))
    )
    op.create_table('chat_deliveries',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('unit_id', sa.Integer(), nullable=False),
    sa.Column('event_key', sa.String(length=120), nullable=False),
    sa.Column('kind', sa.String(length=10), nullable=False),
    sa.Column('payload', sa.JSON(), nullable=False),
    sa.Column('status', sa.String(length=10), nullable=False),
    sa.Column('attempts', sa.Integer(), nullable=False),
    sa.Column('last_error', sa.Text(), nullable=True),
    sa.Column('next_attempt_at', tracker.models.base.UTCDateTime(), nullable=False),
    sa.Column('created_at', tracker.models.base.UTCDateTime(), nullable=False),
    sa.Column('sent_at', tracker.models.base.UTCDateTime(), nullable=True),
    sa.CheckConstraint("kind IN ('wecom', 'dingtalk')", name=op.f('ck_chat_deliveries_kind')),
    sa.CheckConstraint("status IN ('pending', 'sent', 'failed')", name=op.f('ck_chat_deliveries_status')),
    sa.ForeignKeyConstraint(['unit_id'], ['units.id'], name=op.f('fk_chat_deliveries_unit_id_units'), ondelete='RESTRICT'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_chat_deliveries')),
    sa.UniqueConstraint('unit_id', 'event_key', name=op.f('uq_chat_deliveries_unit_id'))
    )
    with op.batch_alter_table('chat_deliveries', schema=None) as batch_op:
        batch_op.create_index('ix_chat_deliveries_created', ['created_at', 'id'], unique=False)
        batch_op.create_index('ix_chat_deliveries_status_next', ['status', 'next_attempt_at'], unique=False)


def downgrade():
    with op.batch_alter_table('chat_deliveries', schema=None) as batch_op:
        batch_op.drop_index('ix_chat_deliveries_status_next')
        batch_op.drop_index('ix_chat_deliveries_created')

    op.drop_table('chat_deliveries')
    op.drop_table('chat_robots')
