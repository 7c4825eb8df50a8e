"""Integration with enterprises' and centres' systems: webhook endpoints and their deliveries."""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import JSON, Column, Index, UniqueConstraint
from sqlmodel import Field, SQLModel


class WebhookEndpoint(SQLModel, table=True):
    """Where the owner's case events are posted: the owner's own feed (GET /api/v1/events), pushed."""

    __tablename__ = "webhook_endpoint"
    id: int = Field(default=None, primary_key=True)
    owner_id: int = Field(foreign_key="user_account.id", index=True)
    url: str = Field(max_length=500)
    event_types: list[str] = Field(default_factory=list, sa_column=Column(JSON, nullable=False))  # []: every type
    secret: str  # the HMAC key; shown once, at creation
    allow_internal: bool = False  # an admin may allow a private/loopback target (the centre's own systems)
    enabled: bool = True
    disabled_reason: str | None = None
    cursor: int = 0  # the last event of the owner's feed queued for this endpoint
    created_at: dt.datetime
    updated_at: dt.datetime


class WebhookDelivery(SQLModel, table=True):
    """One event to one endpoint: retried with backoff until delivered or out of its 24 hours."""

    __tablename__ = "webhook_delivery"
    __table_args__ = (UniqueConstraint("endpoint_id", "event_id"),
                      Index("ix_webhook_delivery_due", "status", "next_attempt_at"))
    id: int = Field(default=None, primary_key=True)
    endpoint_id: int = Field(foreign_key="webhook_endpoint.id", index=True)
    event_id: int  # the audit entry: the receiver de-duplicates on it
    case_key: str = Field(max_length=40)  # "plan:12": deliveries of one case go in order
    event: dict[str, Any] = Field(sa_column=Column(JSON, nullable=False))
    status: str = "pending"  # pending | delivered | failed (out of its 24 hours)
    attempts: int = 0
    next_attempt_at: dt.datetime
    last_status: int | None = None
    last_error: str | None = None
    delivered_at: dt.datetime | None = None
    created_at: dt.datetime


class CaseFile(SQLModel, table=True):
    """An uploaded file of a case (filing materials, a plan's evidence, a rectification's proof).
    Immutable: a correction is a new file in the case's next round; the bytes are in the file store
    under their SHA-256."""

    __tablename__ = "case_file"
    __table_args__ = (UniqueConstraint("case_type", "case_id", "round", "kind"),
                      Index("ix_case_file_case", "case_type", "case_id"))
    id: int = Field(default=None, primary_key=True)
    case_type: str = Field(max_length=20)  # filing | plan | supervision
    case_id: int
    round: int = 0  # the submission round the file belongs to
    kind: str = Field(max_length=40)
    sha256: str = Field(max_length=64, index=True)
    size: int
    media_type: str = Field(max_length=100)
    filename: str = Field(max_length=200)
    storage: str = Field(max_length=10)  # local | s3
    uploaded_by: int = Field(foreign_key="user_account.id")
    uploaded_at: dt.datetime
