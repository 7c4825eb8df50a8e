"""Schemathesis against /openapi.json, as each role and anonymously: no 5xx, no answer breaking its own schema.

Each route is fuzzed as the roles it lets in (its role dependency says which: api.deps.require_role); a role it
refuses outright is refused before any parameter is read, so fuzzing it would only meet the same 401/403 again
(about half the pairs, and half this file's time): tests/api/conftest.py leaves those pairs out, and one test
below calls each of them once and checks the refusal."""

import atexit
import json
import re
import shutil
import tempfile

import pytest
import schemathesis
from fastapi.routing import APIRoute, iter_route_contexts
from fastapi.testclient import TestClient
from hypothesis import HealthCheck, settings
from schemathesis.checks import not_a_server_error
from schemathesis.config import SchemathesisConfig
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from api.app import create_app
from api.deps import current_user
from certflow.bootstrap import prepare
from core.settings import Settings
from models.db import session_scope
from tasks.people.accounts import create_user
from tasks.waits.human_tasks import ensure_task

ROLES = ("anonymous", "enterprise", "officer", "expert", "supervisor", "operations", "admin")
# The fuzzed app is built at import with its own SQLite folder (the schema is read before any fixture),
# so a PostgreSQL pass ran the same minutes against SQLite again: it runs in the SQLite pass only.


FOLDER = tempfile.mkdtemp(prefix="certflow-fuzz-")
atexit.register(shutil.rmtree, FOLDER, ignore_errors=True)  # made at import, in every worker and collection
# the schema and the calls use this app; its data is made below
SETTINGS = Settings(data_dir=FOLDER, database_url="", clock="simulated", prefect_api_url="")
APP = create_app(SETTINGS)


def _admitted(route) -> set[str]:  # fastapi.routing.RouteContext: a route as its app includes it
    """The roles a route's dependencies let in: every role (and nobody logged in) unless a dependency says."""
    roles, login, pending = set(ROLES), False, list(route.dependant.dependencies)
    while pending:
        dependency = pending.pop()
        admits = getattr(dependency.call, "admits", None)
        if admits is not None:
            roles &= set(admits)
        login = login or admits is not None or dependency.call is current_user
        pending += dependency.dependencies
    return roles - {"anonymous"} if login else roles


ADMITTED = {f"{method} {route.path}": _admitted(route) for route in iter_route_contexts(APP.routes)
            if isinstance(route.original_route, APIRoute) and route.include_in_schema for method in route.methods}
REFUSED = [(label, role) for label, admitted in sorted(ADMITTED.items()) for role in ROLES if role not in admitted]


def refused_outright(label: str, role: str) -> bool:
    """Whether the route (`METHOD /path`, schemathesis's label) refuses the role before reading anything."""
    return role not in ADMITTED.get(label, set(ROLES))


# An administrator's fuzzed call that disables or rebinds one of the fuzz's own users would turn every later call
# as that role into a 401 (and the boundary cases into "refused in a row" skips): it meets a disposable user.
FUZZERS: set[int] = set()
DISPOSABLE: list[int] = []
USER_CHANGES = ("/api/v1/admin/users/{user_id}/disable", "/api/v1/admin/users/{user_id}/enable",
                "/api/v1/admin/users/{user_id}/institution")


@pytest.fixture(scope="module")
def fuzz_headers():
    from core.settings import install, uninstall

    settings_ = install(SETTINGS)
    prepare(settings_)
    headers = {"anonymous": {}}
    for role in ROLES[1:]:
        extra = {"jurisdiction": "440000"} if role == "officer" else {}
        user, token = create_user(settings_.database_url, role=role, name=f"fuzz-{role}", **extra)
        headers[role] = {"Authorization": f"Bearer {token}"}
        FUZZERS.add(user.id)
    DISPOSABLE.append(create_user(settings_.database_url, role="enterprise", name="fuzz-disposable")[0].id)
    with session_scope(settings_.database_url) as session:
        for n in range(1, 4):  # some ids exist, so generated paths sometimes hit real rows
            ensure_task(
                session,
                key=f"fuzz:{n}",
                case_type="filing",
                case_id=n,
                step="acceptance",
                role="officer",
                jurisdiction="440106",
                due_working_days=5,
                flow_run_id=None,
            )
    yield headers
    uninstall(settings_.database_url)


# The schema is taken from the app object, not fetched over HTTP: from_asgi fetches /openapi.json with a 10 s
# read timeout, which a busy machine exceeded (a collection error, not a finding).
def _schema(*, boundaries: bool):
    """The document with one set of schemathesis's phases: its generated cases (the document's examples and
    four drawn by Hypothesis), or its boundary values (each parameter's edges, missing and wrong-typed)."""
    config = SchemathesisConfig()
    phases = config.projects.default.phases
    phases.coverage.enabled = boundaries
    phases.examples.enabled = phases.fuzzing.enabled = not boundaries
    loaded = schemathesis.openapi.from_dict(json.loads(json.dumps(APP.openapi())), config=config)
    loaded.app = APP
    loaded.location = "/openapi.json"
    return loaded


GENERATED, BOUNDARIES = _schema(boundaries=False), _schema(boundaries=True)
CHECKS = [not_a_server_error, status_code_conformance, content_type_conformance, response_schema_conformance]


def _call(case, role, headers):
    if case.path == "/api/v1/admin/clock" and case.method == "POST" and role == "admin":
        pytest.skip("moving the shared clock at random would only test the fuzzer")
    if case.path in USER_CHANGES and (case.path_parameters or {}).get("user_id") in FUZZERS:
        case.path_parameters["user_id"] = DISPOSABLE[0]
    return case.call_and_validate(headers=headers[role], checks=CHECKS)


@GENERATED.parametrize()
@settings(max_examples=4, deadline=None, suppress_health_check=list(HealthCheck))
@pytest.mark.parametrize("role", ROLES)
def test_no_server_error_and_every_answer_matches_its_schema(case, role, fuzz_headers):
    _call(case, role, fuzz_headers)


# A role a route refuses inside its handler (not by its role dependency: a report outside one's jurisdiction)
# is still fuzzed; after this many refusals in a row — each case varies another parameter — the rest are
# left out.
REFUSED_IN_A_ROW = 5


@BOUNDARIES.parametrize()
@settings(deadline=None, suppress_health_check=list(HealthCheck))
@pytest.mark.parametrize("role", ROLES)
def test_boundary_values_get_no_server_error_as_every_role_the_route_lets_in(case, role, fuzz_headers, request):
    refused = request.node.stash.setdefault(_REFUSALS, [0])
    answer = _call(case, role, fuzz_headers)
    refused[0] = refused[0] + 1 if answer.status_code in (401, 403) else 0
    if refused[0] >= REFUSED_IN_A_ROW:
        pytest.skip(f"refused {REFUSED_IN_A_ROW} times in a row: this role may not call the route at all")


_REFUSALS = pytest.StashKey[list]()


def test_a_role_a_route_does_not_admit_is_refused_before_anything_is_read(fuzz_headers):
    """Each (route, role) pair the fuzz leaves out, called once with placeholder ids and nothing else: nobody
    logged in gets 401, another role 403, in the one error shape and with a status the document lists."""
    document = APP.openapi()["paths"]
    headers = {"anonymous": {}}  # users of its own: a fuzzed admin call may have revoked the fuzz's tokens
    for role in ROLES[1:]:
        extra = {"jurisdiction": "440000"} if role == "officer" else {}
        _, token = create_user(SETTINGS.database_url, role=role, name=f"refused-{role}", **extra)
        headers[role] = {"Authorization": f"Bearer {token}"}
    wrong = []
    with TestClient(APP) as client:
        for label, role in REFUSED:
            method, path = label.split(" ", 1)
            answer = client.request(method, re.sub(r"\{[^}]+\}", "1", path), headers=headers[role])
            expected = 401 if role == "anonymous" else 403
            listed = document[path][method.lower()]["responses"]
            if answer.status_code != expected or not isinstance(answer.json().get("detail"), str) \
                    or not ({str(expected), "default"} & set(listed)):
                wrong.append(f"{label} as {role}: {answer.status_code} {answer.text[:120]}")
    assert wrong == []
    assert len(REFUSED) > 300  # the pairs the fuzz would otherwise have spent its time on


def test_the_schema_documents_every_route_of_the_contract():
    paths = set(APP.openapi()["paths"])
    contract = {
        "/api/v1/filings",
        "/api/v1/filings/{filing_id}",
        "/api/v1/filings/{filing_id}/resubmissions",
        "/api/v1/filings/{filing_id}/objections",
        "/api/v1/tasks",
        "/api/v1/tasks/{task_id}/claim",
        "/api/v1/tasks/{task_id}/decision",
        "/api/v1/institutions/{institution_id}/plans",
        "/api/v1/plans/{plan_id}",
        "/api/v1/plans/{plan_id}/results",
        "/api/v1/certificates",
        "/api/v1/public/certificates/{number}",
        "/api/v1/public/institutions",
        "/api/v1/admin/clock",
        "/healthz",
        "/metrics",
    }
    assert contract <= paths
