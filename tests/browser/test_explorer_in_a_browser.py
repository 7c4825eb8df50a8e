"""The OpenAPI explorer on an intranet: with every request to another origin blocked, /docs still lists the
operations and /redoc still renders them."""

from __future__ import annotations

from urllib.parse import urlsplit

from tests.browser.test_dashboard_in_a_browser import DESKTOP


def test_the_api_explorer_lists_the_operations_with_other_origins_blocked(stack, browser, opened):
    base = stack.api_url
    ours = urlsplit(base).netloc
    elsewhere: list[str] = []

    def only_ours(route):
        if urlsplit(route.request.url).netloc in (ours, ""):
            route.continue_()
        else:
            elsewhere.append(route.request.url)
            route.abort()

    context = browser.new_context(viewport=DESKTOP, locale="zh-CN")
    context.route("**/*", only_ours)
    page = context.new_page()
    opened.append(page)
    page.goto(f"{base}/docs")
    page.locator(".opblock").first.wait_for()
    operations = page.locator(".opblock-summary-path").all_inner_texts()
    assert "/api/v1/filings" in [text.replace("\u200b", "") for text in operations]
    assert len(operations) > 50

    page.goto(f"{base}/redoc")
    page.get_by_text("/api/v1/filings", exact=False).first.wait_for(state="attached")
    assert "certflow API" in page.title()
    assert elsewhere == [], f"the explorer asked another origin: {elsewhere}"
    context.close()
