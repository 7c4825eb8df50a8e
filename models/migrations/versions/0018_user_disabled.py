"""staff offboarding: a user account can be disabled (and enabled again)

Revision ID: 0018
Revises: 0017
Create Date: 2026-12-04 23:30:00

A disabled account logs in nowhere (API, dashboard), its tokens are revoked, its sessions ended and its
claims released; the reason is kept beside the date.
"""
import sqlalchemy as sa
import sqlmodel
from alembic import op

revision = '0018'
down_revision = '0017'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('user_account') as batch:
        batch.add_column(sa.Column('disabled_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True))
        batch.add_column(sa.Column('disabled_reason', sqlmodel.sql.sqltypes.AutoString(length=500), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table('user_account') as batch:
        batch.drop_column('disabled_reason')
        batch.drop_column('disabled_at')
