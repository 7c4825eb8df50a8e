"""tick heartbeat: the leading tick's last pass, for the operations' alert on a missing leader

Revision ID: 0025
Revises: 0024
Create Date: 2026-12-05 19:00:00

Empty until a tick leads on this revision.
"""
import sqlalchemy as sa
import sqlmodel
from alembic import op

revision = '0025'
down_revision = '0024'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        'tick_heartbeat',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('leader', sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
        sa.Column('beat_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.PrimaryKeyConstraint('id'),
    )


def downgrade() -> None:
    op.drop_table('tick_heartbeat')
