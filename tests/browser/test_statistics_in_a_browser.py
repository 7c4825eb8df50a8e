"""The statistics page in a real browser, at desktop and at phone width: the provincial officer picks a
period, sees the figures as cards and bar charts (on a phone each label sits above its bar and nothing
scrolls sideways), and downloads the quarterly report. Screenshots: statistics-desktop, statistics-phone."""

from __future__ import annotations

import datetime as dt
import re

import pytest

from core.clock import CHINA
from tests.browser.test_dashboard_in_a_browser import DESKTOP, log_in, staff
from tests.stack.driver import Driver, registered_institution

PHONE = {"width": 390, "height": 844}


def test_the_statistics_page_reads_at_desktop_and_phone_width(stack, browser, shots, opened):
    driver = Driver(stack, prefix="stats", region="440106")
    institution_id = registered_institution(driver, driver.region)
    driver.call("public", "POST", "/api/v1/complaints", json={  # a complaint is received (dated by the wall clock)
        "institution_id": institution_id, "text": "考核现场未按规定开启视频监控。", "contact_name": "钱先生",
        "contact_phone": "13800138000"})
    year = str(dt.datetime.now(CHINA).year)
    name = staff(driver, "officer", jurisdiction="440000")
    base = stack.api_url

    desktop = log_in(browser, base, name, opened, viewport=DESKTOP)
    desktop.goto(f"{base}/dashboard/reports")
    desktop.get_by_label("期间").fill(year)
    desktop.get_by_role("button", name="查看").click()
    desktop.wait_for_url(f"**/dashboard/reports?period={year}**")
    assert f"{year}年" in desktop.inner_text("h1")
    assert desktop.locator(".report-cards .stat").count() == 9
    assert desktop.locator(".chart h2").all_inner_texts()[:2] == ["备案办结：按结果", "各环节用时：中位数（工作日）"]
    assert "投诉举报：按结果" in desktop.inner_text(".charts") and desktop.locator(".bar-fill").count() > 0
    label, bar = desktop.locator(".bar-label").first.bounding_box(), desktop.locator(".bar-track").first.bounding_box()
    assert abs(label["y"] - bar["y"]) < 12  # side by side on a wide screen
    for chart in desktop.locator(".chart").all():  # each bar as long as its figure, next to the chart's longest
        figures = [(re.search(r"-?\d+(?:\.\d+)?", row.locator(".bar-value").inner_text()),
                    row.locator(".bar-fill").bounding_box()) for row in chart.locator(".bar-row").all()]
        bars = [(float(figure.group()), box["width"] if box else 0.0) for figure, box in figures if figure]
        assert all(value >= 0 for value, _ in bars), f"a negative figure in {chart.locator('h2').inner_text()}"
        if not bars:
            continue
        peak_value, peak_width = max(bars)
        for value, width in bars:
            assert width == pytest.approx(peak_width * value / peak_value, abs=1.5) if peak_value else width == 0
    shots(desktop, "statistics-desktop")
    with desktop.expect_download() as download:
        desktop.get_by_role("link", name="季度报告 PDF").click()
    assert download.value.suggested_filename == f"report-440000-{year}.pdf"

    phone = log_in(browser, base, name, opened, viewport=PHONE)
    phone.goto(f"{base}/dashboard/reports?period={year}")
    assert phone.evaluate("document.documentElement.scrollWidth <= window.innerWidth + 1")  # no sideways scrolling
    label, bar = phone.locator(".bar-label").first.bounding_box(), phone.locator(".bar-track").first.bounding_box()
    assert bar["y"] >= label["y"] + label["height"] - 1  # the label above its bar
    shots(phone, "statistics-phone")
