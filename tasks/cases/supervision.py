"""监督管理: a supervision case, opened by a complaint from anyone (投诉举报, 003 §四(二), 004 §六(二)), by an
officer's own finding (抽查发现) or by a quality supervisor's report of a serious violation; triaged,
investigated (the institution may be asked to explain itself by a working-day deadline) and decided:
dismissed, a rectification order (责令整改) verified by the officer, the filing cancelled with a
re-filing ban (000 §三(6)), certificates revoked, or a credit entry (002 §(二十二)). Cancellation,
revocation and blacklisting take a second officer's approval. The `supervision_case` flow runs these
steps; this module does their database work, each step idempotent (keyed by the investigation round).
The complainant follows the case by its receipt number: status and outcome category, nothing else."""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlmodel import Session, col, func, select

from core.clock import china_date, wall_now
from models import responses as out
from models.accounts import User
from models.case_kinds import PROCESSES
from models.cases import Certificate, EvaluationPlan, Institution, Revocation
from models.clock import business_instant, business_today
from models.db import stored
from models.facts import SupervisionFlowFacts
from models.schemas import ComplaintCreate, DecisionIn, ExplanationIn, FindingCreate, RectificationIn
from models.supervision import CreditEntry, SupervisionCase
from models.workflow import HumanTask
from policy.credit import KINDS, OUTCOMES, PUBLIC_STATUS, last_day_after, new_receipt_number, span_problems
from policy.eligibility import Violation
from policy.numbering import number_problems
from policy.processes import centre_of
from policy.profiles import get_profile
from tasks.cases import credit, revocations
from tasks.errors import Conflict, NotFound, Problems, TooMany
from tasks.people import access
from tasks.queries import views
from tasks.records import audit
from tasks.waits import sla
from tasks.waits.human_tasks import cancel_open_tasks, wake


def numbered(round_no: int) -> int:
    """A round as people count it: the flow counts investigation rounds from 0 (its task keys), the
    documents, the API, the audit trail and the dashboard from 1 (第 1 轮, `rectification/1.pdf`)."""
    return round_no + 1


SOURCES = {"complaint": "投诉举报", "finding": "抽查发现", "supervision_report": "质量督导报告严重违规"}
STATUS_LABELS = {
    "registered": "已登记，待受理",
    "investigating": "调查核实中",
    "awaiting_explanation": "等待机构书面说明",
    "rectifying": "责令整改中",
    "verifying": "整改核查中",
    "awaiting_approval": "处理决定待复核",
    "revoking": "撤销证书办理中",
    "closed": "已办结",
}


# --- opening a case --------------------------------------------------------------------------------------------


def _target(session: Session, body: ComplaintCreate | FindingCreate) -> tuple[Institution, int | None, str | None]:
    """The institution complained about, and the batch or certificate if one was named; every problem at once."""
    named = [f for f in ("institution_id", "plan_id", "certificate_number") if getattr(body, f) is not None]
    if len(named) != 1:
        raise Problems(
            [
                Violation(
                    "complaint.target",
                    "institution_id",
                    "请指明一个投诉对象：机构、认定批次或证书（三者选一） / name exactly one of institution_id, "
                    "plan_id, certificate_number",
                )
            ]
        )
    field = named[0]
    institution = plan_id = number = None
    if field == "institution_id":
        institution = session.get(Institution, body.institution_id)
    elif field == "plan_id":
        plan = session.get(EvaluationPlan, body.plan_id)
        if plan is not None:
            institution, plan_id = session.get(Institution, plan.institution_id), plan.id
    else:
        if number_problems(body.certificate_number):
            raise Problems(
                [
                    Violation(
                        "complaint.certificate_number",
                        field,
                        "证书编号格式不正确 / not a certificate number: "
                        + "; ".join(number_problems(body.certificate_number)),
                    )
                ]
            )
        certificate = session.exec(select(Certificate).where(Certificate.number == body.certificate_number)).first()
        if certificate is not None and certificate.status != "pending":
            institution, plan_id, number = (
                session.get(Institution, certificate.institution_id),
                certificate.plan_id,
                certificate.number,
            )
    # only what is public can be complained about: a catalogued (or removed) institution, its batches, its
    # certificates; an application still being decided has its publicity's objections instead
    if institution is None or institution.status == "applying":
        raise Problems(
            [
                Violation(
                    "complaint.unknown_target",
                    field,
                    "未找到该投诉对象（须为已备案的评价机构、其认定批次或已发证书） / no such registered "
                    "institution, batch or issued certificate",
                )
            ]
        )
    return institution, plan_id, number


def _centre(session: Session, institution: Institution, plan_id: int | None) -> str:
    """The centre that handles the institution's batch (or its filing) investigates (003 §四(二))."""
    if plan_id is not None:
        plan = stored(session, EvaluationPlan, plan_id)
        return plan.handling_centre or plan.region_code
    return institution.handling_centre or institution.region_code


def _open(
    session: Session,
    *,
    institution: Institution,
    plan_id: int | None,
    number: str | None,
    source: str,
    text: str,
    contact_name: str = "",
    contact_phone: str = "",
    opened_by: User | None = None,
) -> SupervisionCase:
    now = business_instant(session)
    case = SupervisionCase(
        receipt_number=new_receipt_number(business_today(session)),
        source=source,
        institution_id=institution.id,
        plan_id=plan_id,
        certificate_number=number,
        profile_code=institution.profile_code,
        region_code=institution.region_code,
        centre=_centre(session, institution, plan_id),
        text=text,
        contact_name=contact_name,
        contact_phone=contact_phone,
        opened_by=opened_by.id if opened_by else None,
        status="registered" if source == "complaint" else "investigating",
        created_at=now,
        updated_at=wall_now(),  # a change marker on the wall clock, as every later change sets it
    )
    session.add(case)
    session.flush()
    session.add(PROCESSES["supervision_case"].start(case.id, now))
    audit.record(
        session,
        case_type="supervision",
        case_id=case.id,
        action=f"case_opened:{source}",
        actor_id=opened_by.id if opened_by else None,
        actor_role=opened_by.role if opened_by else "public",
        after={
            "institution_id": institution.id,
            "plan_id": plan_id,
            "certificate_number": number,
            "centre": case.centre,
            "receipt_number": case.receipt_number,
        },
    )
    return case


def file_complaint(session: Session, *, body: ComplaintCreate, open_per_phone: int = 5,
                   open_per_target: int = 50) -> tuple[SupervisionCase, bool]:
    """投诉举报, from anyone. The same complaint again (same target, phone and words) while the first is
    open is the first one: (case, False); a new one is (case, True). One phone number has at most
    `open_per_phone` open complaints (TooMany), one institution at most `open_per_target` (Conflict): a
    flood from one person cannot bury a centre's inbox."""
    institution, plan_id, number = _target(session, body)
    words = " ".join(body.text.split())
    same, open_ = SupervisionCase.source == "complaint", SupervisionCase.status != "closed"
    earlier = session.exec(
        select(SupervisionCase).where(
            SupervisionCase.source == "complaint",
            SupervisionCase.institution_id == institution.id,
            SupervisionCase.contact_phone == body.contact_phone,
            SupervisionCase.status != "closed",
        )
    ).all()
    for case in earlier:
        if (case.plan_id, case.certificate_number) == (plan_id, number) and " ".join(case.text.split()) == words:
            return case, False
    by_phone = session.exec(select(func.count()).select_from(SupervisionCase).where(
        same, open_, SupervisionCase.contact_phone == body.contact_phone)).one()
    if by_phone >= open_per_phone:
        raise TooMany(f"该电话号码已有 {by_phone} 件投诉正在办理，请等待办结后再投诉 / this phone number has "
                      f"{by_phone} complaints in progress (at most {open_per_phone} at once)")
    about = session.exec(select(func.count()).select_from(SupervisionCase).where(
        same, open_, SupervisionCase.institution_id == institution.id)).one()
    if about >= open_per_target:
        raise Conflict(f"对该机构的投诉已有 {about} 件正在办理，请稍后再投诉或直接联系鉴定中心 / {about} complaints "
                       f"about this institution are in progress (at most {open_per_target} at once)")
    return _open(
        session,
        institution=institution,
        plan_id=plan_id,
        number=number,
        source="complaint",
        text=body.text,
        contact_name=body.contact_name,
        contact_phone=body.contact_phone,
    ), True


def open_finding(session: Session, *, user: User, body: FindingCreate) -> SupervisionCase:
    """抽查发现: an officer covering the institution opens a case on their own finding (accepted at once)."""
    institution, plan_id, number = _target(session, body)
    if not access.officer_covers(user, institution.region_code):
        raise NotFound("no such registered institution, batch or issued certificate in your jurisdiction")
    return _open(
        session,
        institution=institution,
        plan_id=plan_id,
        number=number,
        source="finding",
        text=body.text,
        opened_by=user,
    )


def open_from_supervision_report(
    session: Session, *, plan: EvaluationPlan, findings: list[str], supervisor_id: int | None
) -> SupervisionCase:
    """A quality supervisor's serious violation opens a case on the batch (once per batch)."""
    existing = session.exec(
        select(SupervisionCase).where(
            SupervisionCase.plan_id == plan.id, SupervisionCase.source == "supervision_report"
        )
    ).first()
    if existing is not None:
        return existing
    institution = stored(session, Institution, plan.institution_id)
    text = "质量督导发现严重违规：" + "；".join(findings or ["（见督导报告）"])
    return _open(
        session,
        institution=institution,
        plan_id=plan.id,
        number=None,
        source="supervision_report",
        text=text,
        opened_by=session.get(User, supervisor_id) if supervisor_id else None,
    )


# --- reading -------------------------------------------------------------------------------------------------


def get_case(session: Session, case_id: int) -> SupervisionCase:
    case = session.get(SupervisionCase, case_id)
    if case is None:
        raise NotFound(f"supervision case {case_id} does not exist")
    return case


def visible_case(session: Session, user: User, case_id: int) -> SupervisionCase:
    return access.visible_supervision_case(session, user, case_id)


def by_receipt(session: Session, receipt_number: str) -> SupervisionCase:
    case = session.exec(select(SupervisionCase).where(SupervisionCase.receipt_number == receipt_number)).first()
    if case is None:
        raise NotFound("没有这个受理编号 / no complaint has this receipt number")
    return case


def list_cases(
    session: Session, *, user: User, status: str | None, institution_id: int | None, after_id: int | None, limit: int
) -> list[SupervisionCase]:
    query = select(SupervisionCase)
    if user.role == "officer":
        query = query.where(col(SupervisionCase.region_code).startswith(access.jurisdiction_prefix(user)))
    elif user.role == "enterprise":
        query = query.where(
            SupervisionCase.institution_id == (user.institution_id or -1), SupervisionCase.status != "registered"
        )
    elif user.role not in ("admin", "operations"):
        return []  # the route refuses these roles (403); nothing is theirs to list
    if status:
        query = query.where(SupervisionCase.status == status)
    if institution_id:
        query = query.where(SupervisionCase.institution_id == institution_id)
    if after_id:
        query = query.where(col(SupervisionCase.id) > after_id)
    return list(session.exec(query.order_by(col(SupervisionCase.id)).limit(limit + 1)).all())


def case_of_task(session: Session, task: HumanTask) -> SupervisionCase | None:
    return session.get(SupervisionCase, task.case_id) if task.case_type == "supervision" else None


def flow_facts(session: Session, *, case_id: int) -> SupervisionFlowFacts:
    case = get_case(session, case_id)
    return SupervisionFlowFacts(status=case.status, outcome=case.outcome, source=case.source,
                            profile_code=case.profile_code, centre=case.centre,
                            cancellation_centre=cancellation_centre(case))


def cancellation_centre(case: SupervisionCase) -> str:
    """Where a cancellation is decided: the investigating centre, or its province's centre where the
    profile reserves the decision to the provincial level (003 §四(三)); the other only proposes."""
    if get_profile(case.profile_code).filing_cancelled_by == "provincial":
        return centre_of(case.centre, "provincial")
    return case.centre


def _action(case: SupervisionCase, round_no: int) -> dict[str, Any] | None:
    return next((a for a in case.actions if a["round"] == round_no), None)


def _set_action(session: Session, case: SupervisionCase, round_no: int, **fields: Any) -> dict[str, Any]:
    actions = [dict(a) for a in case.actions]
    entry = next((a for a in actions if a["round"] == round_no), None)
    if entry is None:
        entry = {"round": round_no}
        actions.append(entry)
    entry.update(fields)
    case.actions = actions  # a new list: the JSON column sees the change
    _touch(session, case)
    return entry


def _touch(session: Session, case: SupervisionCase, status: str | None = None) -> None:
    if status is not None and case.status != status:
        audit.record(
            session,
            case_type="supervision",
            case_id=case.id,
            action="case_moved",
            before={"status": case.status},
            after={"status": status},
        )
        case.status = status
    case.updated_at = wall_now()
    session.add(case)


# --- checking an investigation's decision before it is recorded --------------------------------------------


def decision_problems(session: Session, task: HumanTask, body: DecisionIn) -> list[Violation]:
    """What the investigation orders must be complete and possible, or nothing is recorded."""
    case = get_case(session, task.case_id)
    sanction = body.sanction
    problems: list[Violation] = []
    if body.decision == "order_rectification" and (sanction is None or not sanction.items):
        problems.append(
            Violation(
                "sanction.items_missing", "sanction.items", "责令整改须列明整改事项 / list what must be rectified"
            )
        )
    if body.decision == "cancel_filing":
        institution = stored(session, Institution, case.institution_id)
        if institution.status != "registered":
            problems.append(
                Violation(
                    "sanction.not_registered",
                    "decision",
                    f"该机构状态为 {institution.status}，只有已备案的机构可以取消备案 / only a registered "
                    f"institution's filing is cancelled",
                )
            )
    if body.decision == "revoke_certificates":
        problems += _revocation_problems(session, case, sanction)
    if body.decision == "credit_entry":
        problems += _credit_problems(session, sanction)
    return problems


def _revocation_problems(session: Session, case: SupervisionCase, sanction) -> list[Violation]:
    if sanction is None or sanction.category is None:
        return [
            Violation(
                "sanction.category_missing",
                "sanction.category",
                "请选择撤销原因类别 / the revocation's category is required",
            )
        ]
    plan_id = sanction.plan_id or case.plan_id
    plan = session.get(EvaluationPlan, plan_id) if plan_id else None
    if plan is None or plan.institution_id != case.institution_id:
        return [
            Violation(
                "sanction.plan",
                "sanction.plan_id",
                "请指明被投诉机构的一个认定批次 / name a batch of the institution concerned",
            )
        ]
    numbers = sanction.certificate_numbers or (
        [case.certificate_number] if case.certificate_number and not sanction.whole_batch else []
    )
    return revocations.certificates_to_revoke(
        session,
        plan_id=plan.id,
        numbers=numbers,
        whole_batch=sanction.whole_batch,
        field="sanction.certificate_numbers",
    )[1]


def _credit_problems(session: Session, sanction) -> list[Violation]:
    problems = []
    if sanction is None or sanction.credit_kind is None or sanction.subject is None:
        return [
            Violation(
                "sanction.credit",
                "sanction.credit_kind",
                "信用记录须写明类别（异常名录/黑名单）和对象（机构/个人） / credit_kind and subject are required",
            )
        ]
    if sanction.subject == "person":
        if not sanction.person_name and not sanction.person_user_id:
            problems.append(
                Violation(
                    "sanction.person", "sanction.person_name", "请写明人员姓名或账号 / name the person or their account"
                )
            )
        if sanction.person_user_id and session.get(User, sanction.person_user_id) is None:
            problems.append(
                Violation(
                    "sanction.person",
                    "sanction.person_user_id",
                    f"账号 {sanction.person_user_id} 不存在 / no such account",
                )
            )
    today = business_today(session)
    for message in span_problems(sanction.credit_kind, today, sanction.until):
        problems.append(Violation("sanction.until", "sanction.until", message))
    return problems


def proposer_of(session: Session, task: HumanTask) -> int | None:
    """Who proposed the sanction a `sanction_approval` task decides (the approver must be someone else)."""
    case = case_of_task(session, task)
    if case is None or task.step != "sanction_approval":
        return None
    round_no = int(task.key.rsplit(":", 1)[1])
    action = _action(case, round_no)
    return action.get("proposed_by") if action else None


# --- the flow's steps ----------------------------------------------------------------------------------------


def accept(session: Session, *, case_id: int) -> None:
    case = get_case(session, case_id)
    if case.status == "registered":
        _touch(session, case, "investigating")


def close(session: Session, *, case_id: int, outcome: str, reason: str = "") -> None:
    case = get_case(session, case_id)
    if case.status == "closed":
        return
    case.outcome, case.outcome_reason = outcome, reason
    _touch(session, case, "closed")
    cancel_open_tasks(session, case_type="supervision", case_id=case_id, reason=f"case closed: {outcome}")
    sla.complete_case(session, case_type="supervision", case_id=case_id)
    audit.record(
        session,
        case_type="supervision",
        case_id=case_id,
        action=f"case_closed:{outcome}",
        after={"outcome": outcome, "reason": reason},
    )


def request_explanation(
    session: Session, *, case_id: int, round_no: int, question: str, working_days: int | None, asked_by: int | None
) -> dict[str, Any]:
    """The institution is asked to explain itself in writing by a deadline (recorded once per round)."""
    case = get_case(session, case_id)
    entry = next((e for e in case.explanations if e["round"] == round_no), None)
    if entry is None:
        days = working_days or get_profile(case.profile_code).explanation_working_days
        entry = {
            "round": round_no,
            "question": question,
            "working_days": days,
            "requested_on": business_today(session).isoformat(),
            "due": None,
            "text": None,
            "answered_on": None,
            "silent": False,
            "asked_by": asked_by,
        }
        case.explanations = [*case.explanations, entry]
        _touch(session, case, "awaiting_explanation")
        audit.record(
            session,
            case_type="supervision",
            case_id=case_id,
            action="explanation_requested",
            actor_id=asked_by,
            actor_role="officer",
            after={"round": numbered(round_no), "working_days": days},
        )
    return entry


def _update(items: list[dict[str, Any]], round_no: int, **fields: Any) -> list[dict[str, Any]]:
    return [{**e, **fields} if e["round"] == round_no else e for e in items]


# what the institution is asked for, and how its answer is kept: the list on the case, the case's status
# while it waits, the field dated by the answer, and what is said when there is nothing to answer or too late
AWAITED = {
    "explanation": (
        "explanations",
        "awaiting_explanation",
        "answered_on",
        "does not await your explanation",
        "书面说明的期限 {due} 已过，逾期未说明已记录 / the deadline {due} has passed",
    ),
    "rectification": (
        "rectifications",
        "rectifying",
        "submitted_on",
        "has no rectification order to answer",
        "整改期限 {due} 已过 / the rectification was due by {due}",
    ),
}


def set_due(session: Session, *, case_id: int, kind: str, round_no: int, due: dt.date) -> None:
    """The deadline of an explanation or a rectification, once its timer knows the last working day."""
    case = get_case(session, case_id)
    field = AWAITED[kind][0]
    setattr(case, field, _update(getattr(case, field), round_no, due=due.isoformat()))
    _touch(session, case)


def answered(session: Session, *, case_id: int, kind: str, round_no: int) -> bool:
    field, _, dated, _, _ = AWAITED[kind]
    return any(e["round"] == round_no and e[dated] for e in getattr(get_case(session, case_id), field))


def awaited(session: Session, user: User, case_id: int, kind: str) -> tuple[SupervisionCase, dict[str, Any], dt.date]:
    """The case, the request its institution answers now, and today — or why it cannot answer."""
    field, status, dated, nothing, late = AWAITED[kind]
    case = visible_case(session, user, case_id)
    if user.role != "enterprise":
        raise NotFound(f"supervision case {case_id} does not exist")
    pending = next((e for e in getattr(case, field) if not e[dated] and not e["silent"]), None)
    if case.status != status or pending is None:
        raise Conflict(f"supervision case {case_id} {nothing}")
    today = business_today(session)
    if pending["due"] and today > dt.date.fromisoformat(pending["due"]):
        raise Conflict(late.format(due=pending["due"]))
    return case, pending, today


def submit_explanation(session: Session, *, user: User, case_id: int, body: ExplanationIn) -> SupervisionCase:
    """书面说明: the institution's enterprise user answers by the deadline; after it, silence is on record."""
    case, pending, today = awaited(session, user, case_id, "explanation")
    case.explanations = _update(
        case.explanations, pending["round"], text=body.text, answered_on=today.isoformat(), answered_by=user.id
    )
    _touch(session, case, "investigating")
    audit.record(
        session,
        case_type="supervision",
        case_id=case_id,
        action="explanation_submitted",
        actor_id=user.id,
        actor_role=user.role,
        after={"round": numbered(pending["round"])},
    )
    if case.flow_run_id:
        wake(session, case.flow_run_id, reason=f"explanation of supervision case {case_id}")
    return case


def explanation_overdue(session: Session, *, case_id: int, round_no: int) -> None:
    """Silence is recorded and goes back to the investigating officer, who decides on what is known."""
    case = get_case(session, case_id)
    entry = next((e for e in case.explanations if e["round"] == round_no), None)
    if entry is None or entry["answered_on"] or entry["silent"]:
        if case.status == "awaiting_explanation":
            _touch(session, case, "investigating")
        return
    case.explanations = _update(case.explanations, round_no, silent=True)
    _touch(session, case, "investigating")
    audit.record(
        session,
        case_type="supervision",
        case_id=case_id,
        action="explanation_overdue",
        after={"round": numbered(round_no), "due": entry["due"]},
    )


def order_rectification(
    session: Session,
    *,
    case_id: int,
    round_no: int,
    items: list[str],
    working_days: int | None,
    ordered_by: int | None,
    reason: str,
) -> dict[str, Any]:
    case = get_case(session, case_id)
    entry = next((r for r in case.rectifications if r["round"] == round_no), None)
    if entry is None:
        days = working_days or get_profile(case.profile_code).rectification_working_days
        entry = {
            "round": round_no,
            "items": items,
            "finding": reason,
            "working_days": days,
            "ordered_on": business_today(session).isoformat(),
            "due": None,
            "answers": None,
            "submitted_on": None,
            "silent": False,
            "verdict": None,
            "ordered_by": ordered_by,
        }
        case.rectifications = [*case.rectifications, entry]
        _touch(session, case, "rectifying")
        audit.record(
            session,
            case_type="supervision",
            case_id=case_id,
            action="rectification_ordered",
            actor_id=ordered_by,
            actor_role="officer",
            after={"round": numbered(round_no), "items": len(items), "working_days": days},
        )
    return entry


def submit_rectification(session: Session, *, user: User, case_id: int, body: RectificationIn) -> SupervisionCase:
    """整改报告: one answer per item of the order, by its deadline."""
    case, pending, today = awaited(session, user, case_id, "rectification")
    if len(body.answers) != len(pending["items"]):
        raise Problems(
            [
                Violation(
                    "rectification.answers",
                    "answers",
                    f"整改事项共 {len(pending['items'])} 项，须逐项说明（收到 {len(body.answers)} 项） / answer "
                    f"each of the {len(pending['items'])} items, in order",
                )
            ]
        )
    case.rectifications = _update(
        case.rectifications,
        pending["round"],
        answers=body.answers,
        submitted_on=today.isoformat(),
        submitted_by=user.id,
    )
    _touch(session, case, "verifying")
    audit.record(
        session,
        case_type="supervision",
        case_id=case_id,
        action="rectification_submitted",
        actor_id=user.id,
        actor_role=user.role,
        after={"round": numbered(pending["round"])},
    )
    if case.flow_run_id:
        wake(session, case.flow_run_id, reason=f"rectification of supervision case {case_id}")
    return case


def rectification_overdue(session: Session, *, case_id: int, round_no: int) -> None:
    case = get_case(session, case_id)
    entry = next((r for r in case.rectifications if r["round"] == round_no), None)
    if entry is not None and not entry["submitted_on"] and not entry["silent"]:
        case.rectifications = _update(case.rectifications, round_no, silent=True)
        _touch(session, case)
        audit.record(
            session,
            case_type="supervision",
            case_id=case_id,
            action="rectification_overdue",
            after={"round": numbered(round_no), "due": entry["due"]},
        )


def rectification_verified(session: Session, *, case_id: int, round_no: int, verdict: str, by: int | None) -> None:
    case = get_case(session, case_id)
    entry = next((r for r in case.rectifications if r["round"] == round_no), None)
    if entry is not None and entry["verdict"] is None:
        case.rectifications = _update(case.rectifications, round_no, verdict=verdict, verified_by=by)
        _touch(session, case)
        audit.record(
            session,
            case_type="supervision",
            case_id=case_id,
            action=f"rectification_{verdict}",
            actor_id=by,
            actor_role="officer",
            after={"round": numbered(round_no)},
        )


def propose(
    session: Session,
    *,
    case_id: int,
    round_no: int,
    sanction: str,
    proposed_by: int | None,
    details: dict[str, Any],
    reason: str,
) -> None:
    """A sanction that takes a second officer's approval waits for it (recorded once per round)."""
    case = get_case(session, case_id)
    if _action(case, round_no) is None:
        _set_action(session, case, round_no, decision=sanction, proposed_by=proposed_by, details=details, reason=reason)
        _touch(session, case, "awaiting_approval")
        audit.record(
            session,
            case_type="supervision",
            case_id=case_id,
            action=f"sanction_proposed:{sanction}",
            actor_id=proposed_by,
            actor_role="officer",
            after={"round": numbered(round_no), "details": details},
        )


def approval_refused(session: Session, *, case_id: int, round_no: int, by: int | None, reason: str) -> None:
    case = get_case(session, case_id)
    action = _action(case, round_no)
    if action is not None and not action.get("refused"):
        _set_action(session, case, round_no, refused=True, approved_by=None)
        _touch(session, case, "investigating")
        audit.record(
            session,
            case_type="supervision",
            case_id=case_id,
            action="sanction_refused",
            actor_id=by,
            actor_role="officer",
            after={"round": numbered(round_no), "reason": reason},
        )


def cancel_filing(session: Session, *, case_id: int, round_no: int, approved_by: int | None) -> str:
    """取消备案: the institution leaves the catalogue today and its credit code is blacklisted for the
    profile's re-filing ban (000 §三(6)); its certificates already issued stay valid. Returns the ban's end."""
    case = get_case(session, case_id)
    action = _action(case, round_no) or {}
    if action.get("credit_entry_id"):
        return stored(session, CreditEntry, action["credit_entry_id"]).valid_until.isoformat()
    institution = stored(session, Institution, case.institution_id)
    profile = get_profile(institution.profile_code)
    today = business_today(session)
    until = last_day_after(today, profile.refiling_ban_years)
    before = {"status": institution.status}
    institution.status, institution.removed_on, institution.removal_reason = "cancelled", today, "cancelled"
    session.add(institution)
    audit.record(
        session,
        case_type="institution",
        case_id=institution.id,
        action="institution_cancelled",
        actor_id=approved_by,
        actor_role="officer",
        before=before,
        after={"status": "cancelled", "case_id": case_id, "refiling_ban_until": until.isoformat()},
    )
    entry = credit.add_entry(
        session,
        subject_type="institution",
        kind="blacklist",
        credit_code=institution.credit_code,
        institution_id=institution.id,
        case_id=case_id,
        valid_from=today,
        valid_until=until,
        reason=f"取消备案，{profile.refiling_ban_years} 年内不予再次备案（监督案件 {case.receipt_number}）",
        decided_by=action.get("proposed_by"),
        approved_by=approved_by,
    )
    _set_action(session, case, round_no, approved_by=approved_by, credit_entry_id=entry.id)
    return until.isoformat()


def add_credit_entry(
    session: Session,
    *,
    case_id: int,
    round_no: int,
    details: dict[str, Any],
    decided_by: int | None,
    approved_by: int | None,
    reason: str,
) -> int:
    """The entry a decision orders (once per round): on the institution's credit code or on a person."""
    case = get_case(session, case_id)
    action = _action(case, round_no) or {}
    if action.get("credit_entry_id"):
        return action["credit_entry_id"]
    institution = stored(session, Institution, case.institution_id)
    profile = get_profile(case.profile_code)
    today = business_today(session)
    kind = details["credit_kind"]
    years = profile.refiling_ban_years if kind == "blacklist" else profile.abnormal_list_years
    until = dt.date.fromisoformat(details["until"]) if details.get("until") else last_day_after(today, years)
    person = details.get("subject") == "person"
    name = details.get("person_name")
    if person and not name and details.get("person_user_id"):
        name = stored(session, User, details["person_user_id"]).name  # the account's name stands for the person
    entry = credit.add_entry(
        session,
        subject_type="person" if person else "institution",
        kind=kind,
        case_id=case_id,
        credit_code=None if person else institution.credit_code,
        institution_id=institution.id,
        person_name=name if person else None,
        person_user_id=details.get("person_user_id") if person else None,
        valid_from=today,
        valid_until=until,
        reason=f"{KINDS[kind]}：{reason}（监督案件 {case.receipt_number}）",
        decided_by=decided_by,
        approved_by=approved_by,
    )
    _set_action(
        session,
        case,
        round_no,
        decision="credit_entry",
        proposed_by=decided_by,
        details=details,
        approved_by=approved_by,
        credit_entry_id=entry.id,
    )
    return entry.id


def request_revocation(
    session: Session, *, case_id: int, round_no: int, details: dict[str, Any], requested_by: int, reason: str
) -> int:
    """撤销证书 as the case's decision: a revocation of its own (the second officer approves it there)."""
    case = get_case(session, case_id)
    action = _action(case, round_no) or {}
    if action.get("revocation_id"):
        return action["revocation_id"]
    plan_id = details.get("plan_id") or case.plan_id
    numbers = details.get("certificate_numbers") or (
        [case.certificate_number] if case.certificate_number and not details.get("whole_batch") else []
    )
    wanted, problems = revocations.certificates_to_revoke(
        session, plan_id=plan_id, numbers=numbers, whole_batch=bool(details.get("whole_batch"))
    )
    if problems or plan_id is None:  # checked at the decision; changed since (revoked meanwhile): decided again
        _set_action(
            session,
            case,
            round_no,
            decision="revoke_certificates",
            proposed_by=requested_by,
            refused=True,
            problem=problems[0].message,
        )
        return 0
    revocation = revocations.open_revocation(
        session,
        plan_id=plan_id,
        numbers=wanted,
        category=details["category"],
        reason=f"{reason}（监督案件 {case.receipt_number}）",
        requested_by=stored(session, User, requested_by),
        supervision_case_id=case_id,
    )
    _set_action(
        session, case, round_no, decision="revoke_certificates", proposed_by=requested_by, revocation_id=revocation.id
    )
    _touch(session, case, "revoking")
    return revocation.id


def revocation_outcome(session: Session, *, case_id: int, round_no: int) -> str | None:
    """refused | revoked once the revocation's second officer has decided; None while it waits."""
    action = _action(get_case(session, case_id), round_no) or {}
    if action.get("refused"):
        return "refused"
    revocation = session.get(Revocation, action["revocation_id"]) if action.get("revocation_id") else None
    if revocation is None or revocation.status == "requested":
        return None
    return "refused" if revocation.status == "refused" else "revoked"


def revocation_refused(session: Session, *, case_id: int, round_no: int) -> None:
    case = get_case(session, case_id)
    if case.status == "revoking":
        _set_action(session, case, round_no, refused=True)
        _touch(session, case, "investigating")


# --- views ---------------------------------------------------------------------------------------------------


def public_view(case: SupervisionCase) -> out.ComplaintPublic:
    """What the complainant sees by the receipt number: where it stands, the outcome's category."""
    return out.ComplaintPublic(receipt_number=case.receipt_number, status=PUBLIC_STATUS[case.status],
        closed=case.status == "closed", outcome=case.outcome, outcome_label=OUTCOMES.get(case.outcome or "", None),
        registered_on=china_date(case.created_at))


def _shown(entry: dict[str, Any], officer: bool, officers_only: tuple[str, ...]) -> dict[str, Any]:
    """A round's entry as the viewer may read it, its round numbered from 1."""
    kept = {k: v for k, v in entry.items() if officer or k not in officers_only}
    return kept | {"round": numbered(entry["round"])}


def case_view(session: Session, case: SupervisionCase, viewer: User) -> out.SupervisionCaseOut:
    institution = stored(session, Institution, case.institution_id)
    officer = viewer.role != "enterprise"
    shown = out.SupervisionCaseOut(
        id=case.id,
        receipt_number=case.receipt_number if officer else None,
        source=case.source,
        source_label=SOURCES[case.source],
        institution_id=case.institution_id,
        institution_name=institution.name,
        plan_id=case.plan_id,
        certificate_number=case.certificate_number,
        centre=case.centre,
        status=case.status,
        status_label=STATUS_LABELS[case.status],
        outcome=case.outcome,
        outcome_label=OUTCOMES.get(case.outcome or "", None),
        outcome_reason=case.outcome_reason,
        flow_run_id=case.flow_run_id if officer else None,
        explanations=[_shown(e, officer, ("asked_by",)) for e in case.explanations],
        rectifications=[_shown(r, officer, ("ordered_by", "verified_by")) for r in case.rectifications],
        created_at=case.created_at,
        updated_at=case.updated_at,
        timers=views.case_timers(session, "supervision", case.id),
    )
    if not officer:  # the complaint and its author are the officers' business, not the institution's
        return shown
    today = business_today(session)
    return shown.model_copy(update={
        "text": case.text,
        "contact_name": case.contact_name,
        "contact_phone": case.contact_phone,
        "opened_by": case.opened_by,
        "actions": [_shown(a, officer, ()) for a in case.actions],
        "credit_record": [credit.entry_view(e, today)
                          for e in credit.institution_entries(session, institution.credit_code)],
        "institution_status": institution.status,
        "tasks": views.case_tasks(session, "supervision", case.id, viewer),
        "history": views.history(session, "supervision", case.id, viewer=viewer),
    })



def complaint_page_view(session: Session, limit: int = 1000) -> dict[str, Any]:
    """The public complaint page: the catalogue's institutions to choose from (by name)."""
    rows = session.exec(
        select(Institution)
        .where(Institution.status == "registered")
        .order_by(col(Institution.name), col(Institution.id))
        .limit(limit)
    ).all()
    return {
        "institutions": [{"id": i.id, "label": f"{i.name}（{i.region_code}）"} for i in rows],
        "today": business_today(session).isoformat(),
    }
