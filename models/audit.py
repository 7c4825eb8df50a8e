"""Every state change leaves a trace (全程留痕、责任可追溯, 003 §二(四)), in hash chains (core/evidence.py)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import JSON, Column, UniqueConstraint
from sqlmodel import Field, SQLModel


class AuditEvent(SQLModel, table=True):
    __tablename__ = "audit_event"
    __table_args__ = (UniqueConstraint("case_type", "case_id", "seq", name="uq_audit_event_chain_position"),)
    id: int = Field(default=None, primary_key=True)
    case_type: str = Field(index=True)  # filing | plan | institution | certificate | calendar | task
    case_id: int = Field(index=True)
    action: str
    actor_id: int | None = Field(default=None, foreign_key="user_account.id")
    actor_role: str = "system"
    business_time: dt.datetime  # the business clock (simulated in demos)
    wall_time: dt.datetime
    before: dict[str, Any] | None = Field(default=None, sa_column=Column(JSON))
    after: dict[str, Any] | None = Field(default=None, sa_column=Column(JSON))
    # the case's chain: its position, the hash of the entry before it, its own hash (core.evidence)
    seq: int | None = None
    prev_hash: str | None = Field(default=None, max_length=64)
    entry_hash: str | None = Field(default=None, max_length=64)


class AuditChain(SQLModel, table=True):
    """The head of one case's chain, locked by each writer of that case: a removed last entry shows."""

    __tablename__ = "audit_chain"
    chain: str = Field(primary_key=True, max_length=80)  # "filing:12"
    length: int = 0
    head_hash: str = Field(max_length=64)


class AuditAnchor(SQLModel, table=True):
    """A dated fix of the global chain (every entry in id order), for an outside party to hold."""

    __tablename__ = "audit_anchor"
    id: int = Field(default=None, primary_key=True)
    anchored_on: dt.date = Field(index=True, unique=True)
    last_event_id: int
    entries: int
    global_hash: str = Field(max_length=64)
    previous_hash: str = Field(max_length=64)
    anchor_hash: str = Field(max_length=64)
    created_at: dt.datetime


class LegalHold(SQLModel, table=True):
    """A hold on a case's records: nothing of it is purged while the hold stands (a court, an audit).
    Open supervision cases hold their institution's cases without a row of their own."""

    __tablename__ = "legal_hold"
    id: int = Field(default=None, primary_key=True)
    case_type: str = Field(max_length=20)
    case_id: int = Field(index=True)
    reason: str = Field(max_length=500)
    placed_by: str = Field(max_length=100)
    placed_at: dt.datetime
    released_at: dt.datetime | None = None
    released_by: str | None = Field(default=None, max_length=100)
