"""The tick starts queued runs; a start that fails waits before it is tried again, so a start refused
for good (a wrong credential, a deployment missing) is neither a hot loop nor a flood of tracebacks,
and a Prefect server back from a restart is used within half a minute."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlmodel import select

from core.clock import wall_now
from engine import tick, workflow
from models.db import session_scope
from models.workflow import OutboxMessage

pytestmark = pytest.mark.postgres  # on PostgreSQL too: the dispatch's query


@pytest.mark.parametrize("failures,seconds", [(1, 0.5), (2, 1), (3, 2), (6, 16), (7, 30), (40, 30)])
def test_a_failed_start_waits_half_a_second_doubling_up_to_thirty(failures, seconds):
    assert tick.retry_delay(failures) == dt.timedelta(seconds=seconds)


@pytest.fixture()
def queued(settings):
    with session_scope(settings.database_url) as session:
        message = OutboxMessage(kind="institution_filing", case_id=1, parameters={"filing_id": 1},
                                created_at=wall_now())
        session.add(message)
        session.flush()
        return message.id


def test_a_refused_start_is_not_tried_again_before_its_delay_and_then_starts(settings, queued, monkeypatch):
    attempts = []

    def refused(api_url, flow_name, parameters, idempotency_key):
        attempts.append(idempotency_key)
        raise RuntimeError("401 Unauthorized")

    monkeypatch.setattr(workflow, "start_run", refused)
    for _ in range(5):  # passes in quick succession
        assert tick.dispatch_outbox(settings) == 0
    assert attempts == [f"outbox-{queued}"]
    with session_scope(settings.database_url) as session:
        row = session.get(OutboxMessage, queued)
        assert row.attempts == 1 and row.last_error == "RuntimeError: 401 Unauthorized"
        assert row.retry_after is not None and row.retry_after > wall_now()
        row.retry_after = wall_now() - dt.timedelta(seconds=1)  # its delay has passed
        session.add(row)
    monkeypatch.setattr(workflow, "start_run", lambda *a, **k: "run-1")
    assert tick.dispatch_outbox(settings) == 1
    with session_scope(settings.database_url, readonly=True) as session:
        row = session.get(OutboxMessage, queued)
        assert row.dispatched_at is not None and row.flow_run_id == "run-1" and row.attempts == 2


def test_a_busy_server_delays_the_start_the_same_way(settings, queued, monkeypatch):
    def busy(*args, **kwargs):
        raise workflow.PrefectBusy("503 database is locked")

    monkeypatch.setattr(workflow, "start_run", busy)
    monkeypatch.setattr(tick.time, "sleep", lambda seconds: None)
    tick.dispatch_outbox(settings)
    tick.dispatch_outbox(settings)
    with session_scope(settings.database_url, readonly=True) as session:
        row = session.get(OutboxMessage, queued)
    assert row.attempts == 1 and row.dispatched_at is None and row.retry_after > wall_now()


@pytest.fixture()
def runner_ear():
    """A UDP socket standing for a runner listening for nudges."""
    import socket

    ear = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    ear.bind(("127.0.0.1", 0))
    ear.settimeout(30)  # waits for the fact (the datagram), bounded only so a failure cannot hang
    yield ear, f"127.0.0.1:{ear.getsockname()[1]}"
    ear.close()


def test_a_pass_that_started_runs_nudges_the_runners_once(settings, queued, monkeypatch, runner_ear):
    ear, address = runner_ear
    monkeypatch.setattr(workflow, "start_run", lambda *a, **k: "run-1")
    assert tick.dispatch_outbox(settings.replace(runner_nudge_targets=(address,))) == 1
    assert ear.recv(16) == b"look"
    ear.settimeout(0.2)
    with pytest.raises(TimeoutError):  # one nudge for the pass
        ear.recv(16)


def test_a_decision_that_resumed_its_run_nudges_the_runners(settings, monkeypatch, runner_ear):
    from models.workflow import Wakeup

    ear, address = runner_ear
    with session_scope(settings.database_url) as session:
        session.add(Wakeup(flow_run_id="run-1", reason="task 1 decided", created_at=wall_now()))
    monkeypatch.setattr(workflow, "resume", lambda api_url, run_id: "resumed")
    tick.wake_now(settings.replace(runner_nudge_targets=(address,), prefect_api_url="http://prefect.internal/api"),
                  "run-1")
    assert ear.recv(16) == b"look"
    with session_scope(settings.database_url, readonly=True) as session:
        assert all(w.delivered_at is not None for w in session.exec(select(Wakeup)).all())
