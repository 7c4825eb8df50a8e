"""task digest: staff may ask for a daily e-mail of their new and due-soon tasks

Revision ID: 0024
Revises: 0023
Create Date: 2026-12-05 16:30:00

Nobody from before this revision has asked for it (no address, digest off).
"""
import sqlalchemy as sa
import sqlmodel
from alembic import op

revision = '0024'
down_revision = '0023'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('user_account') as batch:
        batch.add_column(sa.Column('email', sqlmodel.sql.sqltypes.AutoString(length=254), nullable=True))
        batch.add_column(sa.Column('digest', sa.Boolean(), nullable=False, server_default=sa.false()))
        batch.add_column(sa.Column('digest_sent_on', sa.Date(), nullable=True))
        batch.add_column(sa.Column('digest_seen_task_id', sa.Integer(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table('user_account') as batch:
        for column in ('digest_seen_task_id', 'digest_sent_on', 'digest', 'email'):
            batch.drop_column(column)
