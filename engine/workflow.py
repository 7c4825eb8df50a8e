"""The only module that talks to the Prefect API: start runs, resume them, read their state."""

from __future__ import annotations

import datetime as dt
import functools
import logging
import time
from typing import Any

from models.case_kinds import PROCESSES

log = logging.getLogger("certflow.workflow")

DEPLOYMENT_NAME = "certflow"
FLOWS = tuple(PROCESSES)
TERMINAL = {"COMPLETED", "FAILED", "CANCELLED", "CRASHED"}


class PrefectBusy(RuntimeError):
    """The Prefect server is unreachable or overloaded (503 'database is locked'): try later."""


def _client(api_url: str):
    """A client for the server the caller's settings name (passed, not read from Prefect's own
    settings, which are frozen when prefect is first imported), with the server's credential: built by
    hand, Prefect's client sends none (seen: every run start refused with 401 by a server with auth)."""
    from prefect.client.orchestration import SyncPrefectClient
    from prefect.settings import PREFECT_API_AUTH_STRING

    if not api_url:
        raise PrefectBusy("no Prefect server to talk to: set PREFECT_API_URL (or --prefect-api-url)")
    return SyncPrefectClient(api_url, server_type=None, auth_string=PREFECT_API_AUTH_STRING.value() or None)


@functools.lru_cache(maxsize=8)
def _deployment_id(api_url: str, flow_name: str):  # cache per server
    with _client(api_url) as client:
        return client.read_deployment_by_name(f"{flow_name}/{DEPLOYMENT_NAME}").id


def _busy(exc: Exception) -> bool:
    import httpx

    if isinstance(exc, (httpx.TransportError, httpx.TimeoutException)):
        return True
    status = getattr(getattr(exc, "response", None), "status_code", None)
    return status is not None and (status >= 500 or status == 429)


CONFLICT_RETRIES = (0.05, 0.1, 0.2)  # seconds before each new try of a start Prefect's server answered 503


def start_run(api_url: str, flow_name: str, parameters: dict[str, Any], idempotency_key: str) -> str:
    """Create a flow run of our deployment; the same key returns the same run (never two).

    On SQLite, Prefect's server creates a run in a transaction that reads before it writes, and answers 503
    ("database is locked") when another write came in between — in a burst, one start in six (bench/README.md).
    Such a conflict is over at once: the start is tried again after a moment (CONFLICT_RETRIES), where Prefect's
    client waited 2, 4, 8 s and held the tick's whole pass (one start took 13 s). A server still busy after
    that is PrefectBusy: the tick tries the start again after its retry_after."""
    import httpx
    from prefect.client.schemas.actions import DeploymentFlowRunCreate
    from prefect.states import Scheduled, to_state_create

    body = DeploymentFlowRunCreate(parameters=parameters, context={}, state=to_state_create(Scheduled()), tags=[],
                                   idempotency_key=idempotency_key).model_dump(mode="json", exclude_unset=True)
    pauses = iter(CONFLICT_RETRIES)
    while True:
        try:
            answer = _plain_http(api_url).post(f"deployments/{_deployment_id(api_url, flow_name)}/create_flow_run",
                                               json=body)
            if answer.status_code == 503 and (pause := next(pauses, None)) is not None:
                time.sleep(pause)
                continue
            answer.raise_for_status()
            return str(answer.json()["id"])
        except httpx.HTTPError as exc:
            if _busy(exc):
                raise PrefectBusy(str(exc)) from exc
            raise


_http: dict[str, object] = {}


def _plain_http(url: str):
    """A kept-alive HTTP client for the calls on the start and decision paths (building a full Prefect
    client per call costs more than the call itself: an SSL context each)."""
    import httpx

    if not url:
        raise PrefectBusy("no Prefect server to talk to: set PREFECT_API_URL (or --prefect-api-url)")
    client = _http.get(url)
    if client is None:
        client = _http[url] = httpx.Client(base_url=url.rstrip("/") + "/", timeout=10, headers=prefect_auth_headers())
    return client


def prefect_auth_headers() -> dict[str, str]:
    """The Basic credential a Prefect server started with PREFECT_SERVER_API_AUTH_STRING wants (deploy/), from
    PREFECT_API_AUTH_STRING as Prefect's own client sends it; none when the setting is empty (`certflow up`:
    the server listens on loopback only)."""
    import base64

    from prefect.settings import PREFECT_API_AUTH_STRING

    credential = PREFECT_API_AUTH_STRING.value()
    if not credential:
        return {}
    return {"Authorization": "Basic " + base64.b64encode(str(credential).encode()).decode()}


def resume(api_url: str, flow_run_id: str) -> str:
    """Resume a suspended run. Returns 'resumed', 'waiting' (not suspended yet: try again later)
    or 'finished' (a terminal run has nothing to resume)."""
    import httpx

    try:
        http = _plain_http(api_url)
        read = http.get(f"flow_runs/{flow_run_id}")
        read.raise_for_status()
        state = ((read.json().get("state") or {}).get("type")) or "PENDING"
        if state in TERMINAL:
            return "finished"
        if state != "PAUSED":
            return "waiting"
        answer = http.post(f"flow_runs/{flow_run_id}/resume", json={})
        answer.raise_for_status()
        return "resumed" if answer.json().get("status") == "ACCEPT" else "waiting"
    except httpx.HTTPError as exc:
        if _busy(exc):
            raise PrefectBusy(str(exc)) from exc
        raise


def run_states(api_url: str, flow_run_ids: list[str]) -> dict[str, tuple[str, dt.datetime]]:
    """State type and since when, for many runs in few calls (metrics and the reviver)."""
    from uuid import UUID

    from prefect.client.schemas.filters import FlowRunFilter, FlowRunFilterId

    result: dict[str, tuple[str, dt.datetime]] = {}
    with _client(api_url) as client:
        for start in range(0, len(flow_run_ids), 200):
            chunk = [UUID(r) for r in flow_run_ids[start:start + 200]]
            runs = client.read_flow_runs(
                flow_run_filter=FlowRunFilter(id=FlowRunFilterId(any_=chunk)), limit=len(chunk)
            )
            result.update({str(r.id): (r.state.type.value, r.state.timestamp) for r in runs if r.state})
    return result


def last_progress(api_url: str, flow_run_id: str) -> dt.datetime | None:
    """When the run's newest task run last changed state: a run busy with its steps is alive, however long
    its own state has stood at RUNNING (a replay slowed by a loaded machine, a step's retries)."""
    from uuid import UUID

    from prefect.client.schemas.filters import FlowRunFilter, FlowRunFilterId
    from prefect.client.schemas.sorting import TaskRunSort

    with _client(api_url) as client:
        newest = client.read_task_runs(flow_run_filter=FlowRunFilter(id=FlowRunFilterId(any_=[UUID(flow_run_id)])),
                                       sort=TaskRunSort.EXPECTED_START_TIME_DESC, limit=1)
    return newest[0].state.timestamp if newest and newest[0].state else None


def mark_crashed(api_url: str, flow_run_id: str, reason: str) -> None:
    """A run whose process is gone (killed with its runner) stays RUNNING forever: say what happened."""
    from uuid import UUID

    from prefect.states import Crashed

    with _client(api_url) as client:
        client.set_flow_run_state(UUID(flow_run_id), Crashed(message=reason), force=True)
