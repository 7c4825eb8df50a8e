"""Users, bearer tokens (stored hashed, shown once) and dashboard passwords (scrypt)."""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import secrets

from sqlalchemy.exc import IntegrityError
from sqlmodel import select

from models.accounts import ROLES, ApiToken, User, WebSession
from models.cases import Institution
from models.db import session_scope
from policy.regions import is_region_code

_SCRYPT = {"n": 2**14, "r": 8, "p": 1}
MAX_FAILED_LOGINS = 5
LOCKOUT = dt.timedelta(minutes=15)
SESSION_LIFETIME = dt.timedelta(hours=8)  # a working day; then log in again
DASHBOARD_ROLES = ("officer", "expert", "supervisor", "operations", "admin")
# verifying against this when the name is unknown keeps the answer time the same as a wrong password
_DUMMY_HASH = "scrypt$16384$" + "00" * 16 + "$" + "00" * 32


class AccountError(ValueError):
    pass


def hash_token(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def hash_password(password: str) -> str:
    salt = secrets.token_bytes(16)
    digest = hashlib.scrypt(password.encode(), salt=salt, dklen=32, **_SCRYPT)
    return f"scrypt${_SCRYPT['n']}${salt.hex()}${digest.hex()}"


def verify_password(password: str, stored: str | None) -> bool:
    if not stored or not stored.startswith("scrypt$"):
        return False
    _, n, salt, digest = stored.split("$")
    candidate = hashlib.scrypt(password.encode(), salt=bytes.fromhex(salt), dklen=32, n=int(n), r=8, p=1)
    return hmac.compare_digest(candidate.hex(), digest)


def create_user(url: str, *, role: str, name: str, jurisdiction: str | None = None,
                institution_id: int | None = None, password: str | None = None) -> tuple[User, str]:
    """Create a user with a fresh bearer token; returns the user and the token (never stored in clear)."""
    problems = []
    if role not in ROLES:
        problems.append(f"role {role!r} must be one of {', '.join(ROLES)}")
    if not name.strip():
        problems.append("the name must not be empty")
    if role == "officer" and not jurisdiction:
        problems.append("an officer needs --jurisdiction (the GB/T 2260 code of their centre, e.g. 440300)")
    if jurisdiction is not None and not is_region_code(jurisdiction):
        problems.append(f"jurisdiction {jurisdiction!r} is not a GB/T 2260 division code")
    if password is not None and len(password) < 8:
        problems.append("a password has at least 8 characters")
    if problems:
        raise AccountError("; ".join(problems))
    token = "cf_" + secrets.token_urlsafe(32)
    now = dt.datetime.now(dt.timezone.utc)
    try:
        with session_scope(url) as session:
            if institution_id is not None and session.get(Institution, institution_id) is None:
                raise AccountError(f"institution {institution_id} does not exist")
            if session.exec(select(User).where(User.name == name.strip())).first():
                raise AccountError(f"a user named {name.strip()!r} exists already")
            user = User(name=name.strip(), role=role, jurisdiction=jurisdiction, institution_id=institution_id,
                        password_hash=hash_password(password) if password else None, created_at=now)
            session.add(user)
            session.flush()
            session.add(ApiToken(user_id=user.id, token_hash=hash_token(token), created_at=now))
    except IntegrityError:
        raise AccountError(f"a user named {name.strip()!r} exists already") from None
    return user, token


# -- dashboard logins --------------------------------------------------------------


class LoginRefused(Exception):
    """Shown to the person as is: it never tells whether the name exists."""


def _utc(value: dt.datetime) -> dt.datetime:
    return value if value.tzinfo else value.replace(tzinfo=dt.timezone.utc)


def log_in(session, *, name: str, password: str, now: dt.datetime) -> tuple[User, str]:  # noqa: ANN001
    """Check the password and open a web session; returns the user and the cookie token.

    After MAX_FAILED_LOGINS wrong passwords the account is locked for LOCKOUT, even for the right
    password. Raises LoginRefused; the failure count is written by the caller's commit either way,
    so the caller must commit before re-raising (see api/routes/dashboard.py)."""
    user = session.exec(select(User).where(User.name == name.strip())).first()
    if user is None or user.password_hash is None:
        verify_password(password, _DUMMY_HASH)
        raise LoginRefused("用户名或密码错误 / wrong name or password")
    if user.locked_until is not None and _utc(user.locked_until) > now:
        minutes = max(1, int((_utc(user.locked_until) - now).total_seconds() // 60) + 1)
        raise LoginRefused(f"登录失败次数过多，账户已锁定，请 {minutes} 分钟后再试 / locked for {minutes} more minutes")
    if not verify_password(password, user.password_hash):
        user.failed_logins += 1
        if user.failed_logins >= MAX_FAILED_LOGINS:
            user.locked_until, user.failed_logins = now + LOCKOUT, 0
        session.add(user)
        left = MAX_FAILED_LOGINS - user.failed_logins
        if user.locked_until is not None and _utc(user.locked_until) > now:
            raise LoginRefused(f"登录失败次数过多，账户已锁定 {int(LOCKOUT.total_seconds() // 60)} 分钟 / account locked")
        raise LoginRefused(f"用户名或密码错误（再错 {left} 次将锁定账户）/ wrong name or password")
    if user.role not in DASHBOARD_ROLES:
        raise LoginRefused("工作台仅供中心工作人员、专家、督导员和运维人员使用；企业请使用接口 / "
                           "the dashboard is for centre staff; enterprises use the API")
    user.failed_logins, user.locked_until = 0, None
    session.add(user)
    token = secrets.token_urlsafe(32)
    session.add(WebSession(token_hash=hash_token(token), user_id=user.id, csrf_token=secrets.token_urlsafe(24),
                           created_at=now, expires_at=now + SESSION_LIFETIME))
    return user, token


def web_session(session, token: str | None, now: dt.datetime) -> tuple[User, WebSession] | None:  # noqa: ANN001
    """The live session behind a cookie, or None (unknown, ended or expired)."""
    if not token:
        return None
    row = session.exec(select(WebSession).where(WebSession.token_hash == hash_token(token),
                                                WebSession.ended_at.is_(None))).first()
    if row is None or _utc(row.expires_at) <= now:
        return None
    user = session.get(User, row.user_id)
    return (user, row) if user is not None else None


def log_out(session, token: str | None, now: dt.datetime) -> None:  # noqa: ANN001
    if not token:
        return
    row = session.exec(select(WebSession).where(WebSession.token_hash == hash_token(token))).first()
    if row is not None and row.ended_at is None:
        row.ended_at = now
        session.add(row)
