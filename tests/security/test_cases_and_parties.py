"""Probes of the case rules an attacker went for: institution takeover by credit code, the handling
centre chosen by the form, objections used to stall a rival, predictable draws shown to the party
checked, seats handed on, decisions without the claim, 409s that describe other parties' cases,
raw incident errors shown to applicants (SECURITY.md, items 1–5, 13, 20)."""

from __future__ import annotations

import datetime as dt
import hashlib

from sqlmodel import select

from core.clock import wall_now
from models.accounts import User
from models.audit import AuditEvent
from models.cases import DrawRecord, EvaluationPlan, FilingApplication, Institution, Objection
from models.workflow import HumanTask, Incident
from policy import draws as draw_rules
from tasks.records import draws
from tasks.waits.human_tasks import ensure_task
from tests.api.conftest import db, move_clock
from tests.api.helpers import credit_code, evaluation_plan, filing_form, registered_institution

CONTACT = "13800138000"


def file(api, headers, **form) -> dict:
    response = api.post("/api/v1/filings", json=filing_form(**form), headers=headers)
    assert response.status_code == 201, response.text
    return response.json()


def set_status(api, filing_id: int, status: str, **fields) -> None:
    with db(api) as session:
        filing = session.get(FilingApplication, filing_id)
        filing.status = status
        for name, value in fields.items():
            setattr(filing, name, value)
        session.add(filing)


def publicised(api, people, owner=None) -> tuple[dict, dt.date]:
    """A filing in its publicity period on 2026-09-01."""
    today = dt.date(2026, 9, 1)
    move_clock(api, people.make("admin"), today)
    filing = file(api, owner or people.make("enterprise"))
    set_status(api, filing["id"], "publicity", publicity_start=today, publicity_end=today + dt.timedelta(days=7))
    return filing, today


# -- 1. institution takeover by credit code ------------------------------------------------------


def test_an_unbound_account_cannot_take_over_a_rejected_institution_by_its_credit_code(api, people):
    rival, attacker = people.make("enterprise"), people.make("enterprise")
    rivals_form = filing_form()
    rivals = file(api, rival, **rivals_form)
    set_status(api, rivals["id"], "rejected")
    taken = api.post("/api/v1/filings", json=filing_form(credit_code=rivals_form["credit_code"]), headers=attacker)
    assert taken.status_code == 422
    assert [p["code"] for p in taken.json()["detail"]] == ["enterprise.credit_code_held"]
    assert api.get(f"/api/v1/filings/{rivals['id']}", headers=attacker).status_code == 404
    assert api.get(f"/api/v1/institutions/{rivals['institution_id']}", headers=attacker).status_code == 404
    with db(api) as session:
        assert session.get(User, people.id_of(attacker)).institution_id is None
        assert len(session.exec(select(FilingApplication)).all()) == 1


def test_a_bound_account_files_only_with_its_own_institutions_credit_code(api, people):
    owner = people.make("enterprise")
    first = file(api, owner)
    set_status(api, first["id"], "rejected")
    other = api.post("/api/v1/filings", json=filing_form(), headers=owner)  # a fresh, unheld code
    assert other.status_code == 422 and other.json()["detail"][0]["code"] == "enterprise.not_yours"


def test_only_the_provincial_centre_or_an_admin_binds_an_account_and_the_act_is_audited(api, people):
    owner, newcomer = people.make("enterprise"), people.make("enterprise")
    filing = file(api, owner)
    institution = filing["institution_id"]
    body = {"institution_id": institution, "reason": "营业执照原件与法定代表人授权书已核验"}
    path = f"/api/v1/admin/users/{people.id_of(newcomer)}/institution"
    assert api.put(path, json=body, headers=people.make("officer", jurisdiction="440100")).status_code == 404
    assert api.put(path, json=body, headers=people.make("officer", jurisdiction="320000")).status_code == 404
    assert api.put(path, json=body, headers=newcomer).status_code == 403
    assert api.put(path, json=body, headers=people.make("officer", jurisdiction="440000")).status_code == 200
    assert api.get(f"/api/v1/filings/{filing['id']}", headers=newcomer).status_code == 200
    with db(api) as session:
        event = session.exec(select(AuditEvent).where(AuditEvent.action == "institution_bound",
                                                      AuditEvent.case_id == people.id_of(newcomer))).one()
        assert event.after == {"institution_id": institution, "reason": body["reason"]}


# -- 2. the handling region --------------------------------------------------------------------


def test_the_handling_centre_follows_the_registered_region_not_the_form(api, people):
    owner = people.make("enterprise")
    form = filing_form()
    first = file(api, owner, **form)
    set_status(api, first["id"], "rejected")
    moved = api.post("/api/v1/filings", json={**form, "region_code": "440305"}, headers=owner)
    assert moved.status_code == 422 and moved.json()["detail"][0]["code"] == "enterprise.region_not_registered"
    shenzhen = people.make("officer", jurisdiction="440300")
    assert api.get(f"/api/v1/filings/{first['id']}", headers=shenzhen).status_code == 404


def test_a_new_institution_is_registered_inside_its_credit_codes_city(api, people):
    elsewhere = api.post("/api/v1/filings", json=filing_form(credit_code=credit_code("440106"), region_code="440305"),
                         headers=people.make("enterprise"))
    assert elsewhere.status_code == 422
    assert elsewhere.json()["detail"][0]["code"] == "enterprise.region_not_credit_code"
    same_city = api.post("/api/v1/filings", json=filing_form(credit_code=credit_code("440106"), region_code="440111"),
                         headers=people.make("enterprise"))
    assert same_city.status_code == 201 and same_city.json()["region_code"] == "440111"


def test_a_change_of_registered_region_is_an_audited_act_and_later_filings_go_there(api, people):
    owner = people.make("enterprise")
    form = filing_form()
    first = file(api, owner, **form)
    set_status(api, first["id"], "rejected")
    change = {"region_code": "440305", "reason": "新营业执照 住所变更至深圳市南山区"}
    path = f"/api/v1/admin/institutions/{first['institution_id']}/region"
    assert api.put(path, json=change, headers=people.make("officer", jurisdiction="440100")).status_code == 404
    assert api.put(path, json={**change, "region_code": "320102"},
                   headers=people.make("admin")).status_code == 422  # another province: a new filing there
    assert api.put(path, json=change, headers=people.make("officer", jurisdiction="440000")).status_code == 200
    again = file(api, owner, **{**form, "region_code": "440305"})
    assert again["region_code"] == "440305"
    shenzhen_officer = people.make("officer", jurisdiction="440300")
    assert api.get(f"/api/v1/filings/{again['id']}", headers=shenzhen_officer).status_code == 200
    with db(api) as session:
        event = session.exec(select(AuditEvent).where(AuditEvent.action == "registered_region_changed")).one()
        assert event.before == {"region_code": "440106"} and event.after["region_code"] == "440305"


# -- 3 and 13. objections -------------------------------------------------------------------------------


def test_one_open_objection_per_person_and_case_with_identity_and_grounds(api, people):
    filing, _ = publicised(api, people)
    rival = people.make("enterprise")
    path = f"/api/v1/filings/{filing['id']}/objections"
    assert api.post(path, json={"text": "该企业场地面积不足"}, headers=rival).status_code == 422  # no contact
    assert api.post(path, json={"text": "该企业场地面积不足", "contact": CONTACT}, headers=rival).status_code == 201
    second = api.post(path, json={"text": "另一条异议内容", "contact": CONTACT}, headers=rival)
    assert second.status_code == 409 and "still being investigated" in second.json()["detail"]
    with db(api) as session:
        assert len(session.exec(select(HumanTask).where(HumanTask.step == "objection_investigation")).all()) == 1
    officer = people.make("officer", jurisdiction="440000")
    for n in range(2):  # each investigated one frees the next, up to three in all
        with db(api) as session:
            open_task = (
                session.exec(
                    select(HumanTask).where(HumanTask.step == "objection_investigation", HumanTask.status == "open")
                )
                .one()
                .id
            )
        api.post(f"/api/v1/tasks/{open_task}/claim", headers=officer)
        assert (
            api.post(
                f"/api/v1/tasks/{open_task}/decision", json={"decision": "dismiss", "reason": "不成立"}, headers=officer
            ).status_code
            == 200
        )
        assert (
            api.post(path, json={"text": f"第{n + 2}条异议内容", "contact": CONTACT}, headers=rival).status_code == 201
        )
    with db(api) as session:
        open_task = (
            session.exec(
                select(HumanTask).where(HumanTask.step == "objection_investigation", HumanTask.status == "open")
            )
            .one()
            .id
        )
    api.post(f"/api/v1/tasks/{open_task}/claim", headers=officer)
    api.post(f"/api/v1/tasks/{open_task}/decision", json={"decision": "dismiss", "reason": "不成立"}, headers=officer)
    fourth = api.post(path, json={"text": "第四条异议内容", "contact": CONTACT}, headers=rival)
    assert fourth.status_code == 409 and "at most 3" in fourth.json()["detail"]


def test_an_objection_is_investigated_within_its_own_working_day_budget(api, people):
    filing, today = publicised(api, people)
    api.post(
        f"/api/v1/filings/{filing['id']}/objections",
        json={"text": "异议内容足够长", "contact": CONTACT},
        headers=people.make("enterprise"),
    )
    with db(api) as session:
        task = session.exec(select(HumanTask).where(HumanTask.step == "objection_investigation")).one()
        from models.sla import SlaClock

        clock = session.exec(select(SlaClock).where(SlaClock.step == "objection_investigation")).one()
        assert clock.due_date == task.due_date > today


def test_identical_objections_are_dismissed_together_by_the_cases_officer(api, people):
    filing, _ = publicised(api, people)
    path = f"/api/v1/filings/{filing['id']}/objections"
    ids = [
        api.post(
            path, json={"text": "该企业  考评员不足 ", "contact": CONTACT}, headers=people.make("enterprise")
        ).json()["objection_id"]
        for _ in range(3)
    ]
    different = api.post(
        path, json={"text": "另有其他的事情", "contact": CONTACT}, headers=people.make("enterprise")
    ).json()
    dismissals = f"/api/v1/filings/{filing['id']}/objections/dismissals"
    body = {"objection_ids": ids, "reason": "经核查考评员数量符合要求"}
    assert api.post(dismissals, json=body, headers=people.make("officer", jurisdiction="320000")).status_code == 404
    mixed = api.post(
        dismissals,
        json={**body, "objection_ids": ids + [different["objection_id"]]},
        headers=people.make("officer", jurisdiction="440000"),
    )
    assert mixed.status_code == 422
    done = api.post(dismissals, json=body, headers=people.make("officer", jurisdiction="440000"))
    assert done.status_code == 200 and len(done.json()["dismissed"]) == 3
    with db(api) as session:
        tasks = session.exec(select(HumanTask).where(HumanTask.step == "objection_investigation")).all()
        assert sorted((t.status, t.decision) for t in tasks) == [("decided", "dismiss")] * 3 + [("open", None)]


def test_an_objection_to_a_case_you_cannot_see_that_is_not_in_publicity_is_unknown_not_described(api, people):
    filing = file(api, people.make("enterprise"))
    answer = api.post(
        f"/api/v1/filings/{filing['id']}/objections",
        json={"text": "异议内容足够长", "contact": CONTACT},
        headers=people.make("enterprise"),
    )
    assert answer.status_code == 404 and "publicity" not in answer.text


# -- 4. draws ---------------------------------------------------------------------------------------


_serials = iter(range(500, 10_000))


def plan_in(api, people, owner) -> int:
    with db(api) as session:
        institution_id = registered_institution(session, serial=next(_serials))
        session.get(User, people.id_of(owner)).institution_id = institution_id
        return evaluation_plan(session, institution_id).id


def test_supervision_is_drawn_from_a_secret_seed_whose_commitment_is_recorded_and_rerunnable(api, people):
    from tasks.cases import batch

    owner = people.make("enterprise")
    for _ in range(3):
        people.make("supervisor")
    plans = [plan_in(api, people, owner) for _ in range(2)]
    with db(api) as session:
        for plan_id in plans:
            batch.draw_supervision(session, plan_id=plan_id)
    with db(api) as session:
        records = session.exec(select(DrawRecord).where(DrawRecord.purpose == "quality_supervision")).all()
        assert len({r.seed for r in records}) == 2 and all(len(r.seed) == 64 for r in records)
        for record in records:
            assert record.commitment == hashlib.sha256(record.seed.encode()).hexdigest()
            assert ":" not in record.seed  # random hex, not built from the plan id or filing date
            again = draws.rerun(record, rate=record.result["rate"])
            assert again == {"supervised": record.result["supervised"], "supervisor_id": record.result["supervisor_id"]}
            logged = session.exec(
                select(AuditEvent).where(AuditEvent.action == "draw_made", AuditEvent.case_id == record.case_id)
            ).one()
            assert logged.after["commitment"] == record.commitment and "seed" not in logged.after


def test_the_enterprise_sees_nothing_of_the_supervision_draw_before_the_supervision(api, people):
    from tasks.cases import batch

    owner, supervisor = people.make("enterprise"), people.make("supervisor")
    plan_id = plan_in(api, people, owner)
    with db(api) as session:
        plan = session.get(EvaluationPlan, plan_id)
        draws.record(
            session,
            case_type="plan",
            case_id=plan_id,
            purpose="quality_supervision",
            seed="x" * 64,
            candidates=[people.id_of(supervisor)],
            result={"supervised": True},
        )
        plan.supervised, plan.supervisor_id = True, people.id_of(supervisor)
        ensure_task(
            session,
            key=f"plan:{plan_id}:supervision",
            case_type="plan",
            case_id=plan_id,
            step="quality_supervision",
            role="supervisor",
            jurisdiction="440106",
            due_working_days=5,
            flow_run_id=None,
            assignee_id=people.id_of(supervisor),
            drawn=True,
        )
    seen = api.get(f"/api/v1/plans/{plan_id}", headers=owner).json()
    assert seen["supervision"] is None
    assert not [t for t in seen["tasks"] if t["step"] == "quality_supervision"]
    assert not [e for e in seen["history"] if "supervision" in e["action"] or e["action"] == "draw_made"]
    officer = api.get(f"/api/v1/plans/{plan_id}", headers=people.make("officer", jurisdiction="440000")).json()
    assert officer["supervision"]["supervisor_id"] == people.id_of(supervisor)
    with db(api) as session:
        task = session.exec(select(HumanTask).where(HumanTask.step == "quality_supervision")).one()
        task_id = task.id
    report = {
        "identity_checked": True,
        "proctoring_ok": True,
        "video_running": True,
        "scored_per_standard": True,
        "verdict": "no_issues",
    }
    assert (
        api.post(
            f"/api/v1/tasks/{task_id}/decision",
            json={"decision": "report", "reason": "考场秩序良好", "report": report},
            headers=supervisor,
        ).status_code
        == 200
    )
    after = api.get(f"/api/v1/plans/{plan_id}", headers=owner).json()
    assert after["supervision"] == {"supervised": True, "report": "考场秩序良好"}
    assert batch  # the draw itself is tested above


def test_the_applicant_sees_the_panels_result_and_reasons_but_not_who_sat_or_their_sheets(api, people):
    owner = people.make("enterprise")
    filing = file(api, owner)
    experts = [people.make("expert") for _ in range(3)]
    aspects = {
        a: 80
        for a in (
            "basic_situation",
            "hr_system",
            "funding",
            "training_and_quality",
            "venue",
            "equipment",
            "information_system",
        )
    }
    with db(api) as session:
        from tasks.cases import filing as filings

        seats = filings.pick_expert_panel(session, filing_id=filing["id"], size=3, exclude=set())
        for seat, expert_id in enumerate(seats):
            ensure_task(
                session,
                key=f"filing:{filing['id']}:expert:{seat}",
                case_type="filing",
                case_id=filing["id"],
                step="expert_evaluation",
                role="expert",
                jurisdiction="440106",
                due_working_days=10,
                flow_run_id=None,
                assignee_id=expert_id,
                drawn=True,
            )
    by_id = {people.id_of(e): e for e in experts}
    with db(api) as session:
        tasks = session.exec(select(HumanTask).where(HumanTask.step == "expert_evaluation")).all()
        seats = [(t.id, t.assignee_id) for t in tasks]
    for task_id, expert_id in seats:
        answer = api.post(
            f"/api/v1/tasks/{task_id}/decision",
            json={"decision": "score", "scores": aspects, "reason": "制度健全"},
            headers=by_id[expert_id],
        )
        assert answer.status_code == 200, answer.text
    with db(api) as session:
        from tasks.records import audit

        audit.record(
            session,
            case_type="filing",
            case_id=filing["id"],
            action="expert_panel_result",
            after={"passed": True, "mean_score": 80.0},
        )
    seen = api.get(f"/api/v1/filings/{filing['id']}", headers=owner).json()
    assert seen["expert_panel"] == {"passed": True, "mean_score": 80.0, "reasons": ["制度健全"]}
    panel = [t for t in seen["tasks"] if t["step"] == "expert_evaluation"]
    assert len(panel) == 3 and all(t["assignee_id"] is None and t["decision_payload"] is None for t in panel)
    expert_ids = set(by_id)
    for event in seen["history"]:
        assert event["actor_id"] not in expert_ids and str(sorted(expert_ids)[0]) not in str(event["after"] or "")
    officer = api.get(f"/api/v1/filings/{filing['id']}", headers=people.make("officer", jurisdiction="440000")).json()
    assert {t["assignee_id"] for t in officer["tasks"] if t["step"] == "expert_evaluation"} == expert_ids


def test_the_panel_draw_is_recorded_and_a_replay_finds_the_same_panel(api, people):
    from tasks.cases import filing as filings

    filing = file(api, people.make("enterprise"))
    for _ in range(5):
        people.make("expert")
    with db(api) as session:
        first = filings.pick_expert_panel(session, filing_id=filing["id"], size=3, exclude=set())
    with db(api) as session:
        assert filings.pick_expert_panel(session, filing_id=filing["id"], size=3, exclude=set()) == first
        record = session.exec(select(DrawRecord).where(DrawRecord.purpose == "expert_panel")).one()
        assert draw_rules.draw_panel(record.seed, record.candidates, 3) == first


# -- 5. seats and claims ----------------------------------------------------------------------------


def drawn_seat(api, people, filing_id: int, expert) -> int:
    with db(api) as session:
        return ensure_task(
            session,
            key=f"filing:{filing_id}:expert:0",
            case_type="filing",
            case_id=filing_id,
            step="expert_evaluation",
            role="expert",
            jurisdiction="440106",
            due_working_days=10,
            flow_run_id=None,
            assignee_id=people.id_of(expert),
            drawn=True,
        ).id


def test_a_released_drawn_seat_is_drawn_again_never_handed_to_an_undrawn_expert(api, people):
    filing = file(api, people.make("enterprise"))
    drawn, accomplice = people.make("expert"), people.make("expert")
    seat = drawn_seat(api, people, filing["id"], drawn)
    assert api.post(f"/api/v1/tasks/{seat}/release", headers=drawn).status_code == 200
    with db(api) as session:
        task = session.get(HumanTask, seat)
        assert task.assignee_id == people.id_of(accomplice) and task.status == "claimed"  # the only one left
        redraw = session.exec(select(DrawRecord).where(DrawRecord.purpose == "seat_redraw")).one()
        assert redraw.result["released_by"] == people.id_of(drawn)
    assert api.post(f"/api/v1/tasks/{seat}/claim", headers=drawn).status_code == 404


def test_a_released_seat_with_nobody_left_to_draw_is_vacant_and_in_no_pool(api, people):
    filing = file(api, people.make("enterprise"))
    drawn = people.make("expert")
    seat = drawn_seat(api, people, filing["id"], drawn)
    api.post(f"/api/v1/tasks/{seat}/release", headers=drawn)
    latecomer = people.make("expert")
    assert api.post(f"/api/v1/tasks/{seat}/claim", headers=latecomer).status_code == 404
    assert seat not in [t["id"] for t in api.get("/api/v1/tasks", headers=latecomer).json()["items"]]
    redrawn = api.post(f"/api/v1/tasks/{seat}/redraw", headers=people.make("officer", jurisdiction="440000"))
    assert redrawn.status_code == 200 and redrawn.json()["assignee_id"] == people.id_of(latecomer)


def test_the_api_records_no_decision_on_a_task_nobody_claimed(api, people):
    filing = file(api, people.make("enterprise"))
    with db(api) as session:
        task = ensure_task(
            session,
            key="probe:acceptance",
            case_type="filing",
            case_id=filing["id"],
            step="acceptance",
            role="officer",
            jurisdiction="440106",
            due_working_days=5,
            flow_run_id=None,
        ).id
    officer = people.make("officer", jurisdiction="440000")
    unclaimed = api.post(f"/api/v1/tasks/{task}/decision", json={"decision": "approve"}, headers=officer)
    assert unclaimed.status_code == 409 and "claim" in unclaimed.json()["detail"]
    with db(api) as session:
        assert session.get(HumanTask, task).status == "open"


# -- 20. incidents ------------------------------------------------------------------------------------


def test_the_applicant_sees_a_neutral_status_for_an_external_failure_and_operations_see_the_error(api, people):
    owner = people.make("enterprise")
    filing = file(api, owner)
    with db(api) as session:
        session.add(
            Incident(
                kind="ministry_review",
                case_type="filing",
                case_id=filing["id"],
                error="ConnectError: [Errno 111] connect to 10.2.3.4:8443 refused",
                created_at=wall_now(),
            )
        )
    seen = api.get(f"/api/v1/filings/{filing['id']}", headers=owner).json()["incidents"]
    assert seen[0]["status"] == "open" and "error" not in seen[0] and "10.2.3.4" not in str(seen)
    staff = api.get(f"/api/v1/filings/{filing['id']}", headers=people.make("operations")).json()["incidents"]
    assert "10.2.3.4" in staff[0]["error"]


def test_objectors_and_their_contact_are_kept_from_the_applicant(api, people):
    owner = people.make("enterprise")
    filing, _ = publicised(api, people, owner)
    api.post(
        f"/api/v1/filings/{filing['id']}/objections",
        json={"text": "异议内容足够长", "contact": CONTACT},
        headers=people.make("enterprise"),
    )
    seen = api.get(f"/api/v1/filings/{filing['id']}", headers=owner).json()["objections"]
    assert CONTACT not in str(seen) and "raised_by" not in seen[0]
    officer = api.get(f"/api/v1/filings/{filing['id']}", headers=people.make("officer", jurisdiction="440000")).json()
    assert officer["objections"][0]["contact"] == CONTACT
    with db(api) as session:
        assert session.exec(select(Objection)).one().contact == CONTACT
        assert session.exec(select(Institution)).first() is not None
