"""The working-day calendar: anyone reads a year; an administrator replaces it (all or nothing)."""

from __future__ import annotations

import datetime as dt
from typing import Annotated

from fastapi import APIRouter, Path
from pydantic import BaseModel, ConfigDict, Field

from api.deps import SessionDep, role
from api.errors import ERRORS
from core.clock import wall_now
from models.responses import CalendarYearOut
from policy.eligibility import Violation
from policy.working_days import FIRST_ESTIMABLE_YEAR, LAST_ESTIMABLE_YEAR, CalendarFileError, official_year
from tasks.errors import Problems
from tasks.waits import calendar as calendar_store
from tasks.waits.timers import import_calendar

router = APIRouter(prefix="/api/v1/calendar", tags=["calendar"], responses=ERRORS)
Admin = role("admin")
Year = Annotated[int, Path(ge=FIRST_ESTIMABLE_YEAR, le=LAST_ESTIMABLE_YEAR, description="calendar year")]


class CalendarYearIn(BaseModel):
    model_config = ConfigDict(extra="forbid", json_schema_extra={"examples": [
        {"source": "国务院办公厅关于2027年部分节假日安排的通知", "holidays": ["2027-01-01", "2027-02-06", "2027-02-07"],
         "makeup_workdays": ["2027-02-14"]}]})
    source: str = Field("", max_length=300, description="the notice this comes from")
    holidays: list[dt.date] = Field(min_length=1, max_length=60, description="every day off")
    makeup_workdays: list[dt.date] = Field(
        default_factory=list, max_length=20, description="weekend days worked (调休上班)"
    )


@router.get(
    "/{year}",
    response_model=CalendarYearOut,
    summary="A year's holidays and make-up working days, and whether they are official",
)
def read_year(year: Year, session: SessionDep):
    return calendar_store.year_view(session, year)


@router.put(
    "/{year}",
    response_model=CalendarYearOut,
    summary="Replace a year with the State Council's notice (recomputes pending deadlines)",
)
def replace_year(year: Year, body: CalendarYearIn, user: Admin, session: SessionDep):
    try:
        checked = official_year(year, body.holidays, body.makeup_workdays, body.source)
    except CalendarFileError as exc:
        position = (exc.line or 1) - 1
        field = (
            f"holidays[{position}]"
            if position < len(body.holidays)
            else f"makeup_workdays[{position - len(body.holidays)}]"
        )
        message = str(exc).split(": ", 1)[-1]
        raise Problems([Violation("calendar.invalid", field if exc.line else "holidays", message)]) from None
    import_calendar(session, [checked], imported_by=user.name, now=wall_now())
    return read_year(year, session)
