"""View-models of the dashboard's inbox, team and settings pages, and the wording every dashboard page shares:
statuses, decisions, dates and deadline texts are made here, in Chinese, so that the templates only place what they
are given (the task, case, operations and rules pages: task_pages, case_pages, ops_pages, profile_pages)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import func, tuple_
from sqlmodel import Session, select

from api.dashboard import supervision_pages
from core import settings
from core.clock import CHINA
from models.accounts import User
from models.case_kinds import CASE_LABELS
from models.cases import (
    Candidate,
    EvaluationPlan,
    FilingApplication,
    Institution,
    Score,
)
from models.catalogue import OccupationRecord
from models.reports import QuarterlyReport
from models.supervision import SupervisionCase
from models.workflow import HumanTask
from policy.eligibility import NORM_KINDS
from policy.levels import Level
from policy.profiles import (
    CANDIDATE_RELATIONS,
    EVALUATION_ROUTES,
    centre_name,
    division_name,
)
from policy.steps import STEP_NAMES
from tasks.people import access
from tasks.queries import views
from tasks.waits import digest

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


def date_text(value: dt.date) -> str:
    return f"{value.year}年{value.month}月{value.day}日"


def time_text(value: dt.datetime | None) -> str:
    if value is None:
        return ""
    if value.tzinfo is None:
        value = value.replace(tzinfo=dt.UTC)

    return value.astimezone(CHINA).strftime("%Y-%m-%d %H:%M")


def deadline_view(due: dt.date, provisional: bool, today: views.Today) -> dict[str, Any]:
    left = today.calendar.count_between(today.date, due)
    text, tone = deadline_text(left)
    return {
        "due_date": date_text(due),
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
        **deadline_view(task.due_date, task.due_provisional, today),
    }


def names_of(session: Session, ids: set[int | None]) -> dict[int, str]:
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
    holders = {c.id: c.name for c in colleagues} | names_of(session, {t.assignee_id for t in tasks})
    groups: dict[int | None, list[HumanTask]] = {None: []} | {c.id: [] for c in colleagues}
    for task in tasks:
        groups.setdefault(task.assignee_id if task.status == "claimed" else None, []).append(task)

    def group(holder: int | None, held: list[HumanTask]) -> dict[str, Any]:
        rows = [{"id": t.id, "href": f"/dashboard/tasks/{t.id}", "step_name": STEP_NAMES.get(t.step, t.step),
                 "case": labels.get((t.case_type, t.case_id), {"kind": "", "title": "", "href": "#",
                                                                 "ref": f"#{t.case_id}"}),
                 **deadline_view(t.due_date, t.due_provisional, today)} for t in held]
        name = "待领取" if holder is None else holders.get(holder, "") + ("（本人）" if holder == user.id else "")
        return {"holder": name, "unclaimed": holder is None, "count": len(rows), "rows": rows,
                "overdue": sum(r["tone"] == "overdue" for r in rows),
                "earliest": rows[0]["due_date"] if rows else ""}

    return {"centre": centre_name(user.jurisdiction or ""), "today": date_text(today.date), "total": len(tasks),
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
    names = names_of(session, {t.assignee_id for t in tasks})
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
        "today": date_text(today.date),
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
