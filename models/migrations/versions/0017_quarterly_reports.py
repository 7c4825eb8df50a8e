"""quarterly reports from the cities to the province

Revision ID: 0017
Revises: 0016
Create Date: 2026-12-04 09:00:00

A city's quarterly progress report (004 §六(一)): the figures and the PDF as sent, its rounds, and the
provincial centre's acceptance or return (a human task in the province's inbox).
"""
import sqlalchemy as sa
import sqlmodel
from alembic import op

revision = '0017'
down_revision = '0016'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        'quarterly_report',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('jurisdiction', sqlmodel.sql.sqltypes.AutoString(length=6), nullable=False),
        sa.Column('province', sqlmodel.sql.sqltypes.AutoString(length=6), nullable=False),
        sa.Column('period', sqlmodel.sql.sqltypes.AutoString(length=7), nullable=False),
        sa.Column('round', sa.Integer(), nullable=False),
        sa.Column('status', sqlmodel.sql.sqltypes.AutoString(length=20), nullable=False),
        sa.Column('figures', sa.JSON(), nullable=False),
        sa.Column('pdf_sha256', sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
        sa.Column('submitted_by', sa.Integer(), nullable=False),
        sa.Column('submitted_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.Column('note', sqlmodel.sql.sqltypes.AutoString(length=2000), nullable=False),
        sa.Column('decided_by', sa.Integer(), nullable=True),
        sa.Column('decided_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True),
        sa.Column('reason', sqlmodel.sql.sqltypes.AutoString(length=5000), nullable=True),
        sa.ForeignKeyConstraint(['decided_by'], ['user_account.id']),
        sa.ForeignKeyConstraint(['submitted_by'], ['user_account.id']),
        sa.PrimaryKeyConstraint('id'),
        sa.UniqueConstraint('jurisdiction', 'period', 'round'),
    )
    op.create_index(op.f('ix_quarterly_report_jurisdiction'), 'quarterly_report', ['jurisdiction'], unique=False)
    op.create_index(op.f('ix_quarterly_report_province'), 'quarterly_report', ['province'], unique=False)


def downgrade() -> None:
    op.drop_index(op.f('ix_quarterly_report_province'), table_name='quarterly_report')
    op.drop_index(op.f('ix_quarterly_report_jurisdiction'), table_name='quarterly_report')
    op.drop_table('quarterly_report')
