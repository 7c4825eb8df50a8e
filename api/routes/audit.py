"""The audit trail as evidence: the daily anchors of its hash chains, for operations to hand outside."""

from __future__ import annotations

from fastapi import APIRouter

from api.deps import SessionDep, role
from api.errors import ERRORS
from api.pagination import CursorQuery, LimitQuery, decode_cursor, page
from models.responses import AnchorPage
from tasks import evidence

router = APIRouter(prefix="/api/v1/audit", tags=["audit"], responses=ERRORS)
Operations = role("operations", "admin")


@router.get("/anchors", response_model=AnchorPage,
            summary="The daily anchors of the audit trail, newest first: each fixes every entry up to it")
def audit_anchors(user: Operations, session: SessionDep, limit: LimitQuery = 30, cursor: CursorQuery = None):
    rows = evidence.recent_anchors(session, limit=limit + 1, before_id=decode_cursor(cursor))
    return page([evidence.anchor_view(a) for a in rows], [a.id for a in rows], limit)
