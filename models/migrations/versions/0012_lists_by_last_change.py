"""lists by last change: institutions get `updated_at`; filings, plans and institutions an index on it

Revision ID: 0012
Revises: 0011
Create Date: 2026-12-02 06:05:00

`GET /api/v1/filings`, `/plans` and `/institutions` page by (updated_at, id), the order an enterprise's
system resumes a sync in. Existing institutions take their creation time as their last change.
"""
import sqlalchemy as sa
import sqlmodel
from alembic import op

revision = '0012'
down_revision = '0011'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('institution', schema=None) as batch_op:
        batch_op.add_column(sa.Column('updated_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True))
    op.execute("UPDATE institution SET updated_at = created_at")
    with op.batch_alter_table('institution', schema=None) as batch_op:
        batch_op.alter_column('updated_at', existing_type=sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False)
    for table in ('institution', 'filing_application', 'evaluation_plan'):
        op.create_index(f'ix_{table}_last_change', table, ['updated_at', 'id'], unique=False)


def downgrade() -> None:
    for table in ('institution', 'filing_application', 'evaluation_plan'):
        op.drop_index(f'ix_{table}_last_change', table_name=table)
    with op.batch_alter_table('institution', schema=None) as batch_op:
        batch_op.drop_column('updated_at')
