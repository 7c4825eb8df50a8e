"""Users, bearer tokens (stored hashed, shown once) and dashboard passwords (scrypt)."""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import secrets

from sqlalchemy.exc import IntegrityError
from sqlmodel import select

from models.accounts import ROLES, ApiToken, User
from models.cases import Institution
from models.db import session_scope
from policy.regions import is_region_code

_SCRYPT = {"n": 2**14, "r": 8, "p": 1}


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
