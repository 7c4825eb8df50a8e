"""Staff offboarding: an account disabled (every token revoked, every dashboard session ended, its claimed
tasks given back — a drawn seat drawn again — and its webhook endpoints stopped), enabled again, and a
password reset that ends the sessions opened with the old one. Each step is audited on the user."""

from __future__ import annotations

import datetime as dt

from sqlmodel import Session, col, select

from models import responses as out
from models.accounts import ApiToken, User, WebSession
from models.db import session_scope
from models.workflow import HumanTask
from tasks.cases import seats
from tasks.errors import NotFound
from tasks.people.accounts import AccountError, hash_password, stop_webhooks, user_named
from tasks.records import audit


def _end_sessions(session: Session, user: User, now: dt.datetime) -> int:
    rows = session.exec(select(WebSession).where(WebSession.user_id == user.id,
                                                 col(WebSession.ended_at).is_(None))).all()
    for row in rows:
        row.ended_at = now
        session.add(row)
    return len(rows)


def disable(session: Session, user: User, *, reason: str, actor: User | None, now: dt.datetime) -> out.UserDisabled:
    """Disable `user` now; returns what was done. Disabling a disabled account changes nothing."""
    reason = " ".join(reason.split())
    if not reason:
        raise AccountError("a reason is required (it is kept with the account and in the audit trail)")
    if user.disabled_at is not None:
        return out.UserDisabled(user_id=user.id, disabled_at=user.disabled_at.isoformat(), already=True)
    tokens = session.exec(select(ApiToken).where(ApiToken.user_id == user.id, col(ApiToken.revoked_at).is_(None))).all()
    for token in tokens:
        token.revoked_at = now
        session.add(token)
    sessions_ended = _end_sessions(session, user, now)
    claimed = session.exec(select(HumanTask).where(HumanTask.assignee_id == user.id,
                                                   HumanTask.status == "claimed").order_by(col(HumanTask.id))).all()
    user.disabled_at, user.disabled_reason = now, reason[:500]
    session.add(user)
    session.flush()  # the redraw of a drawn seat must not draw this user again
    for task in claimed:
        seats.give_back(session, task, user_id=user.id, role=user.role)
    endpoints = stop_webhooks(session, user, f"所有者账户已停用 / its owner's account was disabled: {reason}"[:1000])
    done = out.UserDisabled(user_id=user.id, disabled_at=now.isoformat(), tokens_revoked=[t.id for t in tokens],
                            sessions_ended=sessions_ended, tasks_released=[t.id for t in claimed],
                            webhooks_stopped=endpoints, already=False)
    audit.record(session, case_type="user", case_id=user.id, action="user_disabled",
                 actor_id=actor.id if actor else None, actor_role=actor.role if actor else "admin",
                 after=done.model_dump(mode="json", exclude={"already"}) | {"reason": reason[:500]})
    return done


def enable(session: Session, user: User, *, actor: User | None) -> out.UserEnabled:
    """Enable `user` again: a new token must be issued (the old ones stay revoked), webhooks re-enabled
    by their owner with it."""
    if user.disabled_at is None:
        return out.UserEnabled(user_id=user.id, already=True)
    before = {"disabled_at": user.disabled_at.isoformat(), "reason": user.disabled_reason}
    user.disabled_at, user.disabled_reason = None, None
    session.add(user)
    audit.record(session, case_type="user", case_id=user.id, action="user_enabled",
                 actor_id=actor.id if actor else None, actor_role=actor.role if actor else "admin", before=before)
    return out.UserEnabled(user_id=user.id, already=False)


def reset_password(session: Session, user: User, *, password: str, actor: User | None, now: dt.datetime) -> int:
    """A new dashboard password; every session opened before it ends. Returns the sessions ended."""
    if len(password) < 8:
        raise AccountError("a password has at least 8 characters")
    user.password_hash = hash_password(password)
    session.add(user)
    ended = _end_sessions(session, user, now)
    audit.record(session, case_type="user", case_id=user.id, action="password_reset",
                 actor_id=actor.id if actor else None, actor_role=actor.role if actor else "admin",
                 after={"sessions_ended": ended})
    return ended


def user_by_id(session: Session, user_id: int) -> User:
    user = session.get(User, user_id)
    if user is None:
        raise NotFound(f"user {user_id} does not exist")
    return user


def disable_named(url: str, *, name: str, reason: str) -> out.UserDisabled:
    with session_scope(url) as session:
        return disable(session, user_named(session, name), reason=reason, actor=None, now=dt.datetime.now(dt.UTC))


def enable_named(url: str, *, name: str) -> out.UserEnabled:
    with session_scope(url) as session:
        return enable(session, user_named(session, name), actor=None)


def reset_password_named(url: str, *, name: str, password: str) -> int:
    with session_scope(url) as session:
        return reset_password(session, user_named(session, name), password=password, actor=None,
                              now=dt.datetime.now(dt.UTC))
