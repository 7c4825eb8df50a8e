"""The public publicity page in a real browser, at desktop and phone width: a Gansu filing in its
publicity (driven through its real flow), an objection from a person without an account, and the
municipal centre's investigation task it opens, which the run waits for."""

from __future__ import annotations

import itertools

from tests.stack.driver import Driver

DESKTOP = {"width": 1280, "height": 800}
PHONE = {"width": 390, "height": 844}
_names = itertools.count(1)


def _gansu_filing_in_publicity(stack) -> tuple[Driver, int]:
    driver = Driver(stack, prefix=f"pub{next(_names)}", region="620102")
    driver.add_experts()
    fid = driver.file()
    city = driver.officer_at("620100")
    driver.decide(city, driver.open_tasks(city, "acceptance", fid)[0], decision="approve")
    driver.score_panel(fid, 80)
    driver.wait_status("filing", fid, "publicity")
    return driver, fid


def test_anyone_sees_the_publicity_and_objects_from_a_phone_and_the_city_investigates(stack, browser, shots, opened):
    driver, fid = _gansu_filing_in_publicity(stack)
    name = driver.filing_status(fid)["enterprise_name"]

    desktop = browser.new_context(viewport=DESKTOP, locale="zh-CN").new_page()
    opened.append(desktop)
    desktop.goto(f"{stack.api_url}/publicity")
    card = desktop.locator(f"#filing-{fid}")
    assert name in card.inner_text() and "个工作日" in card.inner_text()
    shots(desktop, "publicity-desktop")

    phone = browser.new_context(viewport=PHONE, locale="zh-CN", is_mobile=True, has_touch=True).new_page()
    opened.append(phone)
    phone.goto(f"{stack.api_url}/publicity")
    assert phone.evaluate("document.documentElement.scrollWidth <= window.innerWidth + 1")  # no sideways scrolling
    card = phone.locator(f"#filing-{fid}")
    card.get_by_text("公示期怎么算").click()  # why this end date: the working days counted, the days skipped
    assert "个工作日" in card.locator("details.deadline-why p").inner_text()
    assert phone.evaluate("document.documentElement.scrollWidth <= window.innerWidth + 1")  # still fits, opened
    card.get_by_text("对此公示提出异议").click()
    card.get_by_label("姓名").fill("张三")
    card.get_by_label("联系电话").fill("1380013")  # too short: the page says so and keeps what was typed
    card.get_by_label("异议的事实和理由").fill("该企业考核场地系临时租用，请核实。")
    card.get_by_role("button", name="提交异议").click()
    phone.wait_for_load_state()
    assert "联系电话" in phone.locator("[role=alert]").inner_text()
    card = phone.locator(f"#filing-{fid}")
    assert card.get_by_label("异议的事实和理由").input_value() == "该企业考核场地系临时租用，请核实。"
    card.get_by_label("联系电话").fill("13800138000")
    card.get_by_role("button", name="提交异议").click()
    phone.wait_for_load_state()
    assert "异议已受理" in phone.locator("[role=status]").inner_text()
    receipt = phone.locator(".receipt-number").inner_text()
    assert receipt.startswith("YY") and len(receipt) == 18
    shots(phone, "publicity-phone")
    follow = _follow(phone, receipt)
    assert follow == {"status": "已受理，调查核实中", "outcome": None}

    city = driver.officer_at("620100")
    investigation = driver.open_tasks(city, "objection_investigation", fid)[0]
    assert investigation["jurisdiction"] == "620100"
    objections = driver.call(city, "GET", f"/api/v1/filings/{fid}")["objections"]
    assert len(objections) == 1
    driver.pass_timer("filing", fid, "publicity")
    assert driver.filing_status(fid)["status"] == "publicity"  # the run waits for the investigation
    driver.decide(city, investigation, decision="dismiss", reason="核实场地租期覆盖考核期，异议不成立")
    assert _follow(phone, receipt) == {"status": "调查结束", "outcome": "异议不成立"}
    assert "核实场地租期" not in phone.inner_text("body")  # the finding's reasons stay with the centre
    shots(phone, "publicity-objection-followed-phone")
    province = driver.officer_at("620000")
    assert driver.open_tasks(province, "cities_report", fid)  # the case moves on to the province's report


def _follow(phone, receipt: str) -> dict:
    """Looks the objection up by its receipt on the publicity page, as its objector would on a phone."""
    phone.goto(phone.url.split("/publicity", 1)[0] + "/publicity#objection-lookup")
    phone.get_by_label("异议受理编号").fill(receipt)
    phone.get_by_role("button", name="查询", exact=True).click()
    phone.wait_for_load_state()
    assert phone.evaluate("document.documentElement.scrollWidth <= window.innerWidth + 1")
    outcome = phone.locator(".lookup-outcome")
    return {"status": phone.locator(".lookup-status").inner_text(),
            "outcome": outcome.inner_text() if outcome.count() else None}
