"""The caller's case events as an ordered, resumable feed (GET /api/v1/events?after=CURSOR): what an
enterprise's system (or a centre's) wants to be told instead of polling every case. Each event is an
audit entry of the trail every step already writes, so its id is stable and the order is the trail's;
the cursor is the last entry read, and a feed resumed with it continues exactly after it.

On PostgreSQL two transactions can commit out of id order; the feed stays `SETTLE` behind the present
there, so that an entry committed a moment late is not skipped (SQLite has one writer: no such gap)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import and_, or_
from sqlmodel import Session, col, select

from core.clock import wall_now
from models import responses as out
from models.accounts import User
from models.audit import AuditEvent
from models.cases import EvaluationPlan, FilingApplication, Institution
from models.supervision import SupervisionCase
from tasks.people import access

SETTLE = dt.timedelta(seconds=2)

# audit action → event type, for the actions that are events whatever their details
BY_ACTION = {
    ("filing", "filing_submitted"): "filing.submitted",
    ("filing", "deficiency_notice_issued"): "filing.deficiency_notice_issued",
    ("filing", "resubmitted"): "filing.resubmitted",
    ("filing", "timer_fired:publicity"): "filing.publicity_ended",
    ("filing", "objection_raised"): "objection.raised",
    ("plan", "objection_raised"): "objection.raised",
    ("plan", "plan_filed"): "plan.filed",
    ("plan", "supervision_drawn"): "plan.supervision_drawn",  # the centre's feed only (not the enterprise's)
    ("plan", "supervision_reported"): "plan.supervised",  # the enterprise learns of the check after the fact
    ("plan", "timer_fired:results_publicity"): "plan.publicity_ended",
    ("plan", "certificates_issued"): "plan.certificates_issued",
    ("plan", "certificates_refused"): "plan.certificates_refused",  # with each number and reason: to correct
    ("plan", "candidate_corrected"): "plan.candidate_corrected",
    ("plan", "certificates_revoked"): "plan.certificates_revoked",
    ("institution", "inactivity_warning"): "institution.withdrawal_warning",
    ("institution", "institution_withdrawn"): "institution.withdrawn",
    ("institution", "institution_cancelled"): "institution.cancelled",
    ("institution", "scope_changed"): "institution.scope_changed",
    ("supervision", "explanation_requested"): "supervision.explanation_requested",
    ("supervision", "rectification_ordered"): "supervision.rectification_ordered",
    **{("supervision", f"case_closed:{outcome}"): "supervision.closed"
       for outcome in ("dismissed", "rectified", "cancelled", "revoked", "credit_entry", "not_accepted")},
}
# step_entered → event type, by the step (or status) the case entered
# (an event per fact: a step's event when the case enters that step from another, a status's when the status
# changes — a Guangdong filing comes back to its `registered` step after the pilot plan, registered once)
BY_STEP = {("filing", "publicity"): "filing.publicity_started",
           ("plan", "results_publicity"): "plan.publicity_started",
           ("plan", "results_submission"): "plan.results_window_opened"}
BY_STATUS = {("filing", "rejected"): "filing.rejected", ("filing", "registered"): "filing.registered",
             ("plan", "rejected"): "plan.refused",
             ("plan", "scheduled"): "plan.accepted",
             ("plan", "results_returned"): "plan.results_returned"}
HIDDEN_FROM_ENTERPRISES = {"plan.supervision_drawn"}
TYPES = sorted({*BY_ACTION.values(), *BY_STEP.values(), *BY_STATUS.values()})
# what an event tells beyond its type, per audit field (never who decided or who objected)
SHOWN = ("status", "step", "round", "certificates", "candidate_id", "category", "revoked_on", "outcome", "due",
         "verdict", "withdrawal_on", "removed_on", "refiling_ban_until", "working_days")


def event_type(case_type: str, action: str, after: dict[str, Any] | None,
               before: dict[str, Any] | None = None) -> str | None:
    if action == "step_entered":
        after, before = after or {}, before or {}
        status, step = after.get("status", ""), after.get("step", "")
        by_status = BY_STATUS.get((case_type, status)) if status != before.get("status") else None
        by_step = BY_STEP.get((case_type, step)) if step != before.get("step") else None
        return by_status or by_step
    return BY_ACTION.get((case_type, action))


def _visible(user: User):  # a SQL condition on audit entries
    """The cases' own visibility rule (tasks.people.access), as a condition on their audit entries."""
    if user.role in ("admin", "operations"):
        return col(AuditEvent.id) > 0
    if user.role == "enterprise":
        own = user.institution_id or -1
        filings = select(FilingApplication.id).where(FilingApplication.institution_id == own)
        plans = select(EvaluationPlan.id).where(EvaluationPlan.institution_id == own)
        cases = select(SupervisionCase.id).where(SupervisionCase.institution_id == own)
        institution = col(AuditEvent.case_id) == own
        supervision = and_(col(AuditEvent.case_id).in_(cases), col(AuditEvent.action) != "case_closed:not_accepted")
    elif user.role == "officer":
        prefix = access.jurisdiction_prefix(user)
        filings = select(FilingApplication.id).where(col(FilingApplication.region_code).startswith(prefix))
        plans = select(EvaluationPlan.id).where(col(EvaluationPlan.region_code).startswith(prefix))
        cases = select(SupervisionCase.id).where(col(SupervisionCase.region_code).startswith(prefix))
        institution = col(AuditEvent.case_id).in_(
            select(Institution.id).where(col(Institution.region_code).startswith(prefix)))
        supervision = col(AuditEvent.case_id).in_(cases)
    else:
        return col(AuditEvent.id) < 0
    return or_(and_(col(AuditEvent.case_type) == "filing", col(AuditEvent.case_id).in_(filings)),
               and_(col(AuditEvent.case_type) == "plan", col(AuditEvent.case_id).in_(plans)),
               and_(col(AuditEvent.case_type) == "institution", institution),
               and_(col(AuditEvent.case_type) == "supervision", supervision))


ACTIONS = sorted({action for _, action in BY_ACTION} | {"step_entered"})


def feed(session: Session, user: User, *, after_id: int, limit: int, types: set[str] | None = None,
         settle: bool = False) -> tuple[list[out.EventOut], int, bool]:
    """Up to `limit` events after the entry `after_id`: (events, the cursor to resume from, more to read).
    The cursor moves past entries that are not events too, so a quiet feed is cheap to poll."""
    query = select(AuditEvent).where(col(AuditEvent.id) > after_id, col(AuditEvent.action).in_(ACTIONS), _visible(user))
    if settle:
        query = query.where(AuditEvent.wall_time <= wall_now() - SETTLE)
    scan = limit * 4  # entries read per call: step_entered entries that are no event are skipped
    rows = session.exec(query.order_by(col(AuditEvent.id)).limit(scan + 1)).all()
    more = len(rows) > scan
    events: list[out.EventOut] = []
    cursor = after_id
    for row in rows[:scan]:
        kind = event_type(row.case_type, row.action, row.after, row.before)
        if (
            kind
            and not (user.role == "enterprise" and kind in HIDDEN_FROM_ENTERPRISES)
            and (not types or kind in types)
        ):
            if len(events) == limit:
                more = True
                break
            events.append(_event(row, kind))
        cursor = row.id
    return events, cursor, more


def _event(row: AuditEvent, kind: str) -> out.EventOut:
    after = row.after or {}
    return out.EventOut(id=row.id, type=kind, case_type=row.case_type, case_id=row.case_id,
                        occurred_at=row.business_time, recorded_at=row.wall_time,
                        data={k: after[k] for k in SHOWN if k in after})

