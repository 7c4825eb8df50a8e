"""Administration: the simulated business clock, incidents, health."""

from __future__ import annotations

import datetime as dt

from fastapi import APIRouter
from pydantic import BaseModel, ConfigDict, Field

from api.errors import ERRORS
from api.deps import Id, SessionDep, role
from certflow import clock
from tasks import registry

router = APIRouter(prefix="/api/v1", tags=["admin"], responses=ERRORS)
Admin = role("admin")
Operations = role("operations", "admin")


class ClockMove(BaseModel):
    model_config = ConfigDict(extra="forbid")
    to: dt.datetime | None = Field(None, description="new business time (ISO 8601); without offset: China time")
    advance_days: int | None = Field(None, ge=0, le=3650, description="or: move forward this many calendar days")


@router.post("/admin/clock", summary="Move the simulated business clock (simulated mode only)")
def move_clock(body: ClockMove, user: Admin, session: SessionDep):
    if (body.to is None) == (body.advance_days is None):
        raise clock.ClockError("give either `to` or `advance_days`")
    target = body.to or clock.business_now(session) + dt.timedelta(days=body.advance_days or 0)
    now = clock.set_business_now(session, target)
    return {"business_now": now.isoformat(), "business_today": now.date().isoformat()}


@router.get("/admin/clock", summary="The business clock")
def read_clock(session: SessionDep):
    now = clock.business_now(session)
    return {"business_now": now.isoformat(), "mode": "simulated" if clock.is_simulated() else "real"}


@router.post("/incidents/{incident_id}/retry", summary="Retry an external call that ran out of retries")
def retry_incident(incident_id: Id, user: Operations, session: SessionDep):
    incident = registry.retry_incident(session, incident_id=incident_id, user_id=user.id, role=user.role)
    return {"id": incident.id, "status": incident.status}
