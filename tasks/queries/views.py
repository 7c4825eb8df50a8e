"""View-models: what the API and the pages show, computed once here (templates compute nothing)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlmodel import Session, col, select

from core.clock import iso_day
from models.accounts import User
from models.audit import AuditEvent
from models.case_kinds import case_table
from models.cases import (
    Candidate,
    Certificate,
    DeficiencyNotice,
    EvaluationPlan,
    FilingApplication,
    Institution,
    InstitutionOccupation,
    Objection,
    PilotPlan,
    Score,
)
from models.catalogue import OccupationRecord
from models.clock import business_today
from models.workflow import HumanTask, Incident, Timer
from policy.deadline_explanations import explain
from policy.identity import mask_resident_id
from policy.levels import Level
from policy.profiles import get_profile
from policy.steps import STEP_NAMES, TIMER_PURPOSES
from tasks.waits.calendar import holiday_names, load_calendar
from tasks.waits.inactivity import inactivity_view


def iso(value: dt.datetime | None) -> str | None:
    """Timestamps leave with an offset; SQLite hands them back naive, and we store UTC."""
    if value is None:
        return None
    if value.tzinfo is None:
        value = value.replace(tzinfo=dt.UTC)
    return value.isoformat()


class Today:
    """The business date and calendar, read once per request and shared by every row it shows."""

    def __init__(self, session: Session) -> None:
        self.session = session
        self.date = business_today(session)
        self.calendar = load_calendar(session)
        self._names: dict[dt.date, str] | None = None
        self._profiles: dict[tuple[str, int], str | None] = {}

    @property
    def holiday_names(self) -> dict[dt.date, str]:
        if self._names is None:
            self._names = holiday_names(self.session)
        return self._names

    def profile_of(self, case_type: str, case_id: int) -> str | None:
        """The profile code of a case (read once per case and request); a quarterly report has none."""
        key = (case_type, case_id)
        if key not in self._profiles:
            case = self.session.get(case_table(case_type), case_id)
            self._profiles[key] = getattr(case, "profile_code", None)
        return self._profiles[key]


def task_deadline_explanation(task: HumanTask, today: Today) -> dict[str, Any]:
    """How the task's due date was reached: its step's working days from the day it opened, with the rule's
    source in the case's profile; a clock that was paused (the step waited on the applicant) says so."""
    step_name = STEP_NAMES.get(task.step, task.step)
    code = today.profile_of(task.case_type, task.case_id)
    profile = get_profile(code) if code else None
    rule = profile.sla.get(task.step) if profile else None
    source = None
    if profile is not None and rule is not None and rule.budget == task.due_working_days:
        written = profile.source(f"sla.{task.step}")
        source = "本地设置" if written == "local" else written
    told = explain(today.calendar, task.created_on, task.due_working_days, start_day_counts=task.start_day_counts,
                   holiday_names=today.holiday_names, rule=f"{step_name}：{task.due_working_days} 个工作日",
                   source=source)
    shown = told.as_dict()
    if told.due != task.due_date:
        shown["text"] += f"该环节的计时曾暂停，截止日期相应顺延至 {task.due_date.isoformat()}。"
        shown["paused"] = True
    else:
        shown["paused"] = False
    return shown


def deadline(session: Session, due: dt.date, provisional: bool, today: Today | None = None) -> dict[str, Any]:
    today = today or Today(session)
    left = today.calendar.count_between(today.date, due)
    return {"due_date": due.isoformat(), "provisional": provisional, "working_days_left": left, "overdue": left < 0}


def task_view(session: Session, task: HumanTask, today: Today | None = None, *,
              explained: bool = True) -> dict[str, Any]:
    """The task as the API answers it; `explained=False` leaves out how the due date was counted (an export of
    thousands of rows that does not print it)."""
    today = today or Today(session)
    return {
        "id": task.id, "case_type": task.case_type, "case_id": task.case_id, "step": task.step,
        "step_name": STEP_NAMES.get(task.step, task.step), "role": task.role, "jurisdiction": task.jurisdiction,
        "status": task.status, "assignee_id": task.assignee_id, "version": task.version,
        "created_on": task.created_on.isoformat(), **deadline(session, task.due_date, task.due_provisional, today),
        "due_explanation": task_deadline_explanation(task, today) if explained else None,
        "decision": task.decision, "decision_payload": task.decision_payload, "decided_at": iso(task.decided_at),
        "objection_id": int(task.key.split(":")[1]) if task.key.startswith("objection:") else None,
    }


# What the applicant is not shown (POLICY: draws and who was drawn stay with the centre until the
# check has happened; panel members and their individual sheets are never shown to the applicant).
HIDDEN_FROM_APPLICANT_STEPS = {"quality_supervision"}
ANONYMOUS_TO_APPLICANT_STEPS = {"expert_evaluation"}
APPLICANT_DECISION_STEPS = {"acceptance", "results_review", "objection_investigation", "objection_review",
                            "roster_review"}  # decisions addressed to them
HIDDEN_FROM_APPLICANT_ACTIONS = {"draw_made", "supervision_drawn", "note_added"}  # notes: the centre's own
NEUTRAL_INCIDENT = (
    "国家系统暂时无法完成此操作，中心正在处理 / the national system has not completed this yet; the centre is on it"
)


# a refusal is about the enterprise's own data: it reads each reason on the candidate and corrects it
REFUSAL_TO_CORRECT = (
    "全国联网系统退回了部分证书：退回原因见各考生的 national_refusal。请核对持证人姓名和身份证号，"
    "通过企业接口更正考生信息（PATCH /api/v1/plans/{plan}/candidates/{candidate}），中心随后重新报送 / the "
    "national system refused some certificates: each candidate's national_refusal says why; correct the "
    "holder's data and the centre sends it again"
)


def for_applicant(viewer: User | None) -> bool:
    return viewer is not None and viewer.role == "enterprise"


def _step_of(action: str) -> str:
    return action.split(":", 1)[1] if ":" in action else ""


def history(session: Session, case_type: str, case_id: int, *, viewer: User | None = None) -> list[dict[str, Any]]:
    events = session.exec(
        select(AuditEvent)
        .where(AuditEvent.case_type == case_type, AuditEvent.case_id == case_id)
        .order_by(col(AuditEvent.id))
    ).all()
    applicant = for_applicant(viewer)
    shown = []
    for e in events:
        entry = {
            "action": e.action,
            "actor_id": e.actor_id,
            "actor_role": e.actor_role,
            "business_time": iso(e.business_time),
            "wall_time": iso(e.wall_time),
            "before": e.before,
            "after": e.after,
        }
        if applicant:
            step = _step_of(e.action)
            if e.action in HIDDEN_FROM_APPLICANT_ACTIONS or step in HIDDEN_FROM_APPLICANT_STEPS:
                continue
            if step in ANONYMOUS_TO_APPLICANT_STEPS or e.actor_role in ("expert", "supervisor"):
                entry.update(actor_id=None, before=None, after=None)
        shown.append(entry)
    return shown


def case_tasks(session: Session, case_type: str, case_id: int, viewer: User | None = None) -> list[dict[str, Any]]:
    tasks = session.exec(
        select(HumanTask).where(HumanTask.case_type == case_type, HumanTask.case_id == case_id)
        .order_by(col(HumanTask.id))
    ).all()
    today = Today(session)
    if not for_applicant(viewer):
        return [task_view(session, t, today) for t in tasks]
    shown = []
    for task in tasks:
        if task.step in HIDDEN_FROM_APPLICANT_STEPS:
            continue
        view = task_view(session, task, today)
        view["assignee_id"] = None
        if task.step not in APPLICANT_DECISION_STEPS:
            view["decision_payload"] = None
        shown.append(view)
    return shown


def panel_result(session: Session, filing_id: int) -> AuditEvent | None:
    """The latest expert panel's result of a filing (passed, mean_score), as its audit entry recorded it."""
    return session.exec(
        select(AuditEvent)
        .where(
            AuditEvent.case_type == "filing",
            AuditEvent.case_id == filing_id,
            AuditEvent.action == "expert_panel_result",
        )
        .order_by(col(AuditEvent.id).desc())
    ).first()


def _expert_panel(session: Session, filing_id: int) -> dict[str, Any] | None:
    """The panel's result and the reasons given, without who gave them (for the applicant)."""
    result = panel_result(session, filing_id)
    if result is None:
        return None
    sheets = session.exec(
        select(HumanTask).where(
            HumanTask.case_type == "filing",
            HumanTask.case_id == filing_id,
            HumanTask.step == "expert_evaluation",
            HumanTask.status == "decided",
        )
    ).all()
    reasons = sorted({(t.decision_payload or {}).get("reason", "") for t in sheets} - {""})
    return {
        "passed": (result.after or {}).get("passed"),
        "mean_score": (result.after or {}).get("mean_score"),
        "reasons": reasons,
    }


def case_timers(session: Session, case_type: str, case_id: int) -> list[dict[str, Any]]:
    timers = session.exec(
        select(Timer).where(col(Timer.case_type) == case_type, col(Timer.case_id) == case_id).order_by(col(Timer.id))
    ).all()
    today = Today(session)
    return [
        {
            "purpose": t.purpose,
            "period_end": t.period_end.isoformat(),
            "fires_on": t.due_date.isoformat(),
            "provisional": t.provisional,
            "status": t.status,
            "due_explanation": timer_deadline_explanation(t, today),
        }
        for t in timers
    ]


def timer_deadline_explanation(timer: Timer, today: Today) -> dict[str, Any] | None:
    """How a working-day timer's period was counted, and the day the process goes on; None for a fixed date (an
    evaluation day the plan names is not counted, it is given)."""
    if timer.working_days is None:
        return None
    label = TIMER_PURPOSES.get(timer.purpose, timer.purpose)
    told = explain(today.calendar, timer.start_date, timer.working_days, start_day_counts=timer.start_day_counts,
                   holiday_names=today.holiday_names, rule=f"{label}：{timer.working_days} 个工作日")
    shown = told.as_dict()
    shown["paused"] = told.due != timer.period_end
    if shown["paused"]:
        shown["text"] += f"期间曾顺延，期满日为 {timer.period_end.isoformat()}。"
    shown["text"] += f"期满次日（{timer.due_date.isoformat()}）流程继续。"
    return shown


def _objections(session: Session, case_type: str, case_id: int, viewer: User | None = None) -> list[dict[str, Any]]:
    rows = session.exec(select(Objection).where(Objection.case_type == case_type, Objection.case_id == case_id)).all()
    views = [
        {
            "id": o.id,
            "text": o.text,
            "candidate_id": o.candidate_id,
            "raised_at": iso(o.raised_at),
            "investigated_by": o.investigated_by,
            "outcome": o.outcome,
        }
        for o in rows
    ]
    if not for_applicant(viewer):  # the centre sees who objected and how to reach them; the applicant does not
        for view, o in zip(views, rows, strict=True):
            view.update(raised_by=o.raised_by, contact=o.contact)
    return views


def _incidents(session: Session, case_type: str, case_id: int, viewer: User | None = None) -> list[dict[str, Any]]:
    rows = session.exec(select(Incident).where(Incident.case_type == case_type, Incident.case_id == case_id)).all()
    if for_applicant(viewer):  # an external system's raw error is for operations, not the applicant
        return [{"id": i.id, "kind": i.kind, "status": i.status,
                 "message": REFUSAL_TO_CORRECT if i.kind == "certificate_refusal" else NEUTRAL_INCIDENT} for i in rows]
    return [{"id": i.id, "kind": i.kind, "status": i.status, "attempts": i.attempts, "error": i.error} for i in rows]


def _supervision(session: Session, plan: EvaluationPlan, viewer: User | None) -> dict[str, Any] | None:
    outcome = (
        {
            "verdict": plan.supervision_verdict,
            "corrections": plan.corrections,
            "corrections_answer": plan.corrections_answer,
            "corrections_answered_at": iso(plan.corrections_answered_at),
        }
        if plan.supervision_verdict
        else {}
    )
    if not for_applicant(viewer):
        return {
            "supervised": plan.supervised,
            "supervisor_id": plan.supervisor_id,
            "draw_id": plan.supervision_draw_id,
            **outcome,
        }
    # the enterprise learns nothing of the draw before the supervision has taken place
    if plan.supervised:
        report = session.exec(
            select(HumanTask).where(
                HumanTask.case_type == "plan",
                HumanTask.case_id == plan.id,
                HumanTask.step == "quality_supervision",
                HumanTask.status == "decided",
            )
        ).first()
        return (
            {"supervised": True, "report": (report.decision_payload or {}).get("reason"), **outcome} if report else None
        )
    if plan.supervised is False and plan.evaluation_end < business_today(session):
        return {"supervised": False}
    return None


def filing_summary(filing: FilingApplication) -> dict[str, Any]:
    """What a POST answers: the new case and where to follow it (GET /filings/{id} has the rest)."""
    return {
        "id": filing.id,
        "status": filing.status,
        "current_step": filing.current_step,
        "institution_id": filing.institution_id,
        "enterprise_name": filing.form.get("enterprise_name"),
        "region_code": filing.region_code,
        "handling_centre": filing.handling_centre or None,
        "profile": filing.profile_code,
        "created_at": iso(filing.created_at),
        "href": f"/api/v1/filings/{filing.id}",
    }


def _certificate_of(certificate: Certificate | None) -> dict[str, Any]:
    """A candidate's certificate as its plan shows it: number, status, and the national system's reason
    while it stands refused."""
    if certificate is None:
        return {"certificate_number": None, "certificate_status": None, "national_refusal": None}
    refused = certificate.national_refusal if certificate.status == "pending" else None
    return {"certificate_number": certificate.number, "certificate_status": certificate.status,
            "national_refusal": refused}


def filing_view(
    session: Session, filing: FilingApplication, *, viewer: User | None = None, with_history: bool = True
) -> dict[str, Any]:
    institution = session.get(Institution, filing.institution_id)
    notices = session.exec(
        select(DeficiencyNotice).where(DeficiencyNotice.filing_id == filing.id).order_by(col(DeficiencyNotice.round))
    ).all()
    view = {
        "id": filing.id,
        "status": filing.status,
        "current_step": filing.current_step,
        "institution_id": filing.institution_id,
        "enterprise_name": filing.form.get("enterprise_name"),
        "region_code": filing.region_code,
        "handling_centre": filing.handling_centre or None,
        "profile": filing.profile_code,
        "deficiency_rounds": filing.deficiency_rounds,
        "deficiency_notices": [
            {
                "round": n.round + 1,  # notice 1 is the first: as printed, and as /notices/1.pdf
                "items": [i["text"] for i in n.items],
                "issued_at": iso(n.issued_at),
                "resubmitted_at": iso(n.resubmitted_at),
            }
            for n in notices
        ],
        "publicity": (
            {
                "start": filing.publicity_start.isoformat(),
                "end": filing.publicity_end.isoformat(),
                "provisional": filing.publicity_provisional,
            }
            if filing.publicity_start and filing.publicity_end
            else None
        ),
        "receipt_number": filing.receipt_number,
        "segment": institution.segment if institution else None,
        "outcome_reason": filing.outcome_reason,
        "flow_run_id": filing.flow_run_id,
        "expert_panel": _expert_panel(session, filing.id),
        "pilot_plans": [
            {"round": p.round + 1, "submitted_at": iso(p.submitted_at), "outcome": p.outcome,
             "reasons": p.outcome_reasons}
            for p in session.exec(
                select(PilotPlan).where(col(PilotPlan.filing_id) == filing.id).order_by(col(PilotPlan.round))
            ).all()
        ],
        "pilot_plan_approved_on": (
            institution.pilot_plan_approved_on.isoformat()
            if institution and institution.pilot_plan_approved_on
            else None
        ),
        "tasks": case_tasks(session, "filing", filing.id, viewer),
        "timers": case_timers(session, "filing", filing.id),
        "objections": _objections(session, "filing", filing.id, viewer),
        "incidents": _incidents(session, "filing", filing.id, viewer),
        "created_at": iso(filing.created_at),
        "updated_at": iso(filing.updated_at),
    }
    if with_history:
        view["history"] = history(session, "filing", filing.id, viewer=viewer)
    return view


def plan_view(
    session: Session, plan: EvaluationPlan, *, viewer: User | None = None, with_history: bool = True
) -> dict[str, Any]:
    rows = session.exec(
        select(Candidate, Score)
        .join(Score, col(Score.candidate_id) == col(Candidate.id), isouter=True)
        .where(Candidate.plan_id == plan.id)
        .order_by(col(Candidate.id))
    ).all()
    certificates = {
        c.candidate_id: c for c in session.exec(select(Certificate).where(Certificate.plan_id == plan.id)).all()
    }
    view = {
        "id": plan.id,
        "institution_id": plan.institution_id,
        "status": plan.status,
        "current_step": plan.current_step,
        "profile": plan.profile_code,
        "handling_centre": plan.handling_centre or None,
        "occupation_code": plan.occupation_code,
        "evaluation_start": plan.evaluation_start.isoformat(),
        "evaluation_end": plan.evaluation_end.isoformat(),
        "filed_on": plan.filed_on.isoformat(),
        "site": plan.site,
        "supervision": _supervision(session, plan, viewer),
        "results_due": plan.results_due.isoformat() if plan.results_due else None,
        "results_late": plan.results_late,
        "results_submitted_on": plan.results_submitted_on.isoformat() if plan.results_submitted_on else None,
        "publicity": (
            {"start": plan.publicity_start.isoformat(), "end": plan.publicity_end.isoformat()}
            if plan.publicity_start and plan.publicity_end
            else None
        ),
        "review_rounds": plan.review_rounds,
        "outcome_reason": plan.outcome_reason,
        "candidates": [
            {
                "id": c.id,
                "name": c.name,
                "id_number": mask_resident_id(c.id_number),
                "relation": c.relation,
                "level": Level(c.level).display,
                "enterprise_title": c.enterprise_title,
                "excluded_reason": c.excluded_reason,
                "score": (
                    {"theory": s.theory, "practical": s.practical, "performance": s.performance, "passed": s.passed,
                     "route": s.route, "evidence": s.evidence or None}
                    if s
                    else None
                ),
                **_certificate_of(certificates.get(c.id)),
            }
            for c, s in rows
        ],
        # issued: acknowledged by the national system; a refused one is numbered, not issued
        "certificates_issued": sum(c.status != "pending" for c in certificates.values()),
        "flow_run_id": plan.flow_run_id,
        "tasks": case_tasks(session, "plan", plan.id, viewer),
        "timers": case_timers(session, "plan", plan.id),
        "objections": _objections(session, "plan", plan.id, viewer),
        "incidents": _incidents(session, "plan", plan.id, viewer),
    }
    if with_history:
        view["history"] = history(session, "plan", plan.id, viewer=viewer)
    return view


CERTIFICATE_STATUS = {"pending": "已报送，待全国联网确认", "valid": "有效", "revoked": "已撤销"}


def certificate_view(certificate: Certificate, institution: Institution | None) -> dict[str, Any]:
    return {
        "number": certificate.number,
        "holder_name": certificate.holder_name,
        "id_number": mask_resident_id(certificate.id_number),
        "occupation_code": certificate.occupation_code,
        "occupation_name": certificate.occupation_name,
        "level": Level(certificate.level).display,
        "enterprise_title": certificate.enterprise_title,
        "institution": institution.name if institution else None,
        "issued_on": certificate.issued_on.isoformat(),
        "status": certificate.status,
        "status_label": CERTIFICATE_STATUS[certificate.status],
        "plan_id": certificate.plan_id,
        "national_acknowledged_at": certificate.uploaded_at.isoformat() if certificate.uploaded_at else None,
        "revoked_on": certificate.revoked_on.isoformat() if certificate.revoked_on else None,
        "national_refusal": certificate.national_refusal,
    }


def institution_view(session: Session, institution: Institution) -> dict[str, Any]:
    """The institution for itself and its centre: the catalogue entry and its inactivity clock."""
    return {**institution_public_view(session, institution), "inactivity": inactivity_view(session, institution)}


def removal_view(institution: Institution) -> dict[str, Any]:
    """A catalogue removal as the public sees it (动态调整): who, when, which category of reason."""
    return {
        "id": institution.id,
        "name": institution.name,
        "region_code": institution.region_code,
        "segment": institution.segment,
        "removed_on": iso_day(institution.removed_on),
        "reason": institution.removal_reason,
        "reason_label": REMOVAL_REASONS.get(institution.removal_reason or "", ""),
    }


REMOVAL_REASONS = {"inactivity": "连续未开展评价，视同自行退出", "cancelled": "取消备案"}


def institution_public_view(session: Session, institution: Institution) -> dict[str, Any]:
    scope = session.exec(
        select(InstitutionOccupation, OccupationRecord)
        .join(OccupationRecord, col(OccupationRecord.code) == col(InstitutionOccupation.occupation_code))
        .where(InstitutionOccupation.institution_id == institution.id)
    ).all()
    return {
        "id": institution.id,
        "name": institution.name,
        "region_code": institution.region_code,
        "segment": institution.segment,
        "registered_on": institution.registered_on.isoformat() if institution.registered_on else None,
        "status": institution.status,
        "ladder": [{"title": row["title"], "level": Level(row["level"]).display} for row in institution.ladder],
        "occupations": [
            {"code": o.code, "name": o.name, "levels": [Level(int(d)).display for d in s.levels]} for s, o in scope
        ],
    }
