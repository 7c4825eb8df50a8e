"""Write the audit trail: who, in which role, when (business and wall time), what, before/after."""

from __future__ import annotations

from typing import Any

from sqlmodel import Session

from core.clock import business_now, wall_now
from models.audit import AuditEvent


def record(session: Session, *, case_type: str, case_id: int, action: str, actor_id: int | None = None,
           actor_role: str = "system", before: dict[str, Any] | None = None,
           after: dict[str, Any] | None = None) -> AuditEvent:
    event = AuditEvent(case_type=case_type, case_id=case_id, action=action, actor_id=actor_id, actor_role=actor_role,
                       business_time=business_now(session), wall_time=wall_now(), before=before, after=after)
    session.add(event)
    return event


def move_case(session: Session, case: Any, *, case_type: str, status: str, step: str,
              only_from: tuple[str, ...] | None = None) -> None:
    """Move a filing or a plan to a step, recording it; with `only_from`, only from those states
    (a replayed step never moves a case back)."""
    if only_from is not None and case.status not in only_from:
        return
    if (case.status, case.current_step) != (status, step):
        before = {"status": case.status, "step": case.current_step}
        case.status, case.current_step, case.updated_at = status, step, wall_now()
        session.add(case)
        record(session, case_type=case_type, case_id=case.id, action="step_entered", before=before,
               after={"status": status, "step": step})
