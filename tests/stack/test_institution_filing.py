"""Process 1 end to end on the real stack (Prefect server, runner, tick): a Guangdong filing through two
deficiency rounds to its registration. Each branch of the process (panel, publicity objections, ministry
review, outages, incidents) is pinned on the replay tier: tests/replay/test_institution_filing.py."""

import pytest

pytestmark = [pytest.mark.slow, pytest.mark.postgres]  # on PostgreSQL too: the filing end to end


def test_two_deficiency_rounds_each_send_one_notice_then_registration(driver):
    driver.add_experts()
    fid = driver.file(missing=("venue_equipment", "staff_roster"))
    driver.decide("officer", driver.open_tasks("officer", "acceptance", fid)[0], decision="deficient",
                  deficiencies=["缺少场地设备证明", "缺少考评人员名册"])
    driver.wait_status("filing", fid, "awaiting_resubmission")
    driver.call("enterprise", "POST", f"/api/v1/filings/{fid}/resubmissions",
                json={"materials": [{"kind": "venue_equipment"}]})
    second = driver.open_tasks("officer", "acceptance", fid)
    assert len(second) == 1
    driver.decide("officer", second[0], decision="deficient", deficiencies=["仍缺少考评人员名册"])
    driver.wait_status("filing", fid, "awaiting_resubmission")
    driver.call("enterprise", "POST", f"/api/v1/filings/{fid}/resubmissions",
                json={"materials": [{"kind": "staff_roster"}]})
    driver.decide("officer", driver.open_tasks("officer", "acceptance", fid)[0], decision="approve")
    driver.score_panel(fid, 75)
    for step in ("best_selection", "leading_group_approval"):  # 择优遴选, 报领导小组同意 (003 §二(二))
        driver.decide("officer", driver.open_tasks("officer", step, fid)[0],
                      decision="select" if step == "best_selection" else "approve")
    status = driver.wait_status("filing", fid, "registered")

    assert status["deficiency_rounds"] == 2
    assert [n["items"] for n in status["deficiency_notices"]] == [["缺少场地设备证明", "缺少考评人员名册"],
                                                                 ["仍缺少考评人员名册"]]
    assert all(n["resubmitted_at"] for n in status["deficiency_notices"])
    assert status["segment"].startswith("Y000044") and status["receipt_number"]
    acceptance = [t for t in status["tasks"] if t["step"] == "acceptance"]
    assert [t["decision"] for t in acceptance] == ["deficient", "deficient", "approve"]
    public = driver.http.get("/api/v1/public/institutions", params={"limit": 500}).json()["items"]
    assert status["institution_id"] in [i["id"] for i in public]


