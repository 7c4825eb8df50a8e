"""Rosters and results exchanged as .xlsx: a plan filed with its roster as a workbook, results handed
in as a workbook, and the officers' exports (a batch's roster, results and certificates; the inbox).
Each import is one call of the same service as the JSON route, so the rules are the same; its row
problems come back as row, column and problem."""

from __future__ import annotations

import json
from typing import Any

from pydantic import ValidationError
from sqlmodel import Session, col, select

from core.clock import china_date
from models.accounts import User
from models.case_kinds import CASE_LABELS
from models.cases import Candidate, Certificate, EvaluationPlan, Score
from models.schemas import PlanCreate, ResultsCreate
from models.workflow import HumanTask
from policy.eligibility import Violation
from policy.levels import Level
from policy.steps import STEP_NAMES
from tasks.adapters import spreadsheets
from tasks.adapters.spreadsheets import RESULTS, ROSTER, SheetProblems
from tasks.cases import batch
from tasks.errors import Problems
from tasks.people import access
from tasks.queries import views

RELATION_LABELS = {v: k for k, v in spreadsheets.RELATIONS.items()}
DIPLOMA_LABELS = {v: k for k, v in spreadsheets.DIPLOMAS.items()}


def _plan_fields(plan_json: str) -> dict[str, Any]:
    try:
        fields = json.loads(plan_json)
    except ValueError as exc:
        problem = Violation("plan.json", "plan", f"plan 字段不是 JSON / the plan field is not JSON: {exc}")
        raise Problems([problem]) from None
    if not isinstance(fields, dict) or "candidates" in fields:
        raise Problems([Violation("plan.json", "plan", "plan 须为认定计划的 JSON 对象（考生在花名册中） / the plan "
                                                      "field is the plan's JSON object, without candidates (they are "
                                                      "the roster)")])
    return fields


def file_plan_with_roster(session: Session, *, user: User, institution_id: int, plan_json: str,
                          roster: bytes) -> EvaluationPlan:
    """The plan of `plan_json` with the roster's candidates, filed as POST …/plans files it: all or nothing."""
    batch.institution_filing_plans(session, user, institution_id)  # who and when, before any parsing
    fields = _plan_fields(plan_json)
    sheet, rows = spreadsheets.parse_roster(roster)
    try:
        body = PlanCreate.model_validate(fields | {"candidates": [c for _, c in rows]})
    except ValidationError as exc:
        raise Problems([Violation("plan.invalid", ".".join(str(p) for p in e["loc"]), e["msg"])
                        for e in exc.errors()]) from None
    try:
        return batch.file_plan(session, user=user, institution_id=institution_id, body=body)
    except Problems as refused:
        by_row = spreadsheets.rows_of(refused.violations, ROSTER, [n for n, _ in rows])
        if any(p.row for p in by_row):
            raise SheetProblems(by_row, sheet) from refused
        raise


def submit_results_sheet(session: Session, *, user: User, plan_id: int, content: bytes) -> EvaluationPlan:
    """The results of a workbook (people by ID number), submitted as POST …/results submits them."""
    batch.plan_taking_results(session, user, plan_id)  # who and when, before any parsing
    ids = {c.id_number.upper(): c.id for c in session.exec(select(Candidate).where(Candidate.plan_id == plan_id))}
    sheet, rows = spreadsheets.parse_results(content, ids)
    try:
        return batch.submit_results(session, user=user, plan_id=plan_id,
                                    body=ResultsCreate(scores=[s for _, s in rows]))
    except Problems as refused:
        by_row = spreadsheets.rows_of([Violation(v.code, v.field.replace("scores[", "candidates[", 1), v.message)
                                       for v in refused.violations], RESULTS, [n for n, _ in rows])
        if any(p.row for p in by_row):
            raise SheetProblems(by_row, sheet) from refused
        raise


def results_template(session: Session, user: User, plan_id: int) -> bytes:
    access.visible_plan(session, user, plan_id)
    candidates = session.exec(select(Candidate).where(Candidate.plan_id == plan_id, Candidate.excluded_reason == None)  # noqa: E711
                              .order_by(col(Candidate.id))).all()
    return spreadsheets.results_template([{"name": c.name, "id_number": c.id_number} for c in candidates])


# -- exports for officers (and the institution itself) ------------------------------------------------


def _candidates(session: Session, plan_id: int) -> list[Candidate]:
    return list(session.exec(select(Candidate).where(col(Candidate.plan_id) == plan_id).order_by(col(Candidate.id))))


def roster_export(session: Session, user: User, plan_id: int) -> bytes:
    access.visible_case(session, user, "plan", plan_id)
    rows = []
    for c in _candidates(session, plan_id):
        facts = c.eligibility
        rows.append([c.name, c.id_number, RELATION_LABELS.get(c.relation, c.relation), c.level,
                     c.months_with_enterprise, facts.get("affiliate_name", ""), facts.get("mandating_enterprise", ""),
                     facts.get("social_insurance_region", ""), facts.get("workplace_region", ""),
                     facts.get("years_in_occupation"), facts.get("held_level"), facts.get("held_level_years"),
                     DIPLOMA_LABELS.get(facts.get("diploma", ""), facts.get("diploma", "")), c.enterprise_title])
    return spreadsheets.workbook(f"花名册-批次{plan_id}", [c.header for c in ROSTER], rows)


def results_export(session: Session, user: User, plan_id: int) -> bytes:
    access.visible_case(session, user, "plan", plan_id)
    candidates = _candidates(session, plan_id)
    scores = {
        s.candidate_id: s
        for s in session.exec(select(Score).where(col(Score.candidate_id).in_([c.id for c in candidates])))
    }
    rows = []
    for c in candidates:
        score = scores.get(c.id)
        rows.append(
            [
                c.name,
                c.id_number,
                Level(c.level).display,
                score.theory if score else None,
                score.practical if score else None,
                score.performance if score else None,
                "" if score is None else ("合格" if score.passed else "不合格"),
                c.excluded_reason or "",
            ]
        )
    return spreadsheets.workbook(
        f"成绩-批次{plan_id}",
        ["姓名", "身份证号", "申报等级", "理论知识", "操作技能", "业绩评审", "结果", "取消资格原因"],
        rows,
    )


def certificates_export(session: Session, user: User, plan_id: int) -> bytes:
    access.visible_case(session, user, "plan", plan_id)
    certificates = session.exec(select(Certificate).where(Certificate.plan_id == plan_id).order_by(Certificate.number))
    rows = [
        [
            c.number,
            c.holder_name,
            c.id_number,
            f"{c.occupation_name}（{c.occupation_code}）",
            Level(c.level).display,
            c.enterprise_title,
            c.issued_on.isoformat(),
            "有效" if c.status == "valid" else "已撤销",
            c.revoked_reason or "",
            china_date(c.uploaded_at).isoformat() if c.uploaded_at else "",
        ]
        for c in certificates
    ]
    return spreadsheets.workbook(
        f"证书-批次{plan_id}",
        [
            "证书编号",
            "姓名",
            "身份证号",
            "职业（工种）",
            "等级",
            "企业岗位等级",
            "发证日期",
            "状态",
            "撤销原因",
            "国家系统确认日期",
        ],
        rows,
    )


def inbox_export(session: Session, user: User, status: str = "active") -> bytes:
    query = select(HumanTask).where(access.inbox_filter(user))
    query = query.where(access.ACTIVE) if status == "active" else query
    today = views.Today(session)
    rows = []
    for task in session.exec(query.order_by(col(HumanTask.due_date), col(HumanTask.id)).limit(10_000)):
        due = views.deadline(session, task.due_date, task.due_provisional, today)
        rows.append(
            [
                task.id,
                STEP_NAMES.get(task.step, task.step),
                f"{CASE_LABELS.get(task.case_type, task.case_type)} #{task.case_id}",
                task.jurisdiction,
                due.due_date.isoformat(),
                due.working_days_left,
                task.status,
                task.created_on.isoformat(),
            ]
        )
    return spreadsheets.workbook(
        "我的待办", ["待办编号", "环节", "案件", "辖区", "办理期限", "剩余工作日", "状态", "创建日期"], rows
    )
