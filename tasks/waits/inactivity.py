"""The daily inactivity scan (004 §六(三)): warn, then withdraw, the institutions that have not evaluated
for their profile's years. A batch under way counts as activity (its evaluation is being held), so an
institution with an open plan is neither warned nor withdrawn. Run by the tick once per business day
and by the `inactivity_scan` deployment; running it twice on a day changes nothing."""

from __future__ import annotations

import datetime as dt
from typing import overload

from sqlalchemy import func
from sqlmodel import Session, col, select

from models import responses as out
from models.case_kinds import FINISHED_PLANS
from models.cases import EvaluationPlan, Institution
from models.clock import business_today
from models.db import session_scope
from policy.inactivity import InactivityClock, inactivity_clock, latest_active_since
from policy.profiles import all_profiles, get_profile
from tasks.records import audit
from tasks.waits.calendar import load_calendar


def clock_of(institution: Institution, calendar) -> InactivityClock | None:  # a WorkingCalendar
    since = institution.last_evaluation_on or institution.registered_on
    if institution.status != "registered" or since is None:
        return None
    profile = get_profile(institution.profile_code)
    return inactivity_clock(since, years=profile.inactivity_withdrawal_years,
                            warning_working_days=profile.inactivity_warning_working_days, calendar=calendar)


def scan(session: Session, today: dt.date) -> dict[str, int]:
    """Warn and withdraw what is due today; returns the counts."""
    calendar = load_calendar(session)
    warned = withdrawn = 0
    busy = select(EvaluationPlan.institution_id).where(col(EvaluationPlan.status).not_in(FINISHED_PLANS))
    for profile in all_profiles().values():
        bound = latest_active_since(today, years=profile.inactivity_withdrawal_years,
                                    warning_working_days=profile.inactivity_warning_working_days)
        since = func.coalesce(Institution.last_evaluation_on, Institution.registered_on)
        due = session.exec(select(Institution).where(
            Institution.profile_code == profile.code, Institution.status == "registered", since <= bound,
            col(Institution.id).not_in(busy)).order_by(col(Institution.id))).all()
        for institution in due:
            clock = clock_of(institution, calendar)
            if clock is None:  # no longer registered (withdrawn since the query read it)
                continue
            state = clock.state(today)
            if state == "withdrawn":
                withdraw(session, institution, clock, today)
                withdrawn += 1
            elif state == "warned" and institution.inactivity_warned_on is None:
                institution.inactivity_warned_on = today
                session.add(institution)
                audit.record(session, case_type="institution", case_id=institution.id, action="inactivity_warning",
                             actor_role="system", after={"withdrawal_on": clock.withdrawal_on.isoformat(),
                                                         "active_since": clock.active_since.isoformat()})
                warned += 1
    return {"warned": warned, "withdrawn": withdrawn}


@overload
def scan_today(database_url: str) -> tuple[dt.date, dict[str, int]]: ...
@overload
def scan_today(database_url: str, *, unless_scanned_on: dt.date | None) -> tuple[dt.date, dict[str, int] | None]: ...
def scan_today(database_url: str, *, unless_scanned_on: dt.date | None = None) -> tuple[dt.date, dict[str, int] | None]:
    """The scan for the business day, in its own transaction; nothing when that day was scanned already."""
    with session_scope(database_url) as session:
        today = business_today(session)
        if today == unless_scanned_on:
            return today, None
        return today, scan(session, today)


def withdraw(session: Session, institution: Institution, clock: InactivityClock, today: dt.date) -> None:
    """视同自行退出: out of the catalogue; no new plans; the certificates it issued stay valid."""
    before = {"status": institution.status}
    institution.status, institution.removed_on, institution.removal_reason = "withdrawn", today, "inactivity"
    session.add(institution)
    audit.record(session, case_type="institution", case_id=institution.id, action="institution_withdrawn",
                 actor_role="system", before=before,
                 after={"status": "withdrawn", "reason": "inactivity", "active_since": clock.active_since.isoformat(),
                        "years": get_profile(institution.profile_code).inactivity_withdrawal_years})


def inactivity_view(session: Session,
                    institution: Institution) -> out.InactivityClock | out.InactivityRemoval | None:
    """What the institution (and the centre) sees of its inactivity clock."""
    if institution.status != "registered":
        return (out.InactivityRemoval(removed_on=institution.removed_on, removal_reason=institution.removal_reason)
                if institution.removed_on else None)
    clock = clock_of(institution, load_calendar(session))
    if clock is None:
        return None
    return out.InactivityClock(active_since=clock.active_since, withdrawal_on=clock.withdrawal_on,
                               warning_on=clock.warning_on, provisional=clock.provisional,
                               warned_on=institution.inactivity_warned_on)

