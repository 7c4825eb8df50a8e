"""Inactivity withdrawal (视同自行退出, 004 §六(三)) through the daily scan and the API: the warning on the
institution's view, the withdrawal, the catalogue and its public removals, plans refused, certificates
kept valid."""

import datetime as dt

from sqlmodel import select

from models.audit import AuditEvent
from models.cases import Candidate, Certificate, Institution
from tasks.waits.inactivity import scan_today
from tests.api.conftest import db, move_clock
from tests.api.helpers import evaluation_plan, person, plan_body, registered_institution
from tests.api.test_plans_api import enterprise_of


def _last_active(api, institution_id: int, day: dt.date) -> None:
    with db(api) as session:
        institution = session.get(Institution, institution_id)
        institution.registered_on = institution.last_evaluation_on = day
        session.add(institution)


def test_two_years_without_an_evaluation_bring_a_warning_then_the_withdrawal_out_of_the_catalogue(api, people):
    enterprise, idle = enterprise_of(api, people)
    _last_active(api, idle, dt.date(2024, 9, 21))  # two years end on Monday 21 September 2026
    with db(api) as session:
        recent = registered_institution(session, serial=902)
        plan = evaluation_plan(session, idle, status="completed", evaluated_on=dt.date(2024, 9, 21))
        candidate = Candidate(plan_id=plan.id, name="张三", id_number=person(9), relation="employee", level=3)
        session.add(candidate)
        session.flush()
        session.add(Certificate(number="Y000044000902263000001", serial_scope="Y000044000902263", serial=1,
                                candidate_id=candidate.id, plan_id=plan.id, institution_id=idle, holder_name="张三",
                                id_number=candidate.id_number, occupation_code="6-18-01-01", occupation_name="车工",
                                level=3, issued_on=dt.date(2024, 9, 30)))
    _last_active(api, recent, dt.date(2025, 6, 2))

    # two years from 21 September 2024 end with 21 September 2026 (民法典 arts. 201, 202): withdrawn on the 22nd;
    # 20 working days before it (Sunday 20 September is a make-up working day): 26 August
    assert scan_today(api.settings.database_url)[1] == {"warned": 1, "withdrawn": 0}
    view = api.get(f"/api/v1/institutions/{idle}", headers=enterprise).json()
    assert view["status"] == "registered"
    assert view["inactivity"] == {"active_since": "2024-09-21", "withdrawal_on": "2026-09-22",
                                  "warning_on": "2026-08-26", "provisional": False, "warned_on": "2026-09-01"}
    assert scan_today(api.settings.database_url)[1] == {"warned": 0, "withdrawn": 0}  # a second scan changes nothing

    move_clock(api, people.make("admin"), dt.date(2026, 9, 21))  # the last day of its two years: still in
    assert scan_today(api.settings.database_url)[1] == {"warned": 0, "withdrawn": 0}
    move_clock(api, people.make("admin"), dt.date(2026, 9, 22))
    assert scan_today(api.settings.database_url)[1] == {"warned": 0, "withdrawn": 1}
    view = api.get(f"/api/v1/institutions/{idle}", headers=enterprise).json()
    assert view["status"] == "withdrawn"
    assert view["inactivity"] == {"removed_on": "2026-09-22", "removal_reason": "inactivity"}
    catalogue = [i["id"] for i in api.get("/api/v1/public/institutions", params={"limit": 500}).json()["items"]]
    assert idle not in catalogue and recent in catalogue
    removals = api.get("/api/v1/public/institutions/removals").json()["items"]
    assert [(r["id"], r["removed_on"], r["reason"]) for r in removals] == [(idle, "2026-09-22", "inactivity")]
    refused = api.post(f"/api/v1/institutions/{idle}/plans", json=plan_body(dt.date(2026, 10, 19)), headers=enterprise)
    assert refused.status_code == 409 and "视同自行退出" in refused.json()["detail"]
    certificate = api.get("/api/v1/public/certificates/Y000044000902263000001").json()
    assert certificate["status"] == "valid"  # what it issued stays valid
    with db(api) as session:
        actions = [e.action for e in session.exec(select(AuditEvent).where(
            AuditEvent.case_type == "institution", AuditEvent.case_id == idle)).all()]
        assert actions.count("inactivity_warning") == 1 and actions.count("institution_withdrawn") == 1


def test_an_institution_with_a_batch_under_way_is_neither_warned_nor_withdrawn(api, people):
    _, busy = enterprise_of(api, people)
    _last_active(api, busy, dt.date(2024, 9, 1))
    with db(api) as session:
        evaluation_plan(session, busy, status="scheduled")
    assert scan_today(api.settings.database_url)[1] == {"warned": 0, "withdrawn": 0}
    with db(api) as session:
        assert session.get(Institution, busy).status == "registered"

