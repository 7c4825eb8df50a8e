"""the enterprise ladder and objections investigated by the enterprise

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-02 09:30:00

An institution files its own titles (学徒工, 特级技师, 首席技师, sub-tiers) with the national level each
corresponds to (004 §二); a candidate may be evaluated under one, and the certificate prints it beside
the national level. Where the profile says so (Gansu, 004 §五(四)), a results objection is investigated
by the enterprise's own certification body and its finding reviewed by the centre: the objection
records who investigates. Rows from before this revision: no ladder, centre-investigated objections.
"""
import sqlalchemy as sa
import sqlmodel
from alembic import op

revision = '0008'
down_revision = '0007'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('institution', schema=None) as batch_op:
        batch_op.add_column(sa.Column('ladder', sa.JSON(), nullable=False, server_default='[]'))
    with op.batch_alter_table('candidate', schema=None) as batch_op:
        batch_op.add_column(sa.Column('enterprise_title', sqlmodel.sql.sqltypes.AutoString(), nullable=False,
                                      server_default=''))
    with op.batch_alter_table('certificate', schema=None) as batch_op:
        batch_op.add_column(sa.Column('enterprise_title', sqlmodel.sql.sqltypes.AutoString(), nullable=False,
                                      server_default=''))
    with op.batch_alter_table('objection', schema=None) as batch_op:
        batch_op.add_column(sa.Column('investigated_by', sqlmodel.sql.sqltypes.AutoString(), nullable=False,
                                      server_default='centre'))


def downgrade() -> None:
    with op.batch_alter_table('objection', schema=None) as batch_op:
        batch_op.drop_column('investigated_by')
    with op.batch_alter_table('certificate', schema=None) as batch_op:
        batch_op.drop_column('enterprise_title')
    with op.batch_alter_table('candidate', schema=None) as batch_op:
        batch_op.drop_column('enterprise_title')
    with op.batch_alter_table('institution', schema=None) as batch_op:
        batch_op.drop_column('ladder')
