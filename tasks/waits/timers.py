"""Business timers in working days: recorded rows that the tick fires, recomputed with the calendar."""

from __future__ import annotations

import datetime as dt

from sqlmodel import Session, col, select

from core.clock import wall_now
from models.audit import AuditEvent
from models.cases import EvaluationPlan, FilingApplication
from models.db import insert_once
from models.sla import SlaClock
from models.workflow import HumanTask, Timer
from policy.eligibility import latest_plan_filing_date
from policy.profiles import get_profile
from policy.working_days import OfficialYear, WorkingCalendar, WorkingDate
from tasks.records import audit
from tasks.waits import sla
from tasks.waits.calendar import load_calendar, store_official_years
from tasks.waits.human_tasks import wake


def ensure_timer(session: Session, *, key: str, case_type: str, case_id: int, purpose: str, start: dt.date,
                 working_days: int | None = None, until: dt.date | None = None, start_day_counts: bool = False,
                 flow_run_id: str | None = None) -> Timer:
    """The timer with this key, created on first call. A period of N working days from `start`
    fires the day after its last day; `until` fires on that date."""
    existing = session.exec(select(Timer).where(Timer.key == key)).first()
    if existing is not None:
        if flow_run_id and existing.flow_run_id != flow_run_id:
            existing.flow_run_id = flow_run_id
            session.add(existing)
        return existing
    if (working_days is None) == (until is None):
        raise ValueError("a timer runs either for working_days or until a date")
    if working_days is not None:
        end = load_calendar(session).add(start, working_days, start_day_counts=start_day_counts)
        period_end, provisional, due = end.date, end.provisional, end.date + dt.timedelta(days=1)
    else:
        assert until is not None
        period_end, provisional, due = until, False, until
    timer = Timer(key=key, case_type=case_type, case_id=case_id, purpose=purpose, start_date=start,
                  working_days=working_days, start_day_counts=start_day_counts, period_end=period_end, due_date=due,
                  provisional=provisional, flow_run_id=flow_run_id)
    timer, inserted = insert_once(session, timer,
                                 lambda: session.exec(select(Timer).where(Timer.key == key)).one())
    if not inserted:
        return timer
    audit.record(session, case_type=case_type, case_id=case_id, action=f"timer_set:{purpose}",
                 after={"period_end": period_end.isoformat(), "fires_on": due.isoformat(), "provisional": provisional})
    return timer


def has_fired(session: Session, *, timer_id: int) -> bool:
    timer = session.get(Timer, timer_id)
    return timer is not None and timer.status == "fired"


def fire_due_timers(session: Session, today: dt.date, limit: int = 500) -> list[Timer]:
    """Mark due timers fired and wake their runs (one transaction: a crash fires nothing or all)."""
    due = list(session.exec(select(Timer).where(Timer.status == "pending", col(Timer.due_date) <= today)
                            .order_by(col(Timer.due_date), col(Timer.id)).limit(limit)).all())
    for timer in due:
        timer.status, timer.fired_at = "fired", wall_now()
        session.add(timer)
        audit.record(session, case_type=timer.case_type, case_id=timer.case_id, action=f"timer_fired:{timer.purpose}",
                     after={"timer_id": timer.id, "due_date": timer.due_date.isoformat()})
        if timer.flow_run_id:
            wake(session, timer.flow_run_id, reason=f"timer {timer.key} fired")
    return due


def import_calendar(session: Session, years: list[OfficialYear], *, imported_by: str, now: dt.datetime,
                    names: dict[dt.date, str] | None = None) -> tuple[int, int]:
    """A year's notice imported: store it, then move what was counted on the old calendar."""
    store_official_years(session, years, imported_by=imported_by, now=now, names=names)
    return recompute_after_calendar_change(session)


# A timer whose end a case also stores (the public page and the objection route read the case): the case's
# date moves with the timer, in the same transaction.
STORED_ENDS: dict[tuple[str, str], tuple[type[FilingApplication] | type[EvaluationPlan], str, str | None]] = {
    ("filing", "publicity"): (FilingApplication, "publicity_end", "publicity_provisional"),
               ("plan", "results_publicity"): (EvaluationPlan, "publicity_end", None)}


def _move_stored_end(session: Session, timer: Timer, end: WorkingDate) -> None:
    stored = STORED_ENDS.get((timer.case_type, timer.purpose))
    if stored is None:
        return
    table, field, provisional_field = stored
    case = session.get(table, timer.case_id)
    if case is None or getattr(case, field) is None:
        return
    setattr(case, field, end.date)
    if provisional_field:
        setattr(case, provisional_field, end.provisional)
    session.add(case)


def _move_results_due(session: Session, calendar: WorkingCalendar) -> None:
    """A batch waiting for its results: the due date as the calendar now computes it (the late flag is judged
    on it); recorded on the case when it moves."""
    for plan in session.exec(select(EvaluationPlan).where(col(EvaluationPlan.results_due).is_not(None),
                                                          col(EvaluationPlan.status).in_(("awaiting_results",
                                                                                     "results_returned")))).all():
        profile = get_profile(plan.profile_code)
        due = calendar.add(plan.evaluation_end, profile.results_due_working_days,
                           start_day_counts=profile.start_day_counts).date
        if due != plan.results_due:
            audit.record(session, case_type="plan", case_id=plan.id, action="results_due_recomputed",
                         before={"results_due": plan.results_due and plan.results_due.isoformat()},
                         after={"results_due": due.isoformat()})
            plan.results_due = due
            session.add(plan)


def _flag_short_lead_times(session: Session, calendar: WorkingCalendar) -> None:
    """A plan accepted on an estimated calendar that the official one makes late is not refused afterwards:
    its case records the finding (shown on the case page's timeline) for its officer to decide on."""
    flagged = set(session.exec(select(AuditEvent.case_id).where(AuditEvent.case_type == "plan",
                                                                AuditEvent.action == "plan_lead_time_short")).all())
    for plan in session.exec(select(EvaluationPlan)
                             .where(col(EvaluationPlan.status).in_(("filed", "scheduled")))).all():
        latest = latest_plan_filing_date(plan.evaluation_start, get_profile(plan.profile_code), calendar)
        if plan.filed_on > latest.date and plan.id not in flagged:
            audit.record(session, case_type="plan", case_id=plan.id, action="plan_lead_time_short",
                         after={"filed_on": plan.filed_on.isoformat(), "latest_allowed": latest.date.isoformat(),
                                "provisional": latest.provisional})


def recompute_after_calendar_change(session: Session) -> tuple[int, int]:
    """Move pending timers, the dates cases store beside them, batches' results due dates and open tasks' due
    dates to the calendar as it is now (provisional estimates become official dates when a year's notice is
    imported): after an import every stored deadline is what the rules compute, in one transaction."""
    calendar = load_calendar(session)
    timers = tasks = 0
    for timer in session.exec(select(Timer).where(Timer.status == "pending",
                                                  col(Timer.working_days).is_not(None))).all():
        if timer.working_days is None:  # a timer set for a day, not a count of working days: nothing to move
            continue
        end = calendar.add(timer.start_date, timer.working_days, start_day_counts=timer.start_day_counts)
        if (end.date, end.provisional) != (timer.period_end, timer.provisional):
            audit.record(session, case_type=timer.case_type, case_id=timer.case_id, action="timer_recomputed",
                         before={"period_end": timer.period_end.isoformat(), "provisional": timer.provisional},
                         after={"period_end": end.date.isoformat(), "provisional": end.provisional})
            timer.period_end, timer.provisional = end.date, end.provisional
            timer.due_date = end.date + dt.timedelta(days=1)
            session.add(timer)
            _move_stored_end(session, timer, end)
            timers += 1
    _move_results_due(session, calendar)
    _flag_short_lead_times(session, calendar)

    sla.recompute_after_calendar_change(session)
    clocks = {(c.case_type, c.case_id, c.step): c for c in
              session.exec(select(SlaClock).where(SlaClock.status == "running")).all()}
    for task in session.exec(select(HumanTask).where(col(HumanTask.status).in_(("open", "claimed")))).all():
        clock = clocks.get((task.case_type, task.case_id, task.step))
        due = (WorkingDate(clock.due_date, clock.provisional) if clock is not None else
               calendar.add(task.created_on, task.due_working_days, start_day_counts=task.start_day_counts))
        if (due.date, due.provisional) != (task.due_date, task.due_provisional):
            task.due_date, task.due_provisional = due.date, due.provisional
            session.add(task)
            tasks += 1
    return timers, tasks
