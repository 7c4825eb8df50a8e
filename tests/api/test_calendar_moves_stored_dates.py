"""Stored deadlines follow the calendar (issue 27, item 4): when a year's holidays are imported, a publicity's
end stored on its case moves with its timer in the same transaction, so the public page, the objection route
and the timer all end on the new day; a batch's results due date moves too."""

from __future__ import annotations

import datetime as dt

from sqlmodel import select

from models.cases import EvaluationPlan, Institution
from models.clock import business_today
from models.workflow import Timer
from policy.working_days import OfficialYear
from tasks.cases import batch
from tasks.waits import timers
from tests.api.conftest import db, move_clock
from tests.api.helpers import evaluation_plan, registered_institution

START = dt.date(2027, 2, 3)  # a Gansu results publicity of 5 working days (004 §五(四)) before Spring Festival 2027
SPRING_FESTIVAL = frozenset(dt.date(2027, 2, 4) + dt.timedelta(days=n) for n in range(9))  # 4–12 February


def _gansu_batch_in_publicity(api) -> tuple[int, dt.date]:
    with db(api) as session:
        institution_id = registered_institution(session, region="620102", serial=980)
        plan_id = evaluation_plan(session, institution_id, status="results_submitted",
                                  evaluated_on=dt.date(2027, 1, 20)).id
        plan = session.get(EvaluationPlan, plan_id)
        plan.region_code, plan.profile_code, plan.results_submissions = "620102", "gansu", 1
        session.get(Institution, institution_id).region_code = "620102"
        session.flush()
        assert business_today(session) == START
        timer = timers.ensure_timer(session, key=f"plan:{plan_id}:publicity:0", case_type="plan", case_id=plan_id,
                                    purpose="results_publicity", start=START, working_days=5)
        assert timer.provisional  # 2027's holidays are estimated until its notice is imported
        batch.start_results_publicity(session, plan_id=plan_id, round_no=0, end=timer.period_end,
                                      provisional=timer.provisional)
        return plan_id, timer.period_end


def test_a_holiday_import_moves_the_publicity_end_on_the_case_the_page_and_the_objection_route(api, people):
    move_clock(api, people.make("admin"), START)
    plan_id, provisional_end = _gansu_batch_in_publicity(api)
    with db(api) as session:
        timers.import_calendar(session, [OfficialYear(2027, SPRING_FESTIVAL, frozenset(), "test notice")],
                               imported_by="test", now=dt.datetime(2027, 2, 3, tzinfo=dt.UTC))
    with db(api) as session:
        timer = session.exec(select(Timer).where(Timer.key == f"plan:{plan_id}:publicity:0")).one()
        plan = session.get(EvaluationPlan, plan_id)
        assert timer.period_end > provisional_end and not timer.provisional
        assert plan.publicity_end == timer.period_end  # the case's stored end moved with the timer
        new_end = timer.period_end
    listed = api.get("/api/v1/public/publicities", params={"kind": "plan"}).json()["items"]
    assert next(i for i in listed if i["id"] == plan_id)["publicity"]["end"] == new_end.isoformat()

    move_clock(api, people.make("admin"), provisional_end + dt.timedelta(days=1))  # past the old end, before the new
    objected = api.post("/api/v1/public/objections", json={
        "case_type": "plan", "case_id": plan_id, "name": "李四", "phone": "13800138000",
        "text": "考评过程中存在替考情况，请核查。"})
    assert objected.status_code == 201, objected.text


def _gansu_plan(session, *, serial: int, status: str, evaluated_on: dt.date) -> EvaluationPlan:
    """A Gansu institution's plan in `status`, evaluated on `evaluated_on`."""
    institution_id = registered_institution(session, region="620102", serial=serial)
    plan = evaluation_plan(session, institution_id, status=status, evaluated_on=evaluated_on)
    plan.region_code, plan.profile_code = "620102", "gansu"
    session.flush()
    return plan


def test_a_holiday_import_moves_a_batchs_results_due_date(api, people):
    move_clock(api, people.make("admin"), dt.date(2027, 1, 29))
    with db(api) as session:
        plan_id = _gansu_plan(session, serial=981, status="scheduled", evaluated_on=dt.date(2027, 2, 1)).id
        batch.open_results_window(session, plan_id=plan_id)
        before = session.get(EvaluationPlan, plan_id).results_due
        timers.import_calendar(session, [OfficialYear(2027, SPRING_FESTIVAL, frozenset(), "test notice")],
                               imported_by="test", now=dt.datetime(2027, 1, 29, tzinfo=dt.UTC))
    with db(api) as session:
        after = session.get(EvaluationPlan, plan_id).results_due
    assert after > before  # ten working days after 1 February reach past the imported holidays


def test_a_plan_the_official_calendar_makes_late_is_flagged_once_for_its_officer_not_refused(api, people):
    move_clock(api, people.make("admin"), dt.date(2027, 1, 22))
    with db(api) as session:
        # filed 27 January for an evaluation on 15 February: in time on the estimated calendar (latest 28
        # January), late once Spring Festival's 4–12 February are official (latest 21 January)
        plan = _gansu_plan(session, serial=982, status="filed", evaluated_on=dt.date(2027, 2, 15))
        plan_id, plan.filed_on = plan.id, dt.date(2027, 1, 27)
    for _ in range(2):  # a second import flags nothing more
        with db(api) as session:
            timers.import_calendar(session, [OfficialYear(2027, SPRING_FESTIVAL, frozenset(), "test notice")],
                                   imported_by="test", now=dt.datetime(2027, 1, 22, tzinfo=dt.UTC))
    with db(api) as session:
        from models.audit import AuditEvent

        flags = session.exec(select(AuditEvent).where(AuditEvent.case_type == "plan", AuditEvent.case_id == plan_id,
                                                      AuditEvent.action == "plan_lead_time_short")).all()
        assert len(flags) == 1 and session.get(EvaluationPlan, plan_id).status == "filed"
