"""complaint reply drafts: a unit member drafts the reply, the unit head submits it

Revision ID: 0017
Revises: 0016
Create Date: 2026-12-02 09:00:00

"""
from alembic import op
import sqlalchemy as sa
import tracker.models.base  # noqa: F401  (custom column types)


# revision identifiers, used by Alembic.
revision = '0017'
down_revision = '0016'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('complaint_reply_drafts',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('complaint_id', sa.Integer(), nullable=False),
    sa.Column('author_id', sa.Integer(), nullable=False),
    sa.Column('text', sa.Text(), nullable=False),
    sa.Column('status', sa.String(length=10), nullable=False),
    sa.Column('is_open', sa.Boolean(), nullable=True),
    sa.Column('created_at', tracker.models.base.UTCDateTime(), nullable=False),
    sa.Column('updated_at', tracker.models.base.UTCDateTime(), nullable=False),
    sa.Column('return_comment', sa.Text(), nullable=True),
    sa.Column('returned_at', tracker.models.base.UTCDateTime(), nullable=True),
    sa.Column('returned_by_id', sa.Integer(), nullable=True),
    sa.Column('submitted_at', tracker.models.base.UTCDateTime(), nullable=True),
    sa.Column('submitted_by_id', sa.Integer(), nullable=True),
    sa.Column('event_id', sa.Integer(), nullable=True),
    sa.CheckConstraint("status IN ('pending', 'returned', 'submitted', 'discarded')", name=op.f('ck_complaint_reply_drafts_status')),
    sa.ForeignKeyConstraint(['author_id'], ['users.id'], name=op.f('fk_complaint_reply_drafts_author_id_users'), ondelete='RESTRICT'),
    sa.ForeignKeyConstraint(['complaint_id'], ['complaints.id'], name=op.f('fk_complaint_reply_drafts_complaint_id_complaints'), ondelete='RESTRICT'),
    sa.ForeignKeyConstraint(['event_id'], ['complaint_events.id'], name=op.f('fk_complaint_reply_drafts_event_id_complaint_events'), ondelete='RESTRICT'),
    sa.ForeignKeyConstraint(['returned_by_id'], ['users.id'], name=op.f('fk_complaint_reply_drafts_returned_by_id_users'), ondelete='RESTRICT'),
    sa.ForeignKeyConstraint(['submitted_by_id'], ['users.id'], name=op.f('fk_complaint_reply_drafts_submitted_by_id_users'), ondelete='RESTRICT'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_complaint_reply_drafts')),
    sa.UniqueConstraint('complaint_id', 'author_id', 'is_open', name=op.f('uq_complaint_reply_drafts_complaint_id'))
    )
    with op.batch_alter_table('complaint_reply_drafts', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_complaint_reply_drafts_author_id'), ['author_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_complaint_reply_drafts_event_id'), ['event_id'], unique=False)
        batch_op.create_index('ix_complaint_reply_drafts_status_complaint', ['status', 'complaint_id'], unique=False)

    op.create_table('complaint_reply_draft_files',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('draft_id', sa.Integer(), nullable=False),
    sa.Column('original_name', sa.String(length=200), nullable=False),
    sa.Column('stored_name', sa.String(length=64), nullable=False),
    sa.Column('content_type', sa.String(length=100), nullable=False),
    sa.Column('size', sa.Integer(), nullable=False),
    sa.Column('sha256', sa.String(length=64), nullable=False),
    sa.Column('uploaded_at', tracker.models.base.UTCDateTime(), nullable=False),
    sa.Column('uploaded_by_id', sa.Integer(), nullable=True),
    sa.ForeignKeyConstraint(['draft_id'], ['complaint_reply_drafts.id'], name=op.f('fk_complaint_reply_draft_files_draft_id_complaint_reply_drafts'), ondelete='RESTRICT'),
    sa.ForeignKeyConstraint(['uploaded_by_id'], ['users.id'], name=op.f('fk_complaint_reply_draft_files_uploaded_by_id_users'), ondelete='RESTRICT'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_complaint_reply_draft_files')),
    sa.UniqueConstraint('stored_name', name=op.f('uq_complaint_reply_draft_files_stored_name'))
    )
    with op.batch_alter_table('complaint_reply_draft_files', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_complaint_reply_draft_files_draft_id'), ['draft_id'], unique=False)


def downgrade():
    with op.batch_alter_table('complaint_reply_draft_files', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_complaint_reply_draft_files_draft_id'))

    op.drop_table('complaint_reply_draft_files')
    with op.batch_alter_table('complaint_reply_drafts', schema=None) as batch_op:
        batch_op.drop_index('ix_complaint_reply_drafts_status_complaint')
        batch_op.drop_index(batch_op.f('ix_complaint_reply_drafts_event_id'))
        batch_op.drop_index(batch_op.f('ix_complaint_reply_drafts_author_id'))

    op.drop_table('complaint_reply_drafts')
