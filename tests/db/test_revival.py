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
    monkeypatch.setattr(workflow, "last_progress", lambda api_url, run: since)  # its steps as still as itself
    monkeypatch.setattr(workflow, "mark_crashed", lambda api_url, run, reason: marked.append(run))
    assert revive_crashed_runs(settings.replace(stale_run_seconds=600)) == (1 if revived else 0)
    assert bool(marked) == (revived and state != "CRASHED")
    with session_scope(settings.database_url, readonly=True) as session:
        starts = session.exec(select(OutboxMessage).where(OutboxMessage.case_id == filing_with_run)).all()
    assert len(starts) == (2 if revived else 1)


def test_a_running_run_whose_steps_move_is_alive_however_long_its_own_state_stands(settings, filing_with_run,
                                                                                    monkeypatch):
    """A replay slowed down by a loaded machine keeps its flow run RUNNING for longer than the stale window
    while its task runs change state every moment: declared dead, it was restarted beside itself, and after
    REVIVE_LIMIT restarts its case was never started again (the ministry-refusal test waiting 240 s in CI)."""
    from engine import workflow
    from engine.tick import revive_crashed_runs

    now = dt.datetime.now(dt.UTC)
    marked = []
    monkeypatch.setattr(workflow, "run_states", lambda api_url, ids: {run: ("RUNNING", now - dt.timedelta(seconds=60))
                                                                     for run in ids})
    monkeypatch.setattr(workflow, "last_progress", lambda api_url, run: now - dt.timedelta(seconds=2), raising=False)
    monkeypatch.setattr(workflow, "mark_crashed", lambda api_url, run, reason: marked.append(run))
    assert revive_crashed_runs(settings.replace(stale_run_seconds=20)) == 0
    assert marked == []


def test_a_run_that_keeps_dying_is_an_incident_for_operations_and_their_retry_starts_it_once_more(
        settings, filing_with_run, monkeypatch):
    from engine import workflow
    from engine.tick import REVIVE_LIMIT, revive_crashed_runs
    from models.workflow import Incident
    from tasks.waits.registry import retry_incident

    monkeypatch.setattr(workflow, "run_states", lambda api_url, ids: {run: ("CRASHED", wall_now()) for run in ids})

    def starts() -> int:
        with session_scope(settings.database_url, readonly=True) as session:
            return len(session.exec(select(OutboxMessage).where(OutboxMessage.case_id == filing_with_run)).all())

    def mark_started() -> None:  # the dispatcher started the queued run (which crashed again)
        with session_scope(settings.database_url) as session:
            for message in session.exec(select(OutboxMessage).where(OutboxMessage.dispatched_at.is_(None))):
                message.dispatched_at, message.flow_run_id = wall_now(), "run-claimed-by-a-dead-runner"
                session.add(message)

    for _ in range(REVIVE_LIMIT):
        assert revive_crashed_runs(settings) == 1
        mark_started()
    assert revive_crashed_runs(settings) == 0 and revive_crashed_runs(settings) == 0  # not again by itself …
    with session_scope(settings.database_url) as session:
        incidents = session.exec(select(Incident).where(Incident.kind == "run_lost")).all()
        assert [(i.case_type, i.case_id, i.status) for i in incidents] == [("filing", filing_with_run, "open")]
        assert "after 3 restarts" in incidents[0].error
        retry_incident(session, incident_id=incidents[0].id, user_id=None, role="operations")  # … but told
    assert revive_crashed_runs(settings) == 1 and starts() == REVIVE_LIMIT + 2
    with session_scope(settings.database_url, readonly=True) as session:
        assert session.get(Incident, incidents[0].id).status == "resolved"


def test_a_crashed_run_is_started_again_once_even_when_the_reviver_read_it_before_the_new_start(
        settings, filing_with_run, monkeypatch):
    """Found on hosts of their own: the reviver read the cases one statement at a time, a start dispatched
    between two reads looked like none, and one crashed run was started again twice — two live runs."""
    from engine import tick, workflow

    monkeypatch.setattr(workflow, "run_states", lambda api_url, ids: {run: ("CRASHED", wall_now()) for run in ids})
    stale_read = tick._active_runs  # what a pass read before the dispatch below
    with session_scope(settings.database_url, readonly=True) as session:
        before = stale_read(session)
    assert before == [("run-claimed-by-a-dead-runner", "institution_filing", filing_with_run)]
    assert tick.revive_crashed_runs(settings) == 1
    monkeypatch.setattr(workflow, "start_run", lambda *args, **kwargs: "run-started-again")
    assert tick.dispatch_outbox(settings) == 1
    monkeypatch.setattr(tick, "_active_runs", lambda session: before)  # the next pass, on its old read
    assert tick.revive_crashed_runs(settings) == 0
    with session_scope(settings.database_url, readonly=True) as session:
        starts = session.exec(select(OutboxMessage).where(OutboxMessage.case_id == filing_with_run)).all()
        assert len(starts) == 2
        assert session.get(FilingApplication, filing_with_run).flow_run_id == "run-started-again"


def test_a_case_with_a_start_queued_has_no_active_run_to_judge(settings, filing_with_run):
    from engine import tick

    with session_scope(settings.database_url) as session:
        session.add(OutboxMessage(kind="institution_filing", case_id=filing_with_run,
                                  parameters={"filing_id": filing_with_run}, created_at=wall_now()))
    with session_scope(settings.database_url, readonly=True) as session:
        assert tick._active_runs(session) == []
