"""Evaluation batch (认定实施), Process 2: plan filing, supervision, results, certificates."""

from __future__ import annotations

from typing import Any

from sqlmodel import Session, col, select

from core.clock import china_date, iso_day, wall_now
from models.accounts import User
from models.audit import AuditEvent
from models.case_kinds import FINISHED_PLANS, PROCESSES
from models.cases import (
    Candidate,
    Certificate,
    EvaluationPlan,
    FilingApplication,
    Institution,
    InstitutionOccupation,
    Score,
    SerialCounter,
)
from models.catalogue import OccupationRecord
from models.clock import business_instant, business_today
from models.db import locked_row, stored
from models.facts import PlanFlowFacts, SupervisionDraw
from models.schemas import CorrectionsAnswer, HolderCorrection, PlanCreate, ResultsCreate
from models.workflow import ExternalSubmission, HumanTask
from policy import draws as draw_rules
from policy.eligibility import (
    CandidateFacts,
    FiledScope,
    PlanFacts,
    Violation,
    candidate_passes,
    check_plan,
    latest_plan_filing_date,
    route_problems,
)
from policy.identity import mask_resident_id, resident_id_problems
from policy.levels import Level
from policy.numbering import InstitutionSegment, certificate_number
from policy.processes import centre_of, has_step, level_of, plan_handling_level
from policy.profiles import EVALUATION_ROUTES, ProvinceProfile, get_profile
from tasks.cases import credit, supervision
from tasks.cases.filing import ladder_of
from tasks.cases.objections import record_outcomes
from tasks.errors import Conflict, NotFound, Problems
from tasks.records import audit, draws
from tasks.waits import registry, sla
from tasks.waits.calendar import load_calendar
from tasks.waits.human_tasks import cancel_open_tasks, wake


def filed_scope(session: Session, institution_id: int) -> FiledScope:
    rows = session.exec(
        select(InstitutionOccupation).where(InstitutionOccupation.institution_id == institution_id)
    ).all()
    return FiledScope({r.occupation_code: frozenset(Level(int(d)) for d in r.levels) for r in rows})


def institution_filing_plans(session: Session, user: User, institution_id: int) -> Institution:
    """The institution, if this user may file a plan for it now (registered, its pilot plan passed where
    the profile has one); checked before a plan's body or roster is read."""
    institution = session.get(Institution, institution_id)
    if institution is None or (user.role == "enterprise" and user.institution_id != institution_id):
        raise NotFound(f"institution {institution_id} does not exist")
    profile = get_profile(institution.profile_code)
    if institution.status == "withdrawn":
        years, source = profile.inactivity_withdrawal_years, profile.source("inactivity_withdrawal_years")
        raise Conflict(
            f"该机构已于 {institution.removed_on} 视同自行退出（连续 {years} 年未开展评价"
            f"{'，' + source if source != 'local' else ''}），不能报送认定计划 / institution "
            f"{institution_id} counts as withdrawn since {institution.removed_on} (no evaluation for "
            f"{years} years); it files no plans"
        )
    if institution.status == "cancelled":
        raise Conflict(
            f"该机构已于 {institution.removed_on} 被取消备案，不能报送认定计划 / institution {institution_id}'s "
            f"filing was cancelled on {institution.removed_on}; it files no plans"
        )
    if institution.status != "registered":
        raise Conflict(f"institution {institution_id} is {institution.status}; only registered institutions file plans")
    if has_step(profile.filing_steps, "pilot_plan_evaluation") and institution.pilot_plan_approved_on is None:
        raise Conflict(
            "试点方案尚未经专家评估通过，不能报送认定实施计划（粤人社函〔2019〕1727号 二(三)） / the pilot "
            "plan has not passed the experts' evaluation yet; no evaluation plan before it does"
        )
    return institution


def file_plan(session: Session, *, user: User, institution_id: int, body: PlanCreate) -> EvaluationPlan:
    """Check the plan against the rules (all violations at once) and record it with an outbox row."""
    institution = institution_filing_plans(session, user, institution_id)
    profile = get_profile(institution.profile_code)
    calendar = load_calendar(session)
    today = business_today(session)
    facts = PlanFacts(
        occupation_code=body.occupation_code,
        evaluation_start=body.evaluation_start,
        evaluation_end=body.evaluation_end,
        filed_on=today,
        candidates=[
            CandidateFacts(
                c.name,
                c.id_number,
                c.relation,
                c.level,
                c.months_with_enterprise,
                enterprise_title=c.enterprise_title,
                **_eligibility(c),
            )
            for c in body.candidates
        ],
        proctors=body.proctors,
        evaluators=body.evaluators,
        quality_supervisors=body.quality_supervisors,
        site=body.site,
        mandating_enterprises=[m.enterprise_name for m in body.mandate_agreements],
        ladder=ladder_of(institution).mapping,
        institution_kind=institution.kind,
    )
    violations = check_plan(facts, filed_scope(session, institution_id), profile, calendar)
    violations += credit.staff_refusals(
        session, evaluators=body.evaluators, quality_supervisors=body.quality_supervisors
    )
    late = [v for v in violations if v.code == "plan.late"]
    if late:
        raise Conflict(late[0].message)
    if violations:
        raise Problems(violations)
    now = business_instant(session)
    plan = EvaluationPlan(
        institution_id=institution_id,
        region_code=institution.region_code,
        profile_code=profile.code,
        handling_centre=plan_centre(session, profile, institution),
        occupation_code=body.occupation_code,
        evaluation_start=body.evaluation_start,
        evaluation_end=body.evaluation_end,
        filed_on=today,
        site=body.site,
        staff={
            "proctors": body.proctors,
            "evaluators": body.evaluators,
            "quality_supervisors": body.quality_supervisors,
            "training_summary": body.training_summary,
            "mandate_agreements": [m.model_dump() for m in body.mandate_agreements],
        },
        created_at=now,
        updated_at=wall_now(),  # a change marker on the wall clock, as every later change sets it
    )
    session.add(plan)
    session.flush()
    for c in body.candidates:
        session.add(
            Candidate(
                plan_id=plan.id,
                name=c.name,
                id_number=c.id_number.upper(),
                relation=c.relation,
                level=Level.parse(c.level).value,
                months_with_enterprise=c.months_with_enterprise,
                enterprise_title=c.enterprise_title,
                eligibility={k: v for k, v in _eligibility(c).items() if v not in ("", None)},
            )
        )
    session.add(PROCESSES["evaluation_batch"].start(plan.id, now))
    latest = latest_plan_filing_date(body.evaluation_start, profile, calendar)
    audit.record(
        session,
        case_type="plan",
        case_id=plan.id,
        action="plan_filed",
        actor_id=user.id,
        actor_role=user.role,
        after={
            "candidates": len(body.candidates),
            "evaluation_start": body.evaluation_start.isoformat(),
            "latest_allowed_filing": latest.date.isoformat(),
        },
    )
    return plan


ELIGIBILITY_FIELDS = (
    "affiliate_name",
    "mandating_enterprise",
    "social_insurance_region",
    "workplace_region",
    "years_in_occupation",
    "held_level",
    "held_level_years",
    "diploma",
)


def _eligibility(candidate) -> dict[str, Any]:  # a CandidateIn
    """The declared facts of eligibility, as policy.eligibility.CandidateFacts takes them (text fields "")."""
    values = {name: getattr(candidate, name) for name in ELIGIBILITY_FIELDS}
    return {k: "" if v is None and isinstance(getattr(CandidateFacts, k, None), str) else v for k, v in values.items()}


def plan_centre(session: Session, profile: ProvinceProfile, institution: Institution) -> str:
    """The centre that receives the plan and its results (003 §二(四): the municipal centre in Guangdong;
    004 §五(五): the centre that holds the enterprise in Gansu; 003 §四(三): the provincial centre for a
    central-enterprise branch or a provincially owned enterprise)."""
    if profile.province_manages_central_and_provincial_enterprises and directly_managed(session, institution):
        return centre_of(institution.region_code, "provincial")
    filed_with = institution.handling_centre or centre_of(institution.region_code, profile.filing_handled_by)
    return centre_of(institution.region_code, plan_handling_level(profile, level_of(filed_with)))


def directly_managed(session: Session, institution: Institution) -> bool:
    """A central-enterprise branch (央企驻地分支机构) or a provincially owned enterprise (省直属), as its
    first filing declared."""
    first = session.exec(select(FilingApplication).where(FilingApplication.institution_id == institution.id)
                         .order_by(col(FilingApplication.id))).first()
    form = first.form if first else {}
    return form.get("ownership") == "central_branch" or bool(form.get("provincial_owned"))


def centres(plan: EvaluationPlan) -> dict[str, str]:
    """Which centre takes a step `by` handling / municipal / provincial; where the province manages the
    institution directly (003 §四(三)), its municipal steps are the provincial centre's too."""
    handling = plan.handling_centre or centre_of(plan.region_code, "municipal")
    provincial = centre_of(plan.region_code, "provincial")
    direct = (get_profile(plan.profile_code).province_manages_central_and_provincial_enterprises
              and handling == provincial)
    return {
        "handling": handling,
        "municipal": provincial if direct else centre_of(plan.region_code, "municipal"),
        "provincial": provincial,
    }


def set_step(
    session: Session, *, plan_id: int, status: str, step: str, only_from: tuple[str, ...] | None = None
) -> None:
    audit.move_case(
        session, get_plan(session, plan_id), case_type="plan", status=status, step=step, only_from=only_from
    )


def draw_supervision(session: Session, *, plan_id: int) -> SupervisionDraw:
    """质量督导: whether the batch is checked and by whom, drawn with a secret seed whose commitment is
    in the audit trail (an enterprise cannot predict, and so cannot dodge, the check). Supervisors come
    from the roster the profile names (the handling centre's, or the province's in Gansu), with their
    card where the profile requires one; S-type organisations are supervised at every session where the
    profile says so (002 §(十八)). 双随机 draws the supervisor too; a spot check (抽查) or a random process
    supervision leaves the seat to the roster's supervisors to take."""
    plan = get_plan(session, plan_id)
    if plan.supervised is not None:
        return SupervisionDraw(supervised=plan.supervised, supervisor_id=plan.supervisor_id,
                               centre=supervision_centre(plan),
                               drawn=get_profile(plan.profile_code).supervision_draw == "double_random")
    profile = get_profile(plan.profile_code)
    institution = session.get(Institution, plan.institution_id)
    centre = supervision_centre(plan)
    roster = select(User.id).where(
        User.role == "supervisor",
        col(User.disabled_at).is_(None),
        User.jurisdiction == centre,
        (col(User.institution_id).is_(None)) | (User.institution_id != plan.institution_id),
    )
    if profile.supervisor_card_required:
        roster = roster.where(col(User.card_number).is_not(None))
    pool = sorted(set(session.exec(roster).all()) - credit.blacklisted_user_ids(session))
    every_session = profile.s_type_every_session and institution is not None and institution.kind == "S"
    rate = 1.0 if every_session else profile.supervision_rate
    seed = draw_rules.new_seed()
    supervised, supervisor_id = draw_rules.draw_supervision(seed, rate, pool)
    drawn = profile.supervision_draw == "double_random"
    if not drawn:
        supervisor_id = None
    record = draws.record(
        session,
        case_type="plan",
        case_id=plan_id,
        purpose="quality_supervision",
        seed=seed,
        candidates=pool,
        result={
            "supervised": supervised,
            "supervisor_id": supervisor_id,
            "rate": rate,
            "mode": profile.supervision_draw,
            "centre": centre,
        },
    )
    plan.supervised, plan.supervisor_id, plan.supervision_draw_id = supervised, supervisor_id, record.id
    session.add(plan)
    audit.record(
        session,
        case_type="plan",
        case_id=plan_id,
        action="supervision_drawn",
        after={
            "supervised": supervised,
            "supervisor_id": supervisor_id,
            "draw_id": record.id,
            "rate": rate,
            "mode": profile.supervision_draw,
            "roster": centre,
            "every_session": every_session,
        },
    )
    return SupervisionDraw(supervised=supervised, supervisor_id=supervisor_id, centre=centre, drawn=drawn)


def supervision_centre(plan: EvaluationPlan) -> str:
    return centres(plan)[get_profile(plan.profile_code).supervision_roster]


def record_supervision_report(session: Session, *, plan_id: int, task_key: str) -> dict[str, Any]:
    """The on-site report's verdict is read: `to_correct` lists what the enterprise must answer before the
    review; `serious_violation` stops the batch for the centre's decision. Returns the verdict and the
    corrections (idempotent: the first reading is kept)."""
    plan = get_plan(session, plan_id)
    if plan.supervision_verdict is None:
        task = session.exec(select(HumanTask).where(HumanTask.key == task_key)).one()
        report = (task.decision_payload or {}).get("report") or {}
        plan.supervision_verdict = report.get("verdict", "no_issues")
        plan.corrections = list(report.get("corrections", [])) if plan.supervision_verdict == "to_correct" else []
        session.add(plan)
        audit.record(
            session,
            case_type="plan",
            case_id=plan_id,
            action="supervision_reported",
            actor_id=task.decided_by,
            actor_role="supervisor",
            after={
                "verdict": plan.supervision_verdict,
                "corrections": plan.corrections,
                "findings": report.get("findings", []),
            },
        )
        if plan.supervision_verdict == "serious_violation":
            set_step(session, plan_id=plan_id, status="suspended", step="supervision_violation")
            # the batch waits for the centre's void-or-continue; the institution's conduct is a case of its own
            supervision.open_from_supervision_report(
                session, plan=plan, findings=report.get("findings", []), supervisor_id=task.decided_by
            )
    return {"verdict": plan.supervision_verdict, "corrections": plan.corrections}


def answer_corrections(session: Session, *, user: User, plan_id: int, body: CorrectionsAnswer) -> EvaluationPlan:
    """整改说明: the enterprise answers every correction the supervisor listed, at once."""
    plan = get_plan(session, plan_id)
    if user.role == "enterprise" and user.institution_id != plan.institution_id:
        raise NotFound(f"plan {plan_id} does not exist")
    if plan.supervision_verdict != "to_correct":
        raise Conflict(f"plan {plan_id} has no corrections to answer")
    if plan.corrections_answered_at is not None:
        raise Conflict(f"the corrections of plan {plan_id} were answered on {china_date(plan.corrections_answered_at)}")
    if len(body.answers) != len(plan.corrections):
        raise Problems(
            [
                Violation(
                    "corrections.count",
                    "answers",
                    f"须逐项答复全部 {len(plan.corrections)} 项整改要求 / "
                    f"answer each of the {len(plan.corrections)} corrections, in order",
                )
            ]
        )
    plan.corrections_answer = list(body.answers)
    plan.corrections_answered_at = business_instant(session)  # a date the centre reads: the business clock
    session.add(plan)
    audit.record(
        session,
        case_type="plan",
        case_id=plan_id,
        action="corrections_answered",
        actor_id=user.id,
        actor_role=user.role,
        after={"answers": plan.corrections_answer},
    )
    if plan.flow_run_id:
        wake(session, plan.flow_run_id, reason=f"plan {plan_id} corrections answered")
    return plan


def corrections_answered(session: Session, *, plan_id: int) -> bool:
    return get_plan(session, plan_id).corrections_answered_at is not None


def void_batch(
    session: Session, *, plan_id: int, reason: str, why: str = "batch voided after a serious violation"
) -> None:
    """The batch ends without certificates: voided after a serious violation (严重违规), or its roster
    refused at the candidates' eligibility review (考生报名资格审核)."""
    plan = get_plan(session, plan_id)
    if plan.status == "rejected":
        return
    plan.outcome_reason = reason
    session.add(plan)
    set_step(session, plan_id=plan_id, status="rejected", step="closed")
    cancel_open_tasks(session, case_type="plan", case_id=plan_id, reason=why)


def resume_after_violation(session: Session, *, plan_id: int) -> None:
    set_step(session, plan_id=plan_id, status="results_submitted", step="results_submitted", only_from=("suspended",))


def open_results_window(session: Session, *, plan_id: int) -> None:
    plan = get_plan(session, plan_id)
    if plan.results_due is None:
        profile = get_profile(plan.profile_code)
        plan.results_due = (
            load_calendar(session)
            .add(plan.evaluation_end, profile.results_due_working_days, start_day_counts=profile.start_day_counts)
            .date
        )
        session.add(plan)
        set_step(session, plan_id=plan_id, status="awaiting_results", step="results_submission")
        sla.start_or_resume(
            session,
            case_type="plan",
            case_id=plan_id,
            step="results_submission",
            jurisdiction=centres(plan)["handling"],
            start_day_counts=profile.start_day_counts,
            started_on=plan.evaluation_end,
        )


def plan_taking_results(session: Session, user: User, plan_id: int) -> EvaluationPlan:
    """The plan, if this user may hand in its results now; checked before a results sheet is read."""
    plan = get_plan(session, plan_id)
    if user.role == "enterprise" and user.institution_id != plan.institution_id:
        raise NotFound(f"plan {plan_id} does not exist")
    if plan.status not in ("awaiting_results", "results_returned"):
        raise Conflict(
            f"plan {plan_id} is {plan.status}; results are taken after the evaluation"
            + (f" (from {plan.evaluation_end})" if plan.status in ("filed", "scheduled") else "")
        )
    return plan


def submit_results(session: Session, *, user: User, plan_id: int, body: ResultsCreate) -> EvaluationPlan:
    plan = plan_taking_results(session, user, plan_id)
    candidates = {c.id: c for c in session.exec(select(Candidate).where(Candidate.plan_id == plan_id)).all()}
    problems: list[Violation] = []
    seen: set[int] = set()
    profile = get_profile(plan.profile_code)
    for i, score in enumerate(body.scores):
        evidence = score.evidence.model_dump(exclude_none=True) if score.evidence else None
        problems += [Violation(f"score.{score.route}", f"scores[{i}].{field}", message)
                     for field, message in route_problems(score.route, evidence, profile)]
        parts = (score.theory, score.practical, score.performance)
        if score.route != "scored" and any(p is not None for p in parts):
            problems.append(Violation("score.route_with_parts", f"scores[{i}].route",
                                      f"{EVALUATION_ROUTES[score.route]}不计分，请勿填写成绩 / a candidate passing by "
                                      f"{score.route} has no scored parts"))
        if score.candidate_id not in candidates:
            problems.append(
                Violation(
                    "score.unknown_candidate",
                    f"scores[{i}].candidate_id",
                    f"候选人 {score.candidate_id} 不在本批次 / not in this batch",
                )
            )
        elif score.candidate_id in seen:
            problems.append(Violation("score.duplicate", f"scores[{i}].candidate_id", "重复的成绩 / scored twice"))
        if score.route == "scored" and score.theory is None and score.practical is None and score.performance is None:
            problems.append(Violation("score.empty", f"scores[{i}]", "至少一项成绩 / at least one part is scored"))
        seen.add(score.candidate_id)
    missing = sorted(cid for cid, c in candidates.items() if cid not in seen and not c.excluded_reason)
    for cid in missing:
        problems.append(
            Violation("score.missing", "scores", f"候选人 {cid} ({candidates[cid].name}) 缺少成绩 / not scored")
        )
    if problems:
        raise Problems(problems)
    now = business_instant(session)
    for score in body.scores:
        row = session.exec(select(Score).where(Score.candidate_id == score.candidate_id)).first() or Score(
            candidate_id=score.candidate_id, passed=False, submitted_at=now
        )
        row.theory, row.practical, row.performance = score.theory, score.practical, score.performance
        row.route = score.route
        row.evidence = score.evidence.model_dump(exclude_none=True) if score.evidence else {}
        # a route other than the parts passes on its evidence, which the centre's results review judges
        row.passed = score.route != "scored" or candidate_passes(score.theory, score.practical, score.performance)
        row.submitted_at = now
        session.add(row)
    plan.results_submitted_on = business_today(session)
    plan.results_submissions += 1
    late = (
        plan.results_submissions == 1 and plan.results_due is not None and plan.results_submitted_on > plan.results_due
    )
    if late:  # 逾期报送: taken (the results exist), but marked on the case and counted
        plan.results_late = True
        audit.record(
            session,
            case_type="plan",
            case_id=plan_id,
            action="results_late",
            actor_id=user.id,
            actor_role=user.role,
            after={"due": iso_day(plan.results_due), "submitted": iso_day(plan.results_submitted_on)},
        )
    session.add(plan)
    set_step(session, plan_id=plan_id, status="results_submitted", step="results_submitted")
    sla.complete(session, case_type="plan", case_id=plan_id, step="results_submission")
    audit.record(
        session,
        case_type="plan",
        case_id=plan_id,
        action="results_submitted",
        actor_id=user.id,
        actor_role=user.role,
        after={
            "scored": len(body.scores),
            "passed": sum(candidate_passes(s.theory, s.practical, s.performance) for s in body.scores),
        },
    )
    if plan.flow_run_id:
        wake(session, plan.flow_run_id, reason=f"plan {plan_id} results submitted")
    return plan


def results_received(session: Session, *, plan_id: int, round_no: int) -> bool:
    """Round r (0 = first submission, r > 0 after r returns) has its results."""
    return get_plan(session, plan_id).results_submissions > round_no


def start_results_publicity(session: Session, *, plan_id: int, round_no: int, end, provisional: bool) -> None:
    """结果公示 of round r; a replay of an earlier round changes nothing."""
    plan = get_plan(session, plan_id)
    if plan.status == "results_submitted" and plan.results_submissions == round_no + 1:
        plan.publicity_start, plan.publicity_end = business_today(session), end
        session.add(plan)
        set_step(session, plan_id=plan_id, status="publicity", step="results_publicity")


def exclude_upheld_candidates(session: Session, *, plan_id: int) -> int:
    excluded = 0
    for objection in record_outcomes(session, case_type="plan", case_id=plan_id):
        if objection.candidate_id:
            candidate = session.get(Candidate, objection.candidate_id)
            if candidate and not candidate.excluded_reason:
                candidate.excluded_reason = f"异议成立 objection {objection.id}"
                session.add(candidate)
                excluded += 1
    return excluded


def enter_review(session: Session, *, plan_id: int, round_no: int) -> None:
    """审核 of round r opens (after its publicity where the profile has one): upheld objections exclude
    their candidates first. A replay of an earlier round (its results returned since) changes nothing."""
    plan = get_plan(session, plan_id)
    if plan.review_rounds != round_no:
        return
    exclude_upheld_candidates(session, plan_id=plan_id)
    set_step(
        session,
        plan_id=plan_id,
        status="in_review",
        step="results_review",
        only_from=("publicity", "results_submitted"),
    )


def return_results(session: Session, *, plan_id: int, round_no: int, reason: str) -> None:
    """The centre returns round r's results: the enterprise corrects and submits again."""
    plan = get_plan(session, plan_id)
    if plan.review_rounds > round_no:
        return
    plan.review_rounds += 1
    plan.publicity_start = plan.publicity_end = None
    plan.outcome_reason = reason
    session.add(plan)
    set_step(session, plan_id=plan_id, status="results_returned", step="results_submission")


def passing_candidates(session: Session, plan_id: int) -> list[tuple[Candidate, Score]]:
    rows = session.exec(
        select(Candidate, Score)
        .join(Score, col(Score.candidate_id) == col(Candidate.id))
        .where(Candidate.plan_id == plan_id, col(Score.passed).is_(True), col(Candidate.excluded_reason).is_(None))
        .order_by(col(Candidate.id))
    ).all()
    return list(rows)


def upload_payload(session: Session, *, plan_id: int) -> dict[str, Any]:
    """What goes to the national query system: each certificate not yet acknowledged, with its number
    and its holder's data (certificates are numbered and recorded before they are uploaded)."""
    plan = get_plan(session, plan_id)
    institution = stored(session, Institution, plan.institution_id)
    pending = session.exec(
        select(Certificate)
        .where(Certificate.plan_id == plan_id, Certificate.status == "pending")
        .order_by(Certificate.number)
    ).all()
    return {
        "plan_id": plan_id,
        "institution_segment": institution.segment,
        "occupation_code": plan.occupation_code,
        "certificates": [
            {
                "number": c.number,
                "name": c.holder_name,
                "id_number": c.id_number,
                "level": c.level,
                "occupation_code": c.occupation_code,
                "issued_on": c.issued_on.isoformat(),
            }
            for c in pending
        ],
    }


def upload_round(session: Session, *, plan_id: int) -> dict[str, Any]:
    """Which upload round comes next (one per answer received), the last answer, and what to send."""
    payload = upload_payload(session, plan_id=plan_id)
    prefix = f"upload:{payload['institution_segment']}:plan:{plan_id}:"  # flows.steps.national_key
    answered = session.exec(
        select(ExternalSubmission).where(
            ExternalSubmission.kind == "certificate_upload", ExternalSubmission.case_id == plan_id
        )
    ).all()
    rounds = {int(s.key.removeprefix(prefix)): s.response for s in answered if s.key.startswith(prefix)}
    done = len(rounds)
    return {"round": done, "last_answer": rounds.get(done - 1, {}), "payload": payload}


def record_acknowledgement(
    session: Session, *, plan_id: int, answer: dict[str, Any], fresh: bool, flow_run_id: str | None
) -> list[dict[str, str]]:
    """The national system's answer: acknowledged certificates become valid (verifiable); refused ones
    stay pending with the reason and an incident for operations (resolved when none is left). When none
    is pending, the batch is complete. Returns the refusals still standing.

    A fresh answer (after operations sent the certificates again) reopens their incident; an answer
    applied again on a replay changes nothing and only makes sure the incident exists."""
    refused = _apply_acknowledgement(session, plan_id=plan_id, answer=answer)
    if refused and fresh:
        _tell_the_enterprise(session, plan_id, answer, refused)
    if refused:
        reasons = "; ".join(f"{r['number']}: {r['reason']}" for r in refused)
        (registry.open_incident if fresh else registry.ensure_incident)(
            session,
            kind="certificate_refusal",
            case_type="plan",
            case_id=plan_id,
            error=reasons,
            flow_run_id=flow_run_id,
        )
    else:
        registry.resolve_incidents(session, kind="certificate_refusal", case_type="plan", case_id=plan_id)
    return refused


def _tell_the_enterprise(session: Session, plan_id: int, answer: dict[str, Any], refused: list[dict[str, str]]) -> None:
    """One audit entry (and so one feed event, plan.certificates_refused) per answer that refused: which
    certificates and why, for the enterprise to correct its holders' data. Idempotent per answer."""
    reference = answer.get("reference")
    earlier = session.exec(select(AuditEvent).where(AuditEvent.case_type == "plan", AuditEvent.case_id == plan_id,
                                                    AuditEvent.action == "certificates_refused")).all()
    if reference and any((e.after or {}).get("reference") == reference for e in earlier):
        return
    audit.record(session, case_type="plan", case_id=plan_id, action="certificates_refused",
                 after={"certificates": refused, "reference": reference})


def correct_refused_holder(session: Session, *, user: User, plan_id: int, candidate_id: int,
                           body: HolderCorrection) -> Candidate:
    """The enterprise puts right the identity of a holder whose certificate the national system refused:
    the candidate and its pending certificate change together, audited with the reason (the batch's
    officer sees it on the case); operations' retry then sends the corrected data. Only a refused,
    unacknowledged certificate's holder can be corrected; the same data again changes nothing."""
    plan = get_plan(session, plan_id)
    if user.role == "enterprise" and user.institution_id != plan.institution_id:
        raise NotFound(f"plan {plan_id} does not exist")
    candidate = session.get(Candidate, candidate_id)
    if candidate is None or candidate.plan_id != plan_id:
        raise NotFound(f"plan {plan_id} has no candidate {candidate_id}")
    certificate = session.exec(select(Certificate).where(Certificate.candidate_id == candidate_id)).first()
    if certificate is None or certificate.status != "pending" or not certificate.national_refusal:
        raise Conflict("只有被全国联网系统退回的证书，其持证人信息可以更正 / only the holder of a certificate the "
                       "national system refused can be corrected")
    name = body.name or candidate.name
    id_number = (body.id_number or candidate.id_number).upper()
    problems = [Violation("candidate.id_number", "id_number", f"{problem} / not a valid resident ID number")
                for problem in resident_id_problems(id_number, today=plan.evaluation_start)] if body.id_number else []
    if body.name is None and body.id_number is None:
        problems.append(Violation("candidate.nothing_to_correct", "name", "请给出更正后的姓名或身份证号 / give the "
                                                                          "corrected name or ID number"))
    if problems:
        raise Problems(problems)
    if (name, id_number) == (candidate.name, candidate.id_number):
        return candidate
    clash = session.exec(select(Candidate.id).where(Candidate.plan_id == plan_id, Candidate.id_number == id_number,
                                                    Candidate.id != candidate_id)).first()
    if clash is not None:
        raise Problems([Violation("candidate.duplicate_id_number", "id_number",
                                  f"身份证号已属于本批次考生 {clash} / another candidate of this plan has it")])
    before = {"name": candidate.name, "id_number": mask_resident_id(candidate.id_number)}
    candidate.name, candidate.id_number = name, id_number
    certificate.holder_name, certificate.id_number = name, id_number
    session.add_all([candidate, certificate])
    audit.record(session, case_type="plan", case_id=plan_id, action="candidate_corrected", actor_id=user.id,
                 actor_role=user.role, before=before,
                 after={"certificates": [certificate.number], "candidate_id": candidate_id, "name": name,
                        "id_number": mask_resident_id(id_number), "reason": body.reason,
                        "refusal": certificate.national_refusal})
    return candidate


def _apply_acknowledgement(session: Session, *, plan_id: int, answer: dict[str, Any]) -> list[dict[str, str]]:
    plan = get_plan(session, plan_id)
    by_number = {c.number: c for c in session.exec(select(Certificate).where(Certificate.plan_id == plan_id)).all()}
    now = wall_now()
    acknowledged = 0
    for number in answer.get("acknowledged", []):
        certificate = by_number.get(number)
        if certificate is not None and certificate.status == "pending":
            certificate.status, certificate.uploaded_at, certificate.national_refusal = "valid", now, None
            session.add(certificate)
            acknowledged += 1
    for refusal in answer.get("refused", []):
        certificate = by_number.get(refusal.get("number", ""))
        if certificate is not None and certificate.status == "pending":
            certificate.national_refusal = str(refusal.get("reason") or "refused")[:500]
            session.add(certificate)
    pending = [c for c in by_number.values() if c.status == "pending"]
    if acknowledged:
        audit.record(
            session,
            case_type="plan",
            case_id=plan_id,
            action="certificates_acknowledged",
            after={"count": acknowledged, "reference": answer.get("reference")},
        )
    if pending:
        set_step(session, plan_id=plan_id, status="uploading", step="national_refusal")
        return [{"number": c.number, "reason": c.national_refusal or "not acknowledged"} for c in pending]
    if plan.status != "completed":
        institution = stored(session, Institution, plan.institution_id)
        institution.last_evaluation_on = max(institution.last_evaluation_on or plan.evaluation_end, plan.evaluation_end)
        institution.inactivity_warned_on = None  # it evaluated: the inactivity clock starts again
        session.add(institution)
        set_step(session, plan_id=plan_id, status="completed", step="certificates_issued")
        audit.record(
            session,
            case_type="plan",
            case_id=plan_id,
            action="certificates_issued",
            after={"count": len(by_number), "first": min(by_number) if by_number else None},
        )
    return []


def number_certificates(session: Session, *, plan_id: int) -> list[str]:
    """证书编号: number and record a certificate for every passing candidate, pending until the national
    system acknowledges it; a replay numbers none twice."""
    plan = get_plan(session, plan_id)
    institution = stored(session, Institution, plan.institution_id)
    if institution.segment is None:
        raise Conflict(f"institution {institution.id} has no certificate segment: it was never registered")
    segment = InstitutionSegment.parse(institution.segment)
    occupation = session.get(OccupationRecord, plan.occupation_code)
    today = business_today(session)
    numbers, created = [], 0
    for candidate, _score in passing_candidates(session, plan_id):
        existing = session.exec(select(Certificate).where(Certificate.candidate_id == candidate.id)).first()
        if existing is not None:
            numbers.append(existing.number)
            continue
        created += 1
        scope = f"{segment}{today.year % 100:02d}{candidate.level}"
        counter = locked_row(session, SerialCounter, scope, last_serial=0)
        number = certificate_number(segment, today.year, candidate.level, counter.last_serial)
        counter.last_serial = number.serial
        session.add(counter)
        session.add(
            Certificate(
                number=str(number),
                serial_scope=scope,
                serial=number.serial,
                candidate_id=candidate.id,
                plan_id=plan_id,
                institution_id=institution.id,
                holder_name=candidate.name,
                id_number=candidate.id_number,
                occupation_code=plan.occupation_code,
                occupation_name=occupation.name if occupation else plan.occupation_code,
                level=candidate.level,
                enterprise_title=candidate.enterprise_title,
                issued_on=today,
                status="pending",
            )
        )
        numbers.append(str(number))
    set_step(session, plan_id=plan_id, status="uploading", step="upload", only_from=("in_review", "uploading"))
    if created:
        audit.record(
            session,
            case_type="plan",
            case_id=plan_id,
            action="certificates_numbered",
            after={"count": created, "first": numbers[0] if numbers else None},
        )
    return numbers


def results_publicity_start(session: Session, *, plan_id: int):  # a date
    return get_plan(session, plan_id).results_submitted_on or business_today(session)


def flow_facts(session: Session, *, plan_id: int) -> PlanFlowFacts:
    """What the flow needs to know of its case at the start of every replay."""
    plan = session.get(EvaluationPlan, plan_id)
    if plan is None:
        raise ValueError(f"plan {plan_id} does not exist")
    return PlanFlowFacts(
        status=plan.status,
        finished=plan.status in FINISHED_PLANS,
        region_code=plan.region_code,
        profile_code=plan.profile_code,
        evaluation_start=plan.evaluation_start,
        evaluation_end=plan.evaluation_end,
        centres=centres(plan),
        institution_kind=_institution_kind(session, plan.institution_id),
    )


def _institution_kind(session: Session, institution_id: int) -> str:
    institution = session.get(Institution, institution_id)
    return institution.kind if institution is not None else "Y"


def get_plan(session: Session, plan_id: int) -> EvaluationPlan:
    plan = session.get(EvaluationPlan, plan_id)
    if plan is None:
        raise NotFound(f"plan {plan_id} does not exist")
    return plan
