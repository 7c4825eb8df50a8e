"""province processes: certificates valid once the national system acknowledges them, late results

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-01 21:40:00

A certificate is numbered and recorded first (status `pending`), uploaded with its number, and becomes
`valid` when the national query system acknowledges it; a refusal is kept with its reason. Results
submitted after the window closed are marked late (逾期报送).
"""
import sqlalchemy as sa
import sqlmodel
from alembic import op

revision = '0006'
down_revision = '0005'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('certificate', schema=None) as batch_op:
        batch_op.add_column(sa.Column('national_refusal', sqlmodel.sql.sqltypes.AutoString(), nullable=True))
    with op.batch_alter_table('evaluation_plan', schema=None) as batch_op:
        batch_op.add_column(sa.Column('results_late', sa.Boolean(), nullable=False, server_default=sa.false()))


def downgrade() -> None:
    with op.batch_alter_table('evaluation_plan', schema=None) as batch_op:
        batch_op.drop_column('results_late')
    with op.batch_alter_table('certificate', schema=None) as batch_op:
        batch_op.drop_column('national_refusal')
