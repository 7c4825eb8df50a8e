"""The OpenAPI explorer works on an intranet: /docs and /redoc name only assets of our own origin."""

from __future__ import annotations

import re

import pytest


@pytest.mark.parametrize("page", ["/docs", "/redoc"])
def test_the_explorer_pages_load_every_script_and_style_from_our_own_origin(api, page):
    response = api.get(page)
    assert response.status_code == 200
    html = response.text
    assets = re.findall(r'(?:src|href)="([^"]+)"', html)
    assert assets, html
    assert all(asset.startswith("/docs/assets/") for asset in assets), assets
    assert "cdn" not in html.lower() and "fonts.googleapis" not in html
    policy = response.headers["content-security-policy"]
    assert "https:" not in policy and "script-src 'self' 'unsafe-inline'" in policy
    for asset in assets:
        served = api.get(asset)
        assert served.status_code == 200, asset
        assert len(served.content) > 1000, asset


def test_the_swagger_page_reads_the_document_and_shows_no_validator_badge(api):
    html = api.get("/docs").text
    assert "'/openapi.json'" in html or '"/openapi.json"' in html
    assert '"validatorUrl": null' in html
    assert api.get("/openapi.json").json()["info"]["title"] == "certflow API"
