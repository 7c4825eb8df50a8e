"""Process 2 — an evaluation batch (认定实施): seeds 002 §(十八), 003 §二(四)(五), 004 §五.

One line per policy step; each step is idempotent, because a resumed run replays from the top.
"""

from __future__ import annotations

import datetime as dt

from prefect import flow, task

from core import settings as instance
from flows.steps import (
    DB_STEP,
    await_decision,
    budget,
    call_external,
    db,
    open_human_task,
    run_id,
    wait_for,
    wait_until,
    wait_working_days,
)
from policy.profiles import get_profile
from tasks import batch, documents, objections, registry


@flow(name="evaluation_batch", persist_result=True, log_prints=True)
def evaluation_batch(plan_id: int) -> str:
    case = _load(plan_id)
    if case["status"] in ("completed", "rejected"):
        return case["status"]
    accept_plan(plan_id)
    supervision = draw_quality_supervision(plan_id)
    wait_until(key=f"plan:{plan_id}:evaluation_day", case_type="plan", case_id=plan_id, purpose="evaluation_day",
               day=case["evaluation_start"])
    evaluate(plan_id, supervision, case)
    wait_until(key=f"plan:{plan_id}:evaluation_end", case_type="plan", case_id=plan_id, purpose="evaluation_end",
               day=case["evaluation_end"] + dt.timedelta(days=1))  # the evaluation is over at the end of its last day
    open_results_window(plan_id)
    review_round = 0
    while True:
        await_results(plan_id, review_round)
        publicise_results(plan_id, review_round, case)
        review = await_decision(key=f"plan:{plan_id}:review:{review_round}", case_type="plan", case_id=plan_id,
                                step="results_review", role="officer", jurisdiction=case["region_code"],
                                due_working_days=budget(case, "results_review"))
        if review.decision == "approve":
            break
        return_results(plan_id, review_round, review.payload.get("reason", ""))
        review_round += 1
    numbers = number_certificates(plan_id)
    upload_to_national_system(plan_id)
    render_certificate_documents(plan_id)
    return f"completed: {len(numbers)} certificates"


# -- the steps ----------------------------------------------------------------


@task(name="实施计划备案 plan accepted", **DB_STEP)
def accept_plan(plan_id: int) -> None:
    with db() as session:
        batch.set_step(session, plan_id=plan_id, status="scheduled", step="quality_supervision", only_from=("filed",))


@task(name="质量督导抽查 random quality supervision", **DB_STEP)
def draw_quality_supervision(plan_id: int) -> dict:
    with db() as session:
        return batch.draw_supervision(session, plan_id=plan_id)


def evaluate(plan_id: int, supervision: dict, case: dict) -> None:
    """考核 takes place on the planned days; a supervised batch gets its supervisor's report task. The
    results window (10 working days) opens when the evaluation has ended."""
    if supervision["supervised"]:
        open_human_task(key=f"plan:{plan_id}:supervision", case_type="plan", case_id=plan_id,
                        step="quality_supervision", role="supervisor", jurisdiction=case["region_code"],
                        due_working_days=budget(case, "quality_supervision"), assignee_id=supervision["supervisor_id"],
                        drawn=True)


@task(name="成绩报送期 results window opens", **DB_STEP)
def open_results_window(plan_id: int) -> None:
    with db() as session:
        batch.open_results_window(session, plan_id=plan_id)


def await_results(plan_id: int, review_round: int) -> None:
    """The enterprise submits scores (due within the profile's working days after the evaluation)."""
    wait_for(lambda s: batch.results_received(s, plan_id=plan_id, round_no=review_round),
             what=f"results round {review_round}")


def publicise_results(plan_id: int, review_round: int, case: dict) -> None:
    """结果公示 ≥ 5 working days; objections are investigated before the centre reviews."""
    profile = get_profile(case["profile_code"])
    start = results_publicity_start(plan_id)
    wait_working_days(key=f"plan:{plan_id}:publicity:{review_round}", case_type="plan", case_id=plan_id,
                      purpose="results_publicity", start=start, working_days=profile.results_publicity_working_days,
                      start_day_counts=profile.start_day_counts,
                      on_set=lambda end, provisional: open_results_publicity(plan_id, review_round, end, provisional))
    wait_for(lambda s: objections.investigations_closed(s, case_type="plan", case_id=plan_id),
             what="objection investigations")
    enter_review(plan_id)


@task(name="结果公示开始 publicity starts", **DB_STEP)
def results_publicity_start(plan_id: int) -> dt.date:
    with db() as session:
        return batch.results_publicity_start(session, plan_id=plan_id)


@task(name="结果公示 publish results", **DB_STEP)
def open_results_publicity(plan_id: int, review_round: int, end: dt.date, provisional: bool) -> None:
    with db() as session:
        batch.start_results_publicity(session, plan_id=plan_id, round_no=review_round, end=end, provisional=provisional)


@task(name="结果审核 review opens", **DB_STEP)
def enter_review(plan_id: int) -> None:
    with db() as session:
        batch.exclude_upheld_candidates(session, plan_id=plan_id)
        batch.set_step(session, plan_id=plan_id, status="in_review", step="results_review", only_from=("publicity",))


@task(name="退回 results returned", **DB_STEP)
def return_results(plan_id: int, review_round: int, reason: str) -> None:
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
            wait_for(lambda s: registry.incident_retry_requested(s, kind="certificate_refusal", case_type="plan",
                                                                 case_id=plan_id), what="certificates sent again")
        answer = (call_external(kind="certificate_upload", path="/certificates",
                                key=f"upload:plan:{plan_id}:{upload['round']}", payload=upload["payload"],
                                case_type="plan", case_id=plan_id)
                  if upload["payload"]["certificates"] else {})
        if not record_acknowledgement(plan_id, answer, fresh=True):
            return


@task(name="上传准备 prepare upload", **DB_STEP)
def prepare_upload(plan_id: int) -> dict:
    with db(readonly=True) as session:
        return batch.upload_round(session, plan_id=plan_id)


@task(name="证书编号 certificates numbered", **DB_STEP)
def number_certificates(plan_id: int) -> list[str]:
    with db() as session:
        return batch.number_certificates(session, plan_id=plan_id)


@task(name="全国联网确认 national acknowledgement", **DB_STEP)
def record_acknowledgement(plan_id: int, answer: dict, fresh: bool) -> list[dict]:
    with db() as session:
        return batch.record_acknowledgement(session, plan_id=plan_id, answer=answer, fresh=fresh,
                                            flow_run_id=run_id())


@task(name="证书文档 render certificate PDFs", **DB_STEP)
def render_certificate_documents(plan_id: int) -> dict:
    """Pre-render the batch's PDFs after issuance (numbers are already recorded, so this never holds
    issuance up; a failure here only means the first download renders on demand)."""
    from prefect import get_run_logger

    settings = instance.current()
    try:
        with db(readonly=True) as session:
            return documents.render_batch(session, plan_id=plan_id, data_dir=settings.data_dir,
                                          base_url=settings.base_url, workers=1)
    except Exception as exc:  # noqa: BLE001 - documents render on demand as well
        get_run_logger().warning("pre-rendering certificates of plan %s failed: %s", plan_id, exc)
        return {"error": str(exc)}


def _load(plan_id: int) -> dict:
    with db() as session:
        return batch.flow_facts(session, plan_id=plan_id)
