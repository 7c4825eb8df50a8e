"""province processes: the centre that handles each case, Guangdong's pilot plans, public objections

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-01 23:20:00

Each filing and plan records the centre that holds it (municipal xxxx00 or provincial xx0000), chosen
at submission from the province profile's routing; an institution keeps the centre of its filing.
A pilot enterprise's plan (试点方案, 003 §二(三)) is evaluated by experts before it files batches.
Objections may come from the public publicity pages, from a person without an account (name kept).
Quality supervision counts: supervisors carry their card number (证卡), a batch keeps its on-site
report's verdict and the corrections the enterprise must answer. A candidate keeps the facts of
eligibility it was filed with (relation details, regions, years, level held, diploma). A filed
occupation may carry the enterprise's own position it stands for (相邻相近, 004 §一(三)).
Cases from before this revision have no centre recorded: the profile's default is used for them.
"""
import sqlalchemy as sa
import sqlmodel
from alembic import op

revision = '0007'
down_revision = '0006'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('filing_application', schema=None) as batch_op:
        batch_op.add_column(sa.Column('handling_centre', sqlmodel.sql.sqltypes.AutoString(length=6), nullable=False,
                                      server_default=''))
        batch_op.create_index(batch_op.f('ix_filing_application_handling_centre'), ['handling_centre'], unique=False)
    with op.batch_alter_table('evaluation_plan', schema=None) as batch_op:
        batch_op.add_column(sa.Column('handling_centre', sqlmodel.sql.sqltypes.AutoString(length=6), nullable=False,
                                      server_default=''))
        batch_op.create_index(batch_op.f('ix_evaluation_plan_handling_centre'), ['handling_centre'], unique=False)
    with op.batch_alter_table('institution', schema=None) as batch_op:
        batch_op.add_column(sa.Column('handling_centre', sqlmodel.sql.sqltypes.AutoString(length=6), nullable=True))
        batch_op.add_column(sa.Column('pilot_plan_approved_on', sa.Date(), nullable=True))
    with op.batch_alter_table('user_account', schema=None) as batch_op:
        batch_op.add_column(sa.Column('card_number', sqlmodel.sql.sqltypes.AutoString(length=40), nullable=True))
    with op.batch_alter_table('evaluation_plan', schema=None) as batch_op:
        batch_op.add_column(sa.Column('supervision_verdict', sqlmodel.sql.sqltypes.AutoString(), nullable=True))
        batch_op.add_column(sa.Column('corrections', sa.JSON(), nullable=False, server_default='[]'))
        batch_op.add_column(sa.Column('corrections_answer', sa.JSON(), nullable=False, server_default='[]'))
        batch_op.add_column(sa.Column('corrections_answered_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True))
    with op.batch_alter_table('filing_occupation', schema=None) as batch_op:
        batch_op.add_column(sa.Column('position_name', sqlmodel.sql.sqltypes.AutoString(), nullable=False,
                                      server_default=''))
        batch_op.add_column(sa.Column('mapping_reason', sqlmodel.sql.sqltypes.AutoString(), nullable=False,
                                      server_default=''))
    with op.batch_alter_table('candidate', schema=None) as batch_op:
        batch_op.add_column(sa.Column('eligibility', sa.JSON(), nullable=False, server_default='{}'))
    with op.batch_alter_table('objection', schema=None) as batch_op:
        batch_op.add_column(sa.Column('objector_name', sqlmodel.sql.sqltypes.AutoString(), nullable=False,
                                      server_default=''))
    op.create_table(
        'pilot_plan',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('filing_id', sa.Integer(), nullable=False),
        sa.Column('round', sa.Integer(), nullable=False),
        sa.Column('summary', sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column('materials', sa.JSON(), nullable=False),
        sa.Column('submitted_by', sa.Integer(), nullable=True),
        sa.Column('submitted_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.Column('outcome', sqlmodel.sql.sqltypes.AutoString(), nullable=True),
        sa.Column('outcome_reasons', sa.JSON(), nullable=False),
        sa.Column('decided_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True),
        sa.ForeignKeyConstraint(['filing_id'], ['filing_application.id']),
        sa.ForeignKeyConstraint(['submitted_by'], ['user_account.id']),
        sa.PrimaryKeyConstraint('id'),
        sa.UniqueConstraint('filing_id', 'round'),
    )
    with op.batch_alter_table('pilot_plan', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_pilot_plan_filing_id'), ['filing_id'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('pilot_plan', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_pilot_plan_filing_id'))
    op.drop_table('pilot_plan')
    with op.batch_alter_table('objection', schema=None) as batch_op:
        batch_op.drop_column('objector_name')
    with op.batch_alter_table('candidate', schema=None) as batch_op:
        batch_op.drop_column('eligibility')
    with op.batch_alter_table('filing_occupation', schema=None) as batch_op:
        batch_op.drop_column('mapping_reason')
        batch_op.drop_column('position_name')
    with op.batch_alter_table('evaluation_plan', schema=None) as batch_op:
        for column in ('corrections_answered_at', 'corrections_answer', 'corrections', 'supervision_verdict'):
            batch_op.drop_column(column)
    with op.batch_alter_table('user_account', schema=None) as batch_op:
        batch_op.drop_column('card_number')
    with op.batch_alter_table('institution', schema=None) as batch_op:
        batch_op.drop_column('pilot_plan_approved_on')
        batch_op.drop_column('handling_centre')
    with op.batch_alter_table('evaluation_plan', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_evaluation_plan_handling_centre'))
        batch_op.drop_column('handling_centre')
    with op.batch_alter_table('filing_application', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_filing_application_handling_centre'))
        batch_op.drop_column('handling_centre')
