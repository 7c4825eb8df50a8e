"""Process 2 — an evaluation batch (认定实施): seeds 002 §(十八), 003 §二(四)(五), 004 §五.

One line per policy step; each step is idempotent, because a resumed run replays from the top.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from prefect import flow, task
from prefect.cache_policies import NO_CACHE

from core import settings as instance
from flows.steps import (
    await_decision,
    await_decisions,
    budget,
    call_external,
    db,
    national_key,
    open_human_task,
    run_id,
    wait_for,
    wait_until,
    wait_working_days,
)
from models.facts import PlanFlowFacts, SupervisionDraw
from policy.processes import BATCH_STEP_FUNCTIONS, ProcessStep
from policy.profiles import get_profile
from tasks.cases import batch, investigations, objections
from tasks.exchange import documents
from tasks.waits import registry


@flow(name="evaluation_batch", persist_result=True, log_prints=True)
def evaluation_batch(plan_id: int) -> str:
    """The profile's `batch_steps`, in its order. A review that returns the results sends the batch back
    to the results submission (the next round), and every step after it runs again."""
    case = _load(plan_id)
    if case.finished:
        return case.status
    steps = get_profile(case.profile_code).batch_steps
    batch_run = BatchRun()
    index = 0
    while index < len(steps):
        if not steps[index].applies_to(case.institution_kind):  # a step of S-type organisations only, say
            index += 1
            continue
        outcome = STEP_FUNCTIONS[steps[index].step](plan_id, case, steps[index], batch_run)
        if outcome == VOIDED:
            return "rejected"
        if outcome == RETURNED:
            index = [s.step for s in steps].index("results_submission")
            continue
        index += 1
    return f"completed: {batch_run.certificates} certificates"


RETURNED, VOIDED = "returned", "voided"


@dataclass
class BatchRun:
    """What one run carries from step to step (all of it re-derived from the database on a replay)."""

    supervision: SupervisionDraw | None = None  # drawn at the quality-supervision step
    review_round: int = 0
    reviewed_by: list[str] = field(default_factory=list)  # centres that reviewed this round
    certificates: int = 0


def plan_accepted(plan_id: int, case: PlanFlowFacts, step: ProcessStep, run: BatchRun) -> None:
    """实施计划备案: checked at filing (lead time, scope, candidates); the batch is scheduled."""
    accept_plan(plan_id)


def roster_review(plan_id: int, case: PlanFlowFacts, step: ProcessStep, run: BatchRun) -> str | None:
    """考生报名资格审核 (002 §(十八)): the roster, eligibility materials and assessment plan filed 15 working
    days ahead are reviewed by the centre before the evaluation; a refused roster ends the batch."""
    review = await_decision(key=f"plan:{plan_id}:roster_review", case_type="plan", case_id=plan_id,
                            step="roster_review", role="officer", jurisdiction=case.centres[step.by],
                            due_working_days=budget(case, "roster_review"))
    if review.decision == "reject":
        refuse_roster(plan_id, review.payload.get("reason", ""))
        return VOIDED
    return None


def refuse_roster(plan_id: int, reason: str) -> None:
    """考生报名资格审核未通过 roster refused."""
    with db() as session:
        batch.void_batch(session, plan_id=plan_id, reason=f"考生报名资格审核未通过：{reason}",
                         why="roster refused at the eligibility review")


def quality_supervision(plan_id: int, case: PlanFlowFacts, step: ProcessStep, run: BatchRun) -> None:
    """质量督导: drawn before the evaluation; a supervised batch gets its supervisor's report task."""
    run.supervision = draw_quality_supervision(plan_id)


def evaluation(plan_id: int, case: PlanFlowFacts, step: ProcessStep, run: BatchRun) -> None:
    """考核 on the planned days; the results window opens when the evaluation has ended."""
    wait_until(key=f"plan:{plan_id}:evaluation_day", case_type="plan", case_id=plan_id, purpose="evaluation_day",
               day=case.evaluation_start)
    evaluate(plan_id, run.supervision, case)
    wait_until(key=f"plan:{plan_id}:evaluation_end", case_type="plan", case_id=plan_id, purpose="evaluation_end",
               day=case.evaluation_end + dt.timedelta(days=1))  # the evaluation is over at the end of its last day
    open_results_window(plan_id)


def results_submission(plan_id: int, case: PlanFlowFacts, step: ProcessStep, run: BatchRun) -> None:
    run.reviewed_by = []
    await_results(plan_id, run.review_round)


def results_publicity(plan_id: int, case: PlanFlowFacts, step: ProcessStep, run: BatchRun) -> None:
    publicise_results(plan_id, run.review_round, case)


def results_review(plan_id: int, case: PlanFlowFacts, step: ProcessStep, run: BatchRun) -> str | None:
    """审核, in one level or two (Guangdong: the municipal centre, then the provincial one; Gansu: the
    city, then the province that enters the data). A level whose centre already reviewed this round
    (a case the province itself holds) is not asked twice."""
    centre = case.centres[step.by]
    if centre in run.reviewed_by:
        return None
    if not supervision_cleared(plan_id, case, run):
        return VOIDED
    enter_review(plan_id, run.review_round)
    key = f"plan:{plan_id}:review:{run.review_round}" + (f":{len(run.reviewed_by)}" if run.reviewed_by else "")
    review = await_decision(key=key, case_type="plan", case_id=plan_id, step="results_review", role="officer",
                            jurisdiction=centre, due_working_days=budget(case, "results_review"))
    if review.decision == "approve":
        run.reviewed_by.append(centre)
        return None
    return_results(plan_id, run.review_round, review.payload.get("reason", ""))
    run.review_round += 1
    return RETURNED


def supervision_cleared(plan_id: int, case: PlanFlowFacts, run: BatchRun) -> bool:
    """A supervised batch is reviewed only once its on-site report is in: `to_correct` waits for the
    enterprise's answers to the corrections; `serious_violation` stops the batch for the centre, which
    voids it or, having verified, lets the review go on."""
    if run.supervision is None or not run.supervision.supervised:
        return True
    key = f"plan:{plan_id}:supervision"
    await_decisions([key])
    outcome = read_supervision_report(plan_id, key)
    if outcome["verdict"] == "to_correct":
        wait_for(lambda s: batch.corrections_answered(s, plan_id=plan_id), what="answers to the corrections")
    elif outcome["verdict"] == "serious_violation":
        decision = await_decision(
            key=f"plan:{plan_id}:supervision_violation",
            case_type="plan",
            case_id=plan_id,
            step="supervision_violation",
            role="officer",
            jurisdiction=case.centres["handling"],
            due_working_days=budget(case, "supervision_violation"),
        )
        if decision.decision == "void":
            void(plan_id, decision.payload.get("reason", "严重违规"))
            return False
        resume(plan_id)
    return True


def read_supervision_report(plan_id: int, key: str) -> dict:
    """督导报告 supervision report read."""
    with db() as session:
        return batch.record_supervision_report(session, plan_id=plan_id, task_key=key)


def void(plan_id: int, reason: str) -> None:
    """作废 batch voided."""
    with db() as session:
        batch.void_batch(session, plan_id=plan_id, reason=f"质量督导发现严重违规，认定结果作废：{reason}")


def resume(plan_id: int) -> None:
    """继续审核 review resumes."""
    with db() as session:
        batch.resume_after_violation(session, plan_id=plan_id)


def certificate_numbering(plan_id: int, case: PlanFlowFacts, step: ProcessStep, run: BatchRun) -> None:
    run.certificates = len(number_certificates(plan_id))


def national_upload(plan_id: int, case: PlanFlowFacts, step: ProcessStep, run: BatchRun) -> None:
    upload_to_national_system(plan_id)


def certificate_issuance(plan_id: int, case: PlanFlowFacts, step: ProcessStep, run: BatchRun) -> None:
    render_certificate_documents(plan_id)


# -- the steps ----------------------------------------------------------------


def accept_plan(plan_id: int) -> None:
    """实施计划备案 plan accepted."""
    with db() as session:
        batch.set_step(session, plan_id=plan_id, status="scheduled", step="quality_supervision", only_from=("filed",))


def draw_quality_supervision(plan_id: int) -> SupervisionDraw:
    """质量督导抽查 random quality supervision."""
    with db() as session:
        return batch.draw_supervision(session, plan_id=plan_id)


def evaluate(plan_id: int, supervision: SupervisionDraw | None, case: PlanFlowFacts) -> None:
    """考核 takes place on the planned days; a supervised batch gets its supervisor's report task. The
    results window (10 working days) opens when the evaluation has ended."""
    if supervision is not None and supervision.supervised:
        open_human_task(
            key=f"plan:{plan_id}:supervision",
            case_type="plan",
            case_id=plan_id,
            step="quality_supervision",
            role="supervisor",
            jurisdiction=supervision.centre,
            due_working_days=budget(case, "quality_supervision"),
            assignee_id=supervision.supervisor_id,
            drawn=supervision.drawn,
        )


def open_results_window(plan_id: int) -> None:
    """成绩报送期 results window opens."""
    with db() as session:
        batch.open_results_window(session, plan_id=plan_id)


def await_results(plan_id: int, review_round: int) -> None:
    """The enterprise submits scores (due within the profile's working days after the evaluation)."""
    wait_for(
        lambda s: batch.results_received(s, plan_id=plan_id, round_no=review_round),
        what=f"results round {review_round}",
    )


def publicise_results(plan_id: int, review_round: int, case: PlanFlowFacts) -> None:
    """结果公示 ≥ 5 working days; objections are investigated before the centre reviews."""
    profile = get_profile(case.profile_code)
    start = results_publicity_start(plan_id)
    wait_working_days(
        key=f"plan:{plan_id}:publicity:{review_round}",
        case_type="plan",
        case_id=plan_id,
        purpose="results_publicity",
        start=start,
        working_days=profile.results_publicity_working_days,
        start_day_counts=profile.start_day_counts,
        on_set=lambda end, provisional: open_results_publicity(plan_id, review_round, end, provisional),
        meanwhile=lambda: objections_move_on(plan_id),
    )
    wait_for(
        lambda s: objections.investigations_closed(s, case_type="plan", case_id=plan_id),
        what="objection investigations",
        meanwhile=lambda: objections_move_on(plan_id),
    )


def objections_move_on(plan_id: int) -> None:
    """异议调查 (004 §五(四)): the enterprise's finding goes to the centre's review; sent back, it is investigated
    again."""
    with db() as session:
        investigations.advance(session, plan_id=plan_id)


def results_publicity_start(plan_id: int) -> dt.date:
    """结果公示开始 publicity starts."""
    with db() as session:
        return batch.results_publicity_start(session, plan_id=plan_id)


def open_results_publicity(plan_id: int, review_round: int, end: dt.date, provisional: bool) -> None:
    """结果公示 publish results."""
    with db() as session:
        batch.start_results_publicity(session, plan_id=plan_id, round_no=review_round, end=end, provisional=provisional)


def enter_review(plan_id: int, review_round: int) -> None:
    """结果审核 review opens."""
    with db() as session:
        batch.enter_review(session, plan_id=plan_id, round_no=review_round)


def return_results(plan_id: int, review_round: int, reason: str) -> None:
    """退回 results returned."""
    with db() as session:
        batch.return_results(session, plan_id=plan_id, round_no=review_round, reason=reason)


def upload_to_national_system(plan_id: int) -> None:
    """上传全国联网查询系统: each numbered certificate with its holder's data, retried (out of retries, an
    incident). Acknowledged certificates become valid; refused ones stay pending with the reason, and
    the run waits for operations to send them again (an incident of its own)."""
    while True:
        upload = prepare_upload(plan_id)
        if upload["round"]:  # answered before this replay: apply that answer again (idempotent)
            if not record_acknowledgement(plan_id, upload["last_answer"], fresh=False):
                return
            wait_for(
                lambda s: registry.incident_retry_requested(
                    s, kind="certificate_refusal", case_type="plan", case_id=plan_id
                ),
                what="certificates sent again",
            )
        answer = (
            call_external(
                kind="certificate_upload",
                path="/certificates",
                key=national_key("upload", upload["payload"]["institution_segment"], "plan", plan_id, upload["round"]),
                payload=upload["payload"],
                case_type="plan",
                case_id=plan_id,
            )
            if upload["payload"]["certificates"]
            else {}
        )
        if not record_acknowledgement(plan_id, answer, fresh=True):
            return


def prepare_upload(plan_id: int) -> dict:
    """上传准备 prepare upload."""
    with db(readonly=True) as session:
        return batch.upload_round(session, plan_id=plan_id)


def number_certificates(plan_id: int) -> list[str]:
    """证书编号 certificates numbered."""
    with db() as session:
        return batch.number_certificates(session, plan_id=plan_id)


def record_acknowledgement(plan_id: int, answer: dict, fresh: bool) -> list[dict]:
    """全国联网确认 national acknowledgement."""
    with db() as session:
        return batch.record_acknowledgement(session, plan_id=plan_id, answer=answer, fresh=fresh, flow_run_id=run_id())


@task(name="证书文档 render certificate PDFs", cache_policy=NO_CACHE, persist_result=False)
def render_certificate_documents(plan_id: int) -> dict:
    """Pre-render the batch's PDFs after issuance (numbers are already recorded, so this never holds
    issuance up; a failure here only means the first download renders on demand)."""
    from prefect import get_run_logger

    settings = instance.current()
    try:
        with db(readonly=True) as session:
            return documents.render_batch(
                session, plan_id=plan_id, settings=settings, workers=1
            )
    except Exception as exc:  # noqa: BLE001 - documents render on demand as well
        get_run_logger().warning("pre-rendering certificates of plan %s failed: %s", plan_id, exc)
        return {"error": str(exc)}


STEP_FUNCTIONS = {
    "plan_acceptance": plan_accepted,
    "roster_review": roster_review,
    "quality_supervision": quality_supervision,
    "evaluation": evaluation,
    "results_submission": results_submission,
    "results_publicity": results_publicity,
    "results_review": results_review,
    "certificate_numbering": certificate_numbering,
    "national_upload": national_upload,
    "certificate_issuance": certificate_issuance,
}
assert set(STEP_FUNCTIONS) == set(BATCH_STEP_FUNCTIONS), "every step of the vocabulary has its function"


def _load(plan_id: int) -> PlanFlowFacts:
    with db(readonly=True) as session:
        return batch.flow_facts(session, plan_id=plan_id)
