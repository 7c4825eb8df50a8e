"""Service levels in working days: one clock per case step, its pauses, and the breaches it opened."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import Index, UniqueConstraint
from sqlmodel import Field, SQLModel


class SlaClock(SQLModel, table=True):
    """The budget of one step of one case (受理 of filing 12, …), in working days.

    The dates are precomputed so that the scan reads only the clocks whose next level is due
    (`next_check_on`), not every open step."""

    __tablename__ = "sla_clock"
    __table_args__ = (
        UniqueConstraint("case_type", "case_id", "step", "round"),
        Index("ix_sla_clock_scan", "status", "next_check_on"),
    )
    id: int = Field(default=None, primary_key=True)
    case_type: str
    case_id: int
    step: str
    round: int = 0  # a step that completes and comes back (a second objection) starts a new clock
    jurisdiction: str = Field(max_length=6, index=True)
    institution_id: int | None = Field(default=None, index=True)
    started_on: dt.date
    budget_working_days: int
    at_risk_working_days: int
    escalate_after_working_days: int
    start_day_counts: bool = False
    paused_working_days: int = 0
    paused_since: dt.date | None = None
    due_date: dt.date  # the last working day of the budget, pauses included
    at_risk_on: dt.date
    breached_on: dt.date  # the first working day after due_date
    escalate_on: dt.date
    provisional: bool = False
    level: str = "on_track"  # on_track | at_risk | breached | escalated
    next_check_on: dt.date | None = None  # None when nothing more can happen (paused, completed, escalated)
    status: str = "running"  # running | paused | completed
    completed_on: dt.date | None = None


class SlaPause(SQLModel, table=True):
    """The clock stopped while the case waited on the applicant (a deficiency notice, a return)."""

    __tablename__ = "sla_pause"
    id: int = Field(default=None, primary_key=True)
    clock_id: int = Field(foreign_key="sla_clock.id", index=True)
    reason: str
    paused_on: dt.date
    resumed_on: dt.date | None = None
    working_days: int | None = None


class SlaBreach(SQLModel, table=True):
    """One level reached by one clock: opened once (unique), escalated through the notifier, closed
    when the step completes."""

    __tablename__ = "sla_breach"
    __table_args__ = (
        UniqueConstraint("clock_id", "level"),
        Index("ix_sla_breach_open", "closed_at", "level"),
        Index("ix_sla_breach_unnotified", "notified_at"),
    )
    id: int = Field(default=None, primary_key=True)
    clock_id: int = Field(foreign_key="sla_clock.id")
    level: str  # at_risk | breached | escalated
    case_type: str
    case_id: int
    step: str
    jurisdiction: str = Field(max_length=6)
    institution_id: int | None = None
    due_date: dt.date
    opened_on: dt.date  # business date
    opened_at: dt.datetime
    notify: str  # who the ladder tells at this level: assignee | centre_lead | operations
    notified_at: dt.datetime | None = None
    notify_attempts: int = 0
    notify_error: str | None = None
    closed_at: dt.datetime | None = None
    closed_on: dt.date | None = None
