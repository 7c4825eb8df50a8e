"""Administration: the simulated business clock, incidents, health."""

from __future__ import annotations

import datetime as dt
from typing import Annotated

from fastapi import APIRouter
from pydantic import AfterValidator, BaseModel, ConfigDict, Field

from api.deps import Id, SessionDep, role
from api.errors import ERRORS
from core import clock
from core.clock import wall_now
from models import clock as business_clock
from models.responses import (
    AccountBound,
    ClockMoved,
    ClockOut,
    IncidentRetried,
    RegionChanged,
    UserDisabled,
    UserEnabled,
)
from models.schemas import Text
from tasks.cases import filing, offboarding
from tasks.errors import Conflict
from tasks.people import accounts
from tasks.waits import registry

router = APIRouter(prefix="/api/v1", tags=["admin"], responses=ERRORS)
Admin = role("admin")
Operations = role("operations", "admin")
Centre = role("admin", "officer")  # officers: the provincial centre's (jurisdiction xx0000), checked per case


class Binding(BaseModel):
    model_config = ConfigDict(extra="forbid", json_schema_extra={"examples": [
        {"institution_id": 7, "reason": "核验营业执照和法定代表人授权书"}]})
    institution_id: int | None = Field(ge=1, le=2**63 - 1, description="the institution; null to unbind")
    reason: Text = Field(min_length=2, max_length=500, description="how the account holder's identity was checked")


class Disabling(BaseModel):
    model_config = ConfigDict(extra="forbid", json_schema_extra={"examples": [{"reason": "2026-12-04 离职"}]})
    reason: Text = Field(min_length=2, max_length=500, description="why (kept with the account and audited)")


@router.post("/admin/users/{user_id}/disable", response_model=UserDisabled,
             summary="Offboard a user (admin): every token revoked, sessions ended, login and API refused, claimed "
                     "tasks given back, webhooks stopped")
def disable_user(user_id: Id, body: Disabling, user: Admin, session: SessionDep):
    if user_id == user.id:
        raise Conflict("管理员不能停用自己的账户 / an administrator does not disable their own account")
    return offboarding.disable(session, offboarding.user_by_id(session, user_id), reason=body.reason, actor=user,
                               now=wall_now())


@router.post("/admin/users/{user_id}/enable", response_model=UserEnabled,
             summary="Enable a disabled user again (admin); a new token must then be issued")
def enable_user(user_id: Id, user: Admin, session: SessionDep):
    return offboarding.enable(session, offboarding.user_by_id(session, user_id), actor=user)


class RegionChange(BaseModel):
    model_config = ConfigDict(extra="forbid", json_schema_extra={"examples": [
        {"region_code": "440111", "reason": "新营业执照：注册地迁至白云区"}]})
    region_code: str = Field(pattern=r"^[0-9]{6}$", description="the new registered region (GB/T 2260)")
    reason: Text = Field(min_length=2, max_length=500, description="e.g. the new business licence")


@router.put("/admin/users/{user_id}/institution", response_model=AccountBound,
            summary="Bind an enterprise account to an institution (admin, or the provincial centre)")
def bind_institution(user_id: Id, body: Binding, user: Centre, session: SessionDep):
    bound = accounts.bind_institution(session, user_id=user_id, institution_id=body.institution_id, actor=user,
                                      reason=body.reason)
    return AccountBound(user_id=bound.id, institution_id=bound.institution_id)


@router.put("/admin/institutions/{institution_id}/region", response_model=RegionChanged,
            summary="Record a change of an institution's registered region (admin, or the provincial centre)")
def change_region(institution_id: Id, body: RegionChange, user: Centre, session: SessionDep):
    institution = filing.change_registered_region(session, institution_id=institution_id,
                                                  region_code=body.region_code, reason=body.reason, actor=user)
    return RegionChanged(institution_id=institution.id, region_code=institution.region_code)


def _within_range(value: dt.datetime) -> dt.datetime:
    clock.bounded_instant(value)  # ValueError: a 422 naming `to`
    return value


class ClockMove(BaseModel):
    model_config = ConfigDict(extra="forbid", json_schema_extra={"examples": [{"advance_days": 7}]})
    to: Annotated[dt.datetime | None, AfterValidator(lambda v: v if v is None else _within_range(v))] = Field(
        None, description="new business time (ISO 8601); without offset: China time; 1970–2199")
    advance_days: int | None = Field(None, ge=0, le=3650, description="or: move forward this many calendar days")


@router.post("/admin/clock", response_model=ClockMoved,
             summary="Move the simulated business clock (simulated mode only)")
def move_clock(body: ClockMove, user: Admin, session: SessionDep):
    if (body.to is None) == (body.advance_days is None):
        raise clock.ClockError("give either `to` or `advance_days`")
    try:
        target = body.to or business_clock.business_now(session) + dt.timedelta(days=body.advance_days or 0)
    except OverflowError:
        raise clock.ClockError(f"advance_days: {body.advance_days} days from now is past any date") from None
    now = business_clock.set_business_now(session, target)
    return ClockMoved(business_now=now, business_today=now.date())


@router.get("/admin/clock", response_model=ClockOut, summary="The business clock (admin)")
def read_clock(user: Admin, session: SessionDep):
    now = business_clock.business_now(session)
    return ClockOut(business_now=now, mode="simulated" if business_clock.is_simulated(session) else "real")


@router.post("/incidents/{incident_id}/retry", response_model=IncidentRetried,
             summary="Retry an external call that ran out of retries")
def retry_incident(incident_id: Id, user: Operations, session: SessionDep):
    incident = registry.retry_incident(session, incident_id=incident_id, user_id=user.id, role=user.role)
    return IncidentRetried(id=incident.id, status=incident.status)
