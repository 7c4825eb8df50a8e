"""A dashboard page's HTML as an officer of a given centre reads it, in-process (TestClient, logged in through
the form): for replay tests that read what a page says without a browser."""

from __future__ import annotations

import itertools
import re

from fastapi.testclient import TestClient

from tasks.people.accounts import create_user

PASSWORD = "correct horse 1"
_names = itertools.count(1)


def officer_page(driver, centre: str, path: str) -> str:
    name = f"page-officer-{centre}-{next(_names)}"
    create_user(driver.url, role="officer", name=name, password=PASSWORD, jurisdiction=centre)
    reader = TestClient(driver.http.app, follow_redirects=False)
    login = reader.get("/dashboard/login").text
    csrf = re.search(r'name="csrf" value="([^"]+)"', login).group(1)
    assert reader.post("/dashboard/login", data={"name": name, "password": PASSWORD, "csrf": csrf}).status_code == 303
    page = reader.get(path)
    assert page.status_code == 200, page.text[:300]
    return page.text
