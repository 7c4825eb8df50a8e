"""Certificate revocation on the real embedded stack (撤销证书, 004 §六(三)): a whole batch revoked once a
second officer approves — every certificate verifies as revoked, and the national system received each
revocation once, through a failing simulator (the call retried)."""

import httpx
import pytest

pytestmark = [pytest.mark.slow, pytest.mark.postgres]  # on PostgreSQL too: the revocation end to end


def test_a_batch_revoked_after_a_second_officers_approval_verifies_revoked_and_reaches_the_nation_once_each(sichuan):
    driver = sichuan
    plan = driver.completed_batch(candidates=3, offset=960)
    numbers = sorted(c["certificate_number"] for c in plan["candidates"])
    centre = driver.officer_plan(plan["id"])["handling_centre"]
    requester = driver.officer_at(centre)
    driver.tokens["approver"] = driver._token("officer", jurisdiction=centre)
    revocation = driver.call(requester, "POST", "/api/v1/revocations", json={
        "plan_id": plan["id"], "whole_batch": True, "category": "fraud", "reason": "倒查发现考核记录系伪造"})
    assert revocation["certificate_numbers"] == numbers and revocation["status"] == "requested"

    task = driver.open_tasks(requester, "revocation_approval", plan["id"])[0]
    own = driver.http.post(f"/api/v1/tasks/{task['id']}/claim",
                           headers={"Authorization": f"Bearer {driver.tokens[requester]}"})
    assert own.status_code == 422 and "separation.four_eyes" in own.text  # not the requester
    assert driver.call("public", "GET", f"/api/v1/public/certificates/{numbers[0]}")["status"] == "valid"
    driver.sim(fail_next=2)  # the national system fails twice: the call is retried
    driver.decide("approver", task, decision="approve")
    done = driver.wait("sent nationally", lambda: (
        r := driver.call(requester, "GET", f"/api/v1/revocations/{revocation['id']}"))["status"] == "notified" and r)
    assert done["approved_by"] is not None and done["revoked_on"]
    for number in numbers:
        verified = driver.call("public", "GET", f"/api/v1/public/certificates/{number}")
        assert (verified["status"], verified["revoked_on"]) == ("revoked", done["revoked_on"])
    received = httpx.get(f"{driver.stack.sim_url}/_revocations", timeout=10).json()
    assert {n: received.get(n) for n in numbers} == dict.fromkeys(numbers, 1)
