"""The dashboard's view-models of a supervision case: its facts, what was asked of the institution and
what it answered, its credit record, and the investigation's sanction form (templates compute nothing)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import func
from sqlmodel import Session, select

from core.clock import china_date
from models.audit import AuditEvent
from models.cases import Certificate, EvaluationPlan, FilingApplication, Institution
from models.clock import business_today
from models.responses import InactivityClock, InactivityRemoval
from models.schemas import REVOCATION_CATEGORIES
from models.supervision import SupervisionCase
from policy.credit import KINDS, OUTCOMES
from policy.profiles import division_name
from tasks.cases import credit
from tasks.cases.supervision import SOURCES, STATUS_LABELS, numbered
from tasks.queries import views
from tasks.waits.calendar import load_calendar

DECISION_NAMES = {"accept": "受理", "not_accept": "不予受理", "request_explanation": "要求机构书面说明",
                  "order_rectification": "责令整改", "cancel_filing": "取消备案（报另一名人员复核）",
                  "revoke_certificates": "撤销证书（报另一名人员复核）", "credit_entry": "列入异常名录或黑名单",
                  "verified": "整改到位", "not_rectified": "未整改到位（转取消备案）"}
STEP_DECISION_NAMES = {("supervision_investigation", "dismiss"): "查无实据，不予处理",
                       ("quarterly_report_review", "accept"): "接收", ("quarterly_report_review", "return"): "退回修改"}
# the supervision case's audit entries, as the timeline names them
ACTIONS = {"case_opened": "登记", "case_moved": "案件状态", "case_closed": "办结",
           "explanation_requested": "要求机构书面说明", "explanation_submitted": "机构提交书面说明",
           "explanation_overdue": "机构逾期未说明（已记录）", "rectification_ordered": "责令整改",
           "rectification_submitted": "机构报送整改情况", "rectification_overdue": "逾期未整改（转取消备案）",
           "rectification_verified": "整改核查：整改到位", "rectification_not_rectified": "整改核查：未整改到位",
           "sanction_proposed": "提出处理意见（待另一名人员复核）", "sanction_refused": "复核不同意，退回调查",
           "credit_entry_added": "列入信用记录"}
SUBJECT_LABELS = {**SOURCES, **OUTCOMES, **KINDS, "cancel_filing": "取消备案", "blacklist": "列入黑名单"}
SUBJECTS = {"institution": "机构（统一社会信用代码）", "person": "个人（考评人员、督导员、专家）"}


def facts(session: Session, case: SupervisionCase) -> list[tuple[str, str]]:
    """What the officer decides on: the complaint, the target, the institution's answers so far."""
    institution = session.get(Institution, case.institution_id)
    target = (f"证书 {case.certificate_number}" if case.certificate_number
              else f"认定批次 #{case.plan_id}" if case.plan_id else "机构")
    rows = [("来源", SOURCES[case.source]), ("受理编号", case.receipt_number),
            ("被投诉机构", f"{institution.name}（{institution.credit_code}，{institution.status}）"),
            ("对象", target), ("投诉举报内容", case.text), ("状态", STATUS_LABELS[case.status])]
    if case.contact_phone:
        rows.append(("联系人", f"{case.contact_name} {case.contact_phone}"))
    for e in case.explanations:
        answer = e["text"] or ("逾期未说明" if e["silent"] else "尚未答复")
        rows.append(
            (f"书面说明（第 {numbered(e['round'])} 轮，期限 {e['due'] or '—'}）", f"问：{e['question']}　答：{answer}")
        )
    for r in case.rectifications:
        answers = "；".join(r["answers"] or []) or ("逾期未整改" if r["silent"] else "尚未提交")
        label = f"责令整改（第 {numbered(r['round'])} 轮，期限 {r['due'] or '—'}）"
        rows.append((label, f"事项：{'；'.join(r['items'])}　整改情况：{answers}"))
    today = business_today(session)
    rows += [
        ("信用记录", credit_line(entry, today))
        for entry in credit.institution_entries(session, institution.credit_code)
    ]
    return rows


ENTRY_STATUS = {"holds": "有效", "expired": "已过期", "future": "未生效"}


def credit_line(entry, today: dt.date) -> str:  # a CreditEntry
    """One credit entry as the pages show it: kind, period, whether it holds today, reason."""
    status = credit.entry_view(entry, today).status
    return f"{KINDS[entry.kind]} {entry.valid_from}–{entry.valid_until}（{ENTRY_STATUS[status]}）：{entry.reason}"


def sanction_form(submitted: dict[str, Any]) -> dict[str, Any]:
    """The investigation's sanction fields, as typed (kept when the form comes back with errors)."""
    sanction = submitted.get("sanction_fields") or {}
    return {
        "working_days": sanction.get("working_days", ""),
        "rectification_items": sanction.get("items", ""),
        "plan_id": sanction.get("plan_id", ""),
        "certificate_numbers": sanction.get("certificate_numbers", ""),
        "whole_batch": bool(sanction.get("whole_batch")),
        "person_name": sanction.get("person_name", ""),
        "until": sanction.get("until", ""),
        "categories": [
            {"value": k, "label": v, "checked": sanction.get("category") == k} for k, v in REVOCATION_CATEGORIES.items()
        ],
        "kinds": [{"value": k, "label": v, "checked": sanction.get("credit_kind") == k} for k, v in KINDS.items()],
        "subjects": [{"value": k, "label": v, "checked": sanction.get("subject") == k} for k, v in SUBJECTS.items()],
    }


SANCTION_FIELDS = (
    "working_days",
    "items",
    "plan_id",
    "certificate_numbers",
    "whole_batch",
    "category",
    "credit_kind",
    "subject",
    "person_name",
    "until",
)


def sanction_fields(form: Any) -> dict[str, str]:  # a starlette FormData
    return {
        key: str(form.get(f"sanction_{key}", ""))[:20000]
        for key in SANCTION_FIELDS
        if form.get(f"sanction_{key}") not in (None, "")
    }


def sanction_from_fields(fields: dict[str, str]) -> tuple[dict[str, Any] | None, dict[str, list[str]]]:
    """The typed fields as a SanctionIn body (lists one per line), or the errors by field."""
    if not fields:
        return None, {}
    errors: dict[str, list[str]] = {}
    body: dict[str, Any] = {}
    for key in ("working_days", "plan_id"):
        if key in fields:
            if fields[key].strip().isdigit():
                body[key] = int(fields[key])
            else:
                errors.setdefault("sanction", []).append(f"{key}: 请输入整数 / a whole number")
    for key in ("items", "certificate_numbers"):
        if key in fields:
            body[key] = [line.strip() for line in fields[key].splitlines() if line.strip()]
    if fields.get("until"):
        try:
            body["until"] = dt.date.fromisoformat(fields["until"].strip()).isoformat()
        except ValueError:
            errors.setdefault("sanction", []).append("截止日期格式为 YYYY-MM-DD / the last day as YYYY-MM-DD")
    body |= {k: fields[k] for k in ("category", "credit_kind", "subject", "person_name") if k in fields}
    if fields.get("whole_batch"):
        body["whole_batch"] = True
    return body, errors


INSTITUTION_STATUS = {
    "applying": "申请备案中",
    "registered": "已备案",
    "withdrawn": "视同自行退出",
    "cancelled": "已取消备案",
    "revoked": "已取消备案",
}
INSTITUTION_ACTIONS = {
    "registered": "备案登记",
    "registered_region_changed": "变更注册地",
    "ladder_filed": "报备企业等级设置",
    "scope_changed": "变更备案范围",
    "inactivity_warning": "连续未开展评价提醒",
    "institution_withdrawn": "视同自行退出，移出目录",
    "institution_cancelled": "取消备案，移出目录",
}
PLAN_STATUS = {"completed": "已发证", "rejected": "未通过/作废", "suspended": "暂停"}


def institution_page(session: Session, institution: Institution) -> dict[str, Any]:
    """An institution for its centre: status and its history, scope, batches, certificates, complaints,
    credit record, last evaluation and the withdrawal countdown (004 §六(三))."""
    view = views.institution_view(session, institution)
    today = business_today(session)
    history = session.exec(
        select(AuditEvent)
        .where(AuditEvent.case_type == "institution", AuditEvent.case_id == institution.id)
        .order_by(AuditEvent.id)
    ).all()
    plans = session.exec(
        select(EvaluationPlan)
        .where(EvaluationPlan.institution_id == institution.id)
        .order_by(EvaluationPlan.id.desc())
        .limit(200)
    ).all()
    counts = dict(
        session.exec(
            select(Certificate.status, func.count())
            .where(Certificate.institution_id == institution.id)
            .group_by(Certificate.status)
        ).all()
    )
    by_plan = dict(
        session.exec(
            select(Certificate.plan_id, func.count())
            .where(Certificate.institution_id == institution.id)
            .group_by(Certificate.plan_id)
        ).all()
    )
    filings = session.exec(
        select(FilingApplication)
        .where(FilingApplication.institution_id == institution.id)
        .order_by(FilingApplication.id)
    ).all()
    cases = session.exec(
        select(SupervisionCase)
        .where(SupervisionCase.institution_id == institution.id)
        .order_by(SupervisionCase.id.desc())
    ).all()
    clock = view.inactivity
    countdown = "—"
    if isinstance(clock, InactivityClock):
        days = max(0, load_calendar(session).count_between(today, clock.withdrawal_on))
        countdown = (
            f"{clock.withdrawal_on.isoformat()} 视同退出（还有 {days} 个工作日"
            + (f"，已于 {clock.warned_on.isoformat()} 提醒" if clock.warned_on else "")
            + "）"
        )
    elif isinstance(clock, InactivityRemoval) and clock.removed_on:
        countdown = f"已于 {clock.removed_on.isoformat()} 移出目录"
    return {
        "id": institution.id,
        "name": institution.name,
        "status": INSTITUTION_STATUS.get(institution.status, institution.status),
        "facts": [
            ("统一社会信用代码", institution.credit_code),
            ("证书编号段", institution.segment or "—"),
            ("注册地", division_name(institution.region_code)),
            ("备案日期", view.registered_on.isoformat() if view.registered_on else "—"),
            ("最近一次评价", institution.last_evaluation_on.isoformat() if institution.last_evaluation_on else "尚无"),
            ("连续未评价退出", countdown),
            (
                "证书",
                f"共 {sum(counts.values())} 本：有效 {counts.get('valid', 0)}，已撤销 {counts.get('revoked', 0)}，"
                f"待确认 {counts.get('pending', 0)}",
            ),
        ],
        "scope": [f"{o.name}（{o.code}）{'、'.join(o.levels)}" for o in view.occupations],
        "history": [
            {
                "label": INSTITUTION_ACTIONS.get(e.action, e.action),
                "when": e.business_time.date().isoformat(),
                "detail": (e.after or {}).get("reason", "") or (e.after or {}).get("status", ""),
            }
            for e in history
        ],
        "filings": [
            {
                "href": f"/dashboard/cases/filing/{f.id}",
                "label": f"备案 #{f.id}",
                "detail": f"{f.status} · {china_date(f.created_at).isoformat()}"
                + ("（变更备案）" if f.form.get("scope_change") else ""),
            }
            for f in filings
        ],
        "plans": [
            {
                "href": f"/dashboard/cases/plan/{p.id}",
                "label": f"批次 #{p.id} · {p.occupation_code}",
                "detail": f"{PLAN_STATUS.get(p.status, p.status)} · 考核 {p.evaluation_start.isoformat()} · "
                f"证书 {by_plan.get(p.id, 0)} 本",
            }
            for p in plans
        ],
        "cases": [
            {
                "href": f"/dashboard/cases/supervision/{c.id}",
                "label": f"监督 #{c.id}（{SOURCES[c.source]}）",
                "detail": STATUS_LABELS[c.status] + (f" · {OUTCOMES[c.outcome]}" if c.outcome else ""),
            }
            for c in cases
        ],
        "credit": [credit_line(e, today) for e in credit.institution_entries(session, institution.credit_code)],
    }


def staff_credit_facts(session: Session, plan: EvaluationPlan) -> list[tuple[str, str]]:
    """The credit entries of the batch's evaluators and quality supervisors, on its case page."""
    staff = plan.staff or {}
    names = [*staff.get("evaluators", []), *staff.get("quality_supervisors", [])]
    today = business_today(session)
    entries = credit.person_entries(session, names=names, user_ids=[plan.supervisor_id] if plan.supervisor_id else [])
    return [(f"人员信用记录：{e.person_name}", credit_line(e, today)) for e in entries]
