"""The working-day calendar as data an administrator can load and correct."""

from __future__ import annotations

import datetime as dt

from sqlmodel import Field, SQLModel


class CalendarYear(SQLModel, table=True):
    """A year whose official notice is loaded; years absent here are estimated (provisional)."""

    __tablename__ = "calendar_year"
    year: int = Field(primary_key=True)
    source: str = ""
    imported_at: dt.datetime
    imported_by: str = ""


class CalendarDay(SQLModel, table=True):
    """A day that differs from the weekend rule: a holiday on a weekday or a make-up workday."""

    __tablename__ = "calendar_day"
    day: dt.date = Field(primary_key=True)
    year: int = Field(index=True, foreign_key="calendar_year.year")
    kind: str  # "holiday" | "workday"
    name: str = ""
