"""The dashboard over HTTP: login, lockout, CSRF, jurisdiction and role checks in the HTML routes,
the inbox by due date, decisions with field errors, separation of duties with its reason."""

from __future__ import annotations

import itertools
import re

import pytest
from sqlmodel import select

from models.accounts import WebSession
from models.db import session_scope
from models.workflow import HumanTask
from policy.eligibility import REQUIRED_MATERIALS
from tasks.people.accounts import create_user
from tasks.waits.human_tasks import ensure_task
from tests.api.helpers import filing_form

PASSWORD = "correct horse 1"
_names = itertools.count(1)


def csrf_of(html: str) -> str:
    return re.search(r'name="csrf" value="([^"]+)"', html).group(1)


class Browserless:
    """A TestClient with its own cookie jar, logged in through the login form."""

    def __init__(self, api, name: str, address: str = "testclient") -> None:
        from fastapi.testclient import TestClient

        self.client = TestClient(api.app, follow_redirects=False, client=(address, 50000))
        self.name = name

    def log_in(self, password: str = PASSWORD):
        page = self.client.get("/dashboard/login")
        return self.client.post("/dashboard/login", data={"name": self.name, "password": password,
                                                           "csrf": csrf_of(page.text)})

    def get(self, path: str):
        return self.client.get(path)

    def post(self, path: str, data: dict | None = None, csrf_from: str | None = None):
        token = csrf_of(self.client.get(csrf_from or "/dashboard/inbox").text)
        return self.client.post(path, data={"csrf": token, **(data or {})})


def staff(api, role: str, **kwargs) -> tuple[Browserless, int]:
    name = f"{role}-web-{next(_names)}"
    user, _ = create_user(api.settings.database_url, role=role, name=name, password=PASSWORD, **kwargs)
    return Browserless(api, name), user.id


@pytest.fixture()
def filing_id(api, people):
    enterprise = people.make("enterprise")
    return api.post("/api/v1/filings", json=filing_form(), headers=enterprise).json()["id"]


def acceptance_task(api, filing_id: int, *, due: int = 5, jurisdiction: str = "440106") -> int:
    with session_scope(api.settings.database_url) as session:
        return ensure_task(session, key=f"web:{filing_id}:acceptance:{due}", case_type="filing", case_id=filing_id,
                           step="acceptance", role="officer", jurisdiction=jurisdiction, due_working_days=due,
                           flow_run_id=None).id


def test_pages_need_a_login_and_send_you_back_where_you_were_going(api):
    response = Browserless(api, "nobody").get("/dashboard/inbox?status=open")
    assert response.status_code == 303
    assert response.headers["location"] == "/dashboard/login?next=/dashboard/inbox%3Fstatus%3Dopen"


def test_the_session_cookie_is_httponly_and_samesite_and_logout_ends_it_on_the_server(api):
    officer, _ = staff(api, "officer", jurisdiction="440000")
    response = officer.log_in()
    assert response.status_code == 303
    cookie = response.headers["set-cookie"]
    assert "certflow_session=" in cookie and "HttpOnly" in cookie and "SameSite=lax" in cookie
    stolen = officer.client.cookies.get("certflow_session")
    assert officer.get("/dashboard/inbox").status_code == 200
    assert officer.post("/dashboard/logout").status_code == 303
    replay = Browserless(api, "thief")
    replay.client.cookies.set("certflow_session", stolen, path="/dashboard")
    assert replay.get("/dashboard/inbox").status_code == 303  # back to the login page


def test_five_wrong_passwords_from_one_client_lock_that_name_there_even_for_the_right_password(api):
    officer, user_id = staff(api, "officer", jurisdiction="440000")
    attacker = Browserless(api, officer.name, address="203.0.113.9")
    for _ in range(5):
        refused = attacker.log_in("wrong password")
        assert refused.status_code == 401 and "用户名或密码错误" in refused.text and "再错" not in refused.text
    locked = attacker.log_in()
    assert locked.status_code == 401 and "尝试次数过多" in locked.text
    with session_scope(api.settings.database_url, readonly=True) as session:
        assert not session.exec(select(WebSession).where(WebSession.user_id == user_id)).all()


def test_an_attacker_cannot_lock_a_user_out_of_the_device_they_usually_log_in_from(api):
    officer, _ = staff(api, "officer", jurisdiction="440000")
    assert officer.log_in().status_code == 303  # the usual device: it now holds the device cookie
    for n in range(60):  # from many addresses: every pair, client and the name's own count are exhausted
        Browserless(api, officer.name, address=f"198.51.100.{n}").log_in("wrong password")
    assert "尝试次数过多" in Browserless(api, officer.name, address="198.51.100.200").log_in().text
    assert officer.log_in().status_code == 303  # the user's own browser still gets in


def test_an_unknown_name_is_locked_exactly_like_a_real_one_so_a_lock_tells_nothing(api):
    officer, _ = staff(api, "officer", jurisdiction="440000")
    real, fake = (Browserless(api, officer.name, address="192.0.2.1"),
                  Browserless(api, "nobody-is-called-this", address="192.0.2.2"))

    def said(answer) -> tuple[int, str]:
        return answer.status_code, re.search(r'role="alert">([^<]*)<', answer.text).group(1)

    for _ in range(7):  # through the lock: every answer, word for word, is the same for both names
        assert said(real.log_in("wrong password")) == said(fake.log_in("wrong password"))
    assert "尝试次数过多" in said(fake.log_in())[1]


@pytest.mark.sqlite_only
def test_the_password_is_checked_outside_the_write_lock(api, monkeypatch):
    """24 logins at once used to stall every writer: scrypt ran inside BEGIN IMMEDIATE."""
    import sqlite3

    from tasks.people import accounts

    officer, _ = staff(api, "officer", jurisdiction="440000")
    path = api.settings.database_url.split("///", 1)[1]
    writes = []
    real_verify = accounts.verify_password

    def verify_while_someone_writes(password, stored):
        other = sqlite3.connect(path, timeout=5)  # blocks (then fails) if the login holds the write lock
        other.execute("BEGIN IMMEDIATE")
        other.execute("UPDATE business_clock SET moved_at = moved_at")
        other.commit()
        other.close()
        writes.append("done")
        return real_verify(password, stored)

    monkeypatch.setattr(accounts, "verify_password", verify_while_someone_writes)
    assert officer.log_in("wrong password").status_code == 401
    assert Browserless(api, "unknown-name").log_in().status_code == 401
    assert officer.log_in().status_code == 303
    assert writes == ["done"] * 3


def test_an_unknown_name_gets_the_same_answer_as_a_wrong_password(api):
    answer = Browserless(api, "no-such-user").log_in()
    assert answer.status_code == 401 and "用户名或密码错误" in answer.text


def test_enterprises_cannot_log_in_to_the_dashboard(api):
    enterprise, _ = staff(api, "enterprise")
    refused = enterprise.log_in()
    assert refused.status_code == 401 and "企业请使用接口" in refused.text


def test_a_form_without_the_sessions_csrf_token_changes_nothing(api, filing_id):
    task = acceptance_task(api, filing_id)
    officer, _ = staff(api, "officer", jurisdiction="440000")
    officer.log_in()
    forged = officer.client.post(f"/dashboard/tasks/{task}/claim", data={"csrf": "forged"})
    assert forged.status_code == 403
    with session_scope(api.settings.database_url, readonly=True) as session:
        assert session.get(HumanTask, task).status == "open"


def test_the_inbox_lists_the_earliest_deadline_first_with_working_days_left(api, people, filing_id):
    later = acceptance_task(api, filing_id)  # the profile's budget: 5 working days
    second = api.post("/api/v1/filings", json=filing_form(), headers=people.make("enterprise")).json()["id"]
    with session_scope(api.settings.database_url) as session:  # a task without an SLA clock: its own 2 days
        sooner = ensure_task(
            session,
            key="web:objection:x",
            case_type="filing",
            case_id=second,
            step="supervision_visit",
            role="officer",
            jurisdiction="440106",
            due_working_days=2,
            flow_run_id=None,
        ).id
    officer, _ = staff(api, "officer", jurisdiction="440100")
    officer.log_in()
    html = officer.get("/dashboard/inbox").text
    assert html.index(f'data-task="{sooner}"') < html.index(f'data-task="{later}"')
    assert "剩余 2 个工作日" in html and "剩余 5 个工作日" in html and "受理" in html


def test_an_officer_outside_the_jurisdiction_cannot_see_or_claim_the_task(api, filing_id):
    task = acceptance_task(api, filing_id)
    shenzhen, _ = staff(api, "officer", jurisdiction="440300")
    shenzhen.log_in()
    assert f'data-task="{task}"' not in shenzhen.get("/dashboard/inbox").text
    assert shenzhen.get(f"/dashboard/tasks/{task}").status_code == 404
    assert shenzhen.post(f"/dashboard/tasks/{task}/claim").status_code == 404
    assert shenzhen.get(f"/dashboard/cases/filing/{filing_id}").status_code == 404
    expert, _ = staff(api, "expert")
    expert.log_in()
    assert expert.get(f"/dashboard/tasks/{task}").status_code == 404


def test_a_deficient_acceptance_records_every_ticked_item_and_the_free_text(api, filing_id):
    task = acceptance_task(api, filing_id)
    officer, _ = staff(api, "officer", jurisdiction="440000")
    officer.log_in()
    assert officer.post(f"/dashboard/tasks/{task}/claim").status_code == 303
    form = officer.get(f"/dashboard/tasks/{task}").text
    assert "一次性告知" in form and 'name="checklist"' in form
    decided = officer.post(
        f"/dashboard/tasks/{task}/decision",
        csrf_from=f"/dashboard/tasks/{task}",
        data={
            "decision": "deficient",
            "checklist": ["business_licence", "staff_roster"],
            "other_deficiencies": "场地租赁合同已过期\n\n",
            "version": "1",
        },
    )
    assert (
        decided.status_code == 303
        and decided.headers["location"] == f"/dashboard/cases/filing/{filing_id}?done=decided"
    )
    with session_scope(api.settings.database_url, readonly=True) as session:
        row = session.get(HumanTask, task)
        assert row.decision == "deficient"
        assert row.decision_payload["deficiencies"] == [
            f"{REQUIRED_MATERIALS['business_licence']}：缺失或不符合要求，请补正",
            f"{REQUIRED_MATERIALS['staff_roster']}：缺失或不符合要求，请补正",
            "场地租赁合同已过期",
        ]
    timeline = officer.get(f"/dashboard/cases/filing/{filing_id}").text
    assert "暂停计时" in timeline and "sla_" not in timeline  # the SLA clock stopped, told in words


def test_a_decision_form_with_errors_shows_them_next_to_the_fields_and_records_nothing(api, filing_id):
    task = acceptance_task(api, filing_id)
    officer, _ = staff(api, "officer", jurisdiction="440000")
    officer.log_in()
    officer.post(f"/dashboard/tasks/{task}/claim")
    no_choice = officer.post(f"/dashboard/tasks/{task}/decision", csrf_from=f"/dashboard/tasks/{task}", data={})
    assert no_choice.status_code == 422 and "请选择决定" in no_choice.text
    empty_notice = officer.post(
        f"/dashboard/tasks/{task}/decision", csrf_from=f"/dashboard/tasks/{task}", data={"decision": "deficient"}
    )
    assert empty_notice.status_code == 422 and "一次性告知须列明全部补正事项" in empty_notice.text
    no_reason = officer.post(
        f"/dashboard/tasks/{task}/decision",
        csrf_from=f"/dashboard/tasks/{task}",
        data={"decision": "reject", "checklist": []},
    )
    assert no_reason.status_code == 422 and "请填写理由" in no_reason.text
    with session_scope(api.settings.database_url, readonly=True) as session:
        assert session.get(HumanTask, task).status == "claimed"


def test_a_task_decided_elsewhere_shows_a_clear_message_not_a_crash(api, people, filing_id):
    task = acceptance_task(api, filing_id)
    officer, officer_id = staff(api, "officer", jurisdiction="440000")
    officer.log_in()
    officer.post(f"/dashboard/tasks/{task}/claim")
    token = csrf_of(officer.get(f"/dashboard/tasks/{task}").text)
    with session_scope(api.settings.database_url) as session:  # the same officer decides in another tab
        from tasks.waits import human_tasks

        human_tasks.decide(
            session, session.get(HumanTask, task), decision="approve", payload={}, user_id=officer_id, role="officer"
        )
    late = officer.client.post(f"/dashboard/tasks/{task}/decision", data={"csrf": token, "decision": "approve"})
    assert late.status_code == 409 and "状态已变化" in late.text and "已作出决定" in late.text


def test_an_expert_of_the_applying_institution_is_refused_with_the_reason(api, filing_id):
    with session_scope(api.settings.database_url) as session:
        from models.cases import FilingApplication

        institution_id = session.get(FilingApplication, filing_id).institution_id
        seat = ensure_task(
            session,
            key=f"web:{filing_id}:expert:0",
            case_type="filing",
            case_id=filing_id,
            step="expert_evaluation",
            role="expert",
            jurisdiction="440106",
            due_working_days=20,
            flow_run_id=None,
        ).id
    insider, _ = staff(api, "expert", institution_id=institution_id)
    insider.log_in()
    refused = insider.post(f"/dashboard/tasks/{seat}/claim")
    assert refused.status_code == 403 and "应当回避" in refused.text
    with session_scope(api.settings.database_url, readonly=True) as session:
        assert session.get(HumanTask, seat).status == "open"


def test_expert_scores_that_are_not_numbers_are_shown_on_their_field(api, filing_id):
    with session_scope(api.settings.database_url) as session:
        seat = ensure_task(
            session,
            key=f"web:{filing_id}:expert:1",
            case_type="filing",
            case_id=filing_id,
            step="expert_evaluation",
            role="expert",
            jurisdiction="440106",
            due_working_days=20,
            flow_run_id=None,
        ).id
    expert, _ = staff(api, "expert")
    expert.log_in()
    expert.post(f"/dashboard/tasks/{seat}/claim")
    scores = {
        f"score_{k}": "80"
        for k in (
            "basic_situation",
            "hr_system",
            "funding",
            "training_and_quality",
            "venue",
            "equipment",
            "information_system",
        )
    }
    bad = expert.post(
        f"/dashboard/tasks/{seat}/decision",
        csrf_from=f"/dashboard/tasks/{seat}",
        data={**scores, "score_venue": "很好", "decision": "score"},
    )
    assert bad.status_code == 422 and "请输入 0–100 的数字" in bad.text and 'value="很好"' in bad.text
    good = expert.post(
        f"/dashboard/tasks/{seat}/decision",
        csrf_from=f"/dashboard/tasks/{seat}",
        data={**scores, "decision": "score", "reason": "条件具备"},
    )
    assert good.status_code == 303


def test_the_case_page_shows_the_timeline_with_who_and_when(api, filing_id):
    task = acceptance_task(api, filing_id)
    officer, _ = staff(api, "officer", jurisdiction="440000")
    officer.log_in()
    officer.post(f"/dashboard/tasks/{task}/claim")
    page = officer.get(f"/dashboard/cases/filing/{filing_id}")
    assert page.status_code == 200
    assert "提交备案申请" in page.text and "领取待办" in page.text and officer.name in page.text
    assert "后续期限" in page.text and "受理（待办" in page.text


def test_an_unknown_task_or_a_malformed_id_is_a_page_not_a_500(api):
    officer, _ = staff(api, "officer", jurisdiction="440000")
    officer.log_in()
    assert officer.get("/dashboard/tasks/999999").status_code == 404
    assert officer.get("/dashboard/tasks/abc").status_code == 422
    assert officer.get("/dashboard/inbox?status=everything").status_code == 422
    assert officer.get("/dashboard/inbox?after=garbage").status_code == 200


def test_a_form_posted_after_the_session_ended_leads_to_the_login_and_then_the_dashboard(api, filing_id):
    task = acceptance_task(api, filing_id)
    expired = Browserless(api, "nobody").client.post(f"/dashboard/tasks/{task}/claim", data={"csrf": "x"})
    assert expired.status_code == 303 and expired.headers["location"] == "/dashboard/login?next=/dashboard"


def test_an_officer_dismisses_a_campaign_of_identical_objections_from_one_task_page(api, people):
    import datetime as dt

    from models.cases import FilingApplication
    from tests.api.conftest import move_clock

    move_clock(api, people.make("admin"), dt.date(2026, 9, 1))
    filing = api.post("/api/v1/filings", json=filing_form(), headers=people.make("enterprise")).json()["id"]
    with session_scope(api.settings.database_url) as session:
        case = session.get(FilingApplication, filing)
        case.status, case.publicity_start, case.publicity_end = "publicity", dt.date(2026, 9, 1), dt.date(2026, 9, 8)
    for _ in range(3):
        assert (
            api.post(
                f"/api/v1/filings/{filing}/objections",
                json={"text": "该企业无实训场地", "contact": "13800138000"},
                headers=people.make("enterprise"),
            ).status_code
            == 201
        )
    with session_scope(api.settings.database_url, readonly=True) as session:
        first = (
            session.exec(select(HumanTask).where(HumanTask.step == "objection_investigation").order_by(HumanTask.id))
            .first()
            .id
        )
    officer, _ = staff(api, "officer", jurisdiction="440000")
    officer.log_in()
    page = officer.get(f"/dashboard/tasks/{first}").text
    assert "相同内容的异议 3 条" in page
    ids = re.search(r'name="ids" value="([^"]+)"', page).group(1)
    empty = officer.post(
        f"/dashboard/tasks/{first}/dismiss-identical",
        data={"ids": ids, "reason": ""},
        csrf_from=f"/dashboard/tasks/{first}",
    )
    assert empty.status_code == 422 and "调查结论" in empty.text
    done = officer.post(
        f"/dashboard/tasks/{first}/dismiss-identical",
        data={"ids": ids, "reason": "现场核查有实训场地"},
        csrf_from=f"/dashboard/tasks/{first}",
    )
    assert done.status_code == 303
    with session_scope(api.settings.database_url, readonly=True) as session:
        decided = session.exec(select(HumanTask).where(HumanTask.step == "objection_investigation")).all()
        assert [(t.decision, t.decision_payload["reason"]) for t in decided] == [("dismiss", "现场核查有实训场地")] * 3


def test_the_profiles_page_shows_each_provinces_steps_and_which_rules_a_seed_fixes(api):
    officer, _ = staff(api, "officer", jurisdiction="440000")
    officer.log_in()
    page = officer.get("/dashboard/profiles")
    assert page.status_code == 200
    guangdong = page.text[page.text.index('id="profile-guangdong"') : page.text.index('id="profile-jiangsu"')]
    assert "择优遴选" in guangdong and "试点方案专家评估" in guangdong and "评估结果公示" not in guangdong
    assert '<span class="source seed">003 §二(四)</span>' in guangdong  # the 10-working-day lead time
    lead_row = guangdong[guangdong.index("认定计划提前报备") :][:200]
    assert "10" in lead_row and "003 §二(四)" in lead_row
    panel_row = guangdong[guangdong.index("专家组人数") :][:200]
    assert "本地设置" in panel_row  # no seed sets the panel's size
    gansu = page.text[page.text.index('id="profile-gansu"') : page.text.index('id="profile-guangdong"')]
    assert "省级中心汇总报送" in gansu and "004 §四(四)" in gansu
    assert Browserless(api, "nobody").get("/dashboard/profiles").status_code == 303  # signed-in users only


def test_the_task_page_shows_the_applications_facts_before_the_officer_claims_it(api, filing_id):
    officer, _ = staff(api, "officer", jurisdiction="440000")
    officer.log_in()
    task_id = acceptance_task(api, filing_id, jurisdiction="440000")
    page = officer.get(f"/dashboard/tasks/{task_id}")
    assert page.status_code == 200 and "领取此待办" in page.text  # not claimed yet …
    application = page.text[page.text.index("申请内容") : page.text.index("领取此待办")]
    for fact in (
        "车工（6-18-01-01）三级/高级工、四级/中级工",
        "职工人数 / 技能人才",
        "400",
        "注册资本",
        "100 万元",
        "受理中心",
        "广东省职业技能服务指导中心",  # the centre by name, never its code
        "近两年职工教育经费",
    ):
        assert fact in application, fact  # … and the facts of the application are there
    case = officer.get(f"/dashboard/cases/filing/{filing_id}")
    assert "车工（6-18-01-01）" in case.text and "统一社会信用代码" in case.text


def test_the_supervisor_files_a_structured_report_in_the_dashboard_and_a_correction_needs_its_items(api, people):
    from tests.api.helpers import evaluation_plan, registered_institution

    with session_scope(api.settings.database_url) as session:
        plan_id = evaluation_plan(session, registered_institution(session, serial=77)).id
    supervisor, supervisor_id = staff(api, "supervisor", jurisdiction="440100")
    with session_scope(api.settings.database_url) as session:
        task_id = ensure_task(
            session,
            key=f"web:{plan_id}:supervision",
            case_type="plan",
            case_id=plan_id,
            step="quality_supervision",
            role="supervisor",
            jurisdiction="440100",
            due_working_days=5,
            flow_run_id=None,
            assignee_id=supervisor_id,
            drawn=True,
        ).id
    supervisor.log_in()
    page = supervisor.get(f"/dashboard/tasks/{task_id}")
    assert "已核验考生身份" in page.text and "严重违规" in page.text
    checks = {"identity_checked": "yes", "proctoring_ok": "yes", "scored_per_standard": "yes"}
    bad = supervisor.post(
        f"/dashboard/tasks/{task_id}/decision",
        csrf_from=f"/dashboard/tasks/{task_id}",
        data={
            **checks,
            "decision": "report",
            "reason": "监控中断",
            "verdict": "to_correct",
            "findings": "第二考场监控中断",
        },
    )
    assert bad.status_code == 422 and "需整改时须列明整改事项" in bad.text and "第二考场监控中断" in bad.text  # kept
    good = supervisor.post(
        f"/dashboard/tasks/{task_id}/decision",
        csrf_from=f"/dashboard/tasks/{task_id}",
        data={
            **checks,
            "decision": "report",
            "reason": "监控中断",
            "verdict": "to_correct",
            "findings": "第二考场监控中断",
            "corrections": "补充替代监考记录\n说明中断原因",
        },
    )
    assert good.status_code == 303
    with session_scope(api.settings.database_url) as session:
        report = session.get(HumanTask, task_id).decision_payload["report"]
    assert report["video_running"] is False and report["corrections"] == ["补充替代监考记录", "说明中断原因"]


def test_a_plans_page_links_its_sheets_and_the_inbox_its_export_for_the_centre_only(api, people):
    from models.cases import Candidate
    from tests.api.helpers import evaluation_plan, person, registered_institution

    with session_scope(api.settings.database_url) as session:
        plan = evaluation_plan(session, registered_institution(session, serial=977))
        session.add(Candidate(plan_id=plan.id, name="表格考生", id_number=person(7), relation="employee", level=4))
        plan_id = plan.id
    officer, _ = staff(api, "officer", jurisdiction="440100")
    officer.log_in()
    page = officer.get(f"/dashboard/cases/plan/{plan_id}").text
    for sheet in ("roster", "results", "certificates", "results-template"):
        assert f"/dashboard/cases/plan/{plan_id}/{sheet}.xlsx" in page
    roster = officer.get(f"/dashboard/cases/plan/{plan_id}/roster.xlsx")
    assert roster.status_code == 200 and roster.headers["content-type"].startswith("application/vnd.openxml")
    assert "/dashboard/inbox.xlsx" in officer.get("/dashboard/inbox").text
    assert officer.get("/dashboard/inbox.xlsx").status_code == 200
    assert officer.get("/dashboard/templates/roster.xlsx").status_code == 200
    outsider, _ = staff(api, "officer", jurisdiction="320000")
    outsider.log_in()
    assert outsider.get(f"/dashboard/cases/plan/{plan_id}/roster.xlsx").status_code == 404
