"""SLA clocks: started with a step's first task, paused while the case waits on the applicant,
completed when the step is done; the scan opens each level once and the notifier tells the ladder."""

from __future__ import annotations

import datetime as dt
import logging
from typing import Any

from sqlmodel import Session, col, func, select

from core.clock import wall_now
from models import responses as out
from models.accounts import User
from models.case_kinds import CASE_LABELS, institution_case
from models.clock import business_today
from models.db import insert_once, session_scope
from models.sla import SlaBreach, SlaClock, SlaPause
from models.workflow import HumanTask
from policy.profiles import get_profile
from policy.sla import (
    LEVEL_NAMES,
    NOTIFY,
    NOTIFY_NAMES,
    SLA_STEPS,
    ClockDates,
    SlaRule,
    clock_dates,
    level_on,
    levels_between,
    next_check,
)
from policy.steps import label as step_label
from tasks.adapters import notify
from tasks.records import audit
from tasks.waits.calendar import load_calendar

log = logging.getLogger("certflow.sla")
CASE_KINDS = CASE_LABELS
PAUSING_DECISIONS = {"deficient": "一次性告知，等待补正", "return": "退回重报，等待企业"}


def _latest(session: Session, case_type: str, case_id: int, step: str) -> SlaClock | None:
    return session.exec(select(SlaClock).where(SlaClock.case_type == case_type, SlaClock.case_id == case_id,
                                               SlaClock.step == step).order_by(col(SlaClock.round).desc())).first()


def _set_dates(clock: SlaClock, dates: ClockDates) -> None:
    clock.due_date, clock.at_risk_on, clock.breached_on, clock.escalate_on = (
        dates.due, dates.at_risk_on, dates.breached_on, dates.escalate_on)
    clock.provisional = dates.provisional
    clock.next_check_on = next_check(dates, clock.level) if clock.status == "running" else None


def _dates(clock: SlaClock, calendar) -> ClockDates:
    """From the rule the clock started with (a profile edited later does not move running clocks)."""
    rule = SlaRule(clock.budget_working_days, clock.at_risk_working_days, clock.escalate_after_working_days)
    return clock_dates(calendar, started_on=clock.started_on, rule=rule,
                       paused_working_days=clock.paused_working_days, start_day_counts=clock.start_day_counts)


def start_or_resume(session: Session, *, case_type: str, case_id: int, step: str, jurisdiction: str,
                    start_day_counts: bool = False, started_on: dt.date | None = None) -> SlaClock | None:
    """The step's running clock: a paused one resumes (the pause is recorded with its working days),
    a completed one is followed by a new round; None for an unmonitored step or an unknown case."""
    case = institution_case(session, case_type, case_id)  # a report's review has no SLA clock
    if step not in SLA_STEPS or case is None:
        return None
    clock = _latest(session, case_type, case_id, step)
    if clock is not None and clock.status == "running":
        return clock
    today = business_today(session)
    calendar = load_calendar(session)
    if clock is not None and clock.status == "paused" and clock.paused_since is not None:
        pause = session.exec(
            select(SlaPause).where(SlaPause.clock_id == clock.id, col(SlaPause.resumed_on).is_(None))
        ).first()
        paused_days = max(0, calendar.count_between(clock.paused_since, today))
        if pause is not None:
            pause.resumed_on, pause.working_days = today, paused_days
            session.add(pause)
        clock.paused_working_days += paused_days
        clock.paused_since, clock.status = None, "running"
        _set_dates(clock, _dates(clock, calendar))  # levels already reached stay reached
        session.add(clock)
        audit.record(
            session,
            case_type=case_type,
            case_id=case_id,
            action=f"sla_resumed:{step}",
            after={"paused_working_days": paused_days, "due_date": clock.due_date.isoformat()},
        )
        return clock
    rule = get_profile(case.profile_code).sla[step]
    started_on = started_on or today
    dates = clock_dates(calendar, started_on=started_on, rule=rule, start_day_counts=start_day_counts)
    clock = SlaClock(
        case_type=case_type,
        case_id=case_id,
        step=step,
        round=(clock.round + 1) if clock else 0,
        jurisdiction=jurisdiction,
        institution_id=case.institution_id,
        started_on=started_on,
        budget_working_days=rule.budget,
        at_risk_working_days=rule.at_risk,
        escalate_after_working_days=rule.escalate_after,
        start_day_counts=start_day_counts,
        due_date=dates.due,
        at_risk_on=dates.at_risk_on,
        breached_on=dates.breached_on,
        escalate_on=dates.escalate_on,
    )
    _set_dates(clock, dates)
    # started concurrently by a replay: use that one
    return insert_once(session, clock, lambda: _latest(session, case_type, case_id, step))[0]


def pause(session: Session, *, case_type: str, case_id: int, step: str, reason: str) -> None:
    clock = _latest(session, case_type, case_id, step)
    if clock is None or clock.status != "running":
        return
    today = business_today(session)
    clock.status, clock.paused_since, clock.next_check_on = "paused", today, None
    session.add(clock)
    session.add(SlaPause(clock_id=clock.id, reason=reason, paused_on=today))
    audit.record(session, case_type=case_type, case_id=case_id, action=f"sla_paused:{step}", after={"reason": reason})


def complete(session: Session, *, case_type: str, case_id: int, step: str) -> None:
    """The step is done: the clock stops and its open breaches close."""
    clock = _latest(session, case_type, case_id, step)
    if clock is None or clock.status == "completed":
        return
    today = business_today(session)
    clock.status, clock.completed_on, clock.next_check_on = "completed", today, None
    session.add(clock)
    for breach in session.exec(
        select(SlaBreach).where(SlaBreach.clock_id == clock.id, col(SlaBreach.closed_at).is_(None))
    ).all():
        breach.closed_at, breach.closed_on = wall_now(), today
        session.add(breach)


def after_decision(session: Session, task: HumanTask, decision: str) -> None:
    """A decision either hands the case back to the applicant (the clock pauses) or, when it was the
    step's last open task, completes the step."""
    if decision in PAUSING_DECISIONS:
        pause(
            session, case_type=task.case_type, case_id=task.case_id, step=task.step, reason=PAUSING_DECISIONS[decision]
        )
        return
    still_open = session.exec(
        select(func.count())
        .select_from(HumanTask)
        .where(
            HumanTask.case_type == task.case_type,
            HumanTask.case_id == task.case_id,
            HumanTask.step == task.step,
            HumanTask.id != task.id,
            col(HumanTask.status).in_(("open", "claimed")),
        )
    ).one()
    if not still_open:
        complete(session, case_type=task.case_type, case_id=task.case_id, step=task.step)


def complete_case(session: Session, *, case_type: str, case_id: int) -> None:
    """A closed case (rejected, withdrawn) stops all its clocks."""
    for clock in session.exec(
        select(SlaClock).where(
            SlaClock.case_type == case_type, SlaClock.case_id == case_id, SlaClock.status != "completed"
        )
    ).all():
        complete(session, case_type=case_type, case_id=case_id, step=clock.step)


# -- the scan -----------------------------------------------------------------------------


def scan(session: Session, *, today: dt.date | None = None, limit: int = 5000) -> list[SlaBreach]:
    """Open a breach for every level a running clock has reached since the last scan. Reads only the
    clocks whose next level is due (index ix_sla_clock_scan); never opens a level twice."""
    today = today or business_today(session)
    clocks = session.exec(
        select(SlaClock)
        .where(col(SlaClock.status) == "running", col(SlaClock.next_check_on) <= today)
        .order_by(col(SlaClock.next_check_on), col(SlaClock.id))
        .limit(limit)
    ).all()
    opened = []
    now = wall_now()
    existing = (
        set(
            session.exec(
                select(SlaBreach.clock_id, SlaBreach.level).where(col(SlaBreach.clock_id).in_([c.id for c in clocks]))
            ).all()
        )
        if clocks
        else set()
    )
    for clock in clocks:
        dates = ClockDates(clock.due_date, clock.at_risk_on, clock.breached_on, clock.escalate_on, clock.provisional)
        reached = level_on(dates, today)
        for level in levels_between(clock.level, reached):
            if (clock.id, level) not in existing:
                breach = SlaBreach(
                    clock_id=clock.id,
                    level=level,
                    case_type=clock.case_type,
                    case_id=clock.case_id,
                    step=clock.step,
                    jurisdiction=clock.jurisdiction,
                    institution_id=clock.institution_id,
                    due_date=clock.due_date,
                    opened_on=today,
                    opened_at=now,
                    notify=NOTIFY[level],
                )
                session.add(breach)
                opened.append(breach)
                audit.record(
                    session,
                    case_type=clock.case_type,
                    case_id=clock.case_id,
                    action=f"sla_{level}:{clock.step}",
                    after={"due_date": clock.due_date.isoformat()},
                )
        clock.level = reached if reached != "on_track" else clock.level
        clock.next_check_on = next_check(dates, clock.level)
        session.add(clock)
    session.flush()
    return opened


def recompute_after_calendar_change(session: Session) -> int:
    """Running clocks follow a changed calendar (a holiday notice imported)."""
    calendar = load_calendar(session)
    moved = 0
    for clock in session.exec(select(SlaClock).where(SlaClock.status == "running")).all():
        dates = _dates(clock, calendar)
        if dates.due != clock.due_date or dates.provisional != clock.provisional:
            _set_dates(clock, dates)
            session.add(clock)
            moved += 1
    return moved


# -- notifications --------------------------------------------------------------------------


def recipients(session: Session, breach: SlaBreach) -> list[str]:
    """Who the ladder tells: the assignees (or the task pool), the centre's lead, operations."""
    if breach.notify == "operations":
        return ["operations"]
    if breach.notify == "centre_lead":
        return [f"centre-lead:{breach.jurisdiction}"]

    open_tasks = session.exec(
        select(HumanTask).where(
            HumanTask.case_type == breach.case_type,
            HumanTask.case_id == breach.case_id,
            HumanTask.step == breach.step,
            col(HumanTask.status).in_(("open", "claimed")),
        )
    ).all()
    named = [session.get(User, t.assignee_id) for t in open_tasks if t.assignee_id]
    if named:
        return [f"user:{u.name}" for u in named if u is not None]
    if breach.step == "results_submission":
        return [f"institution:{breach.institution_id}"]
    return [f"pool:{t.role}@{t.jurisdiction}" for t in open_tasks] or [f"pool@{breach.jurisdiction}"]


def notification(session: Session, breach: SlaBreach) -> dict[str, Any]:
    step = step_label(breach.step)
    return {
        "breach_id": breach.id,
        "level": breach.level,
        "notify": breach.notify,
        "to": recipients(session, breach),
        "case": f"{breach.case_type}/{breach.case_id}",
        "step": breach.step,
        "jurisdiction": breach.jurisdiction,
        "due_date": breach.due_date.isoformat(),
        "opened_on": breach.opened_on.isoformat(),
        "text": f"{LEVEL_NAMES[breach.level]}：{CASE_KINDS.get(breach.case_type, breach.case_type)} #{breach.case_id} "
        f"{step}，办理期限 {breach.due_date.isoformat()}",
    }


def deliver(database_url: str, notifier, *, limit: int = 100) -> int:
    """Send each breach's escalation once; a failed send stays for the next tick (at least once).

    No network call inside a transaction: what to send is read in a snapshot, each send happens
    with no lock held, and its outcome is written in a short transaction of its own (a slow
    webhook or mail server used to hold SQLite's write lock and stall every other writer)."""
    with session_scope(database_url, readonly=True) as session:
        pending = session.exec(
            select(SlaBreach)
            .where(col(SlaBreach.notified_at).is_(None), SlaBreach.notify_attempts < 20)
            .order_by(col(SlaBreach.id))
            .limit(limit)
        ).all()
        outbox = [(breach.id, notification(session, breach)) for breach in pending]
    sent = 0
    for breach_id, message in outbox:
        try:
            notifier.send(message)
        except Exception as failure:  # noqa: BLE001 - any transport error: keep it for a retry
            error: str | None = str(failure)[:500]
            log.warning("SLA notification %s failed: %s", breach_id, failure)
        else:
            error = None
            sent += 1
        with session_scope(database_url) as session:
            breach = session.get(SlaBreach, breach_id)
            if breach is None:  # removed meanwhile (a case purged): nothing to record
                continue
            breach.notify_attempts += 1
            breach.notify_error = error
            if error is None:
                breach.notified_at = wall_now()
            session.add(breach)
    return sent


# -- what operations see ----------------------------------------------------------------------


def _filtered(query, model, *, step: str | None, jurisdiction: str | None, institution_id: int | None):
    if step:
        query = query.where(model.step == step)
    if jurisdiction:
        prefix = jurisdiction.rstrip("0")
        prefix += "0" if len(prefix) % 2 else ""
        query = query.where(model.jurisdiction.startswith(prefix))
    if institution_id:
        query = query.where(model.institution_id == institution_id)
    return query


def breaches(
    session: Session,
    *,
    step: str | None = None,
    jurisdiction: str | None = None,
    institution_id: int | None = None,
    min_age_days: int | None = None,
    level: str | None = None,
    status: str = "open",
    after: int | None = None,
    limit: int = 50,
) -> list[SlaBreach]:
    """Late steps, oldest first: one row per step (its "breached" level), or with level="escalated"
    only those escalated to operations."""
    query = _filtered(select(SlaBreach), SlaBreach, step=step, jurisdiction=jurisdiction, institution_id=institution_id)
    query = query.where(SlaBreach.level == (level or "breached"))
    if status == "open":
        query = query.where(col(SlaBreach.closed_at).is_(None))
    elif status == "closed":
        query = query.where(col(SlaBreach.closed_at).is_not(None))
    if min_age_days:
        query = query.where(SlaBreach.opened_on <= business_today(session) - dt.timedelta(days=min_age_days))
    if after:
        query = query.where(col(SlaBreach.id) > after)
    return list(session.exec(query.order_by(SlaBreach.id).limit(limit)).all())


def at_risk(
    session: Session,
    *,
    step: str | None = None,
    jurisdiction: str | None = None,
    institution_id: int | None = None,
    after: int | None = None,
    limit: int = 50,
) -> list[SlaClock]:
    """Running clocks at risk and not yet breached, earliest due first."""
    query = _filtered(select(SlaClock), SlaClock, step=step, jurisdiction=jurisdiction, institution_id=institution_id)
    query = query.where(SlaClock.status == "running", SlaClock.level == "at_risk")
    if after:
        query = query.where(col(SlaClock.id) > after)
    return list(session.exec(query.order_by(SlaClock.id).limit(limit)).all())


def breach_view(breach: SlaBreach, today: dt.date, calendar) -> out.BreachOut:
    return out.BreachOut(id=breach.id, level=breach.level, level_name=LEVEL_NAMES[breach.level], step=breach.step,
        step_name=step_label(breach.step), case_type=breach.case_type, case_id=breach.case_id,
        jurisdiction=breach.jurisdiction, institution_id=breach.institution_id, due_date=breach.due_date,
        opened_on=breach.opened_on, overdue_working_days=max(0, calendar.count_between(breach.due_date, today)),
        notify=NOTIFY_NAMES[breach.notify], notified=breach.notified_at is not None, closed_on=breach.closed_on)


def clock_view(clock: SlaClock, today: dt.date, calendar) -> out.AtRiskOut:
    return out.AtRiskOut(id=clock.id, step=clock.step, step_name=step_label(clock.step), case_type=clock.case_type,
        case_id=clock.case_id, jurisdiction=clock.jurisdiction, institution_id=clock.institution_id,
        due_date=clock.due_date, working_days_left=calendar.count_between(today, clock.due_date),
        provisional=clock.provisional, paused_working_days=clock.paused_working_days)


def overview(session: Session, *, weeks: int = 8) -> dict[str, Any]:
    """The operations page: open breaches by step and by jurisdiction, the oldest, a weekly trend."""
    today = business_today(session)
    calendar = load_calendar(session)
    # one row per late step: every escalated step also has its "breached" row
    open_breach = (col(SlaBreach.closed_at).is_(None)) & (SlaBreach.level == "breached")
    by_step = session.exec(select(SlaBreach.step, func.count()).where(open_breach).group_by(SlaBreach.step)).all()
    by_area = session.exec(
        select(SlaBreach.jurisdiction, func.count())
        .where(open_breach)
        .group_by(SlaBreach.jurisdiction)
        .order_by(func.count().desc())
        .limit(15)
    ).all()
    oldest = session.exec(
        select(SlaBreach).where(open_breach).order_by(col(SlaBreach.opened_on), col(SlaBreach.id)).limit(10)
    ).all()
    monday = today - dt.timedelta(days=today.weekday())
    start = monday - dt.timedelta(weeks=weeks - 1)
    opened = session.exec(
        select(col(SlaBreach.opened_on)).where(col(SlaBreach.level) == "breached", col(SlaBreach.opened_on) >= start)
    ).all()
    trend = []
    for n in range(weeks):
        week = start + dt.timedelta(weeks=n)
        trend.append(
            {"week": week.isoformat(), "opened": sum(week <= d < week + dt.timedelta(weeks=1) for d in opened)}
        )
    at_risk_count = session.exec(
        select(func.count()).select_from(SlaClock).where(SlaClock.status == "running", SlaClock.level == "at_risk")
    ).one()
    levels = (
        dict(
            session.exec(select(SlaClock.id, SlaClock.level)
                         .where(col(SlaClock.id).in_([b.clock_id for b in oldest]))).all()
        )
        if oldest
        else {}
    )
    oldest_views = []
    for breach in oldest:
        view = breach_view(breach, today, calendar)
        if levels.get(breach.clock_id) == "escalated":  # the late step's latest level
            view = view.model_copy(update={"level_name": LEVEL_NAMES["escalated"],
                                           "notify": NOTIFY_NAMES["operations"]})
        oldest_views.append(view)
    return {
        "today": today.isoformat(),
        "by_step": [{"step": s, "count": c} for s, c in by_step],
        "by_jurisdiction": [{"jurisdiction": j, "count": c} for j, c in by_area],
        "oldest": oldest_views,
        "trend": trend,
        "open_breaches": sum(c for _, c in by_step),
        "at_risk": at_risk_count,
    }


def scan_and_deliver(settings, notifier=None) -> int:  # core.settings.Settings, tasks.adapters.notify.Notifier
    """Open the SLA levels reached (once each), then send the escalations not sent yet (outside any
    transaction). The tick's pass and the `sla_scan` deployment both run this."""
    with session_scope(settings.database_url) as session:
        opened = len(scan(session))
    deliver(settings.database_url, notifier or notify.from_settings(settings))
    return opened
