"""Certificate revocation (撤销证书, 004 §六(三)) over HTTP: the request and its validation, the four-eyes
rule on the approval, and what a revoked certificate shows — verification, its page, its PDF."""

import datetime as dt

from sqlmodel import select

from models.accounts import User
from models.cases import Candidate, Certificate, Revocation
from models.schemas import DecisionIn
from models.workflow import OutboxMessage
from tasks.cases import decisions, revocations
from tasks.errors import Problems
from tasks.waits import human_tasks
from tests.api.conftest import db
from tests.api.helpers import evaluation_plan, person, registered_institution

NUMBERS = ["Y000044000903263000001", "Y000044000903263000002", "Y000044000903263000003"]


def _batch(api, statuses=("valid", "valid", "pending")) -> int:
    with db(api) as session:
        institution_id = registered_institution(session, serial=903)
        plan = evaluation_plan(session, institution_id, status="completed")
        for n, (number, status) in enumerate(zip(NUMBERS, statuses, strict=True)):
            candidate = Candidate(plan_id=plan.id, name=f"持证人{n}", id_number=person(40 + n), relation="employee",
                                  level=3)
            session.add(candidate)
            session.flush()
            session.add(Certificate(number=number, serial_scope=number[:16], serial=n + 1, candidate_id=candidate.id,
                                    plan_id=plan.id, institution_id=institution_id, holder_name=candidate.name,
                                    id_number=candidate.id_number, occupation_code="6-18-01-01",
                                    occupation_name="车工", level=3, issued_on=dt.date(2026, 8, 3), status=status))
        return plan.id


def test_a_revocation_request_names_every_problem_and_writes_nothing(api, people):
    plan_id = _batch(api)
    officer = people.make("officer", jurisdiction="440100")
    body = {"plan_id": plan_id, "category": "fraud", "reason": "复核发现代考",
            "certificate_numbers": [NUMBERS[0], NUMBERS[2], "Y000044000903263000099"]}
    refused = api.post("/api/v1/revocations", json=body, headers=officer)
    assert refused.status_code == 422
    assert {(p["code"], p["field"]) for p in refused.json()["detail"]} == {
        ("revocation.not_valid", "certificate_numbers[1]"), ("revocation.not_in_batch", "certificate_numbers[2]")}
    assert api.post("/api/v1/revocations", json={**body, "certificate_numbers": []},
                    headers=officer).status_code == 422  # neither numbers nor the whole batch
    assert api.post("/api/v1/revocations", json={**body, "category": "whim"}, headers=officer).status_code == 422
    assert api.post("/api/v1/revocations", json=body, headers=people.make("enterprise")).status_code == 403
    elsewhere = api.post("/api/v1/revocations", json={**body, "certificate_numbers": [NUMBERS[0]]},
                         headers=people.make("officer", jurisdiction="320000"))
    assert elsewhere.status_code == 404
    with db(api) as session:
        assert session.exec(select(Revocation)).all() == []
        assert session.exec(select(OutboxMessage).where(OutboxMessage.kind == "certificate_revocation")).all() == []


def test_the_whole_batch_is_revoked_once_a_second_officer_approves_and_every_view_says_so(api, people):
    plan_id = _batch(api)
    first, second = people.make("officer", jurisdiction="440100"), people.make("officer", jurisdiction="440100")
    created = api.post("/api/v1/revocations", headers=first, json={
        "plan_id": plan_id, "whole_batch": True, "category": "wrongly_issued", "reason": "复核发现考核记录缺失"})
    assert created.status_code == 201, created.text
    revocation = created.json()
    assert revocation["status"] == "requested" and revocation["certificate_numbers"] == NUMBERS[:2]
    again = api.post("/api/v1/revocations", json={"plan_id": plan_id, "certificate_numbers": [NUMBERS[0]],
                                                  "category": "fraud", "reason": "重复申请"}, headers=second)
    assert again.status_code == 409  # already being revoked
    with db(api) as session:
        task = human_tasks.ensure_task(session, key=f"revocation:{revocation['id']}:approval", case_type="plan",
                                       case_id=plan_id, step="revocation_approval", role="officer",
                                       jurisdiction="440100", due_working_days=5, flow_run_id=None)
        requester = session.get(Revocation, revocation["id"]).requested_by

        human_tasks.claim(session, task, user_id=requester, role="officer")
        try:
            decisions.decide(session, task=task, user=session.get(User, requester), body=DecisionIn(decision="approve"))
        except Problems as problems:
            assert [v.code for v in problems.violations] == ["separation.four_eyes"]
        else:
            raise AssertionError("the requester approved their own revocation")
    from tests.api.test_dashboard import staff

    reviewer, _ = staff(api, "officer", jurisdiction="440100")
    reviewer.log_in()
    page = reviewer.get(f"/dashboard/tasks/{task.id}").text  # the second officer sees what they approve
    assert "撤销证书 2 本（不符合条件误发）" in page and "复核发现考核记录缺失" in page and NUMBERS[0] in page
    with db(api) as session:
        revocations.revoke(session, revocation_id=revocation["id"], approved_by=people.id_of(second))
        revocations.revoke(session, revocation_id=revocation["id"], approved_by=people.id_of(second))  # a replay
    verified = api.get(f"/api/v1/public/certificates/{NUMBERS[0]}").json()
    assert (verified["status"], verified["status_label"], verified["revoked_on"]) == ("revoked", "已撤销", "2026-09-01")
    page = api.get(f"/verify/{NUMBERS[0]}").text
    assert "已撤销" in page and "2026-09-01 撤销" in page
    assert api.get(f"/api/v1/public/certificates/{NUMBERS[2]}").json()["status"] == "pending"  # untouched
    view = api.get(f"/api/v1/revocations/{revocation['id']}", headers=second).json()
    assert (view["status"], view["revoked_on"], view["category_label"]) == ("revoked", "2026-09-01", "不符合条件误发")
    with db(api) as session:
        payloads = revocations.national_payloads(session, revocation_id=revocation["id"])
        assert payloads == [{"revocations": [{"number": n, "revoked_on": "2026-09-01", "category": "wrongly_issued"}
                                             for n in NUMBERS[:2]]}]
