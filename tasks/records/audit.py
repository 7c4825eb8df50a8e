"""Write the audit trail: who, in which role, when (business and wall time), what, before/after — each entry
chained to the one before it in its case (core/evidence.py), inside the writer's own transaction."""

from __future__ import annotations

import json
from typing import Any

from sqlalchemy.event import listens_for
from sqlalchemy.orm import Session as OrmSession
from sqlmodel import Session

from core import evidence
from core.clock import wall_now
from models.audit import AuditChain, AuditEvent
from models.clock import business_now
from models.db import locked_row


def _as_stored(value: dict[str, Any] | None) -> dict[str, Any] | None:
    """A JSON column's value as it reads back (tuples as lists, keys as strings), and a copy: a caller that
    changes its dict afterwards cannot change what was hashed."""
    return None if value is None else json.loads(json.dumps(value, ensure_ascii=False))


def record(session: Session, *, case_type: str, case_id: int, action: str, actor_id: int | None = None,
           actor_role: str = "system", before: dict[str, Any] | None = None,
           after: dict[str, Any] | None = None) -> AuditEvent:
    event = AuditEvent(case_type=case_type, case_id=case_id, action=action, actor_id=actor_id, actor_role=actor_role,
                       business_time=business_now(session), wall_time=wall_now(), before=_as_stored(before),
                       after=_as_stored(after))
    session.add(event)
    session.info.setdefault(UNCHAINED, []).append(event)  # chained when the transaction commits
    return event


UNCHAINED = "certflow_unchained_audit_entries"


@listens_for(OrmSession, "before_commit")
def _chain_entries_of_this_transaction(session: OrmSession) -> None:
    """Each entry joins its case's chain as its transaction commits: the chain heads are locked then, and in
    one order (sorted), so writers of the same cases take turns without ever deadlocking on them, and hold
    the lock only for the commit."""
    written = [e for e in session.info.pop(UNCHAINED, ()) if e in session]  # a rolled-back savepoint drops some
    by_chain: dict[str, list[AuditEvent]] = {}
    for entry in written:
        by_chain.setdefault(f"{entry.case_type}:{entry.case_id}", []).append(entry)
    with session.no_autoflush:
        for chain in sorted(by_chain):
            head = locked_row(session, AuditChain, chain, length=0, head_hash=evidence.GENESIS)
            for entry in by_chain[chain]:
                entry.seq, entry.prev_hash = head.length + 1, head.head_hash
                entry.entry_hash = evidence.entry_hash(entry.model_dump())
                head.length, head.head_hash = entry.seq, entry.entry_hash
            session.add(head)


@listens_for(OrmSession, "after_rollback")
def _forget_entries_rolled_back(session: OrmSession) -> None:
    session.info.pop(UNCHAINED, None)


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
