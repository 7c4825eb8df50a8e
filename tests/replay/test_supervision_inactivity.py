"""Inactivity withdrawal on the replay tier (004 §六(三)): two years of simulated time without a batch — the
tick's daily scan warns the institution, then withdraws it; it leaves the public catalogue, its removal is
published, and it files no more plans. (The test's own database: moving its clock years ahead disturbs
no other test.)"""

import datetime as dt

import pytest

from tests.stack.driver import registered_institution

pytestmark = pytest.mark.slow


def test_two_years_without_a_batch_bring_a_warning_then_the_withdrawal_out_of_the_catalogue(driver_in):
    driver = driver_in("510104")
    institution_id = registered_institution(driver, driver.region)
    clock = driver.call("enterprise", "GET", f"/api/v1/institutions/{institution_id}")["inactivity"]
    registered = dt.date.fromisoformat(clock["active_since"])
    # the day after the two years end (民法典 arts. 201, 202: they end with the anniversary)
    withdrawal = registered.replace(year=registered.year + 2) + dt.timedelta(days=1)
    assert clock["withdrawal_on"] == withdrawal.isoformat() and not clock["warned_on"]

    driver.advance((dt.date.fromisoformat(clock["warning_on"]) - driver.business_today()).days)
    view = lambda: driver.call("enterprise", "GET", f"/api/v1/institutions/{institution_id}")  # noqa: E731
    warned = driver.wait("the warning", lambda: (v := view())["inactivity"]["warned_on"] and v)
    assert warned["status"] == "registered" and warned["inactivity"]["warned_on"] == clock["warning_on"]

    driver.advance((dt.date.fromisoformat(clock["withdrawal_on"]) - driver.business_today()).days)
    withdrawn = driver.wait("the withdrawal", lambda: (v := view())["status"] == "withdrawn" and v)
    assert withdrawn["inactivity"] == {"removed_on": clock["withdrawal_on"], "removal_reason": "inactivity"}
    catalogue = driver.call("public", "GET", "/api/v1/public/institutions", params={"limit": 500})["items"]
    assert institution_id not in [i["id"] for i in catalogue]
    removals = driver.call("public", "GET", "/api/v1/public/institutions/removals", params={"limit": 500})["items"]
    assert {"id": institution_id, "removed_on": clock["withdrawal_on"], "reason": "inactivity"}.items() <= next(
        r for r in removals if r["id"] == institution_id).items()
    start = driver.calendar.add(driver.business_today(), 20).date
    refused = driver.http.post(f"/api/v1/institutions/{institution_id}/plans", json=driver.plan_body(start),
                               headers={"Authorization": f"Bearer {driver.tokens['enterprise']}"})
    assert refused.status_code == 409 and "视同自行退出" in refused.json()["detail"]
