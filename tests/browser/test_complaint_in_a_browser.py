"""A complaint in a real browser: a person without an account complains about an institution from a
phone (a wrong phone number first: the page says so and keeps the text), keeps the receipt number and
looks the case up; the centre's officer finds the triage task in the dashboard, opens the complaint,
and orders an investigation; the complainant sees the case under investigation."""

from __future__ import annotations

from tests.browser.test_dashboard_in_a_browser import DESKTOP, log_in, staff
from tests.stack.driver import Driver, registered_institution

PHONE = {"width": 390, "height": 844}
TEXT = "该机构考核时未开启视频监控，有人员替考，请核查。"


def test_a_complaint_from_a_phone_gets_a_receipt_and_the_centre_takes_it_up_in_the_dashboard(stack, browser, shots,
                                                                                            opened):
    driver = Driver(stack, prefix="complaint", region="440106")
    institution_id = registered_institution(driver, driver.region)
    name = driver.call("officer", "GET", f"/api/v1/institutions/{institution_id}")["name"]
    base = stack.api_url

    phone = browser.new_context(viewport=PHONE, locale="zh-CN", is_mobile=True, has_touch=True).new_page()
    opened.append(phone)
    phone.goto(f"{base}/complaints")
    assert phone.evaluate("document.documentElement.scrollWidth <= window.innerWidth + 1")  # no sideways scrolling
    phone.get_by_label("被投诉的评价机构").select_option(str(institution_id))
    phone.get_by_label("投诉举报的事实").fill(TEXT)
    phone.get_by_label("联系人").fill("周女士")
    phone.get_by_label("联系电话").fill("1380")  # wrong: named, and what was typed is kept
    phone.get_by_role("button", name="提交投诉举报").click()
    phone.wait_for_load_state()
    assert "联系电话" in phone.locator("[role=alert]").inner_text()
    assert phone.get_by_label("投诉举报的事实").input_value() == TEXT
    phone.get_by_label("联系电话").fill("13800138000")
    phone.get_by_role("button", name="提交投诉举报").click()
    phone.wait_for_load_state()
    receipt = phone.locator(".receipt-number").inner_text()
    assert receipt.startswith("TS") and len(receipt) == 18
    shots(phone, "complaint-phone")
    phone.get_by_label("受理编号").fill(receipt)
    phone.get_by_role("button", name="查询").click()
    phone.wait_for_load_state()
    assert phone.locator(".lookup-status").inner_text() == "已登记，待受理"

    case = driver.wait("the case", lambda: [c for c in driver.call("officer", "GET", "/api/v1/complaints")["items"]
                                            if c["receipt_number"] == receipt])[0]
    triage = driver.open_tasks("officer", "complaint_triage", case["id"])[0]
    officer = log_in(browser, base, staff(driver, "officer", jurisdiction="440000"), opened, viewport=DESKTOP)
    officer.goto(f"{base}/dashboard/inbox")
    row = officer.locator(f'tr[data-task="{triage["id"]}"]')
    assert "投诉举报受理" in row.inner_text() and name in row.inner_text()
    row.get_by_role("button", name="领取").click()
    officer.wait_for_url(f"**/dashboard/tasks/{triage['id']}**")
    assert TEXT in officer.inner_text(".application") and "13800138000" in officer.inner_text(".application")
    officer.get_by_label("受理", exact=True).check()
    officer.get_by_role("button", name="提交决定").click()
    officer.wait_for_url(f"**/dashboard/cases/supervision/{case['id']}**")
    shots(officer, "complaint-case-desktop")
    investigation = driver.open_tasks("officer", "supervision_investigation", case["id"])[0]
    assert investigation["jurisdiction"] == case["centre"]
    phone.goto(f"{base}/complaints/lookup?receipt={receipt}")
    assert phone.locator(".lookup-status").inner_text() == "调查核实中"
