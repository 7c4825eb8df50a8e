"""The dashboard's view-models of a supervision case: its facts, what was asked of the institution and
what it answered, its credit record, and the investigation's sanction form (templates compute nothing)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlmodel import Session

from core.clock import business_today
from models.cases import Institution
from models.schemas import REVOCATION_CATEGORIES
from models.supervision import SupervisionCase
from policy.credit import KINDS, OUTCOMES
from tasks import credit
from tasks.supervision import SOURCES, STATUS_LABELS

DECISION_NAMES = {"accept": "受理", "not_accept": "不予受理", "request_explanation": "要求机构书面说明",
                  "order_rectification": "责令整改", "cancel_filing": "取消备案（报另一名人员复核）",
                  "revoke_certificates": "撤销证书（报另一名人员复核）", "credit_entry": "列入异常名录或黑名单",
                  "verified": "整改到位", "not_rectified": "未整改到位（转取消备案）"}
STEP_DECISION_NAMES = {("supervision_investigation", "dismiss"): "查无实据，不予处理"}
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
        rows.append((f"书面说明（第 {e['round'] + 1} 轮，期限 {e['due'] or '—'}）", f"问：{e['question']}　答：{answer}"))
    for r in case.rectifications:
        answers = "；".join(r["answers"] or []) or ("逾期未整改" if r["silent"] else "尚未提交")
        rows.append((f"责令整改（期限 {r['due'] or '—'}）", f"事项：{'；'.join(r['items'])}　整改情况：{answers}"))
    today = business_today(session)
    for entry in credit.institution_entries(session, institution.credit_code):
        view = credit.entry_view(entry, today)
        rows.append(("信用记录", f"{KINDS[entry.kind]} {view['valid_from']}–{view['valid_until']}"
                                 f"（{'有效' if view['status'] == 'holds' else '已过期' if view['status'] == 'expired' else '未生效'}）"
                                 f"：{entry.reason}"))
    return rows


def sanction_form(submitted: dict[str, Any]) -> dict[str, Any]:
    """The investigation's sanction fields, as typed (kept when the form comes back with errors)."""
    sanction = submitted.get("sanction_fields") or {}
    return {
        "working_days": sanction.get("working_days", ""), "rectification_items": sanction.get("items", ""),
        "plan_id": sanction.get("plan_id", ""), "certificate_numbers": sanction.get("certificate_numbers", ""),
        "whole_batch": bool(sanction.get("whole_batch")), "person_name": sanction.get("person_name", ""),
        "until": sanction.get("until", ""),
        "categories": [{"value": k, "label": v, "checked": sanction.get("category") == k}
                       for k, v in REVOCATION_CATEGORIES.items()],
        "kinds": [{"value": k, "label": v, "checked": sanction.get("credit_kind") == k} for k, v in KINDS.items()],
        "subjects": [{"value": k, "label": v, "checked": sanction.get("subject") == k} for k, v in SUBJECTS.items()],
    }


SANCTION_FIELDS = ("working_days", "items", "plan_id", "certificate_numbers", "whole_batch", "category",
                   "credit_kind", "subject", "person_name", "until")


def sanction_fields(form: Any) -> dict[str, str]:  # noqa: ANN401 - a starlette FormData
    return {key: str(form.get(f"sanction_{key}", ""))[:20000] for key in SANCTION_FIELDS
            if form.get(f"sanction_{key}") not in (None, "")}


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
