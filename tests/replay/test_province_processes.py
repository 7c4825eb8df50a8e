"""Each province's process as its profile lists it, on the real embedded Prefect and the simulated clock:
a filing and a batch go through exactly the profile's steps, each human step at the centre the profile
names (and at no other), and nothing the profile does not list happens."""

import pytest

from policy.profiles import load_profiles, profile_for_region
from tests.stack.driver import registered_institution

pytestmark = pytest.mark.slow

REGIONS = {"guangdong": "440106", "shenzhen": "440305", "jiangsu": "320102", "gansu": "620102", "sichuan": "510104"}
OFFICER_STEPS = ("city_recommendation", "acceptance", "best_selection", "leading_group_approval", "cities_report")
EXPERT_STEPS = ("expert_evaluation", "pilot_plan_evaluation")


def test_every_shipped_profile_has_a_region_here():
    assert set(REGIONS) == set(load_profiles())
    assert all(profile_for_region(region).code == code for code, region in REGIONS.items())


def _events_of(driver, case_type: str, case_id: int) -> list[str]:
    """The case's events, in order, as its enterprise reads the feed (every page)."""
    found, after = [], None
    while True:
        page = driver.call("enterprise", "GET", "/api/v1/events",
                           params={"limit": 500, **({"after": after} if after else {})})
        found += [e["type"] for e in page["items"] if (e["case_type"], e["case_id"]) == (case_type, case_id)]
        after = page["next_cursor"]
        if not page["has_more"]:
            return found


def _each_fact_once(types: list[str]) -> None:
    """A run without deficiencies, objections or returns: every event of it states a different fact."""
    repeated = sorted({t for t in types if types.count(t) > 1})
    assert repeated == [], types


def _other_level(driver, centre: str) -> str:
    """The centre of the other level covering the driver's region."""
    return driver.region[:4] + "00" if centre.endswith("0000") else centre[:2] + "0000"


@pytest.mark.parametrize("profile_code", sorted(REGIONS))
def test_a_filing_runs_exactly_the_steps_of_its_profile_at_the_centres_it_names(driver_in, profile_code):
    driver = driver_in(REGIONS[profile_code])
    profile = profile_for_region(driver.region)
    driver.add_experts()
    fid = driver.file(recommend=False)  # every step, the city's recommendation included, as the profile lists it
    for step in profile.filing_steps:
        driver.filing_step(fid, step)
    case = driver.call("officer", "GET", f"/api/v1/filings/{fid}")
    assert case["status"] == "registered"
    events = _events_of(driver, "filing", fid)
    assert events[0] == "filing.submitted" and events.count("filing.registered") == 1
    _each_fact_once(events)

    centre = {s.step: driver.centre(case, s.by) for s in profile.filing_steps}
    expected = [(s.step, centre[s.step]) for s in profile.filing_steps if s.step in OFFICER_STEPS]
    officer_tasks = [(t["step"], t["jurisdiction"]) for t in case["tasks"] if t["role"] == "officer"]
    assert officer_tasks == expected
    expert_steps = [t["step"] for t in case["tasks"] if t["role"] == "expert"]
    assert list(dict.fromkeys(expert_steps)) == [s.step for s in profile.filing_steps if s.step in EXPERT_STEPS]
    actions = [e["action"] for e in case["history"]]
    listed = {s.step for s in profile.filing_steps}
    assert ("ministry_review_passed" in actions) == ("ministry_review" in listed)
    # Gansu (004 §四(四)): after registration the filed enterprise and its receipt go to the national centre
    assert ("national_report_acknowledged" in actions) == ("national_report" in listed)
    reported = [e for e in case["history"] if e["action"] == "national_report_acknowledged"]
    assert all(e["after"]["reference"].startswith("SIM-") for e in reported)
    entered = {(e.get("after") or {}).get("step") for e in case["history"] if e["action"] == "step_entered"}
    assert ("publicity" in entered) == ("publicity" in listed)
    assert ("pilot_plan_evaluation" in entered) == ("pilot_plan_evaluation" in listed)
    # a task belongs to its centre: the other level's officers covering the region do not get it
    for step_code, task_centre in expected:
        other = driver.officer_at(_other_level(driver, task_centre))
        inbox = driver.call(other, "GET", "/api/v1/tasks", params={"step": step_code, "limit": 200})["items"]
        assert fid not in [t["case_id"] for t in inbox]


@pytest.mark.parametrize("profile_code", sorted(REGIONS))
def test_a_batch_runs_exactly_the_steps_of_its_profile_with_each_review_at_its_level(driver_in, profile_code):
    driver = driver_in(REGIONS[profile_code])
    profile = profile_for_region(driver.region)
    institution_id = registered_institution(driver, driver.region)
    start = driver.calendar.add(driver.business_today(), profile.plan_lead_working_days + 2).date
    pid = driver.call("enterprise", "POST", f"/api/v1/institutions/{institution_id}/plans",
                      json=driver.plan_body(start, candidates=3, offset=900))["id"]
    plan = driver.call("officer", "GET", f"/api/v1/plans/{pid}")
    reviewers = []
    for step in profile.batch_steps:
        if step.step == "quality_supervision":
            driver.wait("drawn", lambda: driver.officer_plan(pid)["supervision"]["draw_id"])
        elif step.step == "evaluation":
            driver.pass_timer("plan", pid, "evaluation_day")
            driver.report_supervision(pid)
            driver.pass_timer("plan", pid, "evaluation_end")
        elif step.step == "results_submission":
            status = driver.wait_status("plan", pid, "awaiting_results")
            driver.call("enterprise", "POST", f"/api/v1/plans/{pid}/results",
                        json={"scores": [{"candidate_id": c["id"], "practical": 90} for c in status["candidates"]]})
        elif step.step == "results_publicity":
            driver.wait_status("plan", pid, "publicity")
            driver.pass_timer("plan", pid, "results_publicity")
        elif step.step == "results_review":
            centre = driver.centre(plan, step.by)
            if centre in reviewers:
                continue
            reviewers.append(centre)
            who = driver.officer_at(centre)
            task = driver.wait(f"review at {centre}", lambda c=centre, w=who: [
                t for t in driver.task(w, "results_review", pid, count=1)
                if t["jurisdiction"] == c and t["status"] in ("open", "claimed")])[0]
            other = driver.call(driver.officer_at(_other_level(driver, centre)), "GET", "/api/v1/tasks",
                                params={"step": "results_review", "limit": 200})["items"]
            assert task["id"] not in [t["id"] for t in other]  # the other level does not decide it
            driver.decide(who, task, decision="approve")
    status = driver.wait_status("plan", pid, "completed")
    assert status["certificates_issued"] == 3
    case = driver.call("officer", "GET", f"/api/v1/plans/{pid}")
    reviews = [t["jurisdiction"] for t in case["tasks"] if t["step"] == "results_review"]
    assert reviews == reviewers
    expected_levels = list(dict.fromkeys(driver.centre(plan, s.by) for s in profile.batch_steps
                                         if s.step == "results_review"))
    assert reviews == expected_levels
    entered = {(e.get("after") or {}).get("step") for e in case["history"] if e["action"] == "step_entered"}
    assert ("results_publicity" in entered) == any(s.step == "results_publicity" for s in profile.batch_steps)
    assert case["handling_centre"] == driver.centre(plan, "handling")
    assert "roster_review" not in [t["step"] for t in case["tasks"]]  # an employer's batch: S-type only (Jiangsu)
    events = _events_of(driver, "plan", pid)
    assert events.count("plan.accepted") == 1, events
    _each_fact_once(events)
