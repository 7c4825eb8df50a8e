"""Supervision cases in the officers' dashboard: the tasks in the same inbox, the complaint shown where the
decision is taken, the investigation's sanction typed into the form, and the case page with its documents."""

import datetime as dt

from sqlmodel import select

from models.cases import Institution
from models.db import session_scope
from models.supervision import SupervisionCase
from models.workflow import HumanTask
from tasks.cases import credit, supervision
from tasks.waits import human_tasks
from tests.api.conftest import db
from tests.api.helpers import evaluation_plan, registered_institution
from tests.api.test_dashboard import staff

COMPLAINT = {"text": "该机构考场未开启视频监控，存在代考。", "contact_name": "赵先生", "contact_phone": "13600003333"}


def _case_with_investigation(api) -> tuple[int, int]:
    with db(api) as session:
        institution_id = registered_institution(session, serial=960)
        session.get(Institution, institution_id).name = "被投诉精工有限公司"
    api.post("/api/v1/complaints", json={**COMPLAINT, "institution_id": institution_id})
    with db(api) as session:
        case = session.exec(select(SupervisionCase)).one()
        supervision.accept(session, case_id=case.id)
        task = human_tasks.ensure_task(session, key=f"supervision:{case.id}:investigation:0", case_type="supervision",
                                       case_id=case.id, step="supervision_investigation", role="officer",
                                       jurisdiction="440106", due_working_days=30, flow_run_id=None)
        return case.id, task.id


def test_an_officer_sees_the_complaint_in_the_inbox_and_orders_rectification_from_the_form(api):
    case_id, task_id = _case_with_investigation(api)
    officer, _ = staff(api, "officer", jurisdiction="440100")
    officer.log_in()
    inbox = officer.get("/dashboard/inbox").text
    assert "监督案件" in inbox and "被投诉精工有限公司" in inbox and f"/dashboard/tasks/{task_id}" in inbox
    page = officer.get(f"/dashboard/tasks/{task_id}").text
    assert "调查核实" in page and COMPLAINT["text"] in page and "13600003333" in page
    assert officer.post(f"/dashboard/tasks/{task_id}/claim").status_code == 303
    form = officer.get(f"/dashboard/tasks/{task_id}").text
    assert 'name="sanction_items"' in form and "查无实据，不予处理" in form and "责令整改" in form

    missing = officer.post(f"/dashboard/tasks/{task_id}/decision", csrf_from=f"/dashboard/tasks/{task_id}",
                           data={"decision": "order_rectification", "reason": "核实存在问题"})
    assert missing.status_code == 422 and "列明整改事项" in missing.text
    bad_days = officer.post(f"/dashboard/tasks/{task_id}/decision", csrf_from=f"/dashboard/tasks/{task_id}",
                            data={"decision": "order_rectification", "reason": "核实存在问题",
                                  "sanction_items": "安装视频监控", "sanction_working_days": "十"})
    assert bad_days.status_code == 422 and "整数" in bad_days.text and "安装视频监控" in bad_days.text  # kept
    decided = officer.post(f"/dashboard/tasks/{task_id}/decision", csrf_from=f"/dashboard/tasks/{task_id}",
                           data={"decision": "order_rectification", "reason": "核实存在问题",
                                 "sanction_items": "安装视频监控\n\n重新培训考评员\n", "sanction_working_days": "15"})
    assert decided.status_code == 303, decided.text
    assert decided.headers["location"] == f"/dashboard/cases/supervision/{case_id}?done=decided"
    with session_scope(api.settings.database_url, readonly=True) as session:
        row = session.get(HumanTask, task_id)
        assert row.decision == "order_rectification"
        assert row.decision_payload["sanction"] == {"items": ["安装视频监控", "重新培训考评员"], "working_days": 15,
                                                    "certificate_numbers": [], "whole_batch": False}
    with db(api) as session:  # the flow's step: the order is recorded with its deadline
        supervision.order_rectification(session, case_id=case_id, round_no=0, items=["安装视频监控", "重新培训考评员"],
                                        working_days=15, ordered_by=None, reason="核实存在问题")
        supervision.set_due(session, case_id=case_id, kind="rectification", round_no=0, due=dt.date(2026, 9, 22))
    case_page = officer.get(f"/dashboard/cases/supervision/{case_id}").text
    assert "监督 #" in case_page and "责令整改中" in case_page and "责令整改通知书" in case_page
    assert "责令整改通知书（第 1 轮）" in case_page and f"/supervision/{case_id}/rectification/1.pdf" in case_page
    pdf = officer.get(f"/dashboard/cases/supervision/{case_id}/rectification/1.pdf")
    assert pdf.status_code == 200 and pdf.content.startswith(b"%PDF")
    assert officer.get(f"/dashboard/cases/supervision/{case_id}/cancellation.pdf").status_code == 404
    assert officer.get(f"/dashboard/cases/supervision/{case_id}/rectification/2.pdf").status_code == 404
    assert officer.get(f"/dashboard/cases/supervision/{case_id}/rectification/0.pdf").status_code == 422


def test_the_institution_page_shows_status_scope_batches_complaints_credit_and_the_withdrawal_countdown(api):
    case_id, _ = _case_with_investigation(api)
    with db(api) as session:
        case = session.get(SupervisionCase, case_id)
        institution = session.get(Institution, case.institution_id)
        institution.registered_on = dt.date(2026, 3, 2)
        plan = evaluation_plan(session, institution.id, status="completed")
        plan.staff = {"evaluators": ["失信考评员"], "quality_supervisors": ["督导"]}
        supervision.propose(session, case_id=case_id, round_no=0, sanction="cancel_filing", proposed_by=None,
                            details={}, reason="代考属实")
        supervision.cancel_filing(session, case_id=case_id, round_no=0, approved_by=None)
        credit.add_entry(session, subject_type="person", kind="blacklist", reason="出具虚假评分",
                         person_name="失信考评员", valid_from=dt.date(2026, 9, 1), valid_until=dt.date(2027, 8, 31),
                         case_id=None, decided_by=None)
        institution_id, plan_id = institution.id, plan.id
    officer, _ = staff(api, "officer", jurisdiction="440100")
    officer.log_in()
    page = officer.get(f"/dashboard/institutions/{institution_id}")
    assert page.status_code == 200
    text = page.text
    assert "被投诉精工有限公司" in text and "已取消备案" in text and "取消备案，移出目录" in text
    assert "车工" in text and f"批次 #{plan_id}" in text and f"监督 #{case_id}" in text and "黑名单" in text
    assert "已于 2026-09-01 移出目录" in text
    plan_page = officer.get(f"/dashboard/cases/plan/{plan_id}").text
    assert "人员信用记录：失信考评员" in plan_page and f"/dashboard/institutions/{institution_id}" in plan_page
    outsider, _ = staff(api, "officer", jurisdiction="320000")
    outsider.log_in()
    assert outsider.get(f"/dashboard/institutions/{institution_id}").status_code == 404
