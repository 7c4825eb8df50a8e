"""What a person reads, on every dashboard and public page at phone width (390 px): nothing scrolls sideways,
and no raw code of a step, an event or a status (`draw_made`, `completeness_check`, …) stands in the visible
text; tables read as stacked rows, the navigation wraps by whole words. Each page fits a 1280 px desktop too,
and every dashboard title is plain text."""

from __future__ import annotations

import re
from dataclasses import dataclass

import pytest

from models.db import session_scope
from policy.profiles import profile_for_region
from tasks.waits import registry
from tests.browser.conftest import SCREENSHOTS
from tests.browser.test_dashboard_in_a_browser import log_in, staff
from tests.stack.driver import Driver, registered_institution

PHONE = {"width": 390, "height": 844}
DESKTOP = {"width": 1280, "height": 800}
RAW_CODE = re.compile(r"\b[a-z]+(?:_[a-z0-9]+)+\b")  # snake_case: a code, never a word a reader should see


@pytest.fixture(scope="module")
def cases(stack):
    """An officer of Sichuan's provincial centre with a filing in acceptance (its task and case pages), and a
    plan past its first steps (so the statistics have step durations to show), and an open incident."""
    driver = Driver(stack, prefix="phone", region="510104")
    filing_id = driver.file()
    task = driver.open_tasks("officer", "acceptance", filing_id)[0]
    institution_id = registered_institution(driver, driver.region)
    start = driver.calendar.add(driver.business_today(), profile_for_region(driver.region).plan_lead_working_days + 2)
    plan = driver.call("enterprise", "POST", f"/api/v1/institutions/{institution_id}/plans",
                       json=driver.plan_body(start.date, candidates=2))
    driver.wait("drawn", lambda: driver.officer_plan(plan["id"])["supervision"]["draw_id"])
    with session_scope(driver.url) as session:  # an outage for the operations page's incidents table to list
        registry.open_incident(session, kind="ministry_review", case_type="filing", case_id=filing_id,
                               error='/ministry-review: HTTP 503 {"detail":"simulated outage"}', flow_run_id=None)
    return {"driver": driver, "filing": filing_id, "task": task["id"], "institution": institution_id,
            "officer": staff(driver, "officer", jurisdiction="510000"),
            "operations": staff(driver, "operations")}


DASHBOARD = [("inbox", "officer", "/dashboard/inbox"), ("task", "officer", "/dashboard/tasks/{task}"),
             ("case", "officer", "/dashboard/cases/filing/{filing}"), ("profiles", "officer", "/dashboard/profiles"),
             ("reports", "officer", "/dashboard/reports"), ("ops", "operations", "/dashboard/ops"),
             ("cases", "officer", "/dashboard/cases"), ("team", "officer", "/dashboard/team"),
             ("me", "officer", "/dashboard/me"), ("institution", "officer", "/dashboard/institutions/{institution}")]
WIDTH = [pytest.param(*page, id=page[0]) for page in DASHBOARD]
TEXT = [pytest.param(*page, id=page[0]) for page in DASHBOARD]
PUBLIC = [("publicity", "/publicity"), ("complaints", "/complaints"), ("login", "/dashboard/login")]


def _read(page) -> tuple[int, int, list[str]]:
    width, viewport = page.evaluate("[document.documentElement.scrollWidth, window.innerWidth]")
    return width, viewport, sorted(set(RAW_CODE.findall(page.inner_text("body"))))


def _on_both_screens(page, name: str) -> int:
    """Screenshots of the page as loaded on a phone and then on a desktop, kept as
    test-output/screenshots/phone-<page>.png and desktop-<page>.png for people to look at (and as a failure's
    evidence); answers the page's width on the desktop."""
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / f"phone-{name}.png"), full_page=True)
    page.set_viewport_size(DESKTOP)
    page.screenshot(path=str(SCREENSHOTS / f"desktop-{name}.png"), full_page=True)
    return page.evaluate("document.documentElement.scrollWidth")


@dataclass(frozen=True)
class Reading:
    width: int
    viewport: int
    codes: list[str]
    title: str
    desktop_width: int = 0  # the same page's scrollWidth on a 1280 px screen


@pytest.fixture(scope="module")
def read_on_a_phone(stack, browser, cases):
    """Each dashboard page read once at 390 px, then widened to 1280 px, by one logged-in browser per role: the
    tests below assert different facts of the same reading (a page load and a log-in each cost a test ~2 s)."""
    phones: dict[str, object] = {}
    readings: dict[str, Reading] = {}

    def read(name: str, role: str, path: str) -> Reading:
        if name not in readings:
            if role not in phones:
                phones[role] = log_in(browser, stack.api_url, cases[role], [], viewport=PHONE,
                                      lands_on="ops" if role == "operations" else "inbox")
            page = phones[role]
            page.set_viewport_size(PHONE)
            page.goto(stack.api_url + path.format(**cases))
            readings[name] = Reading(*_read(page), title=page.title(), desktop_width=_on_both_screens(page, name))
        return readings[name]

    return read


@pytest.mark.parametrize("name,role,path", WIDTH)
def test_a_dashboard_page_fits_a_phone_screen(read_on_a_phone, name, role, path):
    reading = read_on_a_phone(name, role, path)
    assert reading.width <= reading.viewport, f"{name}: {reading.width} px wide on a {reading.viewport} px screen"


@pytest.mark.parametrize("name,role,path", WIDTH)
def test_a_dashboard_page_fits_a_desktop_screen(read_on_a_phone, name, role, path):
    width = read_on_a_phone(name, role, path).desktop_width
    assert width <= DESKTOP["width"], f"{name}: {width} px wide on a {DESKTOP['width']} px screen"


@pytest.mark.parametrize("name,role,path", TEXT)
def test_a_dashboard_page_shows_no_raw_code(read_on_a_phone, name, role, path):
    codes = read_on_a_phone(name, role, path).codes
    assert codes == [], f"{name} shows raw codes: {codes}"


@pytest.mark.parametrize("name,role,path", WIDTH)
def test_a_dashboard_pages_title_is_plain_text(read_on_a_phone, name, role, path):
    title = read_on_a_phone(name, role, path).title
    assert "<" not in title and title.endswith("certflow 职业技能等级认定"), f"{name}: {title!r}"


def test_the_provinces_rules_fit_a_desktop_screen(stack, browser, opened, cases):
    page = log_in(browser, stack.api_url, cases["officer"], opened, viewport=DESKTOP, lands_on="inbox")
    page.goto(stack.api_url + "/dashboard/profiles")
    width, viewport, _ = _read(page)
    assert page.locator("table.rules").count() >= 5  # every province's rules are on the page
    assert width <= viewport, f"profiles: {width} px wide on a {viewport} px screen"


@pytest.mark.parametrize("name,path", PUBLIC, ids=[p[0] for p in PUBLIC])
def test_a_public_page_fits_a_phone_screen_and_shows_no_raw_code(stack, browser, opened, name, path):
    page = browser.new_context(viewport=PHONE, locale="zh-CN").new_page()
    opened.append(page)
    page.goto(stack.api_url + path)
    width, viewport, codes = _read(page)
    desktop_width = _on_both_screens(page, name)
    assert width <= viewport, f"{name}: {width} px wide on a {viewport} px screen"
    assert codes == [], f"{name} shows raw codes: {codes}"
    assert desktop_width <= DESKTOP["width"], f"{name}: {desktop_width} px wide on a {DESKTOP['width']} px screen"
