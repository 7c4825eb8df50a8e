"""certificate revocations: requested, approved by a second officer, sent to the national system

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-02 11:00:00

A certificate found wrongly issued is revoked (004 §六(三): 可追溯、可倒查): an officer requests the
revocation of certificates of one batch with a reason category, a second officer approves it
(four-eyes), the certificates become `revoked` with the date, and the revocation is sent to the
national query system. Existing revoked certificates (none in practice) keep their reason, no date.
"""
import sqlalchemy as sa
import sqlmodel
from alembic import op

revision = '0010'
down_revision = '0009'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        'revocation',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('plan_id', sa.Integer(), nullable=False),
        sa.Column('numbers', sa.JSON(), nullable=False),
        sa.Column('category', sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column('reason', sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column('requested_by', sa.Integer(), nullable=False),
        sa.Column('requested_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.Column('status', sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column('approved_by', sa.Integer(), nullable=True),
        sa.Column('revoked_on', sa.Date(), nullable=True),
        sa.Column('flow_run_id', sqlmodel.sql.sqltypes.AutoString(), nullable=True),
        sa.ForeignKeyConstraint(['plan_id'], ['evaluation_plan.id']),
        sa.ForeignKeyConstraint(['requested_by'], ['user_account.id']),
        sa.ForeignKeyConstraint(['approved_by'], ['user_account.id']),
        sa.PrimaryKeyConstraint('id'),
    )
    with op.batch_alter_table('revocation', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_revocation_plan_id'), ['plan_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_revocation_status'), ['status'], unique=False)
    with op.batch_alter_table('certificate', schema=None) as batch_op:
        batch_op.add_column(sa.Column('revoked_on', sa.Date(), nullable=True))
        batch_op.add_column(sa.Column('revocation_id', sa.Integer(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table('certificate', schema=None) as batch_op:
        batch_op.drop_column('revocation_id')
        batch_op.drop_column('revoked_on')
    with op.batch_alter_table('revocation', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_revocation_status'))
        batch_op.drop_index(batch_op.f('ix_revocation_plan_id'))
    op.drop_table('revocation')
