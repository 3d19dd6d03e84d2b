"""ledger drafts

Revision ID: 0014
Revises: 0013
Create Date: 2026-11-28 10:32:53.628795

"""
from alembic import op
import sqlalchemy as sa
import tracker.models.base  # noqa: F401  (custom column types)


# revision identifiers, used by Alembic.
revision = '0014'
down_revision = '0013'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('ledger_drafts',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('task_id', sa.Integer(), nullable=False),
    sa.Column('author_id', sa.Integer(), nullable=False),
    sa.Column('percent', sa.Integer(), nullable=False),
    sa.Column('narrative', sa.Text(), nullable=False),
    sa.Column('status', sa.String(length=10), nullable=False),
    sa.Column('is_open', sa.Boolean(), nullable=True),
    sa.Column('created_at', tracker.models.base.UTCDateTime(), nullable=False),
    sa.Column('updated_at', tracker.models.base.UTCDateTime(), nullable=False),
    sa.Column('return_comment', sa.Text(), nullable=True),
    sa.Column('returned_at', tracker.models.base.UTCDateTime(), nullable=True),
    sa.Column('returned_by_id', sa.Integer(), nullable=True),
    sa.Column('submitted_at', tracker.models.base.UTCDateTime(), nullable=True),
    sa.Column('submitted_by_id', sa.Integer(), nullable=True),
    sa.Column('entry_id', sa.Integer(), nullable=True),
    sa.CheckConstraint("status IN ('pending', 'returned', 'submitted', 'discarded')", name=op.f('ck_ledger_drafts_status')),
    sa.CheckConstraint('percent BETWEEN 0 AND 100', name=op.f('ck_ledger_drafts_percent')),
    sa.ForeignKeyConstraint(['author_id'], ['users.id'], name=op.f('fk_ledger_drafts_author_id_users'), ondelete='RESTRICT'),
    sa.ForeignKeyConstraint(['entry_id'], ['ledger_entries.id'], name=op.f('fk_ledger_drafts_entry_id_ledger_entries'), ondelete='RESTRICT'),
    sa.ForeignKeyConstraint(['returned_by_id'], ['users.id'], name=op.f('fk_ledger_drafts_returned_by_id_users'), ondelete='RESTRICT'),
    sa.ForeignKeyConstraint(['submitted_by_id'], ['users.id'], name=op.f('fk_ledger_drafts_submitted_by_id_users'), ondelete='RESTRICT'),
    sa.ForeignKeyConstraint(['task_id'], ['tasks.id'], name=op.f('fk_ledger_drafts_task_id_tasks'), ondelete='RESTRICT'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_ledger_drafts')),
    sa.UniqueConstraint('task_id', 'author_id', 'is_open', name=op.f('uq_ledger_drafts_task_id'))
    )
    with op.batch_alter_table('ledger_drafts', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_ledger_drafts_author_id'), ['author_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_ledger_drafts_entry_id'), ['entry_id'], unique=False)
        batch_op.create_index('ix_ledger_drafts_status_task', ['status', 'task_id'], unique=False)

    op.create_table('ledger_draft_files',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('draft_id', sa.Integer(), nullable=False),
    sa.Column('original_name', sa.String(length=200), nullable=False),
    sa.Column('stored_name', sa.String(length=64), nullable=False),
    sa.Column('content_type', sa.String(length=100), nullable=False),
    sa.Column('size', sa.Integer(), nullable=False),
    sa.Column('sha256', sa.String(length=64), nullable=False),
    sa.Column('uploaded_at', tracker.models.base.UTCDateTime(), nullable=False),
    sa.Column('uploaded_by_id', sa.Integer(), nullable=True),
    sa.ForeignKeyConstraint(['draft_id'], ['ledger_drafts.id'], name=op.f('fk_ledger_draft_files_draft_id_ledger_drafts'), ondelete='RESTRICT'),
    sa.ForeignKeyConstraint(['uploaded_by_id'], ['users.id'], name=op.f('fk_ledger_draft_files_uploaded_by_id_users'), ondelete='RESTRICT'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_ledger_draft_files')),
    sa.UniqueConstraint('stored_name', name=op.f('uq_ledger_draft_files_stored_name'))
    )
    with op.batch_alter_table('ledger_draft_files', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_ledger_draft_files_draft_id'), ['draft_id'], unique=False)



def downgrade():
    with op.batch_alter_table('ledger_draft_files', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_ledger_draft_files_draft_id'))

    op.drop_table('ledger_draft_files')
    with op.batch_alter_table('ledger_drafts', schema=None) as batch_op:
        batch_op.drop_index('ix_ledger_drafts_status_task')
        batch_op.drop_index(batch_op.f('ix_ledger_drafts_entry_id'))
        batch_op.drop_index(batch_op.f('ix_ledger_drafts_author_id'))

    op.drop_table('ledger_drafts')
