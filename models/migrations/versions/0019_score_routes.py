"""evaluation routes: a score records how the candidate passed — the scored parts, direct recognition or a
competition (004 §三(二)(三)) — and the evidence a route other than the parts rests on

Revision ID: 0019
Revises: 0018
Create Date: 2026-12-05 03:30:00
"""
import sqlalchemy as sa
import sqlmodel
from alembic import op

revision = '0019'
down_revision = '0018'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('score') as batch:
        batch.add_column(sa.Column('route', sqlmodel.sql.sqltypes.AutoString(length=20), nullable=False,
                                   server_default='scored'))
        batch.add_column(sa.Column('evidence', sa.JSON(), nullable=False, server_default='{}'))


def downgrade() -> None:
    with op.batch_alter_table('score') as batch:
        batch.drop_column('evidence')
        batch.drop_column('route')
