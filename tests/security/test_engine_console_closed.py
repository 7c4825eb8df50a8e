"""Security round 3 (issue 25, item 14): Prefect's server, whose UI retries, cancels and deletes runs
without a login of ours, is linked from a case page for operations and admins only; in deploy/ it is
published on no port, reachable on the internal network only and requires Basic authentication, which
every certflow process passes (Prefect's client and our own resume calls alike)."""

from __future__ import annotations

import types
from pathlib import Path

import yaml

from engine import workflow
from models.cases import FilingApplication
from tests.api.conftest import db
from tests.api.helpers import filing_form
from tests.api.test_dashboard import staff

DEPLOY = Path(__file__).resolve().parents[2] / "deploy" / "compose.yaml"


def test_only_operations_and_admins_see_the_link_to_the_engines_console(api, people):
    from api.app import create_app

    filing_id = api.post("/api/v1/filings", json=filing_form(), headers=people.make("enterprise")).json()["id"]
    with db(api) as session:
        session.get(FilingApplication, filing_id).flow_run_id = "0b7c1b8e-5c55-4a3e-9a8f-1d2e3f4a5b6c"
    settings = api.settings.replace(prefect_api_url="http://127.0.0.1:4200/api")
    with_engine = types.SimpleNamespace(app=create_app(settings), settings=settings)
    seen = {}
    for role, extra in (("officer", {"jurisdiction": "440000"}), ("operations", {}), ("admin", {})):
        person, _ = staff(with_engine, role, **extra)
        assert person.log_in().status_code == 303
        page = person.get(f"/dashboard/cases/filing/{filing_id}")
        assert page.status_code == 200, (role, page.status_code)
        seen[role] = "/runs/flow-run/0b7c1b8e" in page.text
    assert seen == {"officer": False, "operations": True, "admin": True}


def test_in_deploy_prefects_server_is_published_nowhere_internal_only_and_needs_its_credential():
    compose = yaml.safe_load(DEPLOY.read_text())
    services, networks = compose["services"], compose["networks"]
    prefect = services["prefect"]
    assert "ports" not in prefect and prefect["networks"] == ["backend"] and networks["backend"]["internal"] is True
    assert "PREFECT_SERVER_API_AUTH_STRING" in prefect["environment"]
    assert "--host 0.0.0.0" in prefect["command"]  # on its own container's interfaces: the backend network only
    ours = [name for name, service in services.items() if service.get("image") == "certflow:local"]
    assert ours and all("PREFECT_API_AUTH_STRING" in services[name]["environment"] for name in ours)
    exposed = {name for name, service in services.items() if "ports" in service}
    assert exposed == {"proxy"}


def test_our_own_calls_to_prefects_api_carry_the_credential(monkeypatch):
    from prefect.settings import PREFECT_API_AUTH_STRING, temporary_settings

    monkeypatch.setattr(workflow, "_http", {})
    # Prefect's own settings context (a process reads PREFECT_API_AUTH_STRING from its environment into it)
    with temporary_settings({PREFECT_API_AUTH_STRING: "operator:s3cret"}):
        client = workflow._plain_http("http://prefect.internal:4200/api")
    try:
        assert client.headers["Authorization"] == "Basic b3BlcmF0b3I6czNjcmV0"
    finally:
        client.close()


def test_the_prefect_client_that_starts_and_reads_runs_carries_the_credential_too():
    from prefect.settings import PREFECT_API_AUTH_STRING, temporary_settings

    # built by hand for the settings' server, Prefect's client sent no credential: every start got 401
    with temporary_settings({PREFECT_API_AUTH_STRING: "operator:s3cret"}):
        client = workflow._client("http://prefect.internal:4200/api")
    try:
        assert client._client.headers["Authorization"] == "Basic b3BlcmF0b3I6czNjcmV0"
    finally:
        client._client.close()
