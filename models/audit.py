"""Every state change leaves a trace (全程留痕、责任可追溯, 003 §二(四))."""

from __future__ import annotations

import datetime as dt
from typing import Any, Optional

from sqlalchemy import JSON, Column
from sqlmodel import Field, SQLModel


class AuditEvent(SQLModel, table=True):
    __tablename__ = "audit_event"
    id: Optional[int] = Field(default=None, primary_key=True)
    case_type: str = Field(index=True)  # filing | plan | institution | certificate | calendar | task
    case_id: int = Field(index=True)
    action: str
    actor_id: Optional[int] = Field(default=None, foreign_key="user_account.id")
    actor_role: str = "system"
    business_time: dt.datetime  # the business clock (simulated in demos)
    wall_time: dt.datetime
    before: Optional[dict[str, Any]] = Field(default=None, sa_column=Column(JSON))
    after: Optional[dict[str, Any]] = Field(default=None, sa_column=Column(JSON))
