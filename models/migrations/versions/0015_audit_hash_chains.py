"""tamper-evident audit trail: hash chains per case, chain heads, dated anchors

Revision ID: 0015
Revises: 0014
Create Date: 2026-12-04 07:00:00

Each audit entry gets its position in its case's chain, the previous entry's hash and its own
(core/evidence.py); the entries already on file are chained here, in id order: they carry no earlier
evidence than this migration's run, which the first anchor after it fixes.
"""
import sqlalchemy as sa
import sqlmodel
from alembic import op

from core import evidence

revision = '0015'
down_revision = '0014'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('audit_event', schema=None) as batch_op:
        batch_op.add_column(sa.Column('seq', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('prev_hash', sqlmodel.sql.sqltypes.AutoString(length=64), nullable=True))
        batch_op.add_column(sa.Column('entry_hash', sqlmodel.sql.sqltypes.AutoString(length=64), nullable=True))
    op.create_table(
        'audit_chain',
        sa.Column('chain', sqlmodel.sql.sqltypes.AutoString(length=80), nullable=False),
        sa.Column('length', sa.Integer(), nullable=False),
        sa.Column('head_hash', sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
        sa.PrimaryKeyConstraint('chain'),
    )
    op.create_table(
        'audit_anchor',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('anchored_on', sa.Date(), nullable=False),
        sa.Column('last_event_id', sa.Integer(), nullable=False),
        sa.Column('entries', sa.Integer(), nullable=False),
        sa.Column('global_hash', sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
        sa.Column('previous_hash', sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
        sa.Column('anchor_hash', sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
        sa.Column('created_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.PrimaryKeyConstraint('id'),
    )
    op.create_index('ix_audit_anchor_anchored_on', 'audit_anchor', ['anchored_on'], unique=True)
    _chain_existing_entries()
    with op.batch_alter_table('audit_event', schema=None) as batch_op:
        batch_op.create_unique_constraint('uq_audit_event_chain_position', ['case_type', 'case_id', 'seq'])


def _chain_existing_entries() -> None:
    connection = op.get_bind()
    when, data = sqlmodel.sql.sqltypes.UTCDateTime(), sa.JSON()  # read back as the models read them
    entries = sa.table('audit_event', *(sa.column(name) for name in (
        'id', 'case_type', 'case_id', 'action', 'actor_id', 'actor_role', 'seq', 'prev_hash', 'entry_hash')),
        sa.column('business_time', when), sa.column('wall_time', when), sa.column('before', data),
        sa.column('after', data))
    heads: dict[str, tuple[int, str]] = {}
    for row in connection.execute(sa.select(entries).order_by(entries.c.id)).mappings().all():
        chain = f"{row['case_type']}:{row['case_id']}"
        length, previous = heads.get(chain, (0, evidence.GENESIS))
        digest = evidence.entry_hash(dict(row) | {'seq': length + 1, 'prev_hash': previous})
        connection.execute(entries.update().where(entries.c.id == row['id'])
                           .values(seq=length + 1, prev_hash=previous, entry_hash=digest))
        heads[chain] = (length + 1, digest)
    if heads:
        chains = sa.table('audit_chain', sa.column('chain'), sa.column('length'), sa.column('head_hash'))
        connection.execute(chains.insert(), [{'chain': c, 'length': n, 'head_hash': h} for c, (n, h) in heads.items()])


def downgrade() -> None:
    with op.batch_alter_table('audit_event', schema=None) as batch_op:
        batch_op.drop_constraint('uq_audit_event_chain_position', type_='unique')
        batch_op.drop_column('entry_hash')
        batch_op.drop_column('prev_hash')
        batch_op.drop_column('seq')
    op.drop_index('ix_audit_anchor_anchored_on', table_name='audit_anchor')
    op.drop_table('audit_anchor')
    op.drop_table('audit_chain')
