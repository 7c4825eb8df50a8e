"""Dependencies: settings, the request's database session, the current user and role checks."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from typing import Annotated

from fastapi import Depends, Header, HTTPException, Path, Request
from sqlmodel import Session

from core.clock import wall_now
from core.settings import Settings
from models.accounts import User
from models.db import session_scope
from tasks.people.accounts import token_user, web_session

MAX_ID = 2**63 - 1  # SQLite's INTEGER; a larger id is not an unknown row but a malformed one
Id = Annotated[int, Path(ge=1, le=MAX_ID, description="numeric id")]


def get_settings(request: Request) -> Settings:
    return request.app.state.settings


SettingsDep = Annotated[Settings, Depends(get_settings)]


async def get_session(request: Request, settings: SettingsDep) -> AsyncIterator[Session]:
    """One transaction per request: committed when the handler returns, rolled back on any error.

    GET requests read a snapshot without queueing for the write lock. The commit runs here, on the
    event loop, not in the thread pool: a writer that had to wait for a free pool thread to commit,
    while every pool thread waits for its lock, would deadlock the API (seen under 50 concurrent POSTs).
    """
    with session_scope(settings.database_url, readonly=request.method in ("GET", "HEAD")) as session:
        yield session


# "function" scope: commit before the response is sent (and before background tasks run)
SessionDep = Annotated[Session, Depends(get_session, scope="function")]


def bearer_token(authorization: str | None) -> str:
    if not authorization or not authorization.lower().startswith("bearer "):
        raise HTTPException(401, "missing bearer token (Authorization: Bearer <token>)",
                            headers={"WWW-Authenticate": "Bearer"})
    return authorization.split(" ", 1)[1].strip()


def current_user(session: SessionDep, settings: SettingsDep,
                 authorization: Annotated[str | None, Header()] = None) -> User:
    """The token's user, read in a separate snapshot so that the request's own transaction takes
    the write lock only inside the handler; the user is then attached to the request's session.
    A revoked or expired token is refused the same way as an unknown one."""
    token = bearer_token(authorization)
    with session_scope(settings.database_url, readonly=True) as lookup:
        user = token_user(lookup, token, wall_now())
    if user is None:
        raise HTTPException(401, "invalid, expired or revoked token", headers={"WWW-Authenticate": "Bearer"})
    return session.merge(user, load=False)


UserDep = Annotated[User, Depends(current_user)]


def current_user_optional(session: Session, settings: Settings, authorization: str | None) -> User | None:
    """For routes that also take another credential (a holder's signed link)."""
    if not authorization:
        return None
    try:
        return current_user(session, settings, authorization)
    except HTTPException:
        return None


def require_role(*roles: str) -> Callable[[User], User]:
    def check(user: UserDep) -> User:
        if user.role not in roles:
            raise HTTPException(403, f"this needs the role {' or '.join(roles)}; you are {user.role}")
        return user

    check.admits = roles  # type: ignore[attr-defined]  # whom the route lets in, readable from the route
    return check


def role(*roles: str):  # an Annotated alias for a role-checked user
    return Annotated[User, Depends(require_role(*roles))]


def metrics_reader(session: SessionDep, settings: SettingsDep,
                   authorization: Annotated[str | None, Header()] = None) -> None:
    """Prometheus scrapes with the configured metrics token; people with an operations/admin token."""
    import hmac

    token = bearer_token(authorization)
    if settings.metrics_token and hmac.compare_digest(token.encode(), settings.metrics_token.encode()):
        return
    user = current_user(session, settings, authorization)
    if user.role not in ("operations", "admin"):
        raise HTTPException(403, "metrics are for operations (or the metrics token)")


metrics_reader.admits = ("operations", "admin")  # type: ignore[attr-defined]  # (as people; or the metrics token)
MetricsReader = Annotated[None, Depends(metrics_reader)]


# -- dashboard (cookie sessions) ------------------------------------------------------------

SESSION_COOKIE = "certflow_session"


class LoginRequired(Exception):
    """No live dashboard session: the app answers with a redirect to the login page."""

    def __init__(self, next_path: str) -> None:
        super().__init__(next_path)
        self.next_path = next_path


class DashboardLogin:
    def __init__(self, user: User, csrf_token: str) -> None:
        self.user, self.csrf_token = user, csrf_token
        # plain copies for the page frame: an error page is drawn after the session has closed
        self.name, self.role = user.name, user.role


def dashboard_login(request: Request, session: SessionDep, settings: SettingsDep) -> DashboardLogin:
    """The cookie's user, read in a separate snapshot (as for bearer tokens), attached to the request's session."""
    with session_scope(settings.database_url, readonly=True) as lookup:
        found = web_session(lookup, request.cookies.get(SESSION_COOKIE), wall_now())
    if found is None:  # after logging in, come back to the page (a form's target is not a page)
        here = request.url.path + (f"?{request.url.query}" if request.url.query else "")
        raise LoginRequired(here if request.method == "GET" else "/dashboard")
    user, row = found
    login = DashboardLogin(session.merge(user, load=False), row.csrf_token)
    request.state.login = login  # the page frame shows who is logged in and embeds the CSRF token
    return login


DashboardLoginDep = Annotated[DashboardLogin, Depends(dashboard_login)]


async def csrf_checked(request: Request, login: DashboardLoginDep) -> DashboardLogin:
    """Every dashboard form carries the session's CSRF token; a form posted from elsewhere does not."""
    import hmac

    form = await request.form()
    # bytes, not str: compare_digest refuses non-ASCII str with a TypeError (a 500)
    if not hmac.compare_digest(str(form.get("csrf", "")).encode(), login.csrf_token.encode()):
        raise HTTPException(403, "表单已过期或来源不明，请刷新页面后重试 / CSRF token missing or wrong")
    return login


FormLoginDep = Annotated[DashboardLogin, Depends(csrf_checked)]


def dashboard_role(*roles: str, form: bool = False):  # a role-checked dashboard login
    """`form=True` for POSTs: the CSRF token is checked before anything else."""
    source = csrf_checked if form else dashboard_login

    # a default, not Annotated: annotations are strings here and `source` is local
    def check(login: DashboardLogin = Depends(source)) -> DashboardLogin:  # noqa: B008
        if login.user.role not in roles:
            raise HTTPException(403, "您的角色无权使用此页面 / your role cannot use this page")
        return login

    return Annotated[DashboardLogin, Depends(check)]
