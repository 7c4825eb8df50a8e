"""Users, bearer tokens (stored hashed, shown once) and dashboard passwords (scrypt)."""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import logging
import secrets

from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, col, select

from core import settings
from models.accounts import ROLES, ApiToken, LoginThrottle, User, WebSession
from models.cases import Institution
from models.db import session_scope
from models.integration import WebhookEndpoint
from policy.regions import is_region_code
from policy.text import TextProblem, clean_name
from tasks.errors import NotFound
from tasks.people import access
from tasks.records import audit

log = logging.getLogger("certflow.accounts")

_SCRYPT = {"n": 2**14, "r": 8, "p": 1}
LOCKOUT = dt.timedelta(minutes=15)
SESSION_LIFETIME = dt.timedelta(hours=8)  # a working day; then log in again
DASHBOARD_ROLES = ("officer", "expert", "supervisor", "operations", "admin")
# verifying against this when the name is unknown keeps the answer time the same as a wrong password
_DUMMY_HASH = "scrypt$16384$" + "00" * 16 + "$" + "00" * 32


class AccountError(ValueError):
    pass


def _utc(value: dt.datetime) -> dt.datetime:
    """SQLite hands datetimes back naive; we store UTC."""
    return value if value.tzinfo else value.replace(tzinfo=dt.UTC)


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


STAFF_ROLES = ("officer", "expert", "supervisor", "operations", "admin")


def token_days(session: Session, role: str) -> int:
    """How long a new token lives: a year for enterprises' systems, less for staff (settings)."""
    instance = settings.of(session)
    return instance.token_days_enterprise if role == "enterprise" else instance.token_days_staff


def user_name_problems(name: str) -> tuple[str, list[str]]:
    try:
        return clean_name(name), []
    except TextProblem as problem:
        return name, [f"the name {problem}"]


def create_user(url: str, *, role: str, name: str, jurisdiction: str | None = None,
                institution_id: int | None = None, password: str | None = None,
                days: int | None = None, label: str = "", card_number: str | None = None) -> tuple[User, str]:
    """Create a user with a fresh bearer token; returns the user and the token (never stored in clear)."""
    name, problems = user_name_problems(name)
    if role not in ROLES:
        problems.append(f"role {role!r} must be one of {', '.join(ROLES)}")
    if role == "officer" and not jurisdiction:
        problems.append("an officer needs --jurisdiction (the GB/T 2260 code of their centre, e.g. 440300)")
    if jurisdiction is not None and not is_region_code(jurisdiction):
        problems.append(f"jurisdiction {jurisdiction!r} is not a GB/T 2260 division code")
    if card_number is not None and (role != "supervisor" or not 1 <= len(card_number.strip()) <= 40):
        problems.append("a card number (证卡, up to 40 characters) is a quality supervisor's")
    if password is not None and len(password) < 8:
        problems.append("a password has at least 8 characters")
    if days is not None and not 1 <= days <= 3650:
        problems.append("a token lives 1 to 3650 days")
    if problems:
        raise AccountError("; ".join(problems))
    now = dt.datetime.now(dt.UTC)
    try:
        with session_scope(url) as session:
            if institution_id is not None and session.get(Institution, institution_id) is None:
                raise AccountError(f"institution {institution_id} does not exist")
            if session.exec(select(User).where(User.name == name)).first():
                raise AccountError(f"a user named {name!r} exists already")
            user = User(name=name, role=role, jurisdiction=jurisdiction, institution_id=institution_id,
                        card_number=card_number.strip() if card_number else None,
                        password_hash=hash_password(password) if password else None, created_at=now)
            session.add(user)
            session.flush()
            token = _new_token(session, user, days=days, label=label, now=now)
    except IntegrityError:
        raise AccountError(f"a user named {name!r} exists already") from None
    return user, token


def _new_token(session, user: User, *, days: int | None, label: str, now: dt.datetime) -> str:
    token = "cf_" + secrets.token_urlsafe(32)
    lifetime = dt.timedelta(days=days or token_days(session, user.role))
    session.add(ApiToken(user_id=user.id, token_hash=hash_token(token), label=label[:100], created_at=now,
                         expires_at=now + lifetime))
    return token


def user_named(session, name: str) -> User:
    user = session.exec(select(User).where(User.name == name.strip())).first()
    if user is None:
        raise AccountError(f"no user named {name.strip()!r}")
    return user


def issue_token(url: str, *, name: str, days: int | None = None, label: str = "") -> tuple[ApiToken, str]:
    """Another token for an existing user (a second system, or a replacement before revoking the old)."""
    if days is not None and not 1 <= days <= 3650:
        raise AccountError("a token lives 1 to 3650 days")
    now = dt.datetime.now(dt.UTC)
    with session_scope(url) as session:
        user = user_named(session, name)
        token = _new_token(session, user, days=days, label=label, now=now)
        row = session.exec(select(ApiToken).where(ApiToken.token_hash == hash_token(token))).one()
    return row, token


def list_tokens(url: str, *, name: str) -> list[ApiToken]:
    with session_scope(url, readonly=True) as session:
        user = user_named(session, name)
        return list(session.exec(select(ApiToken).where(ApiToken.user_id == user.id).order_by(col(ApiToken.id))).all())


def revoke_token(url: str, *, token_id: int | None = None, name: str | None = None) -> list[int]:
    """Revoke one token by id, or every live token of a user; returns the ids revoked (none: error)."""
    now = dt.datetime.now(dt.UTC)
    with session_scope(url) as session:
        if token_id is not None:
            rows = [row] if (row := session.get(ApiToken, token_id)) is not None else []
            if not rows:
                raise AccountError(f"no token {token_id}")
        else:
            user = user_named(session, name or "")
            rows = list(session.exec(select(ApiToken).where(ApiToken.user_id == user.id)).all())
        revoked = []
        for row in rows:
            if row.revoked_at is None:
                row.revoked_at = now
                session.add(row)
                revoked.append(row.id)
        if not revoked:
            raise AccountError("nothing to revoke: already revoked")

        audit.record(session, case_type="user", case_id=rows[0].user_id, action="tokens_revoked",
                     actor_role="admin", after={"token_ids": revoked})
        owner = session.get(User, rows[0].user_id)
        if owner is not None and not has_live_credential(session, owner, now):
            stop_webhooks(session, owner, "所有者的全部令牌已吊销 / every token of its owner was revoked")
    return revoked


def has_live_credential(session, user: User, now: dt.datetime) -> bool:
    """An enabled account with a token that is neither revoked nor expired: what keeps its webhooks going."""
    if user.disabled_at is not None:
        return False
    tokens = session.exec(select(ApiToken).where(ApiToken.user_id == user.id, col(ApiToken.revoked_at).is_(None))).all()
    return any(t.expires_at is None or _utc(t.expires_at) > now for t in tokens)


def stop_webhooks(session, owner: User, reason: str) -> list[int]:
    """Disable the owner's enabled endpoints with the reason (shown in GET /webhooks/{id}): signed events
    go to nobody whose credentials were taken away."""
    stopped = []
    for endpoint in session.exec(select(WebhookEndpoint).where(WebhookEndpoint.owner_id == owner.id,
                                                               col(WebhookEndpoint.enabled).is_(True))).all():
        endpoint.enabled, endpoint.disabled_reason = False, reason
        session.add(endpoint)
        audit.record(session, case_type="webhook", case_id=endpoint.id, action="webhook_disabled",
                     after={"reason": reason})
        stopped.append(endpoint.id)
    return stopped


def token_user(session, token: str, now: dt.datetime) -> User | None:
    """The user of a live token (not revoked, not expired), or None."""
    row = session.exec(select(ApiToken).where(ApiToken.token_hash == hash_token(token),
                                             col(ApiToken.revoked_at).is_(None))).first()
    if row is None or (row.expires_at is not None and _utc(row.expires_at) <= now):
        return None
    user = session.get(User, row.user_id)
    return user if user is not None and user.disabled_at is None else None


def bind_institution(session, *, user_id: int, institution_id: int | None, actor: User, reason: str) -> User:
    """The one way an enterprise account comes to act for an institution after it exists: a centre's
    act, recorded. (An unbound account that files for a credit code nobody holds creates that
    institution and is bound to it; nobody is ever bound by what a form says.)"""
    user = session.get(User, user_id)
    if user is None or user.role != "enterprise":
        raise NotFound(f"enterprise user {user_id} does not exist")
    if institution_id is not None:
        institution = session.get(Institution, institution_id)
        if institution is None or not access.manages_institutions_of(actor, institution.region_code):
            raise NotFound(f"institution {institution_id} does not exist")
    if user.institution_id is not None:
        current = session.get(Institution, user.institution_id)
        if current is not None and not access.manages_institutions_of(actor, current.region_code):
            raise NotFound(f"enterprise user {user_id} does not exist")
    before = {"institution_id": user.institution_id}
    user.institution_id = institution_id
    session.add(user)
    audit.record(session, case_type="user", case_id=user.id, action="institution_bound", actor_id=actor.id,
                 actor_role=actor.role, before=before, after={"institution_id": institution_id, "reason": reason})
    return user


# -- dashboard logins --------------------------------------------------------------


class LoginRefused(Exception):
    """Shown to the person as is: it never tells whether the name exists."""


WRONG = "用户名或密码错误 / wrong name or password"
TOO_MANY = "尝试次数过多，请 15 分钟后再试 / too many attempts; try again in 15 minutes"

# Failures counted per key within a window; a key over its limit is locked for LOCKOUT. The same
# counts apply to names that do not exist, so a lock says nothing about whether a name is real.
PAIR_LIMIT = 5  # one name from one client (or from the device of an earlier good login)
CLIENT_LIMIT = 20  # one client trying many names
NAME_LIMIT = 50  # one name from many clients; not applied to the user's own device
WINDOW = LOCKOUT


def _key(*parts: str) -> str:
    return hashlib.sha256("\x1f".join(parts).encode()).hexdigest()


def device_proof(secret: bytes, name: str) -> str:
    """The device cookie of a good login: the name signed with the server's key."""
    return hmac.new(secret, ("device\x1f" + name).encode(), hashlib.sha256).hexdigest()


def _throttle_keys(name: str, client: str, device_ok: bool, device: str) -> list[tuple[str, int]]:
    if device_ok:  # the user's usual device: only its own count applies, nobody else's attempts
        return [(_key("pair", name, "device", device), PAIR_LIMIT)]
    return [(_key("pair", name, "client", client), PAIR_LIMIT), (_key("client", client), CLIENT_LIMIT),
            (_key("name", name), NAME_LIMIT)]


def _locked(session, keys: list[tuple[str, int]], now: dt.datetime) -> bool:
    for key, _ in keys:
        row = session.get(LoginThrottle, key)
        if row is not None and row.locked_until is not None and _utc(row.locked_until) > now:
            return True
    return False


_failures_counted = 0


def _count_failure(url: str, keys: list[tuple[str, int]], now: dt.datetime) -> None:
    """One short write transaction (the password was checked before it, outside any lock)."""
    from sqlalchemy import delete

    global _failures_counted
    _failures_counted += 1
    with session_scope(url) as session:
        if _failures_counted % 100 == 0:  # counts of names sprayed at random must not pile up for ever
            stale = now - dt.timedelta(days=1)
            session.execute(delete(LoginThrottle).where(col(LoginThrottle.window_start) < stale,
                                                        (col(LoginThrottle.locked_until).is_(None))
                                                        | (col(LoginThrottle.locked_until) < now)))
        for key, limit in keys:
            row = session.get(LoginThrottle, key, with_for_update=True)
            if row is None or _utc(row.window_start) + WINDOW <= now:
                row = row or LoginThrottle(key=key, window_start=now)
                row.failures, row.window_start = 0, now
            row.failures += 1
            if row.failures >= limit:
                row.locked_until, row.failures, row.window_start = now + LOCKOUT, 0, now
            session.add(row)


def log_in(url: str, *, name: str, password: str, client: str, device: str, secret: bytes,
           now: dt.datetime) -> tuple[User, str]:
    """Check the password and open a web session; returns the user and the cookie token.

    No write lock is held while the password is checked (scrypt takes tens of milliseconds, and
    many at once stalled every writer): read in a snapshot, verify, then one short transaction
    for the failure count or for the new session. Raises LoginRefused."""
    import unicodedata

    name = " ".join(unicodedata.normalize("NFKC", name).split())  # as names are stored (policy/text.py)
    device_ok = bool(device) and hmac.compare_digest(device.encode(), device_proof(secret, name).encode())
    keys = _throttle_keys(name, client, device_ok, device)
    with session_scope(url, readonly=True) as session:
        if _locked(session, keys, now):
            raise LoginRefused(TOO_MANY)
        user = session.exec(select(User).where(User.name == name)).first()
    if user is None or user.password_hash is None:
        verify_password(password, _DUMMY_HASH)  # the same work as a wrong password: timing says nothing
        _count_failure(url, keys, now)
        raise LoginRefused(WRONG)
    if not verify_password(password, user.password_hash):
        _count_failure(url, keys, now)
        raise LoginRefused(WRONG)
    if user.disabled_at is not None:
        raise LoginRefused("账户已停用，请联系管理员 / this account is disabled; ask an administrator")
    if user.role not in DASHBOARD_ROLES:
        raise LoginRefused("工作台仅供中心工作人员、专家、督导员和运维人员使用；企业请使用接口 / "
                           "the dashboard is for centre staff; enterprises use the API")

    token = secrets.token_urlsafe(32)
    with session_scope(url) as session:
        pair = session.get(LoginThrottle, keys[0][0])
        if pair is not None:
            session.delete(pair)  # a good login clears this pair's count, never the others'
        session.add(WebSession(token_hash=hash_token(token), user_id=user.id, csrf_token=secrets.token_urlsafe(24),
                               created_at=now, expires_at=now + SESSION_LIFETIME))
    return user, token


def web_session(session, token: str | None, now: dt.datetime) -> tuple[User, WebSession] | None:
    """The live session behind a cookie, or None (unknown, ended or expired)."""
    if not token:
        return None
    row = session.exec(select(WebSession).where(WebSession.token_hash == hash_token(token),
                                                col(WebSession.ended_at).is_(None))).first()
    if row is None or _utc(row.expires_at) <= now:
        return None
    user = session.get(User, row.user_id)
    return (user, row) if user is not None and user.disabled_at is None else None


def log_out(session, token: str | None, now: dt.datetime) -> None:
    if not token:
        return
    row = session.exec(select(WebSession).where(WebSession.token_hash == hash_token(token))).first()
    if row is not None and row.ended_at is None:
        row.ended_at = now
        session.add(row)


def remember_inbox_look(url: str, user_id: int, newest_task_id: int) -> None:
    """The newest task id its owner has seen in the inbox: the next look counts what came after it as new.
    Best effort: a look not remembered (the database stayed busy) only shows the same tasks as new again."""
    from sqlalchemy.exc import OperationalError

    try:
        with session_scope(url) as session:
            user = session.get(User, user_id)
            if user is not None and (user.inbox_seen_task_id or 0) < newest_task_id:
                user.inbox_seen_task_id = newest_task_id
                session.add(user)
    except OperationalError as busy:
        log.warning("the inbox look of user %s was not remembered: %s", user_id, busy)

