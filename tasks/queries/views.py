"""View-models: what the API and the pages show, computed once here (templates compute nothing)."""

from __future__ import annotations

import datetime as dt

from sqlmodel import Session, col, select

from models import responses as out
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


def task_deadline_explanation(task: HumanTask, today: Today) -> out.DeadlineExplanation:
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
    if told.due != task.due_date:
        return out.DeadlineExplanation.of(told, paused=True, text=f"{told.as_text()}该环节的计时曾暂停，截止日期相应"
                                                                  f"顺延至 {task.due_date.isoformat()}。")
    return out.DeadlineExplanation.of(told, paused=False)



def deadline(session: Session, due: dt.date, provisional: bool, today: Today | None = None) -> out.Deadline:
    today = today or Today(session)
    left = today.calendar.count_between(today.date, due)
    return out.Deadline(due_date=due, provisional=provisional, working_days_left=left, overdue=left < 0)



def task_view(session: Session, task: HumanTask, today: Today | None = None) -> out.TaskOut:
    """The task as the API answers it."""
    today = today or Today(session)
    due = deadline(session, task.due_date, task.due_provisional, today)
    return out.TaskOut(
        id=task.id, case_type=task.case_type, case_id=task.case_id, step=task.step,
        step_name=STEP_NAMES.get(task.step, task.step), role=task.role, jurisdiction=task.jurisdiction,
        status=task.status, assignee_id=task.assignee_id, version=task.version, created_on=task.created_on,
        due_date=due.due_date, provisional=due.provisional, working_days_left=due.working_days_left,
        overdue=due.overdue, due_explanation=task_deadline_explanation(task, today), decision=task.decision,
        decision_payload=task.decision_payload, decided_at=task.decided_at,
        objection_id=int(task.key.split(":")[1]) if task.key.startswith("objection:") else None,
    )



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


def history(session: Session, case_type: str, case_id: int, *, viewer: User | None = None) -> list[out.HistoryEntry]:
    events = session.exec(
        select(AuditEvent)
        .where(AuditEvent.case_type == case_type, AuditEvent.case_id == case_id)
        .order_by(col(AuditEvent.id))
    ).all()
    applicant = for_applicant(viewer)
    shown = []
    for e in events:
        step = _step_of(e.action)
        if applicant and (e.action in HIDDEN_FROM_APPLICANT_ACTIONS or step in HIDDEN_FROM_APPLICANT_STEPS):
            continue
        anonymous = applicant and (step in ANONYMOUS_TO_APPLICANT_STEPS or e.actor_role in ("expert", "supervisor"))
        shown.append(out.HistoryEntry(
            action=e.action, actor_id=None if anonymous else e.actor_id, actor_role=e.actor_role,
            business_time=e.business_time, wall_time=e.wall_time, before=None if anonymous else e.before,
            after=None if anonymous else e.after))
    return shown



def case_tasks(session: Session, case_type: str, case_id: int, viewer: User | None = None) -> list[out.TaskOut]:
    tasks = session.exec(
        select(HumanTask).where(HumanTask.case_type == case_type, HumanTask.case_id == case_id)
        .order_by(col(HumanTask.id))
    ).all()
    today = Today(session)
    if not for_applicant(viewer):
        return [task_view(session, t, today) for t in tasks]
    return [task_view(session, task, today).model_copy(update={  # who took it, and the sheets, stay with the centre
        "assignee_id": None,
        "decision_payload": task.decision_payload if task.step in APPLICANT_DECISION_STEPS else None})
        for task in tasks if task.step not in HIDDEN_FROM_APPLICANT_STEPS]



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


def _expert_panel(session: Session, filing_id: int) -> out.ExpertPanelOut | None:
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
    recorded = result.after or {}
    return out.ExpertPanelOut(passed=recorded.get("passed"), mean_score=recorded.get("mean_score"), reasons=reasons)



def case_timers(session: Session, case_type: str, case_id: int) -> list[out.TimerOut]:
    timers = session.exec(
        select(Timer).where(Timer.case_type == case_type, Timer.case_id == case_id).order_by(col(Timer.id))
    ).all()
    today = Today(session)
    return [out.TimerOut(purpose=t.purpose, period_end=t.period_end, fires_on=t.due_date, provisional=t.provisional,
                         status=t.status, due_explanation=timer_deadline_explanation(t, today)) for t in timers]



def timer_deadline_explanation(timer: Timer, today: Today) -> out.DeadlineExplanation | None:
    """How a working-day timer's period was counted, and the day the process goes on; None for a fixed date (an
    evaluation day the plan names is not counted, it is given)."""
    if timer.working_days is None:
        return None
    label = TIMER_PURPOSES.get(timer.purpose, timer.purpose)
    told = explain(today.calendar, timer.start_date, timer.working_days, start_day_counts=timer.start_day_counts,
                   holiday_names=today.holiday_names, rule=f"{label}：{timer.working_days} 个工作日")
    paused = told.due != timer.period_end
    text = told.as_text() + (f"期间曾顺延，期满日为 {timer.period_end.isoformat()}。" if paused else "")
    return out.DeadlineExplanation.of(told, paused=paused,
                                      text=text + f"期满次日（{timer.due_date.isoformat()}）流程继续。")



def _objections(session: Session, case_type: str, case_id: int, viewer: User | None = None) -> list[out.ObjectionOut]:
    rows = session.exec(select(Objection).where(Objection.case_type == case_type, Objection.case_id == case_id)).all()
    shown = [out.ObjectionOut(id=o.id, text=o.text, candidate_id=o.candidate_id, raised_at=o.raised_at,
                              investigated_by=o.investigated_by, outcome=o.outcome) for o in rows]
    if for_applicant(viewer):  # the centre sees who objected and how to reach them; the applicant does not
        return shown
    return [view.model_copy(update={"raised_by": o.raised_by, "contact": o.contact})
            for view, o in zip(shown, rows, strict=True)]



def _incidents(session: Session, case_type: str, case_id: int, viewer: User | None = None) -> list[out.IncidentOut]:
    rows = session.exec(select(Incident).where(Incident.case_type == case_type, Incident.case_id == case_id)).all()
    if for_applicant(viewer):  # an external system's raw error is for operations, not the applicant
        return [out.IncidentOut(id=i.id, kind=i.kind, status=i.status,
                                message=REFUSAL_TO_CORRECT if i.kind == "certificate_refusal" else NEUTRAL_INCIDENT)
                for i in rows]
    return [out.IncidentOut(id=i.id, kind=i.kind, status=i.status, attempts=i.attempts, error=i.error) for i in rows]



def _supervision(session: Session, plan: EvaluationPlan, viewer: User | None) -> out.SupervisionOut | None:
    if not for_applicant(viewer):
        return _with_outcome(out.SupervisionOut(supervised=plan.supervised, supervisor_id=plan.supervisor_id,
                                                draw_id=plan.supervision_draw_id), plan)
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
        if report is None:
            return None
        return _with_outcome(out.SupervisionOut(supervised=True, report=(report.decision_payload or {}).get("reason")),
                             plan)
    if plan.supervised is False and plan.evaluation_end < business_today(session):
        return out.SupervisionOut(supervised=False)
    return None


def _with_outcome(shown: out.SupervisionOut, plan: EvaluationPlan) -> out.SupervisionOut:
    """The report's verdict and the corrections it asked for, once there is one."""
    if not plan.supervision_verdict:
        return shown
    return shown.model_copy(update={
        "verdict": plan.supervision_verdict, "corrections": plan.corrections,
        "corrections_answer": plan.corrections_answer, "corrections_answered_at": plan.corrections_answered_at})



def filing_summary(filing: FilingApplication) -> out.FilingSummary:
    """What a POST answers: the new case and where to follow it (GET /filings/{id} has the rest)."""
    return out.FilingSummary(
        id=filing.id, status=filing.status, current_step=filing.current_step, institution_id=filing.institution_id,
        enterprise_name=filing.form.get("enterprise_name"), region_code=filing.region_code,
        handling_centre=filing.handling_centre or None, profile=filing.profile_code, created_at=filing.created_at,
        href=f"/api/v1/filings/{filing.id}")



def _certificate_of(certificate: Certificate | None) -> tuple[str | None, str | None, str | None]:
    """A candidate's certificate as its plan shows it: number, status, and the national system's reason
    while it stands refused."""
    if certificate is None:
        return None, None, None
    refused = certificate.national_refusal if certificate.status == "pending" else None
    return certificate.number, certificate.status, refused



def filing_view(
    session: Session, filing: FilingApplication, *, viewer: User | None = None, with_history: bool = True
) -> out.FilingOut:
    institution = session.get(Institution, filing.institution_id)
    notices = session.exec(
        select(DeficiencyNotice).where(DeficiencyNotice.filing_id == filing.id).order_by(col(DeficiencyNotice.round))
    ).all()
    pilot_plans = session.exec(
        select(PilotPlan).where(col(PilotPlan.filing_id) == filing.id).order_by(col(PilotPlan.round))).all()
    shown = out.FilingOut(
        id=filing.id,
        status=filing.status,
        current_step=filing.current_step,
        institution_id=filing.institution_id,
        enterprise_name=filing.form.get("enterprise_name"),
        region_code=filing.region_code,
        handling_centre=filing.handling_centre or None,
        profile=filing.profile_code,
        deficiency_rounds=filing.deficiency_rounds,
        deficiency_notices=[
            out.DeficiencyNoticeOut(round=n.round + 1,  # notice 1 is the first: as printed, and as /notices/1.pdf
                                    items=[i["text"] for i in n.items], issued_at=n.issued_at,
                                    resubmitted_at=n.resubmitted_at)
            for n in notices
        ],
        publicity=(out.Period(start=filing.publicity_start, end=filing.publicity_end,
                              provisional=filing.publicity_provisional)
                   if filing.publicity_start and filing.publicity_end else None),
        receipt_number=filing.receipt_number,
        segment=institution.segment if institution else None,
        outcome_reason=filing.outcome_reason,
        flow_run_id=filing.flow_run_id,
        expert_panel=_expert_panel(session, filing.id),
        pilot_plans=[out.PilotPlanOut(round=p.round + 1, submitted_at=p.submitted_at, outcome=p.outcome,
                                      reasons=p.outcome_reasons) for p in pilot_plans],
        pilot_plan_approved_on=institution.pilot_plan_approved_on if institution else None,
        tasks=case_tasks(session, "filing", filing.id, viewer),
        timers=case_timers(session, "filing", filing.id),
        objections=_objections(session, "filing", filing.id, viewer),
        incidents=_incidents(session, "filing", filing.id, viewer),
        created_at=filing.created_at,
        updated_at=filing.updated_at,
    )
    if with_history:
        return shown.model_copy(update={"history": history(session, "filing", filing.id, viewer=viewer)})
    return shown



def plan_view(
    session: Session, plan: EvaluationPlan, *, viewer: User | None = None, with_history: bool = True
) -> out.PlanOut:
    rows = session.exec(
        select(Candidate, Score)
        .join(Score, col(Score.candidate_id) == col(Candidate.id), isouter=True)
        .where(Candidate.plan_id == plan.id)
        .order_by(col(Candidate.id))
    ).all()
    certificates = {
        c.candidate_id: c for c in session.exec(select(Certificate).where(Certificate.plan_id == plan.id)).all()
    }
    shown = out.PlanOut(
        id=plan.id,
        institution_id=plan.institution_id,
        status=plan.status,
        current_step=plan.current_step,
        profile=plan.profile_code,
        handling_centre=plan.handling_centre or None,
        occupation_code=plan.occupation_code,
        evaluation_start=plan.evaluation_start,
        evaluation_end=plan.evaluation_end,
        filed_on=plan.filed_on,
        site=plan.site,
        supervision=_supervision(session, plan, viewer),
        results_due=plan.results_due,
        results_late=plan.results_late,
        results_submitted_on=plan.results_submitted_on,
        publicity=(out.Period(start=plan.publicity_start, end=plan.publicity_end)
                   if plan.publicity_start and plan.publicity_end else None),
        review_rounds=plan.review_rounds,
        outcome_reason=plan.outcome_reason,
        candidates=[_candidate(c, s, certificates.get(c.id)) for c, s in rows],
        # issued: acknowledged by the national system; a refused one is numbered, not issued
        certificates_issued=sum(c.status != "pending" for c in certificates.values()),
        flow_run_id=plan.flow_run_id,
        tasks=case_tasks(session, "plan", plan.id, viewer),
        timers=case_timers(session, "plan", plan.id),
        objections=_objections(session, "plan", plan.id, viewer),
        incidents=_incidents(session, "plan", plan.id, viewer),
    )
    if with_history:
        return shown.model_copy(update={"history": history(session, "plan", plan.id, viewer=viewer)})
    return shown


def _candidate(candidate: Candidate, score: Score | None, certificate: Certificate | None) -> out.CandidateOut:
    number, status, refusal = _certificate_of(certificate)
    return out.CandidateOut(
        id=candidate.id, name=candidate.name, id_number=mask_resident_id(candidate.id_number),
        relation=candidate.relation, level=Level(candidate.level).display, enterprise_title=candidate.enterprise_title,
        excluded_reason=candidate.excluded_reason,
        score=(out.ScoreOut(theory=score.theory, practical=score.practical, performance=score.performance,
                            passed=score.passed, route=score.route,
                            evidence=out.RouteEvidenceOut.model_validate(score.evidence) if score.evidence else None)
               if score else None),
        certificate_number=number, certificate_status=status, national_refusal=refusal)



CERTIFICATE_STATUS = {"pending": "已报送，待全国联网确认", "valid": "有效", "revoked": "已撤销"}


def certificate_public(certificate: Certificate, institution: Institution | None) -> out.CertificatePublic:
    """What anyone verifying the certificate reads."""
    return out.CertificatePublic(
        number=certificate.number,
        holder_name=certificate.holder_name,
        id_number=mask_resident_id(certificate.id_number),
        occupation_code=certificate.occupation_code,
        occupation_name=certificate.occupation_name,
        level=Level(certificate.level).display,
        enterprise_title=certificate.enterprise_title,
        institution=institution.name if institution else None,
        issued_on=certificate.issued_on,
        status=certificate.status,
        status_label=CERTIFICATE_STATUS[certificate.status],
        national_acknowledged_at=certificate.uploaded_at,
        revoked_on=certificate.revoked_on,
    )


def certificate_view(certificate: Certificate, institution: Institution | None) -> out.CertificateOut:
    """The certificate for its batch's readers: with its batch and the national system's refusal."""
    return out.CertificateOut(**dict(certificate_public(certificate, institution)), plan_id=certificate.plan_id,
                              national_refusal=certificate.national_refusal)




def institution_view(session: Session, institution: Institution) -> out.InstitutionOut:
    """The institution for itself and its centre: the catalogue entry and its inactivity clock."""
    public = institution_public_view(session, institution)
    return out.InstitutionOut(**dict(public), inactivity=inactivity_view(session, institution))



def removal_view(institution: Institution) -> out.Removal:
    """A catalogue removal as the public sees it (动态调整): who, when, which category of reason."""
    return out.Removal(
        id=institution.id, name=institution.name, region_code=institution.region_code, segment=institution.segment,
        removed_on=institution.removed_on, reason=institution.removal_reason,
        reason_label=REMOVAL_REASONS.get(institution.removal_reason or "", ""))



REMOVAL_REASONS = {"inactivity": "连续未开展评价，视同自行退出", "cancelled": "取消备案"}


def institution_public_view(session: Session, institution: Institution) -> out.InstitutionPublic:
    scope = session.exec(
        select(InstitutionOccupation, OccupationRecord)
        .join(OccupationRecord, col(OccupationRecord.code) == col(InstitutionOccupation.occupation_code))
        .where(InstitutionOccupation.institution_id == institution.id)
    ).all()
    return out.InstitutionPublic(
        id=institution.id, name=institution.name, region_code=institution.region_code, segment=institution.segment,
        registered_on=institution.registered_on, status=institution.status,
        ladder=[out.LadderRung(title=row["title"], level=Level(row["level"]).display) for row in institution.ladder],
        occupations=[out.ScopeOccupation(code=o.code, name=o.name, levels=[Level(int(d)).display for d in s.levels])
                     for s, o in scope],
    )

