"""Supervision (监督管理) over HTTP: complaints from anyone and their receipt numbers, what the complainant,
the officers and the institution each see, the checks on an investigation's decision and on the
institution's answers, and the credit records enforced on filings, plans and panels."""

import datetime as dt

from sqlmodel import select

from models.cases import Candidate, Certificate, Institution
from models.supervision import CreditEntry, SupervisionCase
from models.workflow import HumanTask, OutboxMessage
from tasks.cases import credit, filing, supervision
from tasks.waits import human_tasks
from tests.api.conftest import db, move_clock
from tests.api.helpers import evaluation_plan, filing_form, person, plan_body, registered_institution

COMPLAINT = {"text": "该机构在认定考核中存在代考行为，考场未开启视频监控。", "contact_name": "王先生",
             "contact_phone": "13900001111"}


def _institution(api, serial: int = 950) -> int:
    with db(api) as session:
        institution_id = registered_institution(session, serial=serial)
        session.get(Institution, institution_id).registered_on = dt.date(2026, 3, 2)
        return institution_id


def _cases(api) -> list[SupervisionCase]:
    with db(api) as session:
        return list(session.exec(select(SupervisionCase)).all())


def _task(api, case_id: int, step: str, key: str, jurisdiction: str = "440106") -> int:
    with db(api) as session:
        return human_tasks.ensure_task(session, key=key, case_type="supervision", case_id=case_id, step=step,
                                       role="officer", jurisdiction=jurisdiction, due_working_days=5,
                                       flow_run_id=None).id


def _decide(api, officer, task_id: int, body: dict):
    claimed = api.post(f"/api/v1/tasks/{task_id}/claim", headers=officer)
    assert claimed.status_code in (200, 409), claimed.text
    return api.post(f"/api/v1/tasks/{task_id}/decision", json=body, headers=officer)


def test_a_complaint_names_every_problem_at_once_and_writes_nothing(api):
    refused = api.post("/api/v1/complaints", json={"text": "太短", "contact_name": "", "contact_phone": "12345"})
    assert refused.status_code == 422
    fields = {p["field"] for p in refused.json()["detail"]}
    assert {"text", "contact_name", "contact_phone"} <= fields
    no_target = api.post("/api/v1/complaints", json=COMPLAINT)
    assert no_target.status_code == 422 and no_target.json()["detail"][0]["code"] == "complaint.target"
    institution_id = _institution(api)
    two = api.post("/api/v1/complaints", json={**COMPLAINT, "institution_id": institution_id, "plan_id": 1})
    assert two.status_code == 422 and two.json()["detail"][0]["code"] == "complaint.target"
    unknown = api.post("/api/v1/complaints", json={**COMPLAINT, "institution_id": 999_999})
    assert unknown.status_code == 422 and unknown.json()["detail"][0]["code"] == "complaint.unknown_target"
    bad_number = api.post("/api/v1/complaints", json={**COMPLAINT, "certificate_number": "Y000044000950263000000"})
    assert bad_number.status_code == 422, bad_number.text
    assert api.post("/api/v1/complaints", json={**COMPLAINT, "institution_id": "abc"}).status_code == 422
    with db(api) as session:
        session.add(Institution(name="申请中企业", credit_code="91440101MA59UQXX1B", region_code="440106",
                                profile_code="guangdong", status="applying", created_at=dt.datetime.now(dt.UTC)))
        session.flush()
        applying = session.exec(select(Institution).where(Institution.status == "applying")).first().id
    assert api.post("/api/v1/complaints", json={**COMPLAINT, "institution_id": applying}).status_code == 422
    assert _cases(api) == []
    with db(api) as session:
        assert session.exec(select(OutboxMessage).where(OutboxMessage.kind == "supervision_case")).all() == []


def test_a_complaint_gets_an_unguessable_receipt_and_the_complainant_sees_status_and_outcome_only(api):
    institution_id = _institution(api)
    created = api.post("/api/v1/complaints", json={**COMPLAINT, "institution_id": institution_id})
    assert created.status_code == 201, created.text
    receipt = created.json()["receipt_number"]
    assert receipt.startswith("TS") and len(receipt) == 18
    again = api.post("/api/v1/complaints", json={**COMPLAINT, "institution_id": institution_id})
    assert again.status_code == 200 and again.json()["receipt_number"] == receipt  # the same complaint, once
    other = api.post("/api/v1/complaints", json={**COMPLAINT, "institution_id": institution_id,
                                                 "text": COMPLAINT["text"] + "另有收费不规范问题。"})
    assert other.status_code == 201 and other.json()["receipt_number"] != receipt
    looked_up = api.get(f"/api/v1/public/complaints/{receipt}")
    assert looked_up.status_code == 200
    assert set(looked_up.json()) == {"receipt_number", "status", "closed", "outcome", "outcome_label", "registered_on"}
    assert looked_up.json()["status"] == "已登记，待受理" and looked_up.json()["outcome"] is None
    assert "王先生" not in looked_up.text and "代考" not in looked_up.text
    assert api.get("/api/v1/public/complaints/TS20261202ZZZZZZZZ").status_code == 404
    assert api.get("/api/v1/public/complaints/not-a-receipt").status_code == 422
    with db(api) as session:
        case = session.exec(select(SupervisionCase).where(SupervisionCase.receipt_number == receipt)).one()
        supervision.close(session, case_id=case.id, outcome="dismissed", reason="查无实据")
    closed = api.get(f"/api/v1/public/complaints/{receipt}").json()
    assert closed["closed"] and closed["outcome"] == "dismissed" and closed["outcome_label"] == "查无实据，不予处理"
    assert "查无实据" not in closed["status"]  # the finding itself is the officers' record


def test_officers_of_the_centre_read_the_complaint_and_the_institution_sees_only_what_is_asked_of_it(api, people):
    institution_id = _institution(api)
    receipt = api.post("/api/v1/complaints", json={**COMPLAINT, "institution_id": institution_id}).json()[
        "receipt_number"]
    case = _cases(api)[0]
    officer = people.make("officer", jurisdiction="440100")
    listed = api.get("/api/v1/complaints", headers=officer).json()["items"]
    assert [c["receipt_number"] for c in listed] == [receipt]
    detail = api.get(f"/api/v1/complaints/{case.id}", headers=officer).json()
    assert detail["contact_name"] == "王先生" and "代考" in detail["text"] and detail["status"] == "registered"
    assert api.get(f"/api/v1/complaints/{case.id}", headers=people.make("officer", jurisdiction="320000")
                   ).status_code == 404
    enterprise = people.make("enterprise", institution_id=institution_id)
    assert api.get(f"/api/v1/complaints/{case.id}", headers=enterprise).status_code == 404  # not yet accepted
    with db(api) as session:
        supervision.accept(session, case_id=case.id)
        supervision.request_explanation(session, case_id=case.id, round_no=0, question="请说明考场监控情况",
                                        working_days=None, asked_by=None)
    seen = api.get(f"/api/v1/complaints/{case.id}", headers=enterprise)
    assert seen.status_code == 200
    assert "王先生" not in seen.text and "13900001111" not in seen.text and "代考" not in seen.text
    assert seen.json()["explanations"][0]["question"] == "请说明考场监控情况"
    assert seen.json()["explanations"][0]["working_days"] == 10  # the profile's explanation_working_days
    assert api.get("/api/v1/complaints", params={"status": "nonsense"}, headers=officer).status_code == 422


def test_the_institution_explains_itself_by_the_deadline_and_not_after_it(api, people):
    admin = people.make("admin")
    institution_id = _institution(api)
    api.post("/api/v1/complaints", json={**COMPLAINT, "institution_id": institution_id})
    case = _cases(api)[0]
    enterprise = people.make("enterprise", institution_id=institution_id)
    answer = {"text": "我单位考场均已开启视频监控，录像已保存备查。"}
    assert api.post(f"/api/v1/complaints/{case.id}/explanation", json=answer, headers=enterprise).status_code == 404
    with db(api) as session:
        supervision.accept(session, case_id=case.id)
    assert api.post(f"/api/v1/complaints/{case.id}/explanation", json=answer, headers=enterprise).status_code == 409
    with db(api) as session:
        supervision.request_explanation(session, case_id=case.id, round_no=0, question="请说明", working_days=3,
                                        asked_by=None)
        supervision.set_due(session, case_id=case.id, kind="explanation", round_no=0, due=dt.date(2026, 9, 3))
    assert api.post(f"/api/v1/complaints/{case.id}/explanation", json={"text": "短"},
                    headers=enterprise).status_code == 422
    rival = people.make("enterprise", institution_id=_institution(api, serial=951))
    assert api.post(f"/api/v1/complaints/{case.id}/explanation", json=answer, headers=rival).status_code == 404
    move_clock(api, admin, dt.date(2026, 9, 4))
    late = api.post(f"/api/v1/complaints/{case.id}/explanation", json=answer, headers=enterprise)
    assert late.status_code == 409 and "2026-09-03" in late.json()["detail"]
    with db(api) as session:  # silence recorded; the investigation asks again
        supervision.explanation_overdue(session, case_id=case.id, round_no=0)
        supervision.request_explanation(session, case_id=case.id, round_no=1, question="请再次说明", working_days=3,
                                        asked_by=None)
        supervision.set_due(session, case_id=case.id, kind="explanation", round_no=1, due=dt.date(2026, 9, 9))
    given = api.post(f"/api/v1/complaints/{case.id}/explanation", json=answer, headers=enterprise)
    assert given.status_code == 200, given.text
    first, second = given.json()["explanations"]
    assert given.json()["status"] == "investigating" and first["silent"] and second["text"] == answer["text"]
    assert (first["round"], second["round"]) == (1, 2)  # rounds as people count them: 第 1 轮, 第 2 轮
    assert api.post(f"/api/v1/complaints/{case.id}/explanation", json=answer, headers=enterprise).status_code == 409


def test_a_rectification_answers_every_item_of_the_order(api, people):
    institution_id = _institution(api)
    api.post("/api/v1/complaints", json={**COMPLAINT, "institution_id": institution_id})
    case = _cases(api)[0]
    with db(api) as session:
        supervision.accept(session, case_id=case.id)
        supervision.order_rectification(session, case_id=case.id, round_no=0, items=["补装视频监控", "重新培训考评员"],
                                        working_days=None, ordered_by=None, reason="核实存在问题")
    enterprise = people.make("enterprise", institution_id=institution_id)
    one = api.post(f"/api/v1/complaints/{case.id}/rectification", json={"answers": ["已补装"]}, headers=enterprise)
    assert one.status_code == 422 and one.json()["detail"][0]["code"] == "rectification.answers"
    done = api.post(f"/api/v1/complaints/{case.id}/rectification", json={"answers": ["已补装", "已培训"]},
                    headers=enterprise)
    assert done.status_code == 200 and done.json()["status"] == "verifying"
    assert done.json()["rectifications"][0]["working_days"] == 20  # the profile's rectification_working_days


def test_an_investigations_decision_must_say_what_it_orders_and_a_sanction_needs_a_second_officer(api, people):
    institution_id = _institution(api)
    api.post("/api/v1/complaints", json={**COMPLAINT, "institution_id": institution_id})
    case = _cases(api)[0]
    officer, second = people.make("officer", jurisdiction="440100"), people.make("officer", jurisdiction="440100")
    task_id = _task(api, case.id, "supervision_investigation", f"supervision:{case.id}:investigation:0")
    for body, code in (({"decision": "order_rectification", "reason": "核实存在问题"}, "sanction.items_missing"),
                       ({"decision": "revoke_certificates", "reason": "代考属实", "sanction": {"whole_batch": True}},
                        "sanction.category_missing"),
                       ({"decision": "credit_entry", "reason": "情节严重", "sanction": {"subject": "institution"}},
                        "sanction.credit"),
                       ({"decision": "credit_entry", "reason": "情节严重", "sanction": {
                           "subject": "person", "credit_kind": "blacklist"}}, "sanction.person"),
                       ({"decision": "credit_entry", "reason": "情节严重", "sanction": {
                           "subject": "institution", "credit_kind": "abnormal", "until": "2026-01-01"}},
                        "sanction.until"),
                       ({"decision": "dismiss"}, "decision.reason_missing")):
        refused = _decide(api, officer, task_id, body)
        assert refused.status_code == 422, (body, refused.text)
        assert code in [p["code"] for p in refused.json()["detail"]], (body, refused.json())
    no_batch = _decide(api, officer, task_id, {"decision": "revoke_certificates", "reason": "代考属实",
                                               "sanction": {"category": "fraud", "whole_batch": True}})
    assert no_batch.status_code == 422 and no_batch.json()["detail"][0]["code"] == "sanction.plan"
    other = _task(api, case.id, "complaint_triage", f"supervision:{case.id}:triage")
    misplaced = _decide(api, officer, other, {"decision": "accept", "sanction": {"items": ["x" * 3]}})
    assert misplaced.status_code == 422 and misplaced.json()["detail"][0]["code"] == "decision.sanction_not_here"
    with db(api) as session:
        assert session.get(HumanTask, task_id).status == "claimed"  # nothing was recorded
    proposed = _decide(api, officer, task_id, {"decision": "cancel_filing", "reason": "代考属实，情节严重"})
    assert proposed.status_code == 200, proposed.text
    with db(api) as session:
        supervision.propose(session, case_id=case.id, round_no=0, sanction="cancel_filing",
                            proposed_by=people.id_of(officer), details={}, reason="代考属实，情节严重")
    approval = _task(api, case.id, "sanction_approval", f"supervision:{case.id}:approval:0")
    own = api.post(f"/api/v1/tasks/{approval}/claim", headers=officer)
    assert own.status_code == 422 and own.json()["detail"][0]["code"] == "separation.four_eyes"
    assert _decide(api, second, approval, {"decision": "approve"}).status_code == 200


def test_a_cancelled_filing_bans_the_credit_code_until_the_ban_ends_and_the_catalogue_lists_the_removal(api, people):
    admin = people.make("admin")
    institution_id = _institution(api)
    api.post("/api/v1/complaints", json={**COMPLAINT, "institution_id": institution_id})
    case = _cases(api)[0]
    with db(api) as session:
        supervision.accept(session, case_id=case.id)
        supervision.propose(session, case_id=case.id, round_no=0, sanction="cancel_filing", proposed_by=None,
                            details={}, reason="代考属实")
        until = supervision.cancel_filing(session, case_id=case.id, round_no=0, approved_by=None)
        assert supervision.cancel_filing(session, case_id=case.id, round_no=0, approved_by=None) == until  # replay
        institution = session.get(Institution, institution_id)
        code = institution.credit_code
        assert institution.status == "cancelled" and len(session.exec(select(CreditEntry)).all()) == 1
    assert until == "2029-09-01"  # three years (the profile's refiling_ban_years) from 2026-09-01
    enterprise = people.make("enterprise", institution_id=institution_id)
    plan = api.post(f"/api/v1/institutions/{institution_id}/plans", json=plan_body(dt.date(2026, 12, 30)),
                    headers=enterprise)
    assert plan.status_code == 409 and "取消备案" in plan.json()["detail"]
    refiled = api.post("/api/v1/filings", json=filing_form(credit_code=code), headers=people.make("enterprise"))
    assert refiled.status_code == 422
    problem = next(p for p in refiled.json()["detail"] if p["code"] == "credit.blacklisted")
    assert problem["field"] == "credit_code" and "2029-09-01" in problem["message"]
    removals = api.get("/api/v1/public/institutions/removals").json()["items"]
    assert [(r["id"], r["reason"]) for r in removals] == [(institution_id, "cancelled")]
    records = api.get("/api/v1/credit-records", params={"credit_code": code},
                      headers=people.make("officer", jurisdiction="320000")).json()["items"]
    assert [(r["kind"], r["status"], r["valid_until"]) for r in records] == [("blacklist", "holds", "2029-09-01")]
    move_clock(api, admin, dt.date(2029, 9, 3))  # the entry has expired by itself
    assert api.get("/api/v1/credit-records", params={"credit_code": code},
                   headers=admin).json()["items"][0]["status"] == "expired"
    with db(api) as session:
        assert credit.filing_refusal(session, code) == []


def test_a_blacklisted_person_is_neither_listed_on_a_plan_nor_drawn_on_a_panel(api, people):
    institution_id = _institution(api)
    enterprise = people.make("enterprise", institution_id=institution_id)
    expert = people.make("expert")
    with db(api) as session:
        for name, user_id in (("考评", None), (None, people.id_of(expert))):
            credit.add_entry(session, subject_type="person", kind="blacklist", reason="出具虚假评分",
                             person_name=name, person_user_id=user_id, valid_from=dt.date(2026, 9, 1),
                             valid_until=dt.date(2027, 8, 31), case_id=None, decided_by=None)
        credit.add_entry(session, subject_type="person", kind="abnormal", reason="迟交督导报告", person_name="督导",
                         valid_from=dt.date(2026, 9, 1), valid_until=dt.date(2027, 8, 31), case_id=None,
                         decided_by=None)
    refused = api.post(f"/api/v1/institutions/{institution_id}/plans", json=plan_body(dt.date(2026, 12, 30)),
                       headers=enterprise)
    assert refused.status_code == 422
    assert [(p["code"], p["field"]) for p in refused.json()["detail"]] == [("credit.person_blacklisted",
                                                                             "evaluators[0]")]  # abnormal: listed
    filed = api.post("/api/v1/filings", json=filing_form(), headers=people.make("enterprise")).json()
    with db(api) as session:
        assert people.id_of(expert) in credit.blacklisted_user_ids(session)
        assert people.id_of(expert) not in filing.eligible_experts(session, filing_id=filed["id"], exclude=set())


def test_a_complaint_about_a_certificate_finds_its_institution_and_batch(api):
    institution_id = _institution(api)
    number = "Y000044000950263000001"
    with db(api) as session:
        plan = evaluation_plan(session, institution_id, status="completed")
        candidate = Candidate(plan_id=plan.id, name="持证人", id_number=person(70), relation="employee", level=3)
        session.add(candidate)
        session.flush()
        session.add(Certificate(number=number, serial_scope=number[:16], serial=1, candidate_id=candidate.id,
                                plan_id=plan.id, institution_id=institution_id, holder_name="持证人",
                                id_number=candidate.id_number, occupation_code="6-18-01-01", occupation_name="车工",
                                level=3, issued_on=dt.date(2026, 8, 3), status="valid"))
        plan_id = plan.id
    created = api.post("/api/v1/complaints", json={**COMPLAINT, "certificate_number": number})
    assert created.status_code == 201, created.text
    case = _cases(api)[0]
    assert (case.institution_id, case.plan_id, case.certificate_number) == (institution_id, plan_id, number)


def test_a_blacklisting_approved_by_a_second_officer_bars_the_person_from_the_next_plan(api, people):
    institution_id = _institution(api)
    api.post("/api/v1/complaints", json={**COMPLAINT, "institution_id": institution_id})
    case = _cases(api)[0]
    details = {"credit_kind": "blacklist", "subject": "person", "person_name": "考评"}
    with db(api) as session:
        supervision.accept(session, case_id=case.id)
        supervision.propose(session, case_id=case.id, round_no=0, sanction="blacklist", proposed_by=None,
                            details=details, reason="出具虚假评分")
        first = supervision.add_credit_entry(session, case_id=case.id, round_no=0, details=details, decided_by=None,
                                             approved_by=None, reason="出具虚假评分")
        assert supervision.add_credit_entry(session, case_id=case.id, round_no=0, details=details, decided_by=None,
                                            approved_by=None, reason="出具虚假评分") == first  # a replay adds nothing
        entry = session.get(CreditEntry, first)
        assert (entry.subject_type, entry.person_name, entry.credit_code) == ("person", "考评", None)
        assert entry.valid_until == dt.date(2029, 9, 1)  # the profile's refiling_ban_years for a blacklisting
    refused = api.post(f"/api/v1/institutions/{institution_id}/plans", json=plan_body(dt.date(2026, 12, 30)),
                       headers=people.make("enterprise", institution_id=institution_id))
    assert refused.status_code == 422 and refused.json()["detail"][0]["field"] == "evaluators[0]"
    records = api.get("/api/v1/credit-records", params={"person_name": "考评"},
                      headers=people.make("officer", jurisdiction="440100")).json()["items"]
    assert [(r["kind"], r["case_id"]) for r in records] == [("blacklist", case.id)]
