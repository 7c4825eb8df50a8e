"""SLA clocks on a simulated business clock around the 2026 National Day holidays (10/1–10/7 off,
Saturday 10/10 a make-up working day): at risk, breached and escalated on the right dates, pauses
while waiting on the applicant, breaches closed by the decision, each level notified once."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlmodel import select

from core.clock import CHINA
from models.clock import set_business_now
from models.db import session_scope
from models.sla import SlaBreach, SlaClock, SlaPause
from models.workflow import HumanTask
from tasks.waits import human_tasks, sla
from tasks.waits.calendar import load_calendar
from tests.db.helpers import filing_with_acceptance_task

pytestmark = pytest.mark.postgres  # on PostgreSQL too: the SLA scan's queries and unique breaches


class Recorder:
    def __init__(self, fail: bool = False) -> None:
        self.sent: list[dict] = []
        self.fail = fail

    def send(self, notification: dict) -> None:
        if self.fail:
            raise ConnectionError("webhook down")
        self.sent.append(notification)


@pytest.fixture()
def db(settings):
    from core.settings import install

    return install(settings.replace(clock="simulated")).database_url


def on(url: str, day: dt.date) -> None:
    with session_scope(url) as session:
        set_business_now(session, dt.datetime.combine(day, dt.time(9), tzinfo=CHINA))




def scan(url: str, day: dt.date, notifier: Recorder) -> list[str]:
    on(url, day)
    with session_scope(url) as session:
        levels = [b.level for b in sla.scan(session)]
    sla.deliver(url, notifier)
    return levels


def decide(url: str, task_id: int, decision: str, **payload) -> None:
    with session_scope(url) as session:
        human_tasks.decide(session, session.get(HumanTask, task_id), decision=decision, payload=payload,
                           user_id=None, role="officer")


def test_an_acceptance_is_at_risk_breached_and_escalated_on_the_right_working_days_around_national_day(db):
    on(db, dt.date(2026, 9, 24))
    _, task_id = filing_with_acceptance_task(db)
    with session_scope(db, readonly=True) as session:
        clock = session.exec(select(SlaClock)).one()
        # 5 working days after Thu 9/24 (Fri 9/25 is the Mid-Autumn holiday): 9/28, 9/29, 9/30, 10/8, 10/9
        assert clock.due_date == dt.date(2026, 10, 9) == session.get(HumanTask, task_id).due_date
        assert clock.at_risk_on == dt.date(2026, 9, 30)  # 2 working days left: 10/8 and 10/9
        assert clock.breached_on == dt.date(2026, 10, 10)  # a Saturday, but a make-up working day
        assert clock.escalate_on == dt.date(2026, 10, 14)  # 3 working days later: 10/12, 10/13, 10/14
    notifier = Recorder()
    assert scan(db, dt.date(2026, 9, 29), notifier) == []
    assert scan(db, dt.date(2026, 9, 30), notifier) == ["at_risk"]
    assert scan(db, dt.date(2026, 10, 9), notifier) == []
    assert scan(db, dt.date(2026, 10, 10), notifier) == ["breached"]
    assert scan(db, dt.date(2026, 10, 13), notifier) == []
    assert scan(db, dt.date(2026, 10, 14), notifier) == ["escalated"]
    assert scan(db, dt.date(2026, 10, 20), notifier) == []
    assert [(n["level"], n["notify"]) for n in notifier.sent] == [
        ("at_risk", "assignee"), ("breached", "centre_lead"), ("escalated", "operations")]


def test_a_scan_after_a_long_gap_opens_every_level_crossed_once(db):
    on(db, dt.date(2026, 9, 24))
    filing_with_acceptance_task(db)
    notifier = Recorder()
    assert scan(db, dt.date(2026, 10, 20), notifier) == ["at_risk", "breached", "escalated"]
    assert scan(db, dt.date(2026, 10, 21), notifier) == []
    assert len(notifier.sent) == 3


def test_a_deficiency_notice_pauses_the_clock_and_moves_the_breach_by_exactly_the_paused_working_days(db):
    on(db, dt.date(2026, 9, 24))
    filing_id, first = filing_with_acceptance_task(db)
    with session_scope(db, readonly=True) as session:
        unpaused_breach = session.exec(select(SlaClock)).one().breached_on
    on(db, dt.date(2026, 9, 29))
    decide(db, first, "deficient", deficiencies=["缺少营业执照"])
    assert scan(db, dt.date(2026, 10, 10), Recorder()) == []  # paused: nothing can breach
    on(db, dt.date(2026, 10, 12))  # the enterprise resubmits; acceptance round 2 resumes the clock
    _, second = filing_with_acceptance_task(db, round_no=1, filing_id=filing_id)
    with session_scope(db, readonly=True) as session:
        clock = session.exec(select(SlaClock)).one()
        pause = session.exec(select(SlaPause)).one()
        calendar = load_calendar(session)
        # paused from 9/29 to 10/12: 9/30, 10/8, 10/9, 10/10 (make-up), 10/12
        assert (pause.paused_on, pause.resumed_on, pause.working_days) == (dt.date(2026, 9, 29),
                                                                            dt.date(2026, 10, 12), 5)
        assert clock.breached_on == calendar.add(unpaused_breach, 5).date == dt.date(2026, 10, 16)
        assert session.get(HumanTask, second).due_date == clock.due_date == dt.date(2026, 10, 15)


def test_deciding_the_step_closes_its_breaches_and_stops_the_clock(db):
    on(db, dt.date(2026, 9, 24))
    _, task_id = filing_with_acceptance_task(db)
    assert scan(db, dt.date(2026, 10, 10), Recorder()) == ["at_risk", "breached"]
    decide(db, task_id, "approve")
    with session_scope(db, readonly=True) as session:
        breaches = session.exec(select(SlaBreach)).all()
        assert all(b.closed_on == dt.date(2026, 10, 10) for b in breaches)
        assert session.exec(select(SlaClock)).one().status == "completed"
    assert scan(db, dt.date(2026, 10, 20), Recorder()) == []


def test_a_failed_notification_is_sent_again_on_the_next_tick_and_then_only_once(db):
    on(db, dt.date(2026, 9, 24))
    filing_with_acceptance_task(db)
    down = Recorder(fail=True)
    scan(db, dt.date(2026, 9, 30), down)
    with session_scope(db, readonly=True) as session:
        breach = session.exec(select(SlaBreach)).one()
        assert breach.notified_at is None and breach.notify_error == "webhook down"
    up = Recorder()
    scan(db, dt.date(2026, 9, 30), up)
    scan(db, dt.date(2026, 9, 30), up)
    assert [n["level"] for n in up.sent] == ["at_risk"]
