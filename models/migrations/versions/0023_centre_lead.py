"""centre lead: an officer who leads their centre (中心负责人) may reassign the centre's tasks, claimed ones too

Revision ID: 0023
Revises: 0022
Create Date: 2026-12-05 16:00:00

Officers from before this revision lead nothing: `certflow users lead --name N` makes one a lead.
"""
import sqlalchemy as sa
from alembic import op

revision = '0023'
down_revision = '0022'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('user_account') as batch:
        batch.add_column(sa.Column('leads_centre', sa.Boolean(), nullable=False, server_default=sa.false()))


def downgrade() -> None:
    with op.batch_alter_table('user_account') as batch:
        batch.drop_column('leads_centre')
