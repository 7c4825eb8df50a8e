"""A supervision case end to end on the real stack (监督管理): a justified complaint about a certificate —
triaged, the institution asked to explain itself and answering, the certificate revoked through its own
four-eyes step. An unanswered rectification escalating to a cancellation is on the replay tier
(tests/replay/test_supervision_case.py)."""

import pytest

pytestmark = [pytest.mark.slow, pytest.mark.postgres]  # on PostgreSQL too: a supervision case end to end

COMPLAINT = {
    "text": "该证书持证人未参加考核，系他人代考取得。",
    "contact_name": "李女士",
    "contact_phone": "13700002222",
}


def test_a_justified_complaint_is_explained_by_the_institution_and_ends_in_the_certificates_revocation(sichuan):
    driver = sichuan
    plan = driver.completed_batch(candidates=2, offset=970)
    number = plan["candidates"][0]["certificate_number"]
    filed = driver.http.post("/api/v1/complaints", json={**COMPLAINT, "certificate_number": number})
    assert filed.status_code == 201, filed.text
    receipt = filed.json()["receipt_number"]
    lookup = lambda: driver.http.get(f"/api/v1/public/complaints/{receipt}").json()  # noqa: E731 - the public lookup, no account
    centre = driver.officer_plan(plan["id"])["handling_centre"]
    officer = driver.officer_at(centre)
    driver.tokens["second"] = driver._token("officer", jurisdiction=centre)
    case = driver.wait(
        "the case",
        lambda: [
            c for c in driver.call(officer, "GET", "/api/v1/complaints")["items"] if c["receipt_number"] == receipt
        ],
    )[0]
    assert (case["plan_id"], case["certificate_number"], case["contact_name"]) == (plan["id"], number, "李女士")

    driver.decide(officer, driver.open_tasks(officer, "complaint_triage", case["id"])[0], decision="accept")
    investigation = driver.open_tasks(officer, "supervision_investigation", case["id"])[0]
    driver.decide(
        officer,
        investigation,
        decision="request_explanation",
        reason="请说明该考生考核当日的身份核验记录",
        sanction={"working_days": 5},
    )
    path = f"/api/v1/complaints/{case['id']}"
    asked = driver.wait(
        "the explanation's deadline",
        lambda: (
            (c := driver.call("enterprise", "GET", path))["status"] == "awaiting_explanation"
            and c["explanations"][0]["due"]
            and c
        ),
    )
    assert "李女士" not in str(asked) and asked["explanations"][0]["question"] == "请说明该考生考核当日的身份核验记录"
    assert asked["explanations"][0]["due"] == driver.calendar.add(driver.business_today(), 5).date.isoformat()
    assert lookup()["status"] == "调查核实中"
    driver.call(
        "enterprise", "POST", f"{path}/explanation", json={"text": "经查，当日身份核验由监考人员人工比对，未留存照片。"}
    )

    again = driver.wait(
        "the next investigation round",
        lambda: [
            t
            for t in driver.open_tasks(officer, "supervision_investigation", case["id"])
            if t["id"] != investigation["id"]
        ],
    )
    driver.decide(
        officer,
        again[0],
        decision="revoke_certificates",
        reason="代考属实",
        sanction={"category": "fraud", "certificate_numbers": [number]},
    )
    approval = driver.open_tasks("second", "revocation_approval", plan["id"])[0]
    driver.decide("second", approval, decision="approve")
    driver.wait(
        "the case closed", lambda: driver.call(officer, "GET", f"/api/v1/complaints/{case['id']}")["status"] == "closed"
    )  # polled as the officer: the public lookup is rate-limited
    closed = lookup()
    assert (closed["outcome"], closed["outcome_label"], closed["status"]) == ("revoked", "撤销证书", "已办结")
    verified = driver.call("public", "GET", f"/api/v1/public/certificates/{number}")
    assert verified["status"] == "revoked" and verified["revoked_on"]
    other = plan["candidates"][1]["certificate_number"]
    assert driver.call("public", "GET", f"/api/v1/public/certificates/{other}")["status"] == "valid"
    history = [e["action"] for e in driver.call(officer, "GET", path)["history"]]
    assert (
        history.index("explanation_requested")
        < history.index("explanation_submitted")
        < history.index("case_closed:revoked")
    )


