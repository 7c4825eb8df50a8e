"""Process 1 — institution filing (备案): seeds 003 §二(一)(二), 004 §四.

One line per policy step; each step is idempotent, because a resumed run replays from the top.
"""

from __future__ import annotations

from functools import partial

from prefect import flow

from flows.steps import (
    await_decision,
    await_decisions,
    budget,
    call_external,
    db,
    national_key,
    open_human_task,
    wait_for,
    wait_working_days,
)
from models.facts import FilingFlowFacts
from policy.processes import FILING_STEP_FUNCTIONS, ProcessStep
from policy.profiles import get_profile
from tasks.cases import filing as filings
from tasks.cases import objections
from tasks.records import audit


@flow(name="institution_filing", persist_result=True, log_prints=True)
def institution_filing(filing_id: int) -> str:
    """The profile's `filing_steps`, in its order (Guangdong: acceptance → expert evaluation → 择优遴选 →
    领导小组同意 → registration → pilot plan; Gansu: … → publicity → cities' report → ministry review → …)."""
    case = _load(filing_id)
    if case.finished:
        return case.status
    for step in get_profile(case.profile_code).filing_steps:
        if not step.applies_to(case.institution_kind):
            continue
        if not STEP_FUNCTIONS[step.step](filing_id, case, step):
            return "rejected"
    return "registered"


# -- the steps ----------------------------------------------------------------


def check_completeness(filing_id: int) -> list[dict]:
    """材料完整性检查 completeness check."""
    with db() as session:
        filings.set_step(session, filing_id=filing_id, status="in_acceptance", step="acceptance",
                         only_from=("submitted", "city_recommendation"))
        return filings.completeness_findings(session, filing_id=filing_id)


def accept_application(filing_id: int, case: FilingFlowFacts, step: ProcessStep) -> bool:
    """受理: the officer approves, rejects, or lists every deficiency at once; the enterprise
    resubmits and the check starts again (rounds are counted)."""
    check_completeness(filing_id)
    round_no = 0
    while True:
        acceptance = await_decision(
            key=f"filing:{filing_id}:acceptance:{round_no}", case_type="filing", case_id=filing_id,
            step="acceptance", role="officer", jurisdiction=case.centres[step.by],
            due_working_days=budget(case, "acceptance"))
        if acceptance.decision == "approve":
            return True
        if acceptance.decision == "reject":
            close(filing_id, "rejected", acceptance.payload.get("reason") or "不予受理")
            return False
        send_deficiency_notice(filing_id, round_no, acceptance.payload.get("deficiencies", []), acceptance.decided_by)
        wait_for(partial(filings.resubmission_received, filing_id=filing_id, round_no=round_no),
                 what=f"resubmission round {round_no}")
        round_no += 1


def send_deficiency_notice(filing_id: int, round_no: int, items: list[str], officer_id: int | None) -> None:
    """一次性告知 deficiency notice."""
    with db() as session:
        filings.issue_deficiency_notice(session, filing_id=filing_id, round_no=round_no, items=items,
                                        officer_id=officer_id)


def evaluate_by_expert_panel(filing_id: int, case: FilingFlowFacts, step: ProcessStep) -> bool:
    """专家评估: a panel scores the aspects of 003 §二(二); the profile's bar decides."""
    profile = get_profile(case.profile_code)
    seats = choose_panel(filing_id, profile.expert_panel_size)
    keys = [f"filing:{filing_id}:expert:{seat}" for seat in range(len(seats))]
    for key, expert_id in zip(keys, seats, strict=True):
        open_human_task(key=key, case_type="filing", case_id=filing_id, step="expert_evaluation", role="expert",
                        jurisdiction=case.centres[step.by], due_working_days=budget(case, "expert_evaluation"),
                        assignee_id=expert_id, drawn=True)
    await_decisions(keys)
    passed = panel_result(filing_id, keys)
    if not passed:
        close(filing_id, "rejected", "专家评估未通过 / the expert panel did not pass the application")
    return passed


def choose_panel(filing_id: int, size: int) -> list[int | None]:
    """专家遴选 draw the expert panel."""
    with db() as session:
        return filings.draw_expert_panel(session, filing_id=filing_id, size=size)


def panel_result(filing_id: int, keys: list[str]) -> bool:
    """评估结论 panel result."""
    with db() as session:
        passed, mean = filings.panel_passes(session, filing_id=filing_id, task_keys=keys)

        audit.record(session, case_type="filing", case_id=filing_id, action="expert_panel_result",
                     after={"passed": passed, "mean_score": mean})
        return passed


def recommend_from_the_city(filing_id: int, case: FilingFlowFacts, step: ProcessStep) -> bool:
    """市人力资源社会保障部门推荐意见 (003 §一(一) and its attachment): the city's centre recommends the
    enterprise before the provincial centre takes the filing; no recommendation ends it."""
    return officer_step(filing_id, case, step, refused="not_recommended", outcome="市人社部门不予推荐")


def select_the_best(filing_id: int, case: FilingFlowFacts, step: ProcessStep) -> bool:
    """择优遴选 (003 §二(二)): of the applicants the experts passed, the centre selects the pilot enterprises."""
    return officer_step(filing_id, case, step, refused="not_selected", outcome="未入选（择优遴选）")


def leading_group_approves(filing_id: int, case: FilingFlowFacts, step: ProcessStep) -> bool:
    """报领导小组同意 (003 §二(二)): the provincial leading group's approval, recorded by the centre."""
    return officer_step(filing_id, case, step, refused="reject", outcome="领导小组未同意")


def report_with_the_cities(filing_id: int, case: FilingFlowFacts, step: ProcessStep) -> bool:
    """汇总 (004 §四(四)): the provincial centre collects its own and the cities' lists without
    objections and sends them to the ministry review."""
    return officer_step(filing_id, case, step, refused=None, outcome="")


def officer_step(filing_id: int, case: FilingFlowFacts, step: ProcessStep, *, refused: str | None,
                 outcome: str) -> bool:
    enter(filing_id, step.step)
    decision = await_decision(key=f"filing:{filing_id}:{step.step}", case_type="filing", case_id=filing_id,
                              step=step.step, role="officer", jurisdiction=case.centres[step.by],
                              due_working_days=budget(case, step.step))
    if decision.decision == refused:
        close(filing_id, "rejected", f"{outcome}：{decision.payload.get('reason', '')}")
        return False
    return True


def enter(filing_id: int, step: str) -> None:
    """进入环节 step entered (a replay finds the case there in a read, taking no writer's turn)."""
    with db(readonly=True) as session:
        if filings.is_at_step(session, filing_id=filing_id, step=step):
            return
    with db() as session:
        filings.enter_step(session, filing_id=filing_id, step=step)


def publicise(filing_id: int, case: FilingFlowFacts, step: ProcessStep) -> bool:
    """公示: a working-day period; objections raised meanwhile are investigated before moving on."""
    profile = get_profile(case.profile_code)
    start = publicity_start_date(filing_id)
    wait_working_days(key=f"filing:{filing_id}:publicity", case_type="filing", case_id=filing_id, purpose="publicity",
                      start=start, working_days=profile.filing_publicity_working_days,
                      start_day_counts=profile.start_day_counts,
                      on_set=lambda end, provisional: open_publicity(filing_id, end, provisional))
    wait_for(lambda s: objections.investigations_closed(s, case_type="filing", case_id=filing_id),
             what="objection investigations")
    if upheld_objections(filing_id):
        close(filing_id, "rejected", "公示异议成立 / an objection was upheld")
        return False
    return True


def publicity_start_date(filing_id: int):
    """公示开始 publicity starts."""
    with db() as session:
        return filings.publicity_start_date(session, filing_id=filing_id)


def open_publicity(filing_id: int, end, provisional: bool) -> None:
    """公示 publish."""
    with db() as session:
        filings.start_publicity(session, filing_id=filing_id, end=end, provisional=provisional)


def upheld_objections(filing_id: int) -> int:
    """异议处理结果 objection outcomes."""
    with db() as session:
        return len(objections.record_outcomes(session, case_type="filing", case_id=filing_id))


def request_ministry_review(filing_id: int, case: FilingFlowFacts, step: ProcessStep) -> bool:
    """部中心复核: the filed enterprise and occupations go to the national centre, whose answer is read;
    a refusal returns to the officer with its reasons, who corrects and resends, or rejects."""
    review_round, response = 0, ""
    while True:
        payload = enter_ministry_review(filing_id, review_round, response)
        key = national_key("ministry-review", payload["credit_code"], "filing", filing_id,
                           *([review_round] if review_round else []))
        answer = call_external(kind="ministry_review", path="/ministry-review", key=key, payload=payload,
                               case_type="filing", case_id=filing_id)
        if record_ministry_answer(filing_id, review_round, answer):
            return True
        refusal = await_decision(key=f"filing:{filing_id}:ministry_refusal:{review_round}", case_type="filing",
                                 case_id=filing_id, step="ministry_refusal", role="officer",
                                 jurisdiction=case.centres[step.by],
                                 due_working_days=budget(case, "ministry_refusal"))
        if refusal.decision == "reject":
            close(filing_id, "rejected", refusal.payload.get("reason") or "部中心复核未通过")
            return False
        review_round, response = review_round + 1, refusal.payload.get("reason", "")


def enter_ministry_review(filing_id: int, review_round: int, response: str) -> dict:
    """部中心复核 prepare ministry review."""
    with db() as session:
        filings.enter_step(session, filing_id=filing_id, step="ministry_review", also_from=("ministry_refused",))
        return filings.ministry_review_payload(session, filing_id=filing_id, round_no=review_round, response=response)


def record_ministry_answer(filing_id: int, review_round: int, answer: dict) -> bool:
    """复核结果 ministry review answer."""
    with db() as session:
        return filings.record_ministry_answer(session, filing_id=filing_id, round_no=review_round, answer=answer)


def register(filing_id: int, case: FilingFlowFacts, step: ProcessStep) -> bool:
    """备案公布: receipt, certificate-number segment by filing order, the public catalogue."""
    register_institution(filing_id)
    return True


def register_institution(filing_id: int) -> None:
    """备案公布 registration."""
    with db() as session:
        filings.register_institution(session, filing_id=filing_id)


def report_to_national_centre(filing_id: int, case: FilingFlowFacts, step: ProcessStep) -> bool:
    """备案公布 (004 §四(四)): the provincial centre reports the filed enterprise and its receipt to the
    national centre for publication — retried; out of retries, an incident operations retry."""
    payload = national_report_payload(filing_id)
    answer = call_external(kind="national_report", path="/filing-reports",
                           key=national_key("filing-report", payload["credit_code"], "filing", filing_id),
                           payload=payload, case_type="filing", case_id=filing_id)
    record_national_report(filing_id, answer)
    return True


def national_report_payload(filing_id: int) -> dict:
    """备案公布报送 national report payload."""
    with db(readonly=True) as session:
        return filings.national_report_payload(session, filing_id=filing_id)


def record_national_report(filing_id: int, answer: dict) -> None:
    """部中心公布回执 national report acknowledged."""
    with db() as session:
        filings.record_national_report(session, filing_id=filing_id, answer=answer)


def evaluate_pilot_plan(filing_id: int, case: FilingFlowFacts, step: ProcessStep) -> bool:
    """试点方案 (003 §二(三)): the registered enterprise submits its pilot plan; experts evaluate it; a
    plan they fail is revised and submitted again. Evaluation plans are refused until one passes."""
    if case.pilot_plan_approved:  # passed already (a change of scope, or a replay after it passed)
        return True
    profile = get_profile(case.profile_code)
    round_no = 0
    while True:
        await_pilot_plan(filing_id, round_no)
        wait_for(partial(filings.pilot_plan_received, filing_id=filing_id, round_no=round_no),
                 what=f"pilot plan round {round_no}")
        seats = choose_pilot_plan_panel(filing_id, round_no, profile.expert_panel_size)
        keys = [f"filing:{filing_id}:pilot_plan:{round_no}:{seat}" for seat in range(len(seats))]
        for key, expert_id in zip(keys, seats, strict=True):
            open_human_task(key=key, case_type="filing", case_id=filing_id, step="pilot_plan_evaluation",
                            role="expert", jurisdiction=case.centres[step.by],
                            due_working_days=budget(case, "pilot_plan_evaluation"), assignee_id=expert_id, drawn=True)
        await_decisions(keys)
        if pilot_plan_result(filing_id, round_no, keys):
            return True
        round_no += 1


def await_pilot_plan(filing_id: int, round_no: int) -> None:
    """等待试点方案 pilot plan awaited."""
    with db() as session:
        if not filings.pilot_plan_received(session, filing_id=filing_id, round_no=round_no):
            filings.awaiting_pilot_plan(session, filing_id=filing_id, round_no=round_no)


def choose_pilot_plan_panel(filing_id: int, round_no: int, size: int) -> list[int | None]:
    """试点方案专家遴选 draw the pilot plan's panel."""
    with db() as session:
        return filings.draw_pilot_plan_panel(session, filing_id=filing_id, round_no=round_no, size=size)


def pilot_plan_result(filing_id: int, round_no: int, keys: list[str]) -> bool:
    """试点方案评估结论 pilot plan result."""
    with db() as session:
        return filings.record_pilot_plan_result(session, filing_id=filing_id, round_no=round_no, task_keys=keys)


def close(filing_id: int, status: str, reason: str) -> None:
    """办结 close."""
    with db() as session:
        filings.close_filing(session, filing_id=filing_id, status=status, reason=reason)


STEP_FUNCTIONS = {
    "city_recommendation": recommend_from_the_city,
    "acceptance": accept_application,
    "expert_evaluation": evaluate_by_expert_panel,
    "best_selection": select_the_best,
    "leading_group_approval": leading_group_approves,
    "publicity": publicise,
    "cities_report": report_with_the_cities,
    "ministry_review": request_ministry_review,
    "registration": register,
    "pilot_plan_evaluation": evaluate_pilot_plan,
    "national_report": report_to_national_centre,
}


def _load(filing_id: int) -> FilingFlowFacts:
    with db(readonly=True) as session:
        return filings.flow_facts(session, filing_id=filing_id)


assert set(STEP_FUNCTIONS) == set(FILING_STEP_FUNCTIONS), "every step of the vocabulary has its function"
