"""Records: the daily anchors of the audit trail's hash chains, for operations to hand outside; the
retention report (what may be purged after its period, and what a legal hold keeps)."""

from __future__ import annotations

from fastapi import APIRouter

from api.deps import SessionDep, role
from api.errors import ERRORS
from api.pagination import CursorQuery, LimitQuery, decode_cursor, page
from models.responses import AnchorPage, RetentionReport
from tasks.records import evidence, retention

router = APIRouter(prefix="/api/v1", tags=["records"], responses=ERRORS)
Operations = role("operations", "admin")


@router.get("/audit/anchors", response_model=AnchorPage,
            summary="The daily anchors of the audit trail, newest first: each fixes every entry up to it")
def audit_anchors(user: Operations, session: SessionDep, limit: LimitQuery = 30, cursor: CursorQuery = None):
    rows = evidence.recent_anchors(session, limit=limit + 1, before_id=decode_cursor(cursor))
    return page([evidence.anchor_view(a) for a in rows], [a.id for a in rows], limit)


@router.get("/retention/report", response_model=RetentionReport,
            summary="Closed cases whose retention period has ended (their files may be purged), and those held")
def retention_report(user: Operations, session: SessionDep):
    return retention.report(session)
