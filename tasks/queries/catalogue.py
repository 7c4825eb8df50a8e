"""The public catalogue of evaluation institutions (备案目录) and its removals (动态调整), in keyset pages: one
query each for the JSON routes and the public page, so both always list the same institutions."""

from __future__ import annotations

from sqlmodel import Session, col, select

from models import responses as out
from models.cases import Institution
from tasks.queries import views


def registered(session: Session, *, limit: int,
               after: int | None = None) -> list[tuple[int, out.InstitutionPublic]]:
    """Registered institutions by id, `limit + 1` rows at most (the page helper's look-ahead), as (key, entry)."""
    query = select(Institution).where(Institution.status == "registered")
    if after is not None:
        query = query.where(col(Institution.id) > after)
    rows = session.exec(query.order_by(col(Institution.id)).limit(limit + 1)).all()
    return [(i.id, views.institution_public_view(session, i)) for i in rows]


def removed(session: Session, *, limit: int, after: int | None = None) -> list[tuple[int, out.Removal]]:
    """Withdrawn and cancelled institutions by id, `limit + 1` rows at most, as (key, entry)."""
    query = select(Institution).where(col(Institution.removed_on).is_not(None))
    if after is not None:
        query = query.where(col(Institution.id) > after)
    rows = session.exec(query.order_by(col(Institution.id)).limit(limit + 1)).all()
    return [(i.id, views.removal_view(i)) for i in rows]
