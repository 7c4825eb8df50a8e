"""outbox retry_after: a run start that failed waits before its next attempt

Revision ID: 0026
Revises: 0025
Create Date: 2026-12-05 21:00:00

A start refused for good (a deployment missing, a credential wrong) was tried again on every dispatch
pass, a traceback in the tick's log each time (seen: 935 a minute for five filings). Rows written
before this revision have none: they are due at once, as before.
"""
import sqlalchemy as sa
import sqlmodel
from alembic import op

revision = '0026'
down_revision = '0025'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('outbox_message') as batch:
        batch.add_column(sa.Column('retry_after', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table('outbox_message') as batch:
        batch.drop_column('retry_after')
