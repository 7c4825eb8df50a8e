"""撤销证书: certificates of one batch found wrongly issued (004 §六(三): results traceable and
re-checkable). An officer of the centre holding the batch requests it with a reason category; a second
officer approves it (four-eyes: the requester may not); the certificates become `revoked` with the date
— verification, the verification page and the PDF say so at once — and the revocation is sent to the
national query system in chunks (retried; an incident when out of retries). The `certificate_revocation`
flow runs these steps; this module does their database work, each step idempotent."""

from __future__ import annotations

from typing import Any

from sqlmodel import Session, col, select

from core.clock import iso_day, wall_now
from models import responses as out
from models.accounts import User
from models.case_kinds import PROCESSES
from models.cases import Certificate, EvaluationPlan, Revocation
from models.clock import business_today
from models.db import stored
from models.facts import RevocationFlowFacts
from models.schemas import REVOCATION_CATEGORIES, RevocationCreate
from models.supervision import SupervisionCase
from policy.eligibility import Violation
from tasks.errors import Conflict, NotFound, Problems
from tasks.people import access
from tasks.records import audit
from tasks.waits.human_tasks import wake

CHUNK = 500  # certificates per call to the national system
OPEN = ("requested", "revoked")  # a revocation not finished yet


def request_revocation(session: Session, *, user: User, body: RevocationCreate) -> Revocation:
    """The first officer's request: every problem listed at once; nothing is written unless it holds."""
    plan = access.visible_plan(session, user, body.plan_id)  # an officer whose centre covers the batch
    wanted, problems = certificates_to_revoke(session, plan_id=plan.id, numbers=body.certificate_numbers,
                                              whole_batch=body.whole_batch)
    if problems and all(p.code == "revocation.in_progress" for p in problems):
        raise Conflict(problems[0].message)
    if problems:
        raise Problems(problems)
    return open_revocation(session, plan_id=plan.id, numbers=wanted, category=body.category, reason=body.reason,
                           requested_by=user)


def certificates_to_revoke(session: Session, *, plan_id: int | None, numbers: list[str], whole_batch: bool,
                           field: str = "certificate_numbers") -> tuple[list[str], list[Violation]]:
    """The certificates a request names (or the batch's valid ones), and what is wrong with them."""
    certificates = session.exec(select(Certificate).where(Certificate.plan_id == plan_id)).all()
    by_number = {c.number: c for c in certificates}
    wanted = (sorted(n for n, c in by_number.items() if c.status == "valid") if whole_batch
              else list(dict.fromkeys(numbers)))
    problems = []
    if not wanted:
        problems.append(Violation("revocation.nothing", field, "请列出要撤销的证书，或选择整批撤销 / "
                                                               "name the certificates, or the whole batch"))
    for index, number in enumerate(wanted):
        certificate = by_number.get(number)
        where = f"{field}[{index}]"
        if certificate is None:
            problems.append(Violation("revocation.not_in_batch", where,
                                      f"证书 {number} 不属于该批次 / not of this batch"))
        elif certificate.status != "valid":
            problems.append(Violation("revocation.not_valid", where,
                                      f"证书 {number} 状态为 {certificate.status}，只能撤销有效证书 / only a valid "
                                      f"certificate is revoked"))
    pending = session.exec(select(Revocation).where(Revocation.plan_id == plan_id,
                                                    col(Revocation.status).in_(OPEN))).all()
    clash = sorted({n for r in pending for n in r.numbers} & set(wanted))
    if clash:
        problems.append(Violation("revocation.in_progress", field,
                                  f"证书 {clash[0]} 已在撤销程序中 / certificate {clash[0]} is already being revoked"))
    return wanted, problems


def open_revocation(session: Session, *, plan_id: int, numbers: list[str], category: str, reason: str,
                    requested_by: User, supervision_case_id: int | None = None) -> Revocation:
    """The revocation and its `certificate_revocation` run (one transaction); a second officer approves."""
    revocation = Revocation(plan_id=plan_id, numbers=numbers, category=category, reason=reason,
                            requested_by=requested_by.id, requested_at=wall_now(),
                            supervision_case_id=supervision_case_id)
    session.add(revocation)
    session.flush()
    session.add(PROCESSES["certificate_revocation"].start(revocation.id, wall_now()))
    audit.record(session, case_type="plan", case_id=plan_id, action="revocation_requested",
                 actor_id=requested_by.id, actor_role=requested_by.role,
                 after={"revocation_id": revocation.id, "certificates": len(numbers), "category": category})
    return revocation


def get_revocation(session: Session, revocation_id: int) -> Revocation:
    revocation = session.get(Revocation, revocation_id)
    if revocation is None:
        raise NotFound(f"revocation {revocation_id} does not exist")
    return revocation


def visible_revocation(session: Session, user: User, revocation_id: int) -> Revocation:
    revocation = get_revocation(session, revocation_id)
    access.visible_plan(session, user, revocation.plan_id)
    return revocation


def revocation_of_task(session: Session, task_key: str) -> Revocation | None:
    """The revocation a `revocation:{id}:approval` task decides."""
    if not task_key.startswith("revocation:"):
        return None
    return session.get(Revocation, int(task_key.split(":")[1]))


def flow_facts(session: Session, *, revocation_id: int) -> RevocationFlowFacts:
    revocation = get_revocation(session, revocation_id)
    plan = stored(session, EvaluationPlan, revocation.plan_id)
    return RevocationFlowFacts(status=revocation.status, plan_id=plan.id, profile_code=plan.profile_code,
                           centre=plan.handling_centre or plan.region_code, certificates=len(revocation.numbers))


def refuse(session: Session, *, revocation_id: int, reason: str) -> None:
    revocation = get_revocation(session, revocation_id)
    if revocation.status != "requested":
        return
    revocation.status = "refused"
    session.add(revocation)
    _tell_supervision_case(session, revocation)
    audit.record(session, case_type="plan", case_id=revocation.plan_id, action="revocation_refused",
                 after={"revocation_id": revocation.id, "reason": reason})


def revoke(session: Session, *, revocation_id: int, approved_by: int | None) -> int:
    """The certificates become revoked, dated today; their PDFs re-render with the mark (the cache is
    keyed by status) and their holder links answer 410. A replay revokes nothing twice."""
    revocation = get_revocation(session, revocation_id)
    if revocation.status != "requested":
        return len(revocation.numbers)
    today = business_today(session)
    label = REVOCATION_CATEGORIES[revocation.category]
    for certificate in session.exec(select(Certificate).where(col(Certificate.number).in_(revocation.numbers))).all():
        certificate.status, certificate.revoked_on, certificate.revocation_id = "revoked", today, revocation.id
        certificate.revoked_reason = f"{label}：{revocation.reason}"
        session.add(certificate)
    revocation.status, revocation.revoked_on, revocation.approved_by = "revoked", today, approved_by
    session.add(revocation)
    _tell_supervision_case(session, revocation)
    audit.record(session, case_type="plan", case_id=revocation.plan_id, action="certificates_revoked",
                 actor_id=approved_by, actor_role="officer",
                 after={"revocation_id": revocation.id, "certificates": len(revocation.numbers),
                        "category": revocation.category, "revoked_on": today.isoformat()})
    return len(revocation.numbers)


def _tell_supervision_case(session: Session, revocation: Revocation) -> None:
    """A supervision case waiting for this revocation's decision resumes (same transaction as the decision)."""
    case = session.get(SupervisionCase, revocation.supervision_case_id) if revocation.supervision_case_id else None
    if case is not None and case.flow_run_id:
        wake(session, case.flow_run_id, reason=f"revocation {revocation.id} decided")


def national_payloads(session: Session, *, revocation_id: int) -> list[dict[str, Any]]:
    """What the national system is told, in chunks of CHUNK certificates."""
    revocation = get_revocation(session, revocation_id)
    items = [{"number": n, "revoked_on": iso_day(revocation.revoked_on), "category": revocation.category}
             for n in revocation.numbers]
    return [{"revocations": items[i:i + CHUNK]} for i in range(0, len(items), CHUNK)]


def notified(session: Session, *, revocation_id: int) -> None:
    revocation = get_revocation(session, revocation_id)
    if revocation.status == "revoked":
        revocation.status = "notified"
        session.add(revocation)
        audit.record(session, case_type="plan", case_id=revocation.plan_id, action="revocation_sent_nationally",
                     after={"revocation_id": revocation.id, "certificates": len(revocation.numbers)})


def revocation_view(revocation: Revocation) -> out.RevocationOut:
    return out.RevocationOut(id=revocation.id, plan_id=revocation.plan_id, status=revocation.status,
        certificate_numbers=revocation.numbers, category=revocation.category,
        category_label=REVOCATION_CATEGORIES[revocation.category], reason=revocation.reason,
        requested_by=revocation.requested_by, approved_by=revocation.approved_by, revoked_on=revocation.revoked_on,
        flow_run_id=revocation.flow_run_id, supervision_case_id=revocation.supervision_case_id)
