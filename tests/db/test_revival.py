"""The reviver: a run whose process is gone is marked crashed and its case started again — also a
run left PENDING by a runner that died after claiming it (found killing a runner in a 500-filing
burst: four runs stayed "Submitting" for ever)."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlmodel import select

from core.clock import wall_now
from models.cases import FilingApplication, Institution
from models.db import session_scope
from models.workflow import OutboxMessage

pytestmark = pytest.mark.postgres  # on PostgreSQL too: the reviver's queries


@pytest.fixture()
def filing_with_run(settings):
    now = wall_now()
    with session_scope(settings.database_url) as session:
        institution = Institution(name="甲", credit_code="91440106MA5C00001Y", region_code="440106",
                                  profile_code="guangdong", created_at=now)
        session.add(institution)
        session.flush()
        filing = FilingApplication(institution_id=institution.id, profile_code="guangdong", region_code="440106",
                                   form={}, status="submitted", flow_run_id="run-claimed-by-a-dead-runner",
                                   created_at=now, updated_at=now)
        session.add(filing)
        session.flush()
        session.add(OutboxMessage(kind="institution_filing", case_id=filing.id, parameters={"filing_id": filing.id},
                                  created_at=now, dispatched_at=now, flow_run_id=filing.flow_run_id))
        return filing.id


@pytest.mark.parametrize("state,age_seconds,revived", [
    ("PENDING", 3600, True),   # claimed by a runner that died before starting it
    ("RUNNING", 3600, True),   # its process died
    ("PENDING", 5, False),     # a runner is starting it right now
    ("PAUSED", 3600, False),   # suspended, waiting for a person: nothing wrong
    ("CRASHED", 1, True),
])
def test_a_run_stuck_without_a_process_is_marked_crashed_and_its_case_started_again(
        settings, filing_with_run, monkeypatch, state, age_seconds, revived):
    from engine import workflow
    from engine.tick import revive_crashed_runs

    since = dt.datetime.now(dt.UTC) - dt.timedelta(seconds=age_seconds)
    marked = []
    monkeypatch.setattr(workflow, "run_states", lambda api_url, ids: {run: (state, since) for run in ids})
    monkeypatch.setattr(workflow, "mark_crashed", lambda api_url, run, reason: marked.append(run))
    assert revive_crashed_runs(settings.replace(stale_run_seconds=600)) == (1 if revived else 0)
    assert bool(marked) == (revived and state != "CRASHED")
    with session_scope(settings.database_url, readonly=True) as session:
        starts = session.exec(select(OutboxMessage).where(OutboxMessage.case_id == filing_with_run)).all()
    assert len(starts) == (2 if revived else 1)
