"""Dependencies: settings, the request's database session, the current user and role checks."""

from __future__ import annotations

from typing import Annotated, Callable, Iterator

from fastapi import Depends, Header, HTTPException, Request
from sqlmodel import Session, select

from certflow.settings import Settings
from models.accounts import ApiToken, User
from models.db import session_scope
from tasks.accounts import hash_token


def get_settings(request: Request) -> Settings:
    return request.app.state.settings


def get_session(settings: Annotated[Settings, Depends(get_settings)]) -> Iterator[Session]:
    """One transaction per request: committed when the handler returns, rolled back on any error."""
    with session_scope(settings.database_url) as session:
        yield session


# "function" scope: commit before the response is sent (and before background tasks run)
SessionDep = Annotated[Session, Depends(get_session, scope="function")]
SettingsDep = Annotated[Settings, Depends(get_settings)]


def current_user(session: SessionDep, authorization: Annotated[str | None, Header()] = None) -> User:
    if not authorization or not authorization.lower().startswith("bearer "):
        raise HTTPException(401, "missing bearer token (Authorization: Bearer <token>)",
                            headers={"WWW-Authenticate": "Bearer"})
    token = authorization.split(" ", 1)[1].strip()
    row = session.exec(select(ApiToken).where(ApiToken.token_hash == hash_token(token),
                                              ApiToken.revoked_at.is_(None))).first()
    user = session.get(User, row.user_id) if row else None
    if user is None:
        raise HTTPException(401, "invalid or revoked token", headers={"WWW-Authenticate": "Bearer"})
    return user


UserDep = Annotated[User, Depends(current_user)]


def require_role(*roles: str) -> Callable[[User], User]:
    def check(user: UserDep) -> User:
        if user.role not in roles:
            raise HTTPException(403, f"this needs the role {' or '.join(roles)}; you are {user.role}")
        return user

    return check


def role(*roles: str):  # noqa: ANN201 - an Annotated alias for a role-checked user
    return Annotated[User, Depends(require_role(*roles))]
