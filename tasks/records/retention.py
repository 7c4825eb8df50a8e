"""Retention applied (policy/retention.py): which closed cases' electronic files may be purged, legal
holds, and the purge itself — only of what a report listed, each case checked again, with an audit entry.
Deleting an uploaded file any other way is refused: the guard below stands between every session and
the table."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import Any, TypeVar

from sqlalchemy import event, func
from sqlalchemy.orm import Session as OrmSession
from sqlmodel import Session, col, select

from core.clock import CHINA, china_date, wall_now
from models import responses as out
from models.audit import AuditEvent, LegalHold
from models.case_kinds import FINISHED_PLANS, PublicisedCase, publicised_case
from models.cases import EvaluationPlan, FilingApplication, FilingMaterial, Institution
from models.clock import business_today
from models.integration import CaseFile
from models.supervision import SupervisionCase
from policy.profiles import get_profile
from policy.retention import RetentionDecision, RetentionFacts, retention_decision
from tasks.errors import Conflict, NotFound
from tasks.records import audit

PERMIT = "certflow_retention_permit"  # session.info: the ids of files a purge may delete in this transaction
CASE_TYPES = ("filing", "plan")


class RetentionRefused(Conflict):
    pass


@event.listens_for(OrmSession, "before_flush")
def _refuse_early_deletion(session: OrmSession, _context, _instances) -> None:
    """An uploaded file leaves only through a purge of its case after the retention period; an audit entry
    never leaves (the chains would show it anyway)."""
    permitted = session.info.get(PERMIT, set())
    for row in session.deleted:
        if isinstance(row, AuditEvent):
            raise RetentionRefused("audit entries are never deleted: the trail is the record")
        if isinstance(row, CaseFile) and row.id not in permitted:
            raise RetentionRefused(f"file {row.id} of {row.case_type} {row.case_id} is under retention: only "
                                   "`certflow retention purge` removes a closed case's files, after its period")


def _case(session: Session, case_type: str, case_id: int) -> FilingApplication | EvaluationPlan:
    if case_type not in CASE_TYPES:
        raise NotFound(f"retention applies to filings and plans, not {case_type!r}")
    case = publicised_case(session, case_type, case_id)
    if case is None:
        raise NotFound(f"{case_type} {case_id} does not exist")
    return case


def _closed_on(session: Session, case_type: str, case: FilingApplication | EvaluationPlan) -> dt.date | None:
    """The day the case's file closed: the day it entered its last step, once that step is its end (what is
    recorded about it later — a hold, a purge — does not move the day)."""
    finished = case.current_step == "closed" if case_type == "filing" else case.status in FINISHED_PLANS
    if not finished:
        return None
    last = session.exec(select(func.max(AuditEvent.business_time)).where(
        AuditEvent.case_type == case_type, AuditEvent.case_id == case.id, AuditEvent.action == "step_entered")).one()
    return (last or case.updated_at).astimezone(CHINA).date()


def holds_on(session: Session, case_type: str, case: FilingApplication | EvaluationPlan) -> tuple[str, ...]:
    holds = [f"#{h.id} {h.reason}" for h in session.exec(select(LegalHold).where(
        LegalHold.case_type == case_type, LegalHold.case_id == case.id, col(LegalHold.released_at).is_(None)))]
    supervision = session.exec(select(SupervisionCase.id).where(
        SupervisionCase.institution_id == case.institution_id, SupervisionCase.status != "closed")).all()
    holds += [f"supervision case #{n} about the institution is open" for n in supervision]
    return tuple(holds)


def decision(session: Session, case_type: str, case: FilingApplication | EvaluationPlan,
             today: dt.date) -> RetentionDecision:
    in_force = None
    closed_on = _closed_on(session, case_type, case)
    if case_type == "filing" and closed_on is not None and case.status == "registered":
        institution = session.get(Institution, case.institution_id)
        removed_on = institution.removed_on if institution is not None else None
        if institution is not None and removed_on is None:
            in_force = "the filing of an institution still in the catalogue"
        elif removed_on is not None:  # its file closes with the institution's removal
            closed_on = max(closed_on, removed_on)
    years = get_profile(case.profile_code).retention_years_electronic
    return retention_decision(RetentionFacts(closed_on, in_force, holds_on(session, case_type, case), years), today)


def _files(session: Session, case_type: str, case_id: int) -> list[CaseFile]:
    return list(session.exec(select(CaseFile).where(CaseFile.case_type == case_type, CaseFile.case_id == case_id)
                             .order_by(col(CaseFile.id))))


Closed = TypeVar("Closed", FilingApplication, EvaluationPlan)


def _with_files(session: Session, table: type[Closed], case_type: str) -> Sequence[Closed]:
    with_files = select(CaseFile.case_id).where(CaseFile.case_type == case_type).distinct()
    return session.exec(select(table).where(col(table.id).in_(with_files)).order_by(col(table.id))).all()


def report(session: Session, *, today: dt.date | None = None) -> out.RetentionReport:
    """Closed cases holding files: those whose period has ended (purgeable) and those a hold keeps."""
    today = today or business_today(session)
    purgeable: list[out.RetentionRow] = []
    held: list[out.RetentionRow] = []
    kept = 0
    closed: list[tuple[str, PublicisedCase]] = [
        ("filing", c) for c in _with_files(session, FilingApplication, "filing")]
    closed += [("plan", c) for c in _with_files(session, EvaluationPlan, "plan")]
    for case_type, case in closed:
        verdict = decision(session, case_type, case, today)
        if not verdict.purgeable and not (verdict.kept_until and verdict.kept_until < today):
            kept += 1
            continue
        files = _files(session, case_type, case.id)
        row = out.RetentionRow(case_type=case_type, case_id=case.id, institution_id=case.institution_id,
                               kept_until=verdict.kept_until, reason=verdict.reason, files=[f.id for f in files],
                               bytes=sum(f.size for f in files))
        (purgeable if verdict.purgeable else held).append(row)
    return out.RetentionReport(as_of=today, purgeable=purgeable, held=held, kept=kept)


def purge(session: Session, *, listed: list[dict[str, Any]], actor: str,
          today: dt.date | None = None) -> dict[str, Any]:
    """Purge the files a report listed — only those, of cases still purgeable today (a hold placed since
    the report wins). Returns what was removed and the digests whose bytes no other file uses any more
    (the caller deletes those bytes after the commit)."""
    today = today or business_today(session)
    removed, skipped, digests = [], [], set()
    for row in listed:
        case_type, case_id, wanted = row["case_type"], int(row["case_id"]), {int(i) for i in row["files"]}
        case = _case(session, case_type, case_id)
        verdict = decision(session, case_type, case, today)
        if not verdict.purgeable:
            skipped.append({"case_type": case_type, "case_id": case_id, "reason": verdict.reason})
            continue
        files = [f for f in _files(session, case_type, case_id) if f.id in wanted]
        if not files:
            continue
        session.info.setdefault(PERMIT, set()).update(f.id for f in files)
        for file in files:
            session.delete(file)
            if case_type == "filing":
                for material in session.exec(select(FilingMaterial).where(
                        FilingMaterial.filing_id == case_id,
                        col(FilingMaterial.uri).endswith(f"/materials/{file.id}"))):
                    material.uri = None  # the checklist keeps the title and the digest of what was filed
                    session.add(material)
            digests.add(file.sha256)
        audit.record(session, case_type=case_type, case_id=case_id, action="retention_purged", actor_role="admin",
                     after={"by": actor, "kept_until": verdict.kept_until.isoformat() if verdict.kept_until else None,
                            "files": [{"id": f.id, "kind": f.kind, "round": f.round, "sha256": f.sha256,
                                       "filename": f.filename} for f in files]})
        removed.append({"case_type": case_type, "case_id": case_id, "files": [f.id for f in files]})
    session.flush()
    still_used = (set(session.exec(select(CaseFile.sha256).where(col(CaseFile.sha256).in_(digests)))) if digests
                  else set())
    return {"removed": removed, "skipped": skipped, "unused_digests": sorted(digests - still_used)}


def place_hold(session: Session, *, case_type: str, case_id: int, reason: str, by: str) -> LegalHold:
    _case(session, case_type, case_id)
    if not reason.strip():
        raise RetentionRefused("a legal hold needs its reason")
    hold = LegalHold(case_type=case_type, case_id=case_id, reason=reason.strip()[:500], placed_by=by[:100],
                     placed_at=wall_now())
    session.add(hold)
    session.flush()
    audit.record(session, case_type=case_type, case_id=case_id, action="legal_hold_placed", actor_role="admin",
                 after={"hold_id": hold.id, "reason": hold.reason, "by": by})
    return hold


def release_hold(session: Session, *, hold_id: int, by: str) -> LegalHold:
    hold = session.get(LegalHold, hold_id)
    if hold is None:
        raise NotFound(f"legal hold {hold_id} does not exist")
    if hold.released_at is not None:
        raise RetentionRefused(f"legal hold {hold_id} was released on {china_date(hold.released_at).isoformat()}")
    hold.released_at, hold.released_by = wall_now(), by[:100]
    session.add(hold)
    audit.record(session, case_type=hold.case_type, case_id=hold.case_id, action="legal_hold_released",
                 actor_role="admin", after={"hold_id": hold.id, "by": by})
    return hold
