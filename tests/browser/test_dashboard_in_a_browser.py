"""Officers and experts work in the dashboard, in a real browser, on real flows: claim, decide, see
the one-time notice reach the enterprise, see a separation-of-duties refusal with its reason."""

from __future__ import annotations

import pathlib
import time

import httpx

from models.accounts import User
from models.cases import FilingApplication
from models.db import session_scope
from models.workflow import HumanTask
from tasks.people.accounts import create_user, hash_password
from tasks.waits.human_tasks import ensure_task
from tests.samples import png
from tests.stack.driver import EXPERTS, Driver

PASSWORD = "officer-pass-1"
SICHUAN = "510104"
DESKTOP = {"width": 1280, "height": 800}
TABLET = {"width": 820, "height": 1180}


def staff(driver: Driver, role: str, **kwargs) -> str:
    name = f"{driver.prefix}-{role}-{time.monotonic_ns()}"
    user, token = create_user(driver.url, role=role, name=name, password=PASSWORD, **kwargs)
    if role == "expert":  # every expert can be drawn for any panel: the flow tests need their tokens
        driver.tokens[f"expert{user.id}"] = EXPERTS.setdefault(driver.url, {})[f"expert{user.id}"] = token
    return name


def log_in(browser, base: str, name: str, opened: list, viewport=DESKTOP, lands_on: str = "inbox"):
    page = browser.new_context(viewport=viewport, locale="zh-CN").new_page()
    opened.append(page)
    page.goto(f"{base}/dashboard/login")
    page.get_by_label("用户名").fill(name)
    page.get_by_label("密码").fill(PASSWORD)
    page.get_by_role("button", name="登录").click()
    page.wait_for_url(f"**/dashboard/{lands_on}**")
    return page


def test_officer_and_expert_take_a_filing_through_acceptance_and_evaluation_in_the_browser(
    stack, browser, shots, opened
):
    driver = Driver(stack, prefix="web", region=SICHUAN)  # a province whose filing has a publicity
    driver.add_experts(3)
    base = stack.api_url
    officer = log_in(browser, base, staff(driver, "officer", jurisdiction="510000"), opened)
    filing_id = driver.file(missing=("venue_equipment",))
    acceptance = driver.open_tasks("officer", "acceptance", filing_id)[0]

    # the inbox: the task with its working-day deadline; claim it
    officer.goto(f"{base}/dashboard/inbox?step=acceptance")
    row = officer.locator(f'tr[data-task="{acceptance["id"]}"]')
    assert "剩余" in row.inner_text() and "受理" in row.inner_text()
    shots(officer, "1-inbox-officer")
    row.get_by_role("button", name="领取").click()
    officer.wait_for_url(f"**/dashboard/tasks/{acceptance['id']}**")
    assert "已领取" in officer.inner_text(".flash.ok")

    # deficient: the machine's finding is pre-ticked, the officer adds one more item
    officer.get_by_label("材料不齐全，一次性告知补正").check()
    venue = officer.locator('input[name="checklist"][value="venue_equipment"]')
    assert venue.is_checked()
    officer.get_by_label("其他事项").fill("考评人员名册缺少资格证书编号")
    shots(officer, "2-decision-form-acceptance")
    officer.get_by_role("button", name="提交决定").click()
    officer.wait_for_url(f"**/dashboard/cases/filing/{filing_id}**")
    assert "决定已记录" in officer.inner_text(".flash.ok")

    # the enterprise sees the one-time notice on its filing (REST API), with both items
    status = driver.wait_status("filing", filing_id, "awaiting_resubmission")
    items = status["deficiency_notices"][0]["items"]
    assert any("场地" in item for item in items) and "考评人员名册缺少资格证书编号" in items
    officer.reload()
    assert "一次性告知书" in officer.content() and "考评人员名册缺少资格证书编号" in officer.inner_text(".notices")
    shots(officer, "3-case-page-with-notice")

    # another province's officer cannot open the task: the HTML routes check jurisdiction too
    outsider = log_in(browser, base, staff(driver, "officer", jurisdiction="320000"), opened)
    response = outsider.goto(f"{base}/dashboard/tasks/{acceptance['id']}")
    assert response.status == 404 and "未找到" in outsider.inner_text("h1")

    # the enterprise uploads the missing material for the correction round, then resubmits
    photo = png("venue photo")
    uploaded = httpx.post(
        f"{base}/api/v1/filings/{filing_id}/materials",
        data={"kind": "venue_equipment"},
        files={"file": ("场地设备.png", photo, "image/png")},
        headers={"Authorization": f"Bearer {driver.tokens['enterprise']}"},
    )
    assert uploaded.status_code == 201 and uploaded.json()["round"] == 1, uploaded.text
    driver.call(
        "enterprise",
        "POST",
        f"/api/v1/filings/{filing_id}/resubmissions",
        json={"materials": [{"kind": "venue_equipment", "title": "场地设备照片"}], "note": "已补正"},
    )
    second = driver.open_tasks("officer", "acceptance", filing_id)[0]
    officer.goto(f"{base}/dashboard/tasks/{second['id']}")
    # the officer opens the uploaded file from the task page: the same bytes, by its hash
    files_card = officer.locator("section.files")
    assert "场地设备.png" in files_card.inner_text() and uploaded.json()["sha256"][:12] in files_card.inner_text()
    shots(officer, "3b-task-page-with-uploaded-file")
    with officer.expect_download() as download:
        files_card.get_by_role("link", name="场地设备.png").click()
    assert pathlib.Path(download.value.path()).read_bytes() == photo
    assert outsider.goto(f"{base}/dashboard/cases/filing/{filing_id}/files/{uploaded.json()['id']}").status == 404
    officer.get_by_role("button", name="领取此待办").click()
    officer.get_by_label("通过").check()
    officer.get_by_role("button", name="提交决定").click()
    officer.wait_for_url(f"**/dashboard/cases/filing/{filing_id}**")

    # an expert of the panel scores in the browser, on a tablet
    seats = driver.wait("panel", lambda: driver._expert_tasks(filing_id))
    first_seat = seats[0]
    with session_scope(driver.url) as session:
        drawn = session.get(User, first_seat["assignee_id"])
        drawn.password_hash = hash_password(PASSWORD)
        expert_name = drawn.name
    expert = log_in(browser, base, expert_name, opened, viewport=TABLET)
    expert.locator(f'tr[data-task="{first_seat["id"]}"]').get_by_role("link", name="办理").click()
    expert.wait_for_url(f"**/dashboard/tasks/{first_seat['id']}**")  # .all() below does not wait for the page
    for input_ in expert.locator('input[name^="score_"]').all():
        input_.fill("85")
    expert.get_by_label("评估意见").fill("制度健全，场地设备满足要求")
    shots(expert, "4-decision-form-expert-tablet")
    expert.get_by_role("button", name="提交决定").click()
    expert.wait_for_url(f"**/dashboard/cases/filing/{filing_id}**")
    shots(expert, "5-case-page-expert-tablet")

    # separation of duties: an expert employed by the applicant cannot take a seat, and is told why
    with session_scope(driver.url) as session:
        institution_id = session.get(FilingApplication, filing_id).institution_id
        open_seat = ensure_task(
            session,
            key=f"filing:{filing_id}:expert:unfilled",
            case_type="filing",
            case_id=filing_id,
            step="expert_evaluation",
            role="expert",
            jurisdiction="440106",
            due_working_days=20,
            flow_run_id=None,
        ).id
    insider = log_in(browser, base, staff(driver, "expert", institution_id=institution_id), opened)
    try:
        insider.locator(f'tr[data-task="{open_seat}"]').get_by_role("button", name="领取").click()
        refusal = insider.inner_text(".flash.error")
        assert "操作未执行" in refusal and "应当回避" in refusal
        shots(insider, "6-separation-of-duties-refusal")
    finally:
        with session_scope(driver.url) as session:
            session.get(HumanTask, open_seat).status = "cancelled"

    # the rest of the panel scores through the API; the flow moves on to publicity
    for seat in seats[1:]:
        driver.decide(
            f"expert{seat['assignee_id']}",
            seat,
            decision="score",
            scores={
                aspect: 80
                for aspect in (
                    "basic_situation",
                    "hr_system",
                    "funding",
                    "training_and_quality",
                    "venue",
                    "equipment",
                    "information_system",
                )
            },
        )
    driver.wait_status("filing", filing_id, "publicity")
    officer.goto(f"{base}/dashboard/cases/filing/{filing_id}")
    assert "公示" in officer.inner_text(".case-status")
    timeline = officer.inner_text("table.timeline")
    assert "出具一次性告知书" in timeline and "专家评估：提交评分" in timeline


def test_operations_see_late_steps_and_retry_an_incident_from_the_operations_page(stack, browser, shots, opened):
    driver = Driver(stack, prefix="ops", region=SICHUAN)  # a province whose filing has a ministry review
    driver.add_experts()
    other = Driver(stack, prefix="ops-late", region=SICHUAN)  # another enterprise, whose acceptance nobody decides
    forgotten = other.file()
    other.open_tasks("officer", "acceptance", forgotten)
    filing_id = driver.file()
    driver.decide("officer", driver.open_tasks("officer", "acceptance", filing_id)[0], decision="approve")
    driver.score_panel(filing_id, 80)
    driver.wait_status("filing", filing_id, "publicity")
    driver.sim(fail_next=100)  # the ministry's system is down: retries run out, an incident opens
    driver.pass_timer("filing", filing_id, "publicity")
    driver.advance(14)
    incident = driver.wait(
        "incident",
        lambda: [i for i in driver.filing_status(filing_id)["incidents"] if i["status"] == "open"],
        timeout=120,
    )[0]
    breaches = driver.wait(
        "the SLA scan",
        lambda: [
            b
            for b in driver.call(
                "operations", "GET", "/api/v1/sla/breaches", params={"step": "acceptance", "limit": 500}
            )["items"]
            if b["case_id"] == forgotten
        ],
    )
    assert breaches[0]["overdue_working_days"] > 0

    base = stack.api_url
    ops = log_in(browser, base, staff(driver, "operations"), opened, lands_on="ops")
    assert int(ops.inner_text("#open-breaches")) >= 1
    row = ops.locator(f'tr[data-incident="{incident["id"]}"]')
    assert "部中心复核" in row.inner_text() and "待处理" in row.inner_text()
    shots(ops, "7-operations-page")
    driver.sim(fail_next=0)  # the outage is over
    row.get_by_role("button", name="重试").click()
    ops.wait_for_url("**/dashboard/ops?done=retried")
    assert "已提交重试" in ops.inner_text(".flash.ok")
    status = driver.wait_status("filing", filing_id, "registered")
    assert [i["status"] for i in status["incidents"]] == ["resolved"]
    ops.goto(f"{base}/dashboard/ops")
    assert ops.locator(f'tr[data-incident="{incident["id"]}"]').count() == 0
    shots(ops, "8-operations-page-after-retry")
