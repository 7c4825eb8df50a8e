"""case notes: officers' internal notes on a filing or a plan (never shown to the applicant or the public)

Revision ID: 0021
Revises: 0020
Create Date: 2026-12-05 13:00:00
"""
import sqlalchemy as sa
import sqlmodel
from alembic import op

revision = '0021'
down_revision = '0020'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        'case_note',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('case_type', sqlmodel.sql.sqltypes.AutoString(length=20), nullable=False),
        sa.Column('case_id', sa.Integer(), nullable=False),
        sa.Column('author_id', sa.Integer(), nullable=False),
        sa.Column('text', sqlmodel.sql.sqltypes.AutoString(length=2000), nullable=False),
        sa.Column('written_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(['author_id'], ['user_account.id']),
        sa.PrimaryKeyConstraint('id'),
    )
    op.create_index(op.f('ix_case_note_case_type'), 'case_note', ['case_type'], unique=False)
    op.create_index(op.f('ix_case_note_case_id'), 'case_note', ['case_id'], unique=False)


def downgrade() -> None:
    op.drop_index(op.f('ix_case_note_case_id'), table_name='case_note')
    op.drop_index(op.f('ix_case_note_case_type'), table_name='case_note')
    op.drop_table('case_note')
