"""View-models of the dashboard pages: every label, date and deadline text is made here, in Chinese,
so that the templates only place what they are given."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

from sqlalchemy import func, tuple_
from sqlmodel import Session, select

from api.dashboard import evidence_pages, supervision_pages
from api.dashboard.evidence_pages import REPORT_CHECKS, VERDICTS
from core import settings
from core.clock import CHINA, china_date
from models.accounts import User
from models.audit import AuditEvent
from models.case_kinds import CASE_LABELS
from models.cases import (
    Candidate,
    EvaluationPlan,
    FilingApplication,
    FilingMaterial,
    Institution,
    Objection,
    Score,
)
from models.catalogue import OccupationRecord
from models.clock import business_today
from models.reports import QuarterlyReport
from models.responses import FilingOut, PlanOut, TaskOut, TimerOut
from models.schemas import REVOCATION_CATEGORIES, DecisionIn, DismissIdentical
from models.supervision import SupervisionCase
from models.workflow import HumanTask, Incident
from policy import case_progress
from policy.credit import OUTCOMES
from policy.eligibility import EXPERT_ASPECTS, FILING_MATERIALS, NORM_KINDS
from policy.legal_basis import KIND_NAMES, text_warnings
from policy.levels import Level
from policy.processes import BATCH_STEP_FUNCTIONS, FILING_STEP_FUNCTIONS
from policy.profiles import (
    CANDIDATE_RELATIONS,
    EVALUATION_ROUTES,
    all_profiles,
    centre_name,
    division_name,
    get_profile,
)
from policy.steps import ALLOWED, NEEDS_REASON, STEP_NAMES, TIMER_PURPOSES
from tasks.cases import batch, files, handover, notes, quarterly
from tasks.cases import filing as filings
from tasks.cases.investigations import tasks_of
from tasks.cases.objections import identical_open
from tasks.cases.revocations import revocation_of_task
from tasks.cases.supervision import STATUS_LABELS as SUPERVISION_STATUS
from tasks.cases.supervision import numbered
from tasks.exchange import documents
from tasks.people import access
from tasks.queries import views
from tasks.records import evidence
from tasks.waits import digest, sla

ROLE_NAMES = {"officer": "中心经办人员", "expert": "评估专家", "supervisor": "质量督导员", "operations": "运维人员",
              "admin": "系统管理员", "enterprise": "企业", "system": "系统"}
TASK_STATUS = {"open": "待领取", "claimed": "已领取", "decided": "已办结", "cancelled": "已取消"}
DECISION_NAMES = {
    "approve": "通过",
    "reject": "不予受理",
    "deficient": "材料不齐全，一次性告知补正",
    "score": "提交评分",
    "uphold": "异议成立",
    "dismiss": "异议不成立",
    "return": "退回重报",
    "report": "提交督导报告",
    "resend": "更正后重新报送部中心复核",
    "recommend": "同意推荐",
    "not_recommended": "不予推荐",
    "select": "择优入选",
    "not_selected": "未入选",
    "include": "列入汇总名单，报部中心复核",
    "void": "认定结果作废",
    "continue": "核实后继续审核",
    "pass": "评估通过",
    "fail": "评估未通过，退回修改",
    "confirm": "确认调查结论",
    "reinvestigate": "退回企业重新调查",
    "refuse": "不同意",
    **supervision_pages.DECISION_NAMES,
}
# where a case stands: a step of its process by the step's one label (policy/steps.py), or one of the
# states between steps below (none of them a step code: tests/unit/test_step_vocabulary.py)
CASE_STEPS = STEP_NAMES  # the steps and the states between them, one vocabulary (policy/steps.py)
ACTIONS = {
    "filing_submitted": "提交备案申请",
    "plan_filed": "报送认定计划",
    "step_entered": "进入环节",
    "note_added": "内部备注",
    "file_uploaded": "上传文件",
    "task_created": "生成待办",
    "task_claimed": "领取待办",
    "task_released": "退回待办",
    "task_handed_over": "转交待办",
    "task_decided": "作出决定",
    "deficiency_notice_issued": "出具一次性告知书",
    "resubmitted": "补正材料",
    "expert_panel_result": "专家评估结果",
    "objection_raised": "收到异议",
    "timer_set": "开始计时",
    "timer_fired": "计时届满",
    "timer_recomputed": "日历调整后重算期限",
    "results_due_recomputed": "日历调整后重算成绩报送期限",
    "plan_lead_time_short": "按正式日历，计划报送时间不足提前工作日，请核查",
    "registered": "备案登记（回执、证书编号段、目录）",
    "supervision_drawn": "随机抽取质量督导",
    "ministry_review_passed": "部中心复核通过",
    "ministry_review_refused": "部中心复核未通过（理由见案件）",
    "national_report_acknowledged": "备案企业和回执已报部中心公布",
    "results_submitted": "报送考核成绩",
    "results_late": "逾期报送考核成绩",
    "certificates_numbered": "证书编号",
    "certificates_acknowledged": "全国联网系统确认证书（生效）",
    "certificates_issued": "证书全部生效",
    "certificates_refused": "全国联网系统退回证书（待企业更正持证人信息）",
    "candidate_corrected": "企业更正持证人信息（国家系统退回后）",
    "external_call_succeeded": "外部系统调用成功",
    "incident_opened": "外部调用失败，转人工",
    "incident_retry": "重试外部调用",
    "sla_paused": "暂停计时",
    "sla_resumed": "恢复计时",
    "sla_at_risk": "即将超期（提醒经办人）",
    "sla_breached": "已超期（通知中心负责人）",
    "sla_escalated": "超期升级（上报运维）",
    **supervision_pages.ACTIONS,
}
CASE_KINDS = CASE_LABELS  # a case's short reference: 监督案件 #3
DEFICIENCY_OTHER_HINT = "其他需要补正的事项，每行一项"


def deadline_text(left: int) -> tuple[str, str]:
    """("剩余 3 个工作日", tone): tone drives the colour, the words carry the meaning."""
    if left < 0:
        return f"已超期 {-left} 个工作日", "overdue"
    if left == 0:
        return "今日到期", "due-today"
    return f"剩余 {left} 个工作日", ("due-soon" if left <= 2 else "ok")


def _date(value: dt.date) -> str:
    return f"{value.year}年{value.month}月{value.day}日"


def _time(value: dt.datetime | None) -> str:
    if value is None:
        return ""
    if value.tzinfo is None:
        value = value.replace(tzinfo=dt.UTC)

    return value.astimezone(CHINA).strftime("%Y-%m-%d %H:%M")


def _deadline(due: dt.date, provisional: bool, today: views.Today) -> dict[str, Any]:
    left = today.calendar.count_between(today.date, due)
    text, tone = deadline_text(left)
    return {
        "due_date": _date(due),
        "due_iso": due.isoformat(),
        "deadline": text,
        "tone": tone,
        "provisional": provisional,
    }


def case_href(case_type: str, case_id: int, record: Any = None) -> str:  # the case's row
    """Where a case is shown: its case page; a quarterly report, on the statistics page it summarises."""
    if case_type == "report" and isinstance(record, QuarterlyReport):
        return f"/dashboard/reports?period={record.period}&jurisdiction={record.jurisdiction}"
    return f"/dashboard/cases/{case_type}/{case_id}"


def case_labels(session: Session, tasks: list[HumanTask]) -> dict[tuple[str, int], dict[str, str]]:
    """One query per case type for a page of tasks (not one per row)."""
    labels: dict[tuple[str, int], dict[str, str]] = {}
    filing_ids = {t.case_id for t in tasks if t.case_type == "filing"}
    plan_ids = {t.case_id for t in tasks if t.case_type == "plan"}
    case_ids = {t.case_id for t in tasks if t.case_type == "supervision"}
    report_ids = {t.case_id for t in tasks if t.case_type == "report"}
    for report in (
        session.exec(select(QuarterlyReport).where(QuarterlyReport.id.in_(report_ids))).all() if report_ids else []
    ):
        labels[("report", report.id)] = {
            "kind": "季度报告",
            "title": f"{report.jurisdiction} · {report.period}",
            "href": case_href("report", report.id, report),
            "ref": f"报告 #{report.id}",
        }
    if case_ids:
        rows = session.exec(
            select(SupervisionCase, Institution)
            .join(Institution, Institution.id == SupervisionCase.institution_id)
            .where(SupervisionCase.id.in_(case_ids))
        ).all()
        for case, institution in rows:
            labels[("supervision", case.id)] = {
                "kind": "监督案件",
                "title": institution.name,
                "href": f"/dashboard/cases/supervision/{case.id}",
                "ref": f"监督 #{case.id}",
            }
    if filing_ids:
        for filing in session.exec(select(FilingApplication).where(FilingApplication.id.in_(filing_ids))).all():
            labels[("filing", filing.id)] = {
                "kind": "机构备案",
                "title": filing.form.get("enterprise_name", ""),
                "href": f"/dashboard/cases/filing/{filing.id}",
                "ref": f"备案 #{filing.id}",
            }
    if plan_ids:
        rows = session.exec(
            select(EvaluationPlan, Institution)
            .join(Institution, Institution.id == EvaluationPlan.institution_id)
            .where(EvaluationPlan.id.in_(plan_ids))
        ).all()
        for plan, institution in rows:
            labels[("plan", plan.id)] = {
                "kind": "认定批次",
                "title": f"{institution.name} · {plan.occupation_code}",
                "href": f"/dashboard/cases/plan/{plan.id}",
                "ref": f"批次 #{plan.id}",
            }
    return labels


def _task_row(
    task: HumanTask, user: User, label: dict[str, str], today: views.Today, names: dict[int, str]
) -> dict[str, Any]:
    mine = task.assignee_id == user.id
    status = TASK_STATUS.get(task.status, task.status)
    if task.status == "claimed":
        status = "已领取（本人）" if mine else f"已领取（{names.get(task.assignee_id, '他人')}）"
    return {
        "id": task.id,
        "href": f"/dashboard/tasks/{task.id}",
        "step": task.step,
        "step_name": STEP_NAMES.get(task.step, task.step),
        "case": label,
        "status": status,
        "can_claim": task.status == "open",
        "can_release": task.status == "claimed" and mine,
        **_deadline(task.due_date, task.due_provisional, today),
    }


def _names(session: Session, ids: set[int | None]) -> dict[int, str]:
    wanted = {i for i in ids if i}
    if not wanted:
        return {}
    return dict(session.exec(select(User.id, User.name).where(User.id.in_(wanted))).all())


def my_settings_page(user: User, instance: settings.Settings, *, typed: tuple[str, bool] | None = None,
                     errors: dict[str, str] | None = None) -> dict[str, Any]:
    """我的设置: the e-mail address and the daily task digest (tasks/waits/digest.py), with when it is sent."""
    email, on = typed if typed is not None else (user.email or "", user.digest)
    return {"email": email, "digest": on, "errors": errors or {}, "hour": f"{instance.digest_hour:02d}:00",
            "due_soon_days": digest.DUE_SOON_WORKING_DAYS, "mail_configured": bool(instance.smtp_host),
            "last_sent": user.digest_sent_on.isoformat() if user.digest_sent_on else None}


def team_page(session: Session, user: User) -> dict[str, Any]:
    """本中心待办分工: the open tasks of the officer's centre by who holds them — each colleague of the centre
    (none left out, so a free hand shows), and the tasks nobody has claimed yet — each group with its count,
    its overdue count and its earliest deadline; the tasks earliest deadline first."""
    tasks = session.exec(select(HumanTask).where(access.inbox_filter(user) & access.ACTIVE)
                         .order_by(HumanTask.due_date, HumanTask.id)).all()
    colleagues = session.exec(select(User).where(User.role == "officer", User.jurisdiction == user.jurisdiction,
                                                 User.disabled_at.is_(None)).order_by(User.name)).all()
    today = views.Today(session)
    labels = case_labels(session, tasks)
    holders = {c.id: c.name for c in colleagues} | _names(session, {t.assignee_id for t in tasks})
    groups: dict[int | None, list[HumanTask]] = {None: []} | {c.id: [] for c in colleagues}
    for task in tasks:
        groups.setdefault(task.assignee_id if task.status == "claimed" else None, []).append(task)

    def group(holder: int | None, held: list[HumanTask]) -> dict[str, Any]:
        rows = [{"id": t.id, "href": f"/dashboard/tasks/{t.id}", "step_name": STEP_NAMES.get(t.step, t.step),
                 "case": labels.get((t.case_type, t.case_id), {"kind": "", "title": "", "href": "#",
                                                                 "ref": f"#{t.case_id}"}),
                 **_deadline(t.due_date, t.due_provisional, today)} for t in held]
        name = "待领取" if holder is None else holders.get(holder, "") + ("（本人）" if holder == user.id else "")
        return {"holder": name, "unclaimed": holder is None, "count": len(rows), "rows": rows,
                "overdue": sum(r["tone"] == "overdue" for r in rows),
                "earliest": rows[0]["due_date"] if rows else ""}

    return {"centre": centre_name(user.jurisdiction or ""), "today": _date(today.date), "total": len(tasks),
            "groups": [group(holder, held) for holder, held in groups.items()]}


INBOX_FILTERS = {"active": "全部待办", "open": "待领取", "mine": "我已领取"}


def _arrived_since_last_look(session: Session, user: User) -> tuple[int | None, int]:
    """How many tasks of the inbox arrived since its owner last looked at its first page (None on a first look),
    and the newest task id now — the look to remember (the route does, in a transaction of its own: a page is
    read in a read-only one). Task ids only grow, so "after the newest id seen" is exactly "new"."""
    newest = session.exec(select(func.max(HumanTask.id))).one() or 0
    seen = user.inbox_seen_task_id
    arrived = None if seen is None else session.exec(select(func.count()).select_from(HumanTask).where(
        access.inbox_filter(user) & access.ACTIVE & (HumanTask.id > seen))).one()
    return arrived, newest


def inbox_page(
    session: Session, user: User, *, step: str | None, status: str, after: str | None, limit: int = 50
) -> dict[str, Any]:
    """Open tasks of the user's roles and jurisdiction, earliest due first, a page at a time."""
    condition = access.inbox_filter(user) & access.ACTIVE
    if step:
        condition = condition & (HumanTask.step == step)
    if status == "open":
        condition = condition & (HumanTask.status == "open")
    elif status == "mine":
        condition = condition & (HumanTask.assignee_id == user.id)
    total = session.exec(select(func.count()).select_from(HumanTask).where(condition)).one()
    query = select(HumanTask).where(condition)
    position = parse_after(after)
    if position is not None:
        query = query.where(tuple_(HumanTask.due_date, HumanTask.id) > position)
    tasks = session.exec(query.order_by(HumanTask.due_date, HumanTask.id).limit(limit + 1)).all()
    more, tasks = len(tasks) > limit, tasks[:limit]
    today = views.Today(session)
    labels = case_labels(session, tasks)
    names = _names(session, {t.assignee_id for t in tasks})
    seen = user.inbox_seen_task_id
    rows = [
        _task_row(
            t,
            user,
            labels.get(
                (t.case_type, t.case_id), {"kind": t.case_type, "title": "", "href": "#", "ref": f"#{t.case_id}"}
            ),
            today,
            names,
        )
        | {"new": seen is not None and t.id > seen}
        for t in tasks
    ]
    arrived, newest = _arrived_since_last_look(session, user) if after is None else (None, None)
    next_after = f"{tasks[-1].due_date.isoformat()}_{tasks[-1].id}" if more else None
    query_base = {"step": step or "", "status": status}
    return {
        "rows": rows,
        "total": total,
        "arrived": arrived,
        "newest_task_id": newest,
        "today": _date(today.date),
        "steps": [{"value": k, "label": v, "selected": k == step} for k, v in STEP_NAMES.items()],
        "statuses": [{"value": k, "label": v, "selected": k == status} for k, v in INBOX_FILTERS.items()],
        "next_href": _href("/dashboard/inbox", {**query_base, "after": next_after}) if next_after else None,
        "first_href": _href("/dashboard/inbox", query_base) if after else None,
        "return_to": _href("/dashboard/inbox", {**query_base, "after": after or ""}),
    }


def _href(path: str, params: dict[str, str]) -> str:
    from urllib.parse import urlencode

    kept = {k: v for k, v in params.items() if v}
    return f"{path}?{urlencode(kept)}" if kept else path


def parse_after(after: str | None) -> tuple[dt.date, int] | None:
    """The keyset cursor `YYYY-MM-DD_id`; anything else starts from the first page."""
    if not after:
        return None
    try:
        day, _, task_id = after.partition("_")
        return dt.date.fromisoformat(day), int(task_id)
    except ValueError:
        return None


# -- the decision form ---------------------------------------------------------------


def task_page(
    session: Session,
    user: User,
    task: HumanTask,
    *,
    errors: dict[str, list[str]] | None = None,
    submitted: dict[str, Any] | None = None,
    refusal: list[str] | None = None,
    barred: bool = False,
) -> dict[str, Any]:
    """The task and its decision form; `refusal` explains an action not taken, `barred` (separation of
    duties) hides the buttons that would only be refused again."""
    today = views.Today(session)
    label = case_labels(session, [task]).get((task.case_type, task.case_id), {"href": "#", "title": "", "ref": ""})
    names = _names(session, {task.assignee_id, task.decided_by})
    row = _task_row(task, user, label, today, names)
    row["due_explanation"] = views.task_deadline_explanation(task, today).text  # "why this date?"
    submitted = submitted or {}
    allowed = ALLOWED.get(task.step, ())
    # a step with one possible decision (expert scoring, the supervision report) has it chosen already
    decision = submitted.get("decision") or (allowed[0] if len(allowed) == 1 else "")
    form: dict[str, Any] = {
        "step": task.step,
        "decisions": [
            {
                "value": d,
                "label": supervision_pages.STEP_DECISION_NAMES.get((task.step, d), DECISION_NAMES[d]),
                "checked": d == decision,
            }
            for d in allowed
        ],
        "reason": submitted.get("reason", ""),
        "reason_label": {
            "expert_evaluation": "评估意见",
            "quality_supervision": "督导报告",
            "supervision_investigation": "调查结论与理由（必填）",
        }.get(task.step, "理由（退回、不予受理、异议处理时必填）"),
        "reason_required_for": sorted(NEEDS_REASON.get(task.step, ())),
        "version": task.version,
    }
    if task.step == "acceptance":
        findings = _acceptance_findings(session, task)
        chosen = submitted.get("checklist")
        form["checklist"] = [
            {
                "value": key,
                "label": f"{text}：缺失或不符合要求",
                "checked": (key in chosen) if chosen is not None else key in findings,
            }
            for key, text in FILING_MATERIALS.items()
        ]
        form["machine_findings"] = list(findings.values())
        form["other_deficiencies"] = submitted.get("other_deficiencies", "")
        form["other_hint"] = DEFICIENCY_OTHER_HINT
    if task.step == "quality_supervision":
        report = submitted.get("report") or {}
        form["report"] = {
            "checks": [
                {"key": key, "label": label, "checked": bool(report.get(key))} for key, label in REPORT_CHECKS.items()
            ],
            "findings": "\n".join(report.get("findings", [])),
            "verdicts": [
                {"value": v, "label": label, "checked": report.get("verdict") == v} for v, label in VERDICTS.items()
            ],
            "corrections": "\n".join(report.get("corrections", [])),
        }
    if task.step == "supervision_investigation":
        form["sanction"] = supervision_pages.sanction_form(submitted)
    if task.step == "expert_evaluation":
        scores = submitted.get("scores", {})
        form["aspects"] = [{"key": k, "label": v, "value": scores.get(k, "")} for k, v in EXPERT_ASPECTS.items()]
    decided = None
    if task.status == "decided":
        decided = {
            "decision": DECISION_NAMES.get(task.decision or "", task.decision),
            "by": names.get(task.decided_by, "—"),
            "at": _time(task.decided_at),
            "payload": task.decision_payload or {},
        }
    actionable = task.status == "claimed" and task.assignee_id == user.id and not barred
    identical = None
    if task.step == "objection_investigation" and task.status in ("open", "claimed") and user.role == "officer":
        text, ids = identical_open(session, task)
        if len(ids) > 1:  # a campaign of copies: one finding dismisses them all
            identical = {"count": len(ids), "text": text, "ids": ",".join(map(str, ids))}
    case = access.case_record(session, task.case_type, task.case_id)
    facts = (
        []
        if case is None
        else supervision_pages.facts(session, case)
        if task.case_type == "supervision"
        else quarterly.facts(case)
        if task.case_type == "report"
        else application_facts(session, task.case_type, case)
    )
    return {
        "task": row,
        "case": label,
        "form": form,
        "errors": errors or {},
        "refusal": refusal,
        "objection": objection_under_review(session, task),
        "revocation": revocation_under_review(session, task),
        "application": facts,
        "evidence": evidence_pages.evidence(session, task),
        "files": uploaded_files(session, task.case_type, task.case_id, user.role),
        "refused_for_good": barred,
        "decided": decided,
        "actionable": actionable,
        "claim_first": task.status == "open" and not barred,
        "status": task.status,
        "identical": identical,
        "handover": _handover_form(session, task, user, errors or {}),
    }


def _handover_form(session: Session, task: HumanTask, user: User,
                   errors: dict[str, list[str]]) -> dict[str, Any] | None:
    """转交: to whom the officer may hand this task — its holder or the centre's lead, or anyone of the centre
    while nobody holds it."""
    if not handover.may_hand_over(session, task, user):
        return None
    choices = [{"id": c.id, "name": c.name} for c in handover.colleagues(session, task, user)]
    if not choices:
        return None
    return {"colleagues": choices, "errors": [m for field in ("to_user_id", "handover") for m in errors.get(field, [])],
            # the centre's lead taking a task off the colleague who holds it (改派)
            "reassign": task.status == "claimed" and task.assignee_id != user.id}


def objection_under_review(session: Session, task: HumanTask) -> dict[str, Any] | None:
    """For an objection's task: what was objected, and every finding so far (the enterprise's body
    investigating, the centre's reviews of it)."""
    if not task.key.startswith("objection:"):
        return None
    objection = session.get(Objection, int(task.key.split(":")[1]))
    if objection is None:
        return None
    earlier = [t for t in tasks_of(session, objection.id) if t.status == "decided"]
    names = _names(session, {t.decided_by for t in earlier})
    return {
        "text": objection.text,
        "investigated_by": VALUE_NAMES[objection.investigated_by],
        "findings": [
            {
                "step": STEP_NAMES.get(t.step, t.step),
                "decision": DECISION_NAMES.get(t.decision or "", t.decision),
                "reason": (t.decision_payload or {}).get("reason", ""),
                "by": names.get(t.decided_by, "—"),
                "at": _time(t.decided_at),
            }
            for t in earlier
        ],
    }


def revocation_under_review(session: Session, task: HumanTask) -> dict[str, Any] | None:
    """For a revocation's approval: what is to be revoked, why, and who asked (the approver must be another)."""
    revocation = revocation_of_task(session, task.key)
    if revocation is None:
        return None
    return {
        "count": len(revocation.numbers),
        "numbers": revocation.numbers[:20],
        "more": len(revocation.numbers) > 20,
        "category": REVOCATION_CATEGORIES[revocation.category],
        "reason": revocation.reason,
        "requested_by": _names(session, {revocation.requested_by}).get(revocation.requested_by, "—"),
    }


def dismissal_from_form(ids: str, reason: str) -> tuple[Any, dict[str, list[str]]]:
    """The batch-dismissal form as a DismissIdentical, or its errors by field."""
    from pydantic import ValidationError

    try:
        return DismissIdentical(objection_ids=[int(i) for i in ids.split(",") if i.strip()], reason=reason), {}
    except ValueError as problem:  # ValidationError is a ValueError too
        if isinstance(problem, ValidationError) and any(e["loc"][:1] == ("reason",) for e in problem.errors()):
            return None, {"form": ["请填写调查结论 / the finding is required"]}
        return None, {"form": ["异议列表无效，请刷新页面 / the list of objections is not valid; reload the page"]}




def report_from_form(form) -> dict[str, Any] | None:  # the submitted form
    """The supervision report's fields, when the form has them (only the supervision task's does)."""
    if "verdict" not in form and not any(key in form for key in REPORT_CHECKS):
        return None
    lines = lambda name: [line.strip() for line in str(form.get(name, ""))[:20000].splitlines() if line.strip()]  # noqa: E731
    return {
        **{key: form.get(key) == "yes" for key in REPORT_CHECKS},
        "verdict": str(form.get("verdict", "")),
        "findings": lines("findings"),
        "corrections": lines("corrections"),
    }


def decision_from_form(submitted: dict[str, Any]) -> tuple[Any, dict[str, list[str]]]:
    """The form's fields as a DecisionIn, or the errors by field (nothing is recorded on errors)."""
    from pydantic import ValidationError

    errors: dict[str, list[str]] = {}
    if not submitted["decision"]:
        errors["decision"] = ["请选择决定 / choose a decision"]
    scores: dict[str, float] = {}
    for aspect, text in submitted["scores"].items():
        try:
            scores[aspect] = float(text)
        except ValueError:
            errors.setdefault(f"score_{aspect}", []).append("请输入 0–100 的数字 / a number 0–100")
    if errors:
        return None, errors
    sanction, sanction_errors = supervision_pages.sanction_from_fields(submitted.get("sanction_fields") or {})
    if sanction_errors:
        return None, sanction_errors
    try:
        return DecisionIn(
            decision=submitted["decision"],
            reason=submitted["reason"],
            scores=scores,
            report=submitted.get("report"),
            sanction=sanction,
            deficiencies=deficiencies_from_form(submitted["checklist"], submitted["other_deficiencies"]),
            version=int(submitted["version"]) if submitted["version"].isdigit() else None,
        ), {}
    except ValidationError as invalid:
        for error in invalid.errors():
            errors.setdefault(str(error["loc"][0]) if error["loc"] else "form", []).append(error["msg"])
        return None, errors


def field_errors(violations) -> dict[str, list[str]]:
    """Rule violations by form field; those about the task itself go on top of the form."""
    errors: dict[str, list[str]] = {}
    for violation in violations:
        field = violation.field.split(".")[0] if violation.field else "form"
        errors.setdefault("form" if field == "task" else field, []).append(violation.message)
    return errors


def _acceptance_findings(session: Session, task: HumanTask) -> dict[str, str]:
    """The machine's completeness check, keyed by material (pre-ticks the checklist)."""
    found: dict[str, str] = {}
    for item in filings.completeness_findings(session, filing_id=task.case_id):
        field = item.get("field", "")
        if field.startswith("materials."):
            found[field.split(".", 1)[1]] = item["message"]
        else:
            found[field or item.get("code", "")] = item["message"]
    return found


def deficiencies_from_form(checklist: list[str], other: str) -> list[str]:
    """The notice's items: each ticked material, then each line of free text."""
    items = [f"{FILING_MATERIALS[key]}：缺失或不符合要求，请补正" for key in checklist if key in FILING_MATERIALS]
    items += [line.strip() for line in other.splitlines() if line.strip()]
    return items


# -- the case page ---------------------------------------------------------------------


ENGINE_ROLES = ("operations", "admin")  # Prefect's UI retries, cancels and deletes runs: not for case workers


def prefect_run_url(session: Session, flow_run_id: str | None, viewer_role: str) -> str | None:
    api = settings.of(session).prefect_api_url
    if not flow_run_id or not api or viewer_role not in ENGINE_ROLES:
        return None
    return f"{api.rstrip('/').removesuffix('/api')}/runs/flow-run/{flow_run_id}"


def _timeline(session: Session, case_type: str, case_id: int) -> list[dict[str, Any]]:
    events = session.exec(
        select(AuditEvent)
        .where(AuditEvent.case_type == case_type, AuditEvent.case_id == case_id)
        .order_by(AuditEvent.id)
    ).all()
    names = _names(session, {e.actor_id for e in events})
    out = []
    for event in events:
        action, _, subject = event.action.partition(":")
        detail = (
            STEP_NAMES.get(subject)
            or TIMER_PURPOSES.get(subject)
            or supervision_pages.SUBJECT_LABELS.get(subject)
            or subject
        )
        after = event.after or {}
        if action == "case_moved":
            detail = SUPERVISION_STATUS.get(after.get("status", ""), after.get("status", ""))
        if action == "step_entered":
            detail = CASE_STEPS.get(after.get("step", ""), after.get("step", ""))
        if action == "task_decided":
            detail = f"{detail}：{DECISION_NAMES.get(after.get('decision', ''), after.get('decision', ''))}"
        if action == "sla_paused":
            detail = f"{detail}：{after.get('reason', '')}"
        if action == "sla_resumed":
            detail = f"{detail}：暂停 {after.get('paused_working_days')} 个工作日，期限顺延至 {after.get('due_date')}"
        if action in ("sla_at_risk", "sla_breached", "sla_escalated"):
            detail = f"{detail}，期限 {after.get('due_date', '')}"
        if action == "task_created" and after.get("due_date"):
            detail = f"{detail}，办理期限 {after['due_date']}" + ("（暂定）" if after.get("due_provisional") else "")
        out.append(
            {
                "label": ACTIONS.get(action, action),
                "detail": detail,
                "who": names.get(event.actor_id) or ROLE_NAMES.get(event.actor_role, event.actor_role),
                "role": ROLE_NAMES.get(event.actor_role, event.actor_role),
                "business_time": _time(event.business_time),
                "wall_time": _time(event.wall_time),
            }
        )
    return out


def _notes(session: Session, case_type: str, case_id: int) -> list[dict[str, str]]:
    """The centre's internal notes on the case (officers only: the page leaves them out for anyone else)."""
    kept = notes.notes_of(session, case_type, case_id)
    names = _names(session, {n.author_id for n in kept})
    return [{"who": names.get(n.author_id, ""), "when": _time(n.written_at), "text": n.text} for n in kept]


STRIP_STATES = {"done": "已完成", "current": "进行中", "to_come": "未开始", "not_reached": "未进行"}
TAKEN_BY = {"enterprise": "企业", "system": "系统"}


def where_the_case_stands(session: Session, case_type: str, case: FilingApplication | EvaluationPlan,
                          today: views.Today) -> list[dict[str, Any]]:
    """The case's steps from its province's profile (those applying to its institution's kind), each done
    (when, by whom), current (its deadline in working days) or to come — policy/case_progress.py."""
    if case_type == "filing":
        facts = filings.flow_facts(session, filing_id=case.id)
        listed, functions = get_profile(case.profile_code).filing_steps, FILING_STEP_FUNCTIONS
    else:
        facts = batch.flow_facts(session, plan_id=case.id)
        listed, functions = get_profile(case.profile_code).batch_steps, BATCH_STEP_FUNCTIONS
    steps = [s for s in listed if s.applies_to(facts.institution_kind)]
    codes = [s.step for s in steps]
    tasks = session.exec(select(HumanTask).where(HumanTask.case_type == case_type, HumanTask.case_id == case.id)
                         .order_by(HumanTask.id)).all()
    # a step the list has twice (a review at two levels) owns the tasks of its centre; any other, its step's
    of_step = [[t for t in tasks if t.step == s.step
                and (codes.count(s.step) == 1 or t.jurisdiction == facts.centres[s.by])] for s in steps]
    open_ = frozenset(i for i, mine in enumerate(of_step) if any(t.status in ("open", "claimed") for t in mine))
    unfinished = {i for i, mine in enumerate(of_step) if not mine or any(t.status != "decided" for t in mine)}
    entered = session.exec(select(AuditEvent.after).where(
        AuditEvent.case_type == case_type, AuditEvent.case_id == case.id, AuditEvent.action == "step_entered")).all()
    reached = {case_progress.profile_step(case_type, (after or {}).get("step")) for after in entered}
    ended = None
    if facts.finished:
        ended = "completed" if case.status in ("registered", "completed") else "stopped"
    marks = case_progress.states(
        len(steps), case_progress.position(codes, case_type, case.current_step, unfinished=unfinished),
        ended=ended, open_tasks=open_, furthest=max((i for i, c in enumerate(codes) if c in reached), default=0))
    names = _names(session, {t.decided_by for t in tasks} | {t.assignee_id for t in tasks})
    strip = []
    for step, mine, state in zip(steps, of_step, marks, strict=True):
        taken_by = functions[step.step].taken_by
        mark: dict[str, Any] = {
            "label": STEP_NAMES.get(step.step, step.step),
            "by": TAKEN_BY.get(taken_by) or centre_name(facts.centres[step.by]),
            "state": state, "state_label": STRIP_STATES[state], "note": "", "tone": "",
        }
        decided = [t for t in mine if t.status == "decided" and t.decided_at is not None]
        waiting = [t for t in mine if t.status in ("open", "claimed")]
        if state == "done" and decided:
            deciders = list(dict.fromkeys(names.get(t.decided_by, "") for t in decided if t.decided_by))
            who = "、".join(deciders[:3]) + (f" 等 {len(deciders)} 人" if len(deciders) > 3 else "")
            mark["note"] = _date(china_date(max(t.decided_at for t in decided))) + (f" · {who}" if who else "")
        elif state == "current" and waiting:
            due = min(waiting, key=lambda t: t.due_date)
            deadline = _deadline(due.due_date, due.due_provisional, today)
            holder = names.get(due.assignee_id) if due.assignee_id else "待领取"
            mark["note"] = f"办理期限 {deadline['due_date']}，{deadline['deadline']} · {holder}"
            mark["tone"] = deadline["tone"]
        strip.append(mark)
    return strip


def _deadlines_ahead(tasks: list[TaskOut], timers: list[TimerOut], today: views.Today) -> list[dict[str, Any]]:
    ahead = []
    for task in tasks:
        if task.status in ("open", "claimed"):
            ahead.append(
                {"what": f"{task.step_name}（待办 #{task.id}）", **_deadline(task.due_date, task.provisional, today),
                 "why": task.due_explanation.text}
            )
    for timer in timers:
        if timer.status == "pending":
            ahead.append(
                {
                    "what": TIMER_PURPOSES.get(timer.purpose, timer.purpose),
                    **_deadline(timer.fires_on, timer.provisional, today),
                    "why": timer.due_explanation.text if timer.due_explanation else "",
                }
            )
    return sorted(ahead, key=lambda a: a["due_iso"])


def _size(size: int) -> str:
    return f"{size / (1024 * 1024):.1f} MB" if size >= 1024 * 1024 else f"{max(1, round(size / 1024))} KB"


def uploaded_files(session: Session, case_type: str, case_id: int, viewer_role: str) -> list[dict[str, Any]]:
    """The case's uploaded files, each downloaded from the dashboard (the same visibility as the case); an
    officer also previews a PDF or an image in the browser."""
    return [
        {
            "label": files.LABELS.get(f.kind, f.kind),
            "round": "首次提交" if f.round == 0 else f"第 {f.round} 轮",
            "filename": f.filename,
            "size": _size(f.size),
            "sha256": f.sha256,
            "sha_short": f.sha256[:12],
            "uploaded": _time(f.uploaded_at),
            "href": f"/dashboard/cases/{case_type}/{case_id}/files/{f.id}",
            "preview": (f"/dashboard/cases/{case_type}/{case_id}/files/{f.id}/preview"
                        if f.media_type in files.PREVIEWABLE and viewer_role == "officer" else None),
        }
        for f in files.files_of(session, case_type, case_id)
    ]


def supervision_case_page(session: Session, case: SupervisionCase, viewer_role: str) -> dict[str, Any]:
    """A supervision case: its facts and answers, deadlines, timeline and documents (the rectification
    orders and the cancellation decision as PDFs)."""
    today = views.Today(session)
    case_tasks = views.case_tasks(session, "supervision", case.id)
    names = _names(session, {t.assignee_id for t in case_tasks})
    documents_ = [
        {
            "label": f"责令整改通知书（第 {numbered(r['round'])} 轮）",
            "href": f"/dashboard/cases/supervision/{case.id}/rectification/{numbered(r['round'])}.pdf",
        }
        for r in case.rectifications
    ]
    if any(a.get("decision") == "cancel_filing" and a.get("credit_entry_id") for a in case.actions):
        documents_.append(
            {"label": "取消备案决定书", "href": f"/dashboard/cases/supervision/{case.id}/cancellation.pdf"}
        )
    institution = session.get(Institution, case.institution_id)
    return {
        "type": "supervision",
        "id": case.id,
        "ref": f"监督 #{case.id}",
        "title": institution.name,
        "status": SUPERVISION_STATUS[case.status] + (f"（{OUTCOMES[case.outcome]}）" if case.outcome else ""),
        "outcome_reason": case.outcome_reason,
        "timeline": _timeline(session, "supervision", case.id),
        "deadlines": _deadlines_ahead(case_tasks, views.case_timers(session, "supervision", case.id), today),
        "tasks": [
            {
                "id": t.id,
                "href": f"/dashboard/tasks/{t.id}",
                "step_name": t.step_name,
                "status": TASK_STATUS.get(t.status, t.status),
                "who": names.get(t.assignee_id, ""),
                "decision": supervision_pages.STEP_DECISION_NAMES.get(
                    (t.step, t.decision), DECISION_NAMES.get(t.decision or "", t.decision or "")
                ),
            }
            for t in case_tasks
        ],
        "prefect_url": prefect_run_url(session, case.flow_run_id, viewer_role),
        "flow_run_id": case.flow_run_id,
        "incidents": [],
        "documents": documents_,
        "materials": [],
        "notices": [],
        "facts": supervision_pages.facts(session, case),
        "institution_href": f"/dashboard/institutions/{case.institution_id}",
        "files": uploaded_files(session, "supervision", case.id, viewer_role),
    }


def case_page(
    session: Session, case_type: str, case: FilingApplication | EvaluationPlan | SupervisionCase, *, data_dir: Path,
    viewer_role: str, note_refused: tuple[str, str] = ("", ""),
) -> dict[str, Any]:
    if case_type == "supervision":
        return supervision_case_page(session, case, viewer_role)
    today = views.Today(session)
    view: FilingOut | PlanOut = (
        views.filing_view(session, case, with_history=False)
        if isinstance(case, FilingApplication)
        else views.plan_view(session, case, with_history=False)
    )
    names = _names(session, {t.assignee_id for t in view.tasks})
    tasks = [
        {
            "id": t.id,
            "href": f"/dashboard/tasks/{t.id}",
            "step_name": t.step_name,
            "status": TASK_STATUS.get(t.status, t.status),
            "who": names.get(t.assignee_id, ""),
            "decision": DECISION_NAMES.get(t.decision or "", t.decision or ""),
        }
        for t in view.tasks
    ]
    page: dict[str, Any] = {
        "type": case_type,
        "id": case.id,
        "ref": f"{'备案' if case_type == 'filing' else '批次'} #{case.id}",
        "status": CASE_STEPS.get(view.current_step or "", view.current_step or ""),
        "outcome_reason": view.outcome_reason,
        "timeline": _timeline(session, case_type, case.id),
        "deadlines": _deadlines_ahead(view.tasks, view.timers, today),
        "tasks": tasks,
        "prefect_url": prefect_run_url(session, view.flow_run_id, viewer_role),
        "flow_run_id": view.flow_run_id,
        "incidents": [
            {**i.model_dump(), "kind": INCIDENT_KINDS.get(i.kind, i.kind),
             "status": INCIDENT_STATUS.get(i.status, i.status)}
            for i in view.incidents
        ],
        "documents": [],
        "materials": [],
        "notices": [],
        "files": uploaded_files(session, case_type, case.id, viewer_role),
        "strip": where_the_case_stands(session, case_type, case, today),
        "notes": _notes(session, case_type, case.id) if viewer_role == "officer" else None,
        "note_error": note_refused[0], "note_draft": note_refused[1],  # a refused note: why, and its text
    }
    if isinstance(view, FilingOut):
        page["title"] = view.enterprise_name
        page["institution_href"] = f"/dashboard/institutions/{case.institution_id}"
        materials = session.exec(
            select(FilingMaterial)
            .where(FilingMaterial.filing_id == case.id)
            .order_by(FilingMaterial.round, FilingMaterial.id)
        ).all()
        page["materials"] = [
            {
                "label": FILING_MATERIALS.get(m.kind, m.kind),
                "round": "首次提交" if m.round == 0 else f"第 {m.round} 次补正",
                "title": m.title,
                "submitted": _time(m.submitted_at),
            }
            for m in materials
        ]
        page["notices"] = [
            {
                "round": n.round,
                "entries": n.items,
                "issued": _time(n.issued_at) if n.issued_at else None,
                "resubmitted": _time(n.resubmitted_at) if n.resubmitted_at else "尚未补正",
                "href": f"/dashboard/cases/filing/{case.id}/notices/{n.round}.pdf",
            }
            for n in view.deficiency_notices
        ]
        if view.receipt_number:
            page["documents"].append(
                {
                    "label": f"备案回执 {view.receipt_number}",
                    "href": f"/dashboard/cases/filing/{case.id}/receipt.pdf",
                }
            )
        page["facts"] = [
            *application_facts(session, "filing", case),
            ("适用规则", f"{get_profile(view.profile).name}（{view.profile}）"),
            ("补正轮次", str(view.deficiency_rounds)),
            ("证书编号段", view.segment or "—"),
        ]
    else:
        institution = session.get(Institution, case.institution_id)
        page["title"] = f"{institution.name if institution else ''} · {view.occupation_code}"
        page["institution_href"] = f"/dashboard/institutions/{case.institution_id}"
        page["facts"] = [
            *application_facts(session, "plan", case),
            ("计划报送日", view.filed_on.isoformat()),
            ("成绩报送期限", view.results_due.isoformat() if view.results_due else "—"),
            ("已发证书", str(view.certificates_issued)),
            *supervision_pages.staff_credit_facts(session, case),
        ]
        page["documents"] = [
            {
                "label": f"证书 {c.certificate_number}（{c.name}）",
                "href": f"/dashboard/certificates/{c.certificate_number}.pdf",
            }
            for c in view.candidates
            if c.certificate_number
        ]
        page["sheets"] = [
            {"label": label, "href": f"/dashboard/cases/plan/{case.id}/{name}.xlsx"}
            for name, label in (
                ("roster", "花名册"),
                ("results", "成绩表"),
                ("certificates", "证书清单"),
                ("results-template", "成绩录入模板"),
            )
        ]
        if view.certificates_issued:
            done, total = documents.rendered_count(session, plan_id=case.id, data_dir=data_dir)
            page["rendered"] = f"已生成 PDF {done}/{total}"
    return page


# -- the operations page ---------------------------------------------------------------------

INCIDENT_KINDS = {
    "ministry_review": "部中心复核（外部）",
    "certificate_upload": "上传全国查询系统（外部）",
    "national_report": "备案企业报送部中心公布（外部）",
    "certificate_refusal": "全国联网系统退回证书（核实后重报）",
    "run_lost": "流程运行多次中断（核实后重启）",
}
INCIDENT_STATUS = {"open": "待处理", "retrying": "重试中", "resolved": "已解决"}


def ops_page(session: Session) -> dict[str, Any]:
    overview = sla.overview(session)
    incidents = session.exec(select(Incident).where(Incident.status != "resolved").order_by(Incident.id)).all()
    peak = max([w["opened"] for w in overview["trend"]] + [1])
    late = session.exec(select(func.count()).select_from(EvaluationPlan).where(EvaluationPlan.results_late)).one()
    today = business_today(session)
    text_warning_count = sum(len(text_warnings(p.source_texts, today)) for p in all_profiles().values())
    return {
        **overview,
        "late_results": late,
        "text_warnings": text_warning_count,  # provinces' texts past validity, drafts, ended pilots: see 省份规则
        "by_step": [
            {
                "label": STEP_NAMES.get(r["step"], r["step"]),
                "count": r["count"],
                "href": f"/api/v1/sla/breaches?step={r['step']}",
            }
            for r in overview["by_step"]
        ],
        "by_jurisdiction": [{"jurisdiction": centre_name(r["jurisdiction"]), "count": r["count"]}
                            for r in overview["by_jurisdiction"]],
        "trend": [
            {"week": w["week"][5:], "opened": w["opened"], "bar": int(100 * w["opened"] / peak)}
            for w in overview["trend"]
        ],
        "oldest": [
            {
                **b.model_dump(),
                "case_href": f"/dashboard/cases/{b.case_type}/{b.case_id}",
                "case_ref": f"{CASE_KINDS.get(b.case_type, b.case_type)} #{b.case_id}",
            }
            for b in overview["oldest"]
        ],
        "anchors": [evidence.anchor_view(a) for a in evidence.recent_anchors(session, limit=7)],
        "incidents": [
            {
                "id": i.id,
                "kind": INCIDENT_KINDS.get(i.kind, i.kind),
                "status": INCIDENT_STATUS.get(i.status, i.status),
                "can_retry": i.status == "open",
                "attempts": i.attempts,
                "error": i.error[:200],
                "since": _time(i.created_at),
                "case_href": f"/dashboard/cases/{i.case_type}/{i.case_id}",
                "case_ref": f"{CASE_KINDS.get(i.case_type, i.case_type)} #{i.case_id}",
            }
            for i in incidents
        ],
    }


# -- the province profiles: what each rule is and where it comes from --------------------------------

PROFILE_KEYS = {
    "plan_lead_working_days": "认定计划提前报备（工作日）",
    "results_due_working_days": "考核后报送成绩（工作日）",
    "results_publicity_working_days": "结果公示（工作日）",
    "filing_publicity_working_days": "备案评估公示（工作日）",
    "max_occupations": "最多备案职业数",
    "nearest_occupation_mapping": "未列入大典的岗位可按相邻相近对应",
    "min_employees": "最少职工人数",
    "dispatched_min_months": "派遣/外包人员最短在岗（月）",
    "allowed_candidate_relations": "可评价对象",
    "training_organisation_candidate_relations": "社会培训评价组织可评价对象（不限：同企业）",
    "evaluation_routes": "评价方式",
    "candidates_work_in_province": "考生社保参保地或就业地须在本省",
    "application_conditions": "申报条件（按等级）",
    "supervision_draw": "督导抽取方式",
    "supervision_roster": "督导员名册",
    "supervisor_card_required": "督导员须持证卡",
    "inspection_results_public": "督导检查结果向社会公开",
    "s_type_every_session": "社会培训评价组织每场次督导",
    "results_objections_investigated_by": "结果公示异议的调查",
    "filing_cancelled_by": "取消备案、移出目录的决定",
    "inactivity_withdrawal_years": "连续未开展评价视同退出（年）",
    "inactivity_warning_working_days": "退出前提前提醒（工作日）",
    "refiling_ban_years": "取消备案后不予再次备案（年）",
    "abnormal_list_years": "列入异常名录（年）",
    "explanation_working_days": "被调查机构书面说明期限（工作日）",
    "rectification_working_days": "责令整改期限（工作日）",
    "retention_years_paper": "纸质资料保存（年）",
    "retention_years_electronic": "电子资料保存（年）",
    "start_day_counts": "起算日计入期限",
    "plan_lead_counts_filing_day": "提前N个工作日：报送当日计入N日",
    "filing_handled_by": "备案受理中心",
    "provincial_enterprises_file_with": "省属企业备案",
    "central_branches_file_with": "央企驻地单位备案",
    "central_branches_within_ministry_scope": "央企单位限于部备案范围",
    "plans_handled_by": "计划与成绩报送",
    "province_manages_central_and_provincial_enterprises": "央企驻地单位、省直属企业由省级中心直接管理",
    "expert_panel_size": "专家组人数",
    "expert_pass_average": "专家评估通过线（平均分）",
    "expert_pass_min_aspect": "专家评估单项最低分",
    "supervision_rate": "质量督导抽查比例",
    "provincial_centre_name": "省级中心名称",
    "municipal_centre_name": "市级中心名称（{city} 为地名）",
    "resubmission_working_days": "一次性告知后补正期限（工作日）",
}


def _shown(value: Any) -> str:
    if value is None:
        return "不限"
    if isinstance(value, dict):  # 申报条件: level → any one of its conditions
        return "；".join(
            f"{Level(level).display}：{' 或 '.join(c.describe() for c in options)}"
            for level, options in sorted(value.items(), reverse=True)
        )
    if isinstance(value, bool):
        return "是" if value else "否"
    if isinstance(value, tuple):
        return "、".join(CANDIDATE_RELATIONS.get(v) or EVALUATION_ROUTES.get(v, v) for v in value)
    return VALUE_NAMES.get(value, str(value))


VALUE_NAMES = {
    "centre": "鉴定中心调查",
    "enterprise": "企业职业技能等级认定工作机构调查，中心审核其结论",
    "double_random": "双随机",
    "spot_check": "抽查",
    "random": "随机",
    "handling": "受理中心",
    "municipal": "市级中心",
    "provincial": "省级中心",
    "choice": "自行选择省级或市级中心",
    "investigating_centre": "调查中心（第二名经办人复核）",
}


DOCUMENT_NAMES = {"deficiency_notice": "一次性告知书", "filing_receipt": "备案回执",
                  "rectification_order": "责令整改通知书", "cancellation": "取消备案决定书",
                  "quarterly_report": "季度工作报告"}


def profiles_page(today: dt.date) -> dict[str, Any]:
    """Every profile's rules with their source: a seed section, or 本地设置 (a local setting); its texts (number,
    date, kind, stated validity) with a warning for one past its validity, a draft or a note, or a pilot another
    text says has ended; and what each printed document cites."""
    shown = []
    for profile in sorted(all_profiles().values(), key=lambda p: p.code):
        rows = [
            {
                "key": key,
                "label": label,
                "value": _shown(getattr(profile, key)),
                "source": profile.source(key),
                "seed": profile.source(key) != "local",
            }
            for key, label in PROFILE_KEYS.items()
        ]
        rows += [
            {
                "key": f"sla.{step}",
                "label": f"办理时限：{STEP_NAMES.get(step, step)}（工作日）",
                "value": str(rule.budget),
                "source": profile.source(f"sla.{step}"),
                "seed": profile.source(f"sla.{step}") != "local",
            }
            for step, rule in profile.sla.items()
        ]
        processes = [
            {
                "name": name,
                "steps": [
                    {
                        "code": s.step,
                        "label": s.label,
                        "by": CENTRE_NAMES[s.by],
                        "source": s.source,
                        "seed": s.source != "local",
                    }
                    for s in getattr(profile, key)
                ],
            }
            for key, name in (("filing_steps", "备案"), ("batch_steps", "认定实施"))
        ]
        shown.append(
            {
                "code": profile.code,
                "name": profile.name,
                "rows": rows,
                "processes": processes,
                "seed_count": sum(r["seed"] for r in rows),
                "local_count": sum(not r["seed"] for r in rows),
                "texts": [
                    {
                        "citation": t.citation,
                        "kind": KIND_NAMES[t.kind],
                        "issued_on": t.issued_on.isoformat() if t.issued_on else "未注明",
                        "valid_until": t.valid_until.isoformat() if t.valid_until else "未注明",
                    }
                    for t in profile.source_texts
                ],
                "warnings": text_warnings(profile.source_texts, today),
                "bases": [{"document": name, "basis": profile.basis(key) or "不引用（本省文件未规定）"}
                          for key, name in DOCUMENT_NAMES.items()],
            }
        )
    return {"profiles": shown, "warning_count": sum(len(p["warnings"]) for p in shown)}


CENTRE_NAMES = {"handling": "受理中心", "municipal": "市级中心", "provincial": "省级中心"}


OWNERSHIP_NAMES = {
    "central_branch": "央企驻地分支机构",
    "state_owned": "国有企业",
    "foreign": "外资企业",
    "private": "民营企业",
    "other": "其它",
}


def _number(value: Any) -> str:
    return f"{value:g}" if isinstance(value, (int, float)) else "—"


def application_facts(
    session: Session, case_type: str, case: FilingApplication | EvaluationPlan
) -> list[tuple[str, str]]:
    """What the application says, shown where the decision is taken (the task page, before claiming,
    and the case page): the officer never decides blind."""
    if case_type == "filing":
        form = case.form
        codes = {o["code"] for o in form.get("occupations", [])}
        names = {o.code: o.name for o in session.exec(select(OccupationRecord).where(OccupationRecord.code.in_(codes)))}
        occupations = "；".join(
            f"{names.get(o['code'], o['code'])}（{o['code']}）{'、'.join(Level.parse(x).display for x in o['levels'])}"
            + (f"，依据：{o['basis']}" if o.get("basis") else "")
            + (f"；{NORM_KINDS[o['norm']['kind']]}《{o['norm']['title']}》（企业声明不低于国家职业技能标准）"
               + (f"，调整内容：{o['norm']['adjustments']}" if o["norm"].get("adjustments") else "")
               if o.get("norm") else "")
            + (
                f"——企业岗位“{o['position_name']}”按相邻相近原则对应，理由：{o.get('mapping_reason', '')}"
                if o.get("position_name")
                else ""
            )
            for o in form.get("occupations", [])
        )
        funds = form.get("training_fund_wan") or []
        facts = [
            ("企业", form.get("enterprise_name", "")),
            ("统一社会信用代码", form.get("credit_code", "")),
            ("注册地", f"{form.get('registered_address', '')}（{division_name(case.region_code)}）"),
            ("受理中心", centre_name(case.handling_centre) if case.handling_centre else "—"),
            (
                "所有制",
                OWNERSHIP_NAMES.get(form.get("ownership", ""), form.get("ownership", ""))
                + ("，省属企业" if form.get("provincial_owned") else ""),
            ),
            ("注册资本", f"{_number(form.get('registered_capital_wan'))} 万元"),
            ("职工人数 / 技能人才", f"{form.get('employees', '—')} / {form.get('skilled_staff', '—')}"),
            ("近两年职工教育经费", "、".join(f"{_number(f)} 万元" for f in funds) if funds else "未填写"),
            ("申请评价的职业（工种）", occupations or "—"),
            ("经营范围", form.get("business_scope") or "—"),
            ("联系人", f"{form.get('contact_name', '')} {form.get('contact_phone', '')}"),
        ]
        if form.get("ministry_filed_occupations"):
            facts.append(("人社部备案职业（双备案）", "、".join(form["ministry_filed_occupations"])))
        return facts
    institution = session.get(Institution, case.institution_id)
    occupation = session.get(OccupationRecord, case.occupation_code)
    candidates = session.exec(select(Candidate).where(Candidate.plan_id == case.id)).all()
    by_level: dict[str, int] = {}
    for c in candidates:
        by_level[Level(c.level).display] = by_level.get(Level(c.level).display, 0) + 1
    relations: dict[str, int] = {}
    for c in candidates:
        relations[CANDIDATE_RELATIONS.get(c.relation, c.relation)] = (
            relations.get(CANDIDATE_RELATIONS.get(c.relation, c.relation), 0) + 1
        )
    staff = case.staff or {}
    names = {c.id: c.name for c in candidates}
    routed = session.exec(select(Score).where(Score.candidate_id.in_(names), Score.route != "scored")).all()
    by_route = [  # 004 §三(二)(三): who passes by direct recognition or a competition, and on what
        (f"{EVALUATION_ROUTES.get(s.route, s.route)}：{names[s.candidate_id]}",
         "；".join(str(v) for v in (s.evidence.get("basis"), s.evidence.get("award"),
                                    f"从业 {s.evidence['years']} 年" if s.evidence.get("years") else None,
                                    s.evidence.get("competition"),
                                    f"第 {s.evidence['rank']} 名" if s.evidence.get("rank") else None) if v))
        for s in routed
    ]
    return [
        ("评价机构", institution.name if institution else "—"),
        ("职业（工种）", f"{occupation.name if occupation else ''}（{case.occupation_code}）"),
        ("考核日期", f"{case.evaluation_start} 至 {case.evaluation_end}"),
        ("考核场地", case.site or "—"),
        ("受理中心", centre_name(case.handling_centre) if case.handling_centre else "—"),
        ("考生", f"{len(candidates)} 人：" + "、".join(f"{k} {v} 人" for k, v in sorted(by_level.items()))),
        ("考生类别", "、".join(f"{k} {v} 人" for k, v in relations.items()) or "—"),
        ("考评人员", "、".join(staff.get("evaluators", [])) or "—"),
        ("监考人员", "、".join(staff.get("proctors", [])) or "—"),
        ("质量督导员", "、".join(staff.get("quality_supervisors", [])) or "—"),
        ("培训情况", staff.get("training_summary") or "—"),
        *by_route,
    ]
