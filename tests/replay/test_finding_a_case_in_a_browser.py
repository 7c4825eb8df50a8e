"""Finding a case and reading its materials, in Chromium (issue 28, items 2 and 3): an officer types the
enterprise's credit code into 案件查询, opens the case it finds, and its uploaded PDF opens inline — served to
the officer with Content-Security-Policy: sandbox and nosniff, not as a download."""

from __future__ import annotations

import pytest

from models.cases import FilingApplication, Institution
from models.db import session_scope
from tasks.people.accounts import create_user
from tests.browser.conftest import SCREENSHOTS
from tests.samples import pdf

pytestmark = pytest.mark.browser  # Chromium: not in the developer loop
PASSWORD = "correct horse 1"


def test_an_officer_finds_a_case_by_credit_code_and_its_pdf_opens_inline(sichuan, browser, served, opened):
    fid = sichuan.file()
    with session_scope(sichuan.url) as session:
        credit_code = session.get(Institution, session.get(FilingApplication, fid).institution_id).credit_code
    licence = pdf("business licence, clear copy")
    uploaded = sichuan.http.post(f"/api/v1/filings/{fid}/materials", data={"kind": "business_licence"},
                                 files={"file": ("营业执照.pdf", licence, "application/pdf")},
                                 headers={"Authorization": f"Bearer {sichuan.tokens['enterprise']}"})
    assert uploaded.status_code == 201, uploaded.text
    task = sichuan.open_tasks("officer", "acceptance", fid)[0]
    create_user(sichuan.url, role="officer", name="finder", password=PASSWORD, jurisdiction=task["jurisdiction"])

    page = browser.new_context(viewport={"width": 1280, "height": 900}, locale="zh-CN").new_page()
    opened.append(page)
    page.goto(f"{served}/dashboard/login")
    page.get_by_label("用户名").fill("finder")
    page.get_by_label("密码").fill(PASSWORD)
    page.get_by_role("button", name="登录").click()
    page.wait_for_url("**/dashboard/inbox**")
    page.get_by_role("link", name="案件查询").click()
    page.get_by_label("查找").fill(credit_code)
    page.get_by_role("button", name="查询").click()
    page.wait_for_url(f"**/dashboard/cases?q={credit_code}**")
    found = page.locator(f'a[href="/dashboard/cases/filing/{fid}"]')
    assert found.count() >= 1, page.inner_text("body")
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / "search-by-credit-code.png"), full_page=True)

    found.first.click()
    page.wait_for_url(f"**/dashboard/cases/filing/{fid}")
    preview = page.get_by_role("link", name="预览")
    assert preview.count() == 1 and preview.get_attribute("target") == "_blank"
    opened_inline = page.request.get(served + preview.get_attribute("href"))  # with the officer's session
    assert opened_inline.status == 200 and opened_inline.body() == licence
    headers = opened_inline.headers
    assert headers["content-type"] == "application/pdf"
    assert headers["content-disposition"].startswith("inline")
    assert "sandbox" in headers["content-security-policy"] and headers["x-content-type-options"] == "nosniff"
