"""The API in-process over HTTP (TestClient), on a prepared SQLite folder and a simulated clock.

No Prefect server is needed: requests never call Prefect (runs start from the outbox), and the
resume after a decision is left to the tick, which these tests do not run.
"""

from __future__ import annotations

import datetime as dt
import itertools
import re

import pytest
from fastapi.testclient import TestClient

from models.db import session_scope
from tasks.people.accounts import create_user
from tests.api.helpers import app_for

_counter = itertools.count(1)
FUZZED_AS_A_ROLE = ("test_no_server_error_and_every_answer_matches_its_schema",
                    "test_boundary_values_get_no_server_error_as_every_role_the_route_lets_in")
OPERATION = re.compile(r"\[([A-Z]+ /[^\]]*)\]")  # schemathesis names its items test[METHOD /path][role]


def pytest_collection_modifyitems(config, items):
    """The fuzz (test_openapi_fuzz.py) leaves out each route as a role the route refuses outright: one test
    there checks those refusals, a call each, instead of fuzzing a wall of 401s and 403s."""
    kept, left_out = [], []
    for item in items:
        fuzzed = item.originalname.split("[", 1)[0] in FUZZED_AS_A_ROLE  # schemathesis: test[METHOD /path]
        operation = OPERATION.search(item.name) if fuzzed else None
        if operation and item.module.refused_outright(operation.group(1), item.callspec.params["role"]):
            left_out.append(item)
        else:
            kept.append(item)
    if left_out:
        config.hook.pytest_deselected(items=left_out)
        items[:] = kept


@pytest.fixture()
def api(settings):
    settings = settings.replace(clock="simulated", prefect_api_url="")  # the app installs them
    client = TestClient(app_for(settings))  # one app per test process, bound to this test's folder
    client.settings = settings
    return client


class People:
    """Users with tokens, created on demand: people.officer('440000') → headers."""

    def __init__(self, url: str) -> None:
        self.url = url
        self.ids: dict[str, int] = {}

    def make(self, role: str, **kwargs) -> dict[str, str]:
        user, token = create_user(self.url, role=role, name=f"{role}-{next(_counter)}", **kwargs)
        headers = {"Authorization": f"Bearer {token}"}
        self.ids[token] = user.id
        return headers

    def id_of(self, headers: dict[str, str]) -> int:
        return self.ids[headers["Authorization"].split()[1]]


@pytest.fixture()
def people(api) -> People:
    return People(api.settings.database_url)


def move_clock(api, admin, to: dt.date) -> None:
    response = api.post("/api/v1/admin/clock", json={"to": f"{to.isoformat()}T09:00:00+08:00"}, headers=admin)
    assert response.status_code == 200, response.text


def db(api):
    return session_scope(api.settings.database_url)
