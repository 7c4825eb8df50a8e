"""objection receipts: an objection gets a receipt number (YY + day + 8 characters), so the person who raised it
on the publicity page, without an account, can follow where it stands

Revision ID: 0020
Revises: 0019
Create Date: 2026-12-05 09:00:00

Objections raised before this revision keep no receipt (nobody was given one).
"""
import sqlalchemy as sa
import sqlmodel
from alembic import op

revision = '0020'
down_revision = '0019'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('objection') as batch:
        batch.add_column(sa.Column('receipt_number', sqlmodel.sql.sqltypes.AutoString(length=20), nullable=True))
        batch.create_index('ix_objection_receipt_number', ['receipt_number'], unique=True)


def downgrade() -> None:
    with op.batch_alter_table('objection') as batch:
        batch.drop_index('ix_objection_receipt_number')
        batch.drop_column('receipt_number')
