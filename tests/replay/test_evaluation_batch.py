"""Process 2 on the replay tier: lead time per profile, the national system's acknowledgement and refusal,
late results. The batch end to end, and a runner killed mid-flow, are on the real stack:
tests/stack/test_evaluation_batch.py.

The results publicity runs in Sichuan (one review, publicity as a local setting); Guangdong's batch (no
results publicity, two-level review) is in test_province_processes.py."""

import datetime as dt

import pytest
from sqlmodel import select

from models.cases import Certificate
from models.db import session_scope
from tests.stack.driver import person, registered_institution

pytestmark = pytest.mark.slow


def _post_plan(driver, institution_id, start, **kw):
    return driver.http.post(f"/api/v1/institutions/{institution_id}/plans", json=driver.plan_body(start, **kw),
                            headers={"Authorization": f"Bearer {driver.tokens['enterprise']}"})


@pytest.mark.parametrize("region,lead", [("440106", 10), ("320100", 15)])
def test_a_plan_filed_after_the_provinces_lead_time_is_refused_with_the_latest_allowed_date(driver, region, lead):
    institution_id = registered_institution(driver, region)
    while not driver.calendar.is_working_day(driver.business_today()):  # earlier tests leave the clock anywhere
        driver.advance(1)
    today = driver.business_today()
    just_in_time = driver.calendar.add(today, lead).date
    while not driver.calendar.is_working_day(just_in_time):
        just_in_time += dt.timedelta(days=1)
    too_late = driver.calendar.add(today, lead - 1).date
    latest_for_too_late = driver.calendar.before(too_late, lead).date

    refused = _post_plan(driver, institution_id, too_late)
    assert refused.status_code == 409
    assert f"最迟 {latest_for_too_late.isoformat()}" in refused.json()["detail"]
    assert latest_for_too_late < today
    accepted = _post_plan(driver, institution_id, just_in_time)
    assert accepted.status_code == 201, accepted.text


def test_certificates_verify_only_once_the_national_system_acknowledges_them_and_a_refused_holder_is_corrected(
        sichuan):
    """A national refusal is fixable (issue 27, item 8): the enterprise reads the reason, hears of it on its
    feed, corrects the holder's ID number; the batch's officer sees the correction; the refused certificate
    is not counted as issued; operations' retry sends the corrected data."""
    institution_id = registered_institution(sichuan, sichuan.region)
    pid, candidates = sichuan.batch_to_review(institution_id, candidates=3, offset=700)
    refused_holder = person(701)  # the second candidate (plan_body numbers them from the offset)
    sichuan.sim(refuse_id_numbers=[refused_holder])  # stays refused: only corrected data can pass
    sichuan.decide("officer", sichuan.open_tasks("officer", "results_review", pid)[0], decision="approve")
    incident = sichuan.wait(
        "refusal incident",
        lambda: [
            i
            for i in sichuan.call("operations", "GET", f"/api/v1/plans/{pid}")["incidents"]
            if i["kind"] == "certificate_refusal" and i["status"] == "open"
        ],
        timeout=120,
    )[0]
    assert "holder's identity not verified" in incident["error"]
    status = sichuan.plan_status(pid)
    assert status["status"] == "uploading"  # not complete while a certificate is refused
    listed = {
        c["number"]: c
        for c in sichuan.call("enterprise", "GET", "/api/v1/certificates", params={"plan_id": pid})["items"]
    }
    pending = [n for n, c in listed.items() if c["status"] == "pending"]
    valid = [n for n, c in listed.items() if c["status"] == "valid"]
    assert len(pending) == 1 and len(valid) == 2
    refused = sichuan.http.get(f"/api/v1/public/certificates/{pending[0]}").json()
    assert (refused["status"], refused["status_label"]) == ("pending", "已报送，待全国联网确认")
    assert "national_refusal" not in refused  # the national system's reason stays with the centre
    assert sichuan.http.get(f"/api/v1/public/certificates/{valid[0]}").json()["status"] == "valid"
    link = sichuan.http.get(
        f"/api/v1/certificates/{pending[0]}/holder-link",
        headers={"Authorization": f"Bearer {sichuan.tokens['enterprise']}"},
    )
    assert link.status_code == 409

    seen = sichuan.call("enterprise", "GET", f"/api/v1/plans/{pid}")
    refused = next(c for c in seen["candidates"] if c["certificate_number"] == pending[0])
    assert "identity not verified" in refused["national_refusal"] and refused["certificate_status"] == "pending"
    assert seen["certificates_issued"] == 2  # numbered is not issued
    assert "national_refusal" in next(i for i in seen["incidents"] if i["kind"] == "certificate_refusal")["message"]
    feed = sichuan.call("enterprise", "GET", "/api/v1/events", params={"type": "plan.certificates_refused"})
    told = [e for e in feed["items"] if e["case_id"] == pid]
    assert [c["number"] for c in told[0]["data"]["certificates"]] == [pending[0]]

    corrected_id = person(799)
    answer = sichuan.call("enterprise", "PATCH", f"/api/v1/plans/{pid}/candidates/{refused['id']}",
                          json={"id_number": corrected_id, "reason": "身份证号录入错误，已按身份证原件更正"})
    assert next(c for c in answer["candidates"] if c["id"] == refused["id"])["id_number"].endswith(corrected_id[-4:])
    history = sichuan.call("officer", "GET", f"/api/v1/plans/{pid}")["history"]
    correction = next(h for h in history if h["action"] == "candidate_corrected")
    assert correction["after"]["reason"] == "身份证号录入错误，已按身份证原件更正"

    sichuan.call("operations", "POST", f"/api/v1/incidents/{incident['id']}/retry")
    status = sichuan.wait_status("plan", pid, "completed")
    assert sichuan.http.get(f"/api/v1/public/certificates/{pending[0]}").json()["status"] == "valid"
    assert [i["status"] for i in status["incidents"] if i["kind"] == "certificate_refusal"] == ["resolved"]
    assert status["certificates_issued"] == 3
    with session_scope(sichuan.url, readonly=True) as session:
        numbers = session.exec(select(Certificate.number).where(Certificate.plan_id == pid)).all()
        holder = session.exec(select(Certificate.id_number).where(Certificate.number == pending[0])).one()
    assert sorted(numbers) == sorted(listed)  # numbered once: the second upload carried the same number
    assert holder == corrected_id  # the retry sent the corrected data, which the national system took


def test_results_submitted_after_the_window_are_taken_and_marked_late(sichuan):
    institution_id = registered_institution(sichuan, sichuan.region)
    pid, _ = sichuan.batch_to_review(institution_id, candidates=2, offset=720, late=True)
    assert sichuan.plan_status(pid)["results_late"] is True
    on_time, _ = sichuan.batch_to_review(institution_id, candidates=2, offset=730)
    assert sichuan.plan_status(on_time)["results_late"] is False
