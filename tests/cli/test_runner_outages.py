"""A runner outlives its Prefect server's outages: Prefect's own poll loop ended the runner after three
failed polls in a row (seen when PostgreSQL restarted under Prefect's server), certflow's polls on."""

from __future__ import annotations

import anyio
import httpx
import pytest

from certflow import runner


def _answer(status: int) -> httpx.HTTPStatusError:
    request = httpx.Request("POST", "http://prefect.internal:4200/api/deployments/get_scheduled_flow_runs")
    return httpx.HTTPStatusError(f"{status}", request=request, response=httpx.Response(status, request=request))


class Enough(Exception):
    pass


def _polls(outcomes):
    seen = []

    async def workload():
        outcome = outcomes[len(seen)]
        seen.append(outcome)
        if isinstance(outcome, BaseException):
            raise outcome

    return workload, seen


def test_polls_that_fail_with_5xx_or_no_connection_are_tried_again_until_the_server_answers(monkeypatch):
    slept = []

    async def sleep(seconds):
        slept.append(seconds)

    monkeypatch.setattr(anyio, "sleep", sleep)
    outage = [_answer(500), httpx.ConnectError("refused"), _answer(503), _answer(500), _answer(502), _answer(500)]
    workload, seen = _polls([None, *outage, None, Enough()])
    with pytest.raises(Enough):
        anyio.run(lambda: runner.patient_service_loop(workload, 0.5))
    assert len(seen) == 9  # six failures in a row did not end it
    assert slept[0] == 0.5 and max(slept) == 5.0 and slept[-1] == 0.5  # backs off, then back to its pace


def test_a_refusal_that_waiting_cannot_mend_still_ends_the_runner(monkeypatch):
    monkeypatch.setattr(anyio, "sleep", lambda seconds: anyio.lowlevel.checkpoint())
    workload, _ = _polls([_answer(401)])
    with pytest.raises(httpx.HTTPStatusError):
        anyio.run(lambda: runner.patient_service_loop(workload, 0.5))


def test_the_runners_poller_uses_the_patient_loop():
    from prefect.runner import _scheduled_run_poller

    assert hasattr(_scheduled_run_poller, "critical_service_loop")  # the name Prefect's poller calls
    runner.keep_polling_through_outages()
    assert _scheduled_run_poller.critical_service_loop is runner.patient_service_loop
