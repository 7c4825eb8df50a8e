"""The schema comes from Alembic migrations, and they match the models."""

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import inspect
from sqlmodel import SQLModel

import models  # noqa: F401
from models.db import get_engine, migrate

pytestmark = pytest.mark.postgres  # on PostgreSQL too: every revision on each database


def test_migrations_create_every_table_and_match_the_models(settings):
    engine = get_engine(settings.database_url)
    assert set(SQLModel.metadata.tables) <= set(inspect(engine).get_table_names())
    with engine.connect() as connection:
        diff = compare_metadata(MigrationContext.configure(connection), SQLModel.metadata)
    assert diff == []


def test_migrating_twice_is_harmless(settings):
    migrate(settings.database_url)
    migrate(settings.database_url)


def test_certificate_serials_are_unique_in_the_database_not_only_in_code(settings):
    import datetime as dt

    import pytest
    from sqlalchemy.exc import IntegrityError

    from models.cases import Candidate, Certificate, EvaluationPlan, Institution
    from models.db import session_scope

    now = dt.datetime(2026, 11, 22, tzinfo=dt.UTC)
    with session_scope(settings.database_url) as s:
        inst = Institution(name="甲", credit_code="91350100M000100Y43", region_code="440305", profile_code="guangdong",
                           segment="Y000044000001", created_at=now)
        s.add(inst)
        s.flush()
        plan = EvaluationPlan(institution_id=inst.id, region_code="440305", profile_code="guangdong",
                              occupation_code="6-18-01-01", evaluation_start=dt.date(2026, 12, 1),
                              evaluation_end=dt.date(2026, 12, 1), filed_on=dt.date(2026, 11, 1), staff={},
                              created_at=now, updated_at=now)
        s.add(plan)
        s.flush()
        c1 = Candidate(plan_id=plan.id, name="a", id_number="11010519491231002X", relation="employee", level=3)
        c2 = Candidate(plan_id=plan.id, name="b", id_number="110105194912310021", relation="employee", level=3)
        s.add_all([c1, c2])
        s.flush()
        ids = (inst.id, plan.id, c1.id, c2.id)

    def certificate(candidate_id, number):
        return Certificate(
            number=number,
            serial_scope=number[:16],
            serial=int(number[16:]),
            candidate_id=candidate_id,
            plan_id=ids[1],
            institution_id=ids[0],
            holder_name="x",
            id_number="11010519491231002X",
            occupation_code="6-18-01-01",
            occupation_name="车工",
            level=3,
            issued_on=dt.date(2026, 12, 1),
        )

    with session_scope(settings.database_url) as s:
        s.add(certificate(ids[2], "Y000044000001263000001"))
    with pytest.raises(IntegrityError), session_scope(settings.database_url) as s:
        s.add(certificate(ids[3], "Y000044000001263000001"))
