"""engine/workflow.py's run start, against a stand-in for Prefect's server: the request Prefect's own client would
send, and a busy server answered at once (the tick tries again after retry_after) instead of waited out."""

from __future__ import annotations

import json

import httpx
import pytest

from engine import workflow

API = "http://prefect.test/api"
DEPLOYMENT = "0b6c8f3e-8d5b-4f55-9a57-3f0c1d2e4a10"


@pytest.fixture
def prefect_server(monkeypatch):
    seen: list[httpx.Request] = []
    answers: list[httpx.Response] = []

    def handle(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        return answers.pop(0)

    client = httpx.Client(base_url=API + "/", transport=httpx.MockTransport(handle))
    monkeypatch.setitem(workflow._http, API, client)
    monkeypatch.setattr(workflow, "_deployment_id", lambda api_url, flow_name: DEPLOYMENT)
    return seen, answers


def test_a_run_is_created_scheduled_from_the_deployment_with_the_outbox_key(prefect_server):
    seen, answers = prefect_server
    answers.append(httpx.Response(201, json={"id": "5f1d9a3c-0000-4000-8000-000000000001"}))
    run = workflow.start_run(API, "institution_filing", {"filing_id": 7}, idempotency_key="outbox-12")
    assert run == "5f1d9a3c-0000-4000-8000-000000000001"
    (request,) = seen
    assert request.method == "POST" and request.url.path == f"/api/deployments/{DEPLOYMENT}/create_flow_run"
    body = json.loads(request.content)
    assert body["parameters"] == {"filing_id": 7} and body["idempotency_key"] == "outbox-12"
    assert body["state"]["type"] == "SCHEDULED"


BUSY = {"exception_message": "Service Unavailable"}  # Prefect's server on SQLite's "database is locked"


def test_a_start_refused_by_a_lock_conflict_of_a_moment_is_tried_again_at_once(prefect_server, monkeypatch):
    seen, answers = prefect_server
    paused = []
    monkeypatch.setattr(workflow.time, "sleep", paused.append)
    answers.extend([httpx.Response(503, json=BUSY), httpx.Response(201, json={"id": "run-1"})])
    assert workflow.start_run(API, "institution_filing", {"filing_id": 7}, idempotency_key="outbox-12") == "run-1"
    assert len(seen) == 2 and paused == [workflow.CONFLICT_RETRIES[0]]
    assert seen[0].content == seen[1].content  # the same key: at most the one run


def test_a_server_busy_through_the_short_retries_is_reported_within_a_second(prefect_server, monkeypatch):
    seen, answers = prefect_server
    paused = []
    monkeypatch.setattr(workflow.time, "sleep", paused.append)
    answers.extend([httpx.Response(503, json=BUSY)] * (len(workflow.CONFLICT_RETRIES) + 1))
    with pytest.raises(workflow.PrefectBusy):
        workflow.start_run(API, "institution_filing", {"filing_id": 7}, idempotency_key="outbox-12")
    assert len(seen) == len(workflow.CONFLICT_RETRIES) + 1 and sum(paused) < 1


def test_a_refused_start_is_not_mistaken_for_a_busy_server(prefect_server):
    _, answers = prefect_server
    answers.append(httpx.Response(422, json={"detail": "invalid parameters"}))
    with pytest.raises(httpx.HTTPStatusError):
        workflow.start_run(API, "institution_filing", {"filing_id": 7}, idempotency_key="outbox-12")
