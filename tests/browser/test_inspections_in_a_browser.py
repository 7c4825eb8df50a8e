"""Shenzhen's published inspection results (双随机、一公开, 000 §三(六)) as a member of the public reads them
on a phone: the institution, what was found and what followed, in words — no raw code, no overflow at
390 px, and nothing of the supervisor's own findings."""

from __future__ import annotations

import datetime as dt

from core.clock import wall_now
from models.cases import EvaluationPlan
from models.db import session_scope
from tasks.records import audit
from tests.stack.driver import Driver, registered_institution

PHONE = {"width": 390, "height": 844}


def test_a_phone_reads_shenzhens_inspection_results_in_words(stack, browser, opened):
    driver = Driver(stack, prefix="insp", region="440305")
    institution_id = registered_institution(driver, driver.region)
    with session_scope(driver.url) as session:  # the supervisor's report, as the batch records it
        now = wall_now()
        plan = EvaluationPlan(institution_id=institution_id, region_code=driver.region, profile_code="shenzhen",
                              occupation_code="6-18-01-01", evaluation_start=dt.date(2026, 10, 19),
                              evaluation_end=dt.date(2026, 10, 19), filed_on=dt.date(2026, 9, 1), staff={},
                              status="supervised", supervision_verdict="to_correct",
                              corrections=["考场未全程录像"], created_at=now, updated_at=now)
        session.add(plan)
        session.flush()
        audit.record(session, case_type="plan", case_id=plan.id, action="supervision_reported",
                     actor_role="supervisor", after={"verdict": "to_correct", "findings": ["考生李四疑似替考"]})
    page = browser.new_context(viewport=PHONE, locale="zh-CN").new_page()
    opened.append(page)
    page.goto(stack.api_url + "/inspections")
    row = page.locator("tbody tr", has_text=f"{driver.prefix} 已备案企业").first
    text = row.inner_text()
    assert "南山区（440305）" in text and "车工（6-18-01-01）" in text and "2026-10-19" in text
    assert "双随机抽查" in text and "发现问题，责令整改" in text and "整改中" in text
    body = page.inner_text("body")
    assert "李四" not in body and "替考" not in body and "录像" not in body
    assert "to_correct" not in body and "double_random" not in body
    width, viewport = page.evaluate("[document.documentElement.scrollWidth, window.innerWidth]")
    assert width <= viewport, f"/inspections: {width} px wide on a {viewport} px screen"
