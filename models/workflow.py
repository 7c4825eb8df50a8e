"""Execution state we own: human tasks, business timers, the start outbox, incidents."""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import JSON, Column, Index, text
from sqlmodel import Field, SQLModel


class HumanTask(SQLModel, table=True):
    """A step waiting for a person's decision; the flow run is suspended meanwhile."""

    __tablename__ = "human_task"
    __table_args__ = (
        Index("ix_human_task_inbox", "status", "role", "jurisdiction", "due_date"),
        # the inbox pages active tasks in id order: a partial index keeps that a walk, not a sort of
        # every matching row (100,000 open tasks: see bench/bench_inbox.py)
        Index("ix_human_task_active_by_id", "role", "id",
              sqlite_where=text("status IN ('open', 'claimed')"),
              postgresql_where=text("status IN ('open', 'claimed')")),
        # the dashboard's inbox pages them by due date (bench/bench_dashboard.py)
        Index("ix_human_task_active_by_due", "role", "due_date", "id",
              sqlite_where=text("status IN ('open', 'claimed')"),
              postgresql_where=text("status IN ('open', 'claimed')")),
    )
    id: int = Field(default=None, primary_key=True)
    key: str = Field(unique=True)  # case + step + round: a replayed flow finds its task again
    case_type: str = Field(index=True)
    case_id: int = Field(index=True)
    step: str
    role: str
    jurisdiction: str = Field(max_length=6)
    assignee_id: int | None = Field(default=None, foreign_key="user_account.id", index=True)
    # drawn: the seat belongs to whoever the draw named; released, it is drawn again, never pooled
    assignment: str = "pool"  # pool | drawn
    status: str = "open"  # open | claimed | decided | cancelled
    created_on: dt.date
    due_working_days: int
    start_day_counts: bool = False
    due_date: dt.date
    due_provisional: bool = False
    decision: str | None = None
    decision_payload: dict[str, Any] | None = Field(default=None, sa_column=Column(JSON))
    decided_by: int | None = Field(default=None, foreign_key="user_account.id")
    decided_at: dt.datetime | None = None
    version: int = 0  # optimistic locking
    flow_run_id: str | None = None
    created_at: dt.datetime


class Timer(SQLModel, table=True):
    """A business timer in working days; the tick resumes the run when it is due."""

    __tablename__ = "timer"
    __table_args__ = (Index("ix_timer_due", "status", "due_date"),)
    id: int = Field(default=None, primary_key=True)
    key: str = Field(unique=True)
    case_type: str
    case_id: int
    purpose: str
    start_date: dt.date
    working_days: int | None = None  # None: a fixed date (wait_until)
    start_day_counts: bool = False
    period_end: dt.date  # last day of the period (the fixed date for wait_until)
    due_date: dt.date  # the day the timer fires: the day after a period, the date itself for wait_until
    provisional: bool = False
    status: str = "pending"  # pending | fired | cancelled
    flow_run_id: str | None = None
    fired_at: dt.datetime | None = None


class OutboxMessage(SQLModel, table=True):
    """A flow run to start, written in the same transaction as the case."""

    __tablename__ = "outbox_message"
    id: int = Field(default=None, primary_key=True)
    kind: str  # deployment name
    case_id: int
    parameters: dict[str, Any] = Field(sa_column=Column(JSON, nullable=False))
    created_at: dt.datetime
    dispatched_at: dt.datetime | None = Field(default=None, index=True)
    attempts: int = 0
    last_error: str | None = None
    retry_after: dt.datetime | None = None  # after a failed start: not before then (engine.tick.dispatch_outbox)
    flow_run_id: str | None = None


class Incident(SQLModel, table=True):
    """An external call out of retries; operations can retry it."""

    __tablename__ = "incident"
    id: int = Field(default=None, primary_key=True)
    kind: str
    case_type: str
    case_id: int
    error: str
    status: str = "open"  # open | retrying | resolved
    attempts: int = 1
    flow_run_id: str | None = None
    created_at: dt.datetime
    resolved_at: dt.datetime | None = None


class ExternalSubmission(SQLModel, table=True):
    """A completed call to the national system, keyed so that a replay never sends twice."""

    __tablename__ = "external_submission"
    id: int = Field(default=None, primary_key=True)
    key: str = Field(unique=True)
    kind: str
    case_id: int
    response: dict[str, Any] | None = Field(default=None, sa_column=Column(JSON))
    completed_at: dt.datetime


class Wakeup(SQLModel, table=True):
    """A suspended run to resume because something it waits for happened (a decision, a timer).

    Written in the same transaction as the fact, delivered by the tick until the run is
    back to running: a resume that races the run's own suspension is retried, never lost.
    """

    __tablename__ = "wakeup"
    id: int = Field(default=None, primary_key=True)
    flow_run_id: str = Field(index=True)
    reason: str
    created_at: dt.datetime
    delivered_at: dt.datetime | None = Field(default=None, index=True)
    attempts: int = 0
    last_error: str | None = None


class BusinessClock(SQLModel, table=True):
    """The simulated business clock, shared by every process of one instance."""

    __tablename__ = "business_clock"
    id: int = Field(default=1, primary_key=True)
    now: dt.datetime
    moved_at: dt.datetime


class TickHeartbeat(SQLModel, table=True):
    """The leading tick's last pass: operations alert when it grows old (no tick leads, or its passes hang)."""

    __tablename__ = "tick_heartbeat"
    id: int = Field(default=1, primary_key=True)
    leader: str = Field(max_length=200)  # host:pid of the tick that wrote it
    beat_at: dt.datetime  # wall time
