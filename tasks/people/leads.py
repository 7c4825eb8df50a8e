"""Who leads a centre (中心负责人): an officer made lead may reassign any task of their centre to a colleague,
one another colleague holds too (tasks.cases.handover). An administrator names and un-names leads; each change
is audited on the user."""

from __future__ import annotations

from sqlmodel import Session

from models.accounts import User
from models.db import session_scope
from tasks.people.accounts import AccountError, user_named
from tasks.records import audit


def set_lead(session: Session, user: User, *, leads: bool, actor: User | None) -> bool:
    """Make `user` lead of their centre (or no longer); answers whether anything changed."""
    if user.role != "officer":
        raise AccountError(f"{user.name} is {user.role}: only an officer leads a centre")
    if user.disabled_at is not None and leads:
        raise AccountError(f"{user.name} is disabled: enable the account first")
    if user.leads_centre == leads:
        return False
    user.leads_centre = leads
    session.add(user)
    audit.record(session, case_type="user", case_id=user.id, action="centre_lead_set" if leads else "centre_lead_unset",
                 actor_id=actor.id if actor else None, actor_role=actor.role if actor else "admin",
                 before={"leads_centre": not leads}, after={"leads_centre": leads, "jurisdiction": user.jurisdiction})
    return True


def set_lead_named(url: str, *, name: str, leads: bool) -> bool:
    with session_scope(url) as session:
        return set_lead(session, user_named(session, name), leads=leads, actor=None)
