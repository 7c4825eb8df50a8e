"""legal holds on cases (retention)

Revision ID: 0016
Revises: 0015
Create Date: 2026-12-04 08:00:00

A hold keeps a case's records whatever their retention period says; released, it is kept as history.
"""
import sqlalchemy as sa
import sqlmodel
from alembic import op

revision = '0016'
down_revision = '0015'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        'legal_hold',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('case_type', sqlmodel.sql.sqltypes.AutoString(length=20), nullable=False),
        sa.Column('case_id', sa.Integer(), nullable=False),
        sa.Column('reason', sqlmodel.sql.sqltypes.AutoString(length=500), nullable=False),
        sa.Column('placed_by', sqlmodel.sql.sqltypes.AutoString(length=100), nullable=False),
        sa.Column('placed_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.Column('released_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True),
        sa.Column('released_by', sqlmodel.sql.sqltypes.AutoString(length=100), nullable=True),
        sa.PrimaryKeyConstraint('id'),
    )
    op.create_index(op.f('ix_legal_hold_case_id'), 'legal_hold', ['case_id'], unique=False)


def downgrade() -> None:
    op.drop_index(op.f('ix_legal_hold_case_id'), table_name='legal_hold')
    op.drop_table('legal_hold')
