"""Integration with enterprises' and centres' systems: webhook endpoints and their deliveries."""

from __future__ import annotations

import datetime as dt
from typing import Any, Optional

from sqlalchemy import JSON, Column, Index, UniqueConstraint
from sqlmodel import Field, SQLModel


class WebhookEndpoint(SQLModel, table=True):
    """Where the owner's case events are posted: the owner's own feed (GET /api/v1/events), pushed."""

    __tablename__ = "webhook_endpoint"
    id: Optional[int] = Field(default=None, primary_key=True)
    owner_id: int = Field(foreign_key="user_account.id", index=True)
    url: str = Field(max_length=500)
    event_types: list[str] = Field(default_factory=list, sa_column=Column(JSON, nullable=False))  # []: every type
    secret: str  # the HMAC key; shown once, at creation
    allow_internal: bool = False  # an admin may allow a private/loopback target (the centre's own systems)
    enabled: bool = True
    disabled_reason: Optional[str] = None
    cursor: int = 0  # the last event of the owner's feed queued for this endpoint
    created_at: dt.datetime
    updated_at: dt.datetime


class WebhookDelivery(SQLModel, table=True):
    """One event to one endpoint: retried with backoff until delivered or out of its 24 hours."""

    __tablename__ = "webhook_delivery"
    __table_args__ = (UniqueConstraint("endpoint_id", "event_id"),
                      Index("ix_webhook_delivery_due", "status", "next_attempt_at"))
    id: Optional[int] = Field(default=None, primary_key=True)
    endpoint_id: int = Field(foreign_key="webhook_endpoint.id", index=True)
    event_id: int  # the audit entry: the receiver de-duplicates on it
    case_key: str = Field(max_length=40)  # "plan:12": deliveries of one case go in order
    event: dict[str, Any] = Field(sa_column=Column(JSON, nullable=False))
    status: str = "pending"  # pending | delivered | failed (out of its 24 hours)
    attempts: int = 0
    next_attempt_at: dt.datetime
    last_status: Optional[int] = None
    last_error: Optional[str] = None
    delivered_at: Optional[dt.datetime] = None
    created_at: dt.datetime
