"""inbox seen: the newest task id in a user's dashboard inbox when they last looked (the tasks after it are new)

Revision ID: 0022
Revises: 0021
Create Date: 2026-12-05 13:30:00

Users from before this revision have looked at nothing yet: their first look counts nothing as new.
"""
import sqlalchemy as sa
from alembic import op

revision = '0022'
down_revision = '0021'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('user_account') as batch:
        batch.add_column(sa.Column('inbox_seen_task_id', sa.Integer(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table('user_account') as batch:
        batch.drop_column('inbox_seen_task_id')
