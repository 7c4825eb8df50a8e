"""Process 2 end to end on the real stack (Prefect server, runner, tick): a Sichuan batch from its plan through
a returned review to its certificates, and a runner killed mid-flow. Each branch (lead time per profile, the
national system's refusal, late results) is pinned on the replay tier: tests/replay/test_evaluation_batch.py."""

import os
import signal

import pytest
from sqlmodel import func, select

from models.cases import Certificate
from models.db import session_scope
from models.workflow import HumanTask
from tests.stack.driver import registered_institution

pytestmark = [pytest.mark.slow]


@pytest.mark.postgres  # on PostgreSQL too: the batch end to end
def test_a_batch_runs_from_plan_to_certificates_through_a_returned_review(sichuan):
    institution_id = registered_institution(sichuan, sichuan.region)
    start = sichuan.calendar.add(sichuan.business_today(), 12).date
    plan = sichuan.call("enterprise", "POST", f"/api/v1/institutions/{institution_id}/plans",
                       json=sichuan.plan_body(start, candidates=5, offset=100))
    pid = plan["id"]
    drawn = sichuan.wait("supervision draw", lambda: (s := sichuan.officer_plan(pid))["supervision"]["draw_id"] and s)
    assert sichuan.plan_status(pid)["supervision"] is None  # the enterprise learns nothing of it beforehand
    from models.cases import DrawRecord
    from policy.profiles import get_profile
    from tasks.records import draws

    with session_scope(sichuan.url) as session:
        record = session.get(DrawRecord, drawn["supervision"]["draw_id"])
        rerun = draws.rerun(record, rate=get_profile("sichuan").supervision_rate)
    assert rerun["supervised"] is drawn["supervision"]["supervised"]  # an auditor re-runs it from its seed

    sichuan.pass_timer("plan", pid, "evaluation_day")
    sichuan.report_supervision(pid)
    first = sichuan.plan_status(pid)["candidates"][0]["id"]
    early = sichuan.http.post(f"/api/v1/plans/{pid}/results", json={"scores": [{"candidate_id": first, "theory": 90}]},
                             headers={"Authorization": f"Bearer {sichuan.tokens['enterprise']}"})
    assert early.status_code == 409  # results are taken once the evaluation has ended, not on its first day
    sichuan.pass_timer("plan", pid, "evaluation_end")
    status = sichuan.wait_status("plan", pid, "awaiting_results")
    assert status["results_due"] == sichuan.calendar.add(start, 10).date.isoformat()
    ids = [c["id"] for c in status["candidates"]]
    bad = sichuan.http.post(f"/api/v1/plans/{pid}/results", json={"scores": [{"candidate_id": ids[0], "theory": 90}]},
                           headers={"Authorization": f"Bearer {sichuan.tokens['enterprise']}"})
    assert bad.status_code == 422 and len(bad.json()["detail"]) == 4  # every unscored candidate is named
    scores = [{"candidate_id": cid, "theory": 50 if n == 0 else 80, "practical": 85} for n, cid in enumerate(ids)]
    sichuan.call("enterprise", "POST", f"/api/v1/plans/{pid}/results", json={"scores": scores})
    sichuan.wait_status("plan", pid, "publicity")
    sichuan.call("public", "POST", f"/api/v1/plans/{pid}/objections",
                json={"text": "该学员由他人代考", "candidate_id": ids[1], "contact": "13800138000"})
    sichuan.pass_timer("plan", pid, "results_publicity")
    investigation = sichuan.open_tasks("officer", "objection_investigation", pid)[0]
    sichuan.decide("officer", investigation, decision="uphold", reason="监控录像证实代考")
    review = sichuan.open_tasks("officer", "results_review", pid)[0]
    sichuan.decide("officer", review, decision="return", reason="请核对理论成绩")
    sichuan.wait_status("plan", pid, "results_returned")
    sichuan.call("enterprise", "POST", f"/api/v1/plans/{pid}/results", json={"scores": scores})
    sichuan.wait_status("plan", pid, "publicity")
    sichuan.pass_timer("plan", pid, "results_publicity")
    sichuan.decide("officer", sichuan.open_tasks("officer", "results_review", pid)[0], decision="approve")
    status = sichuan.wait_status("plan", pid, "completed")

    numbered = {c["id"]: c["certificate_number"] for c in status["candidates"]}
    assert numbered[ids[0]] is None  # failed the theory part
    assert numbered[ids[1]] is None  # objection upheld
    assert all(numbered[i] for i in ids[2:])
    assert all(n.startswith(status_segment(sichuan, institution_id)) for n in filter(None, numbered.values()))
    listed = sichuan.call("enterprise", "GET", "/api/v1/certificates", params={"plan_id": pid})["items"]
    assert sorted(c["number"] for c in listed) == sorted(filter(None, numbered.values()))
    public = sichuan.http.get(f"/api/v1/public/certificates/{numbered[ids[2]]}").json()
    assert public["status"] == "valid" and "*" in public["id_number"]

    # the batch's archive (电子档案), as the centre downloads it: it verifies offline and holds the certificates
    import io

    from tasks.exchange import archive

    zipped = sichuan.http.get(f"/api/v1/plans/{pid}/archive",
                              headers={"Authorization": f"Bearer {sichuan.tokens['officer']}"})
    assert zipped.status_code == 200 and zipped.headers["content-type"] == "application/zip"
    manifest, problems = archive.verify(io.BytesIO(zipped.content))
    assert problems == [] and manifest["audit_chain_head"]["length"] > 10
    valid = {c["number"] for c in listed if c["status"] == "valid"}
    archived = {f["path"].rsplit("/", 1)[1][:-4] for f in manifest["files"] if f["path"].startswith("documents/")}
    assert valid and valid <= archived <= set(filter(None, numbered.values()))  # pending ones are left out


def status_segment(driver, institution_id):
    return driver.call("enterprise", "GET", f"/api/v1/institutions/{institution_id}")["segment"]


# SQLite only: what it proves on PostgreSQL — a replayed step adds nothing twice, a crashed run is found and
# started again once — the db tier pins there (tests/db/test_revival.py, tests/db/test_workflow_state.py)
def test_killing_the_runner_mid_flow_finishes_every_process_without_doing_a_step_twice(stack, sichuan):
    institution_id = registered_institution(sichuan, sichuan.region)
    start = sichuan.calendar.add(sichuan.business_today(), 12).date
    plans = [sichuan.call("enterprise", "POST", f"/api/v1/institutions/{institution_id}/plans",
                         json=sichuan.plan_body(start, candidates=6, offset=200 + 10 * k))["id"] for k in range(2)]
    for pid in plans:
        sichuan.wait("drawn", lambda p=pid: sichuan.officer_plan(p)["supervision"]["draw_id"])
    sichuan.pass_timer("plan", plans[0], "evaluation_day")
    for pid in plans:
        sichuan.report_supervision(pid)
    sichuan.pass_timer("plan", plans[0], "evaluation_end")
    for pid in plans:
        status = sichuan.wait_status("plan", pid, "awaiting_results")
        sichuan.call("enterprise", "POST", f"/api/v1/plans/{pid}/results",
                    json={"scores": [{"candidate_id": c["id"], "practical": 90} for c in status["candidates"]]})
    for pid in plans:
        sichuan.wait_status("plan", pid, "publicity")
    sichuan.pass_timer("plan", plans[0], "results_publicity")
    reviews = [sichuan.open_tasks("officer", "results_review", pid)[0] for pid in plans]
    for review in reviews:
        sichuan.decide("officer", review, decision="approve")

    # the runner and every flow process it started die at once, while the runs upload and issue
    runner = stack.processes["runner"]
    os.killpg(runner.pid, signal.SIGKILL)
    runner.wait(timeout=10)
    stack.processes.pop("runner")
    stack.start_runner(progress=lambda *_: None)

    for pid in plans:
        status = sichuan.wait_status("plan", pid, "completed", timeout=240)
        assert status["certificates_issued"] == 6
    with session_scope(stack.settings.database_url) as session:
        for pid in plans:
            numbers = session.exec(select(Certificate.number).where(Certificate.plan_id == pid)).all()
            assert len(numbers) == len(set(numbers)) == 6
        duplicate_keys = session.exec(select(HumanTask.key).group_by(HumanTask.key).having(func.count() > 1)).all()
        assert duplicate_keys == []


