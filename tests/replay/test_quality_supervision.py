"""Quality supervision that counts (issue 13): supervisors from the roster the profile names, a structured
on-site report, the review waiting for it; `to_correct` waits for the enterprise's answers, `serious
violation` stops the batch for the centre. Jiangsu's S-type organisations are supervised at every
session (002 §(十八)), which makes these runs deterministic."""

import time

import pytest

from models.db import session_scope
from tasks.people.accounts import create_user
from tests.stack.driver import registered_institution

pytestmark = pytest.mark.slow

JIANGSU = "320102"
ROSTER = "320000"  # Jiangsu's filings (and so its plans) are handled by the provincial centre (local setting)
REPORT = {"identity_checked": True, "proctoring_ok": True, "video_running": True, "scored_per_standard": True}


def _supervisor(driver, centre):
    user, token = create_user(driver.url, role="supervisor", name=f"{driver.prefix}-督导-{time.monotonic_ns()}",
                              jurisdiction=centre, card_number="JS-DD-0001")
    name = f"supervisor{user.id}"
    driver.tokens[name] = token
    return name


def _supervised_batch(driver):
    institution_id = registered_institution(driver, JIANGSU, kind="S")
    start = driver.calendar.add(driver.business_today(), 17).date
    pid = driver.call("enterprise", "POST", f"/api/v1/institutions/{institution_id}/plans",
                      json=driver.plan_body(start, candidates=3, offset=950, relation="public"))["id"]
    _review_roster(driver, pid, decision="approve")
    plan = driver.wait("drawn", lambda: (p := driver.officer_plan(pid))["supervision"]["draw_id"] and p)
    assert plan["supervision"]["supervised"] is True  # an S-type organisation: every session
    driver.pass_timer("plan", pid, "evaluation_day")  # the supervisor's task opens on the evaluation day
    return pid


def _review_roster(driver, pid, **decision):
    """考生报名资格审核 (002 §(十八)): the S-type roster is reviewed by the centre holding the plan first."""
    centre = driver.officer_at(driver.officer_plan(pid)["handling_centre"])
    driver.decide(centre, driver.task(centre, "roster_review", pid)[0], **decision)


def test_a_roster_refused_at_the_eligibility_review_ends_the_s_type_batch_before_any_supervision(driver_in):
    driver = driver_in(JIANGSU)
    institution_id = registered_institution(driver, JIANGSU, kind="S")
    start = driver.calendar.add(driver.business_today(), 17).date
    pid = driver.call("enterprise", "POST", f"/api/v1/institutions/{institution_id}/plans",
                      json=driver.plan_body(start, candidates=2, offset=980, relation="public"))["id"]
    _review_roster(driver, pid, decision="reject", reason="两名考生报名资格材料不全")
    plan = driver.wait_status("plan", pid, "rejected")
    assert "考生报名资格审核未通过" in plan["outcome_reason"] and "材料不全" in plan["outcome_reason"]
    assert driver.officer_plan(pid)["supervision"]["draw_id"] is None  # never drawn: the batch ended first


def _to_results(driver, pid):
    driver.pass_timer("plan", pid, "evaluation_end")
    status = driver.wait_status("plan", pid, "awaiting_results")
    driver.call("enterprise", "POST", f"/api/v1/plans/{pid}/results",
                json={"scores": [{"candidate_id": c["id"], "practical": 90} for c in status["candidates"]]})
    driver.wait_status("plan", pid, "publicity")
    driver.pass_timer("plan", pid, "results_publicity")


def test_a_correction_in_the_report_holds_the_review_until_the_enterprise_answers_it(driver_in):
    driver = driver_in(JIANGSU)
    supervisor = _supervisor(driver, ROSTER)
    elsewhere = _supervisor(driver, "320100")  # Nanjing's roster: not the centre holding this plan
    pid = _supervised_batch(driver)
    task = driver.open_tasks(supervisor, "quality_supervision", pid)[0]
    assert task["jurisdiction"] == ROSTER and task["assignee_id"] is None  # left to the roster (random supervision)
    other = driver.call(elsewhere, "GET", "/api/v1/tasks", params={"step": "quality_supervision"})["items"]
    assert pid not in [t["case_id"] for t in other]
    driver.call(supervisor, "POST", f"/api/v1/tasks/{task['id']}/claim")
    missing = driver.http.post(
        f"/api/v1/tasks/{task['id']}/decision",
        json={"decision": "report", "reason": "现场督导"},
        headers={"Authorization": f"Bearer {driver.tokens[supervisor]}"},
    )
    assert missing.status_code == 422 and "report" in missing.text  # the structured report is required
    vague = driver.http.post(
        f"/api/v1/tasks/{task['id']}/decision",
        json={"decision": "report", "reason": "现场督导", "report": {**REPORT, "verdict": "to_correct"}},
        headers={"Authorization": f"Bearer {driver.tokens[supervisor]}"},
    )
    assert vague.status_code == 422 and "corrections" in vague.text
    driver.call(
        supervisor,
        "POST",
        f"/api/v1/tasks/{task['id']}/decision",
        json={
            "decision": "report",
            "reason": "考场秩序总体良好",
            "report": {
                **REPORT,
                "video_running": False,
                "verdict": "to_correct",
                "findings": ["第二考场监控中断 20 分钟"],
                "corrections": ["补充第二考场中断期间的替代监考记录"],
            },
        },
    )

    _to_results(driver, pid)
    driver.engine.settle()  # the run has moved as far as it can: it must not have opened the review
    inbox = driver.call("officer", "GET", "/api/v1/tasks", params={"step": "results_review", "limit": 200})["items"]
    assert pid not in [t["case_id"] for t in inbox]
    status = driver.plan_status(pid)
    assert status["supervision"]["corrections"] == ["补充第二考场中断期间的替代监考记录"]  # the enterprise sees them
    wrong = driver.http.post(
        f"/api/v1/plans/{pid}/corrections",
        json={"answers": ["甲", "乙"]},
        headers={"Authorization": f"Bearer {driver.tokens['enterprise']}"},
    )
    assert wrong.status_code == 422  # one answer per correction
    driver.call(
        "enterprise",
        "POST",
        f"/api/v1/plans/{pid}/corrections",
        json={"answers": ["已补充第二考场两名监考人员的现场记录，附签字扫描件"]},
    )
    review = driver.open_tasks("officer", "results_review", pid)[0]
    driver.decide("officer", review, decision="approve")
    assert driver.wait_status("plan", pid, "completed")["certificates_issued"] == 3


def test_a_serious_violation_stops_the_batch_opens_a_supervision_case_and_the_centre_voids_it(driver_in):
    driver = driver_in(JIANGSU)
    supervisor = _supervisor(driver, ROSTER)
    pid = _supervised_batch(driver)
    task = driver.open_tasks(supervisor, "quality_supervision", pid)[0]
    driver.decide(
        supervisor,
        task,
        decision="report",
        reason="发现替考",
        report={
            **REPORT,
            "identity_checked": False,
            "verdict": "serious_violation",
            "findings": ["3 号考生由他人代考，身份证与本人不符"],
        },
    )
    _to_results(driver, pid)
    violation = driver.open_tasks("officer", "supervision_violation", pid)[0]
    assert driver.plan_status(pid)["status"] == "suspended"
    # the institution's conduct becomes a supervision case of its own, investigated without a triage
    case = next(c for c in driver.call("officer", "GET", "/api/v1/complaints")["items"] if c["plan_id"] == pid)
    assert case["source"] == "supervision_report" and "代考" in case["text"]
    assert driver.open_tasks("officer", "supervision_investigation", case["id"])
    driver.decide("officer", violation, decision="void", reason="经核实存在替考，本批次认定结果作废")
    status = driver.wait_status("plan", pid, "rejected")
    assert "严重违规" in status["outcome_reason"] and status["certificates_issued"] == 0
    with session_scope(driver.url, readonly=True) as session:
        from sqlmodel import select

        from models.workflow import HumanTask

        assert (
            session.exec(
                select(HumanTask).where(
                    HumanTask.case_type == "plan", HumanTask.case_id == pid, HumanTask.step == "results_review"
                )
            ).all()
            == []
        )
