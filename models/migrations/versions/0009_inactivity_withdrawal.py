"""inactivity withdrawal: the warning, the removal from the catalogue

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-02 10:30:00

An institution that has not evaluated for the profile's years counts as withdrawn (视同自行退出,
004 §六(三)): it is warned first (the day is kept), then leaves the public catalogue, which lists the
removal with its date and reason category (动态调整 is public). Existing institutions: not warned.
"""
import sqlalchemy as sa
import sqlmodel
from alembic import op

revision = '0009'
down_revision = '0008'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('institution', schema=None) as batch_op:
        batch_op.add_column(sa.Column('inactivity_warned_on', sa.Date(), nullable=True))
        batch_op.add_column(sa.Column('removed_on', sa.Date(), nullable=True))
        batch_op.add_column(sa.Column('removal_reason', sqlmodel.sql.sqltypes.AutoString(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table('institution', schema=None) as batch_op:
        batch_op.drop_column('removal_reason')
        batch_op.drop_column('removed_on')
        batch_op.drop_column('inactivity_warned_on')
