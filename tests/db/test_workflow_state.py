"""Human tasks, timers and wake-ups in the database: locking, idempotency, recomputation."""

import datetime as dt

import pytest
from sqlmodel import select

from models.db import session_scope
from models.workflow import Timer, Wakeup
from policy.working_days import OfficialYear
from tasks.waits import human_tasks, timers

pytestmark = pytest.mark.postgres  # on PostgreSQL too: outbox and wake-up rows

NOW = dt.datetime(2026, 11, 22, tzinfo=dt.UTC)


@pytest.fixture()
def db(settings):
    return settings.database_url  # on the real clock (the fixture's settings)


def _task(session, key="case:1:acceptance:0", run="run-1"):
    return human_tasks.ensure_task(session, key=key, case_type="filing", case_id=1, step="acceptance", role="officer",
                                   jurisdiction="440300", due_working_days=5, flow_run_id=run)


def test_a_replayed_step_finds_its_task_instead_of_creating_another(db):
    with session_scope(db) as session:
        first = _task(session)
    with session_scope(db) as session:
        again = _task(session, run="run-2")
        assert again.id == first.id
        assert again.flow_run_id == "run-2"  # a revived run takes the task over


def test_a_second_decision_is_refused_and_the_first_stands(db):
    with session_scope(db) as session:
        task = _task(session)
        human_tasks.decide(session, task, decision="approve", payload={}, user_id=None, role="officer")
    with session_scope(db) as session:
        task = human_tasks.get_by_key(session, "case:1:acceptance:0")
        with pytest.raises(human_tasks.TaskConflict, match="already decided"):
            human_tasks.decide(session, task, decision="reject", payload={}, user_id=None, role="officer")
    with session_scope(db) as session:
        assert human_tasks.get_by_key(session, "case:1:acceptance:0").decision == "approve"


def test_a_decision_on_a_stale_version_is_refused(db):
    with session_scope(db) as session:
        seen = _task(session).version
    with session_scope(db) as session:
        task = human_tasks.get_by_key(session, "case:1:acceptance:0")
        with pytest.raises(human_tasks.TaskConflict, match="changed since"):
            human_tasks.decide(session, task, decision="approve", payload={}, user_id=None, role="officer",
                               expected_version=seen + 1)


def test_deciding_wakes_the_run_in_the_same_transaction(db):
    with session_scope(db) as session:
        task = _task(session)
        human_tasks.decide(session, task, decision="approve", payload={}, user_id=None, role="officer")
    with session_scope(db) as session:
        wakeups = session.exec(select(Wakeup)).all()
        assert [(w.flow_run_id, w.delivered_at) for w in wakeups] == [("run-1", None)]


def test_due_timers_fire_once_and_wake_their_runs(db):
    with session_scope(db) as session:
        timers.ensure_timer(session, key="t1", case_type="filing", case_id=1, purpose="publicity",
                            start=dt.date(2026, 9, 30), working_days=5, flow_run_id="run-9")
    with session_scope(db) as session:
        timer = session.exec(select(Timer).where(Timer.key == "t1")).one()
        assert timer.period_end == dt.date(2026, 10, 13)  # 10-08, 10-09, 10-10 (make-up Saturday), 10-12, 10-13
        assert timer.due_date == dt.date(2026, 10, 14)  # the run goes on the day after the period
    with session_scope(db) as session:
        assert timers.fire_due_timers(session, dt.date(2026, 10, 13)) == []
    with session_scope(db) as session:
        assert [t.key for t in timers.fire_due_timers(session, dt.date(2026, 10, 14))] == ["t1"]
    with session_scope(db) as session:
        assert timers.fire_due_timers(session, dt.date(2026, 12, 31)) == []
        assert session.exec(select(Wakeup.flow_run_id)).all() == ["run-9"]


def test_importing_the_next_years_notice_moves_provisional_timers_and_due_dates(db):
    with session_scope(db) as session:
        timer = timers.ensure_timer(session, key="t2", case_type="plan", case_id=2, purpose="results_publicity",
                                    start=dt.date(2026, 12, 29), working_days=5)
        assert timer.provisional
        estimated_end = timer.period_end
    notice = OfficialYear(2027, frozenset({dt.date(2027, 1, 1), dt.date(2027, 1, 4)}), frozenset(), "test notice")
    with session_scope(db) as session:
        timers.import_calendar(session, [notice], imported_by="admin", now=NOW)
    with session_scope(db) as session:
        timer = session.exec(select(Timer).where(Timer.key == "t2")).one()
        assert not timer.provisional
        assert timer.period_end == estimated_end + dt.timedelta(days=1)  # 2027-01-04 became a holiday
        assert timer.due_date == timer.period_end + dt.timedelta(days=1)
