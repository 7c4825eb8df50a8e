"""supervision cases (complaints, officers' findings) and credit records

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-02 05:10:00

Process 3 (监督管理): a complaint or an officer's finding opens a supervision case with a public
receipt number; its decisions may leave a credit entry (abnormal list / blacklist) on an institution's
credit code or on a person, valid until a date. Cancelled institutions reuse `removed_on` and
`removal_reason` (`cancelled`).
"""
import sqlalchemy as sa
import sqlmodel
from alembic import op

revision = '0011'
down_revision = '0010'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        'supervision_case',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('receipt_number', sqlmodel.sql.sqltypes.AutoString(length=20), nullable=False),
        sa.Column('source', sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column('institution_id', sa.Integer(), nullable=False),
        sa.Column('plan_id', sa.Integer(), nullable=True),
        sa.Column('certificate_number', sqlmodel.sql.sqltypes.AutoString(length=22), nullable=True),
        sa.Column('profile_code', sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column('region_code', sqlmodel.sql.sqltypes.AutoString(length=6), nullable=False),
        sa.Column('centre', sqlmodel.sql.sqltypes.AutoString(length=6), nullable=False),
        sa.Column('text', sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column('contact_name', sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column('contact_phone', sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column('opened_by', sa.Integer(), nullable=True),
        sa.Column('status', sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column('outcome', sqlmodel.sql.sqltypes.AutoString(), nullable=True),
        sa.Column('outcome_reason', sqlmodel.sql.sqltypes.AutoString(), nullable=True),
        sa.Column('explanations', sa.JSON(), nullable=False),
        sa.Column('rectifications', sa.JSON(), nullable=False),
        sa.Column('actions', sa.JSON(), nullable=False),
        sa.Column('flow_run_id', sqlmodel.sql.sqltypes.AutoString(), nullable=True),
        sa.Column('created_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.Column('updated_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(['institution_id'], ['institution.id']),
        sa.ForeignKeyConstraint(['plan_id'], ['evaluation_plan.id']),
        sa.ForeignKeyConstraint(['opened_by'], ['user_account.id']),
        sa.PrimaryKeyConstraint('id'),
        sa.UniqueConstraint('receipt_number'),
    )
    with op.batch_alter_table('supervision_case', schema=None) as batch_op:
        for column in ('institution_id', 'plan_id', 'region_code', 'centre', 'status'):
            batch_op.create_index(batch_op.f(f'ix_supervision_case_{column}'), [column], unique=False)
    op.create_table(
        'credit_entry',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('subject_type', sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column('credit_code', sqlmodel.sql.sqltypes.AutoString(length=18), nullable=True),
        sa.Column('institution_id', sa.Integer(), nullable=True),
        sa.Column('person_name', sqlmodel.sql.sqltypes.AutoString(length=50), nullable=True),
        sa.Column('person_user_id', sa.Integer(), nullable=True),
        sa.Column('kind', sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column('reason', sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column('case_id', sa.Integer(), nullable=True),
        sa.Column('valid_from', sa.Date(), nullable=False),
        sa.Column('valid_until', sa.Date(), nullable=False),
        sa.Column('decided_by', sa.Integer(), nullable=True),
        sa.Column('approved_by', sa.Integer(), nullable=True),
        sa.Column('created_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(['institution_id'], ['institution.id']),
        sa.ForeignKeyConstraint(['person_user_id'], ['user_account.id']),
        sa.ForeignKeyConstraint(['case_id'], ['supervision_case.id']),
        sa.ForeignKeyConstraint(['decided_by'], ['user_account.id']),
        sa.ForeignKeyConstraint(['approved_by'], ['user_account.id']),
        sa.PrimaryKeyConstraint('id'),
    )
    with op.batch_alter_table('credit_entry', schema=None) as batch_op:
        for column in ('credit_code', 'person_name', 'person_user_id', 'case_id'):
            batch_op.create_index(batch_op.f(f'ix_credit_entry_{column}'), [column], unique=False)
    with op.batch_alter_table('revocation', schema=None) as batch_op:
        batch_op.add_column(sa.Column('supervision_case_id', sa.Integer(), nullable=True))
        batch_op.create_foreign_key('fk_revocation_supervision_case', 'supervision_case',
                                    ['supervision_case_id'], ['id'])


def downgrade() -> None:
    with op.batch_alter_table('revocation', schema=None) as batch_op:
        batch_op.drop_constraint('fk_revocation_supervision_case', type_='foreignkey')
        batch_op.drop_column('supervision_case_id')
    op.drop_table('credit_entry')
    op.drop_table('supervision_case')
