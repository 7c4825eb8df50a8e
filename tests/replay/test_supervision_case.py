"""Supervision cases on the replay tier (监督管理): an officer's finding whose rectification order goes
unanswered past its working-day deadline, escalating to the cancellation of the filing with a re-filing ban
that a second officer approves. A justified complaint end to end is on the real stack:
tests/stack/test_supervision_case.py."""

import pytest

from tests.stack.driver import registered_institution

pytestmark = pytest.mark.slow


def test_an_unanswered_rectification_escalates_to_a_cancellation_a_second_officer_approves(driver_in):
    driver = driver_in("440106")
    institution_id = registered_institution(driver, driver.region)
    before = driver.call("officer", "GET", f"/api/v1/institutions/{institution_id}")
    opened = driver.call(
        "officer",
        "POST",
        "/api/v1/supervision-findings",
        json={"institution_id": institution_id, "text": "抽查发现考场未安装视频监控，考评人员未经培训。"},
    )
    assert opened["status"] == "investigating" and opened["source"] == "finding"
    case_id = opened["id"]
    investigation = driver.open_tasks("officer", "supervision_investigation", case_id)[0]
    driver.decide(
        "officer",
        investigation,
        decision="order_rectification",
        reason="抽查问题属实",
        sanction={"items": ["安装考场视频监控", "考评人员参加培训"], "working_days": 3},
    )
    path = f"/api/v1/complaints/{case_id}"
    ordered = driver.wait(
        "the order's deadline",
        lambda: (
            (c := driver.call("enterprise", "GET", path))["status"] == "rectifying"
            and c["rectifications"][0]["due"]
            and c
        ),
    )
    assert ordered["rectifications"][0]["items"] == ["安装考场视频监控", "考评人员参加培训"]

    driver.pass_timer("supervision", case_id, "整改期限", who="officer")  # the enterprise stays silent
    approval = driver.open_tasks("officer", "sanction_approval", case_id)[0]
    assert approval["jurisdiction"] == "440000"  # 003 §四(三): 由我厅移出目录 — decided at the provincial level
    own = driver.http.post(
        f"/api/v1/tasks/{approval['id']}/claim", headers={"Authorization": f"Bearer {driver.tokens['officer']}"}
    )
    assert own.status_code == 422 and "separation.four_eyes" in own.text  # the officer who ordered it proposes
    late = driver.http.post(
        f"{path}/rectification",
        json={"answers": ["已安装", "已培训"]},
        headers={"Authorization": f"Bearer {driver.tokens['enterprise']}"},
    )
    assert late.status_code == 409
    driver.tokens["second"] = driver._token("officer", jurisdiction="440000")
    driver.decide("second", approval, decision="approve")
    closed = driver.wait(
        "the cancellation", lambda: (c := driver.call("officer", "GET", path))["status"] == "closed" and c
    )
    assert closed["outcome"] == "cancelled" and closed["rectifications"][0]["silent"]
    assert closed["institution_status"] == "cancelled"
    ban = closed["credit_record"][0]
    assert (ban["kind"], ban["status"], ban["case_id"]) == ("blacklist", "holds", case_id)
    removals = driver.call("public", "GET", "/api/v1/public/institutions/removals", params={"limit": 500})["items"]
    assert next(r for r in removals if r["id"] == institution_id)["reason"] == "cancelled"
    assert before["status"] == "registered"  # it was in the catalogue until the approval
