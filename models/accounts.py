"""People, their roles and jurisdiction, bearer tokens, idempotency records."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import UniqueConstraint
from sqlmodel import Field, SQLModel

ROLES = ("enterprise", "officer", "expert", "supervisor", "operations", "admin")


class User(SQLModel, table=True):
    __tablename__ = "user_account"
    id: int = Field(default=None, primary_key=True)
    name: str = Field(index=True, unique=True)
    role: str = Field(index=True)
    jurisdiction: str | None = Field(default=None, max_length=6)  # officers: their centre; supervisors: whose roster
    card_number: str | None = Field(default=None, max_length=40)  # quality supervisors: 证卡 number (004 §六(二))
    institution_id: int | None = Field(
        default=None, foreign_key="institution.id"
    )  # employer of enterprise users, experts, supervisors
    password_hash: str | None = None
    created_at: dt.datetime
    disabled_at: dt.datetime | None = None  # offboarded: no login, no token, no claim (accounts.disable_user)
    disabled_reason: str | None = Field(default=None, max_length=500)
    # the newest task id in the dashboard inbox when its owner last looked: the tasks after it are "new"
    inbox_seen_task_id: int | None = None
    # officers: leads their centre (中心负责人) and may reassign its tasks, claimed ones too (tasks.cases.handover)
    leads_centre: bool = False
    # the daily e-mail digest of new and due-soon tasks (tasks.waits.digest), for staff who ask for it
    email: str | None = Field(default=None, max_length=254)
    digest: bool = False
    digest_sent_on: dt.date | None = None  # the business day of the last digest (at most one a day)
    digest_seen_task_id: int | None = None  # the newest inbox task the last digest (or the opt-in) covered


class ApiToken(SQLModel, table=True):
    __tablename__ = "api_token"
    id: int = Field(default=None, primary_key=True)
    user_id: int = Field(foreign_key="user_account.id", index=True)
    token_hash: str = Field(unique=True)  # sha256 of the token; the token itself is shown once
    label: str = Field(default="", max_length=100)  # what the token is for ("ERP", "cli"), shown in listings
    created_at: dt.datetime
    expires_at: dt.datetime | None = None  # None only for tokens made before expiry existed
    revoked_at: dt.datetime | None = None


class IdempotencyRecord(SQLModel, table=True):
    """A creating POST's key, the hash of its body and the answer it got."""

    __tablename__ = "idempotency_record"
    __table_args__ = (UniqueConstraint("user_id", "key"),)
    id: int = Field(default=None, primary_key=True)
    user_id: int = Field(foreign_key="user_account.id")
    key: str = Field(max_length=200)
    request_hash: str
    status_code: int
    response_body: str
    created_at: dt.datetime


class WebSession(SQLModel, table=True):
    """A dashboard login: the cookie carries a random token, only its hash is stored; the CSRF token
    is bound to the session; logout or expiry ends it on the server, not only in the browser."""

    __tablename__ = "web_session"
    id: int = Field(default=None, primary_key=True)
    token_hash: str = Field(unique=True)
    user_id: int = Field(foreign_key="user_account.id", index=True)
    csrf_token: str
    created_at: dt.datetime
    expires_at: dt.datetime
    ended_at: dt.datetime | None = None


class LoginThrottle(SQLModel, table=True):
    """Failed dashboard logins counted per key: a (name, client) pair, a client alone, or a name alone.

    Keyed so that nobody can lock a real user out of the device the user normally logs in from:
    a (name, device) pair with the device cookie of an earlier good login has its own count."""

    __tablename__ = "login_throttle"
    key: str = Field(primary_key=True, max_length=64)  # sha256 of the kind and the parts
    failures: int = 0
    window_start: dt.datetime
    locked_until: dt.datetime | None = None


class RateBucket(SQLModel, table=True):
    """A token bucket of the public rate limit, shared by every API process through the database."""

    __tablename__ = "rate_bucket"
    key: str = Field(primary_key=True, max_length=100)
    tokens: float
    updated: float  # the limiter's clock, seconds
