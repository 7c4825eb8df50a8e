"""uploaded case files

Revision ID: 0014
Revises: 0013
Create Date: 2026-12-02 19:20:00

Filing materials, a plan's evidence and a rectification's proof as real files: one immutable row per
case, round and kind; the bytes are content-addressed (SHA-256) in the data folder or an S3 bucket.
"""
import sqlalchemy as sa
import sqlmodel
from alembic import op

revision = '0014'
down_revision = '0013'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        'case_file',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('case_type', sqlmodel.sql.sqltypes.AutoString(length=20), nullable=False),
        sa.Column('case_id', sa.Integer(), nullable=False),
        sa.Column('round', sa.Integer(), nullable=False),
        sa.Column('kind', sqlmodel.sql.sqltypes.AutoString(length=40), nullable=False),
        sa.Column('sha256', sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
        sa.Column('size', sa.Integer(), nullable=False),
        sa.Column('media_type', sqlmodel.sql.sqltypes.AutoString(length=100), nullable=False),
        sa.Column('filename', sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
        sa.Column('storage', sqlmodel.sql.sqltypes.AutoString(length=10), nullable=False),
        sa.Column('uploaded_by', sa.Integer(), nullable=False),
        sa.Column('uploaded_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(['uploaded_by'], ['user_account.id']),
        sa.PrimaryKeyConstraint('id'),
        sa.UniqueConstraint('case_type', 'case_id', 'round', 'kind'),
    )
    op.create_index('ix_case_file_case', 'case_file', ['case_type', 'case_id'], unique=False)
    op.create_index('ix_case_file_sha256', 'case_file', ['sha256'], unique=False)


def downgrade() -> None:
    op.drop_index('ix_case_file_sha256', table_name='case_file')
    op.drop_index('ix_case_file_case', table_name='case_file')
    op.drop_table('case_file')
