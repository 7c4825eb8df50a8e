"""Operations: deadlines missed or about to be, across every process."""

from __future__ import annotations

from typing import Annotated, Literal

from fastapi import APIRouter, Query

from api.deps import SessionDep, role
from api.errors import ERRORS
from api.pagination import CursorQuery, LimitQuery, decode_cursor, page
from models.clock import business_today
from models.responses import AtRiskPage, BreachPage
from policy.sla import SLA_STEPS
from tasks.waits import sla
from tasks.waits.calendar import load_calendar

router = APIRouter(prefix="/api/v1/sla", tags=["sla"], responses=ERRORS)
Operations = role("operations", "admin")
Step = Annotated[Literal[SLA_STEPS] | None, Query(description="a monitored step")]  # type: ignore[valid-type]
Jurisdiction = Annotated[str | None, Query(pattern=r"^\d{6}$", description="GB/T 2260 code; 440000 = all of 广东")]
InstitutionQuery = Annotated[int | None, Query(ge=1, le=2**63 - 1)]


@router.get("/breaches", response_model=BreachPage,
            summary="Steps past their working-day deadline (breached, escalated), oldest first")
def breaches(user: Operations, session: SessionDep, step: Step = None, jurisdiction: Jurisdiction = None,
             institution_id: InstitutionQuery = None,
             min_age_days: Annotated[int | None, Query(ge=0, le=3650, description="opened at least N days ago")] = None,
             level: Annotated[Literal["breached", "escalated"] | None, Query()] = None,
             status: Annotated[Literal["open", "closed", "all"], Query()] = "open",
             limit: LimitQuery = 50, cursor: CursorQuery = None):
    rows = sla.breaches(session, step=step, jurisdiction=jurisdiction, institution_id=institution_id,
                        min_age_days=min_age_days, level=level, status=status, after=decode_cursor(cursor),
                        limit=limit + 1)
    today, calendar = business_today(session), load_calendar(session)
    return page([sla.breach_view(b, today, calendar) for b in rows], [b.id for b in rows], limit)


@router.get("/at-risk", response_model=AtRiskPage,
            summary="Running steps inside their at-risk window, not yet breached")
def at_risk(user: Operations, session: SessionDep, step: Step = None, jurisdiction: Jurisdiction = None,
            institution_id: InstitutionQuery = None, limit: LimitQuery = 50, cursor: CursorQuery = None):
    rows = sla.at_risk(session, step=step, jurisdiction=jurisdiction, institution_id=institution_id,
                       after=decode_cursor(cursor), limit=limit + 1)
    today, calendar = business_today(session), load_calendar(session)
    return page([sla.clock_view(c, today, calendar) for c in rows], [c.id for c in rows], limit)
