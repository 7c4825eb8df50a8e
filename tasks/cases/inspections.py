"""Inspection results made public (双随机、一公开, 000 §三(六)): where a province's profile publishes them,
every on-site quality supervision's result — institution, occupation, date, what was found (as a category)
and what followed. The supervisor's own words stay with the centre: they may name candidates or staff."""

from __future__ import annotations

from sqlmodel import Session, col, select

from core.clock import china_date
from models import responses as out
from models.audit import AuditEvent
from models.cases import EvaluationPlan, Institution
from models.catalogue import OccupationRecord
from policy.profiles import all_profiles, division_name

FINDINGS = {"no_issues": "未发现问题", "to_correct": "发现问题，责令整改", "serious_violation": "发现严重违规"}
METHODS = {"double_random": "双随机抽查", "spot_check": "抽查", "random": "随机督导"}


def publishing_profiles() -> list[str]:
    return sorted(code for code, profile in all_profiles().items() if profile.inspection_results_public)


def _outcome(plan: EvaluationPlan) -> str:
    if plan.supervision_verdict == "to_correct":
        return (f"已于 {china_date(plan.corrections_answered_at)} 报送整改说明" if plan.corrections_answered_at
                else "整改中")
    if plan.supervision_verdict == "serious_violation":
        if plan.status == "suspended":
            return "批次暂停，立案调查"
        return "批次作废，不发证书" if plan.status == "rejected" else "经中心处理，批次继续"
    return "评价继续进行"


def published(session: Session, *, limit: int, before: int | None) -> list[tuple[int, out.InspectionPublic]]:
    """The latest inspection results first (each keyed by its report's audit entry, the cursor), limit + 1 of
    them so that the caller knows whether more follow."""
    profiles = publishing_profiles()
    if not profiles:
        return []
    query = (
        select(AuditEvent, EvaluationPlan, Institution)
        .join(EvaluationPlan, col(EvaluationPlan.id) == col(AuditEvent.case_id))
        .join(Institution, col(Institution.id) == col(EvaluationPlan.institution_id))
        .where(AuditEvent.case_type == "plan", AuditEvent.action == "supervision_reported",
               col(EvaluationPlan.profile_code).in_(profiles))
    )
    if before is not None:
        query = query.where(col(AuditEvent.id) < before)
    rows = session.exec(query.order_by(col(AuditEvent.id).desc()).limit(limit + 1)).all()
    names = {o.code: o.name for o in session.exec(
        select(OccupationRecord).where(col(OccupationRecord.code).in_({plan.occupation_code for _, plan, _ in rows})))}
    draws = {code: METHODS[p.supervision_draw] for code, p in all_profiles().items()}
    return [(event.id, out.InspectionPublic(
        id=event.id,
        institution_id=institution.id,
        institution_name=institution.name,
        region=division_name(institution.region_code),
        occupation=out.OccupationName(code=plan.occupation_code,
                                      name=names.get(plan.occupation_code, plan.occupation_code)),
        evaluated_on=plan.evaluation_start,
        reported_on=china_date(event.business_time),
        method=draws[plan.profile_code],
        finding=FINDINGS.get(plan.supervision_verdict or "", "—"),
        outcome=_outcome(plan),
    )) for event, plan, institution in rows]
