"""A runner at its limit looks again as soon as a run's process ends (certflow/runner.look_when_a_slot_frees):
in a burst its slots otherwise stood idle until the next poll."""

from __future__ import annotations

import inspect
import uuid
from types import SimpleNamespace

import anyio
import pytest
from prefect.runner._scheduled_run_poller import ScheduledRunPoller

from certflow import runner


@pytest.fixture
def poller(monkeypatch):
    """Prefect's poller with stand-ins for its submissions: the look starts as many runs as `free` says."""
    monkeypatch.setattr(runner, "_nudged", None)
    monkeypatch.setattr(runner, "_runs_left_waiting", False)
    free = {"slots": 0}

    async def submit_found_runs(self, flow_run_response, task_group):
        for run in flow_run_response[: free["slots"]]:
            self._submitting_flow_run_ids.add(run.id)

    async def submit_run(self, flow_run, task_group, slot_token):
        self._submitting_flow_run_ids.discard(flow_run.id)

    monkeypatch.setattr(ScheduledRunPoller, "_submit_scheduled_flow_runs", submit_found_runs)
    monkeypatch.setattr(ScheduledRunPoller, "_submit_run", submit_run)
    runner.look_when_a_slot_frees()
    instance = object.__new__(ScheduledRunPoller)
    instance._submitting_flow_run_ids = set()
    return instance, free


def _runs(count: int) -> list[SimpleNamespace]:
    return [SimpleNamespace(id=uuid.uuid4()) for _ in range(count)]


def test_a_run_that_ends_while_others_wait_for_a_slot_wakes_the_poll_loop(poller):
    instance, free = poller
    free["slots"] = 1
    runs = _runs(3)

    async def scenario():
        await instance._submit_scheduled_flow_runs(runs, None)
        assert runner._nudged is None or not runner._nudged.is_set()
        await instance._submit_run(runs[0], None, uuid.uuid4())

    anyio.run(scenario)
    assert runner._nudged is not None and runner._nudged.is_set()


def test_a_run_that_ends_when_every_run_found_had_a_slot_does_not_wake_it(poller):
    instance, free = poller
    free["slots"] = 3
    runs = _runs(3)

    async def scenario():
        await instance._submit_scheduled_flow_runs(runs, None)
        await instance._submit_run(runs[0], None, uuid.uuid4())

    anyio.run(scenario)
    assert runner._nudged is None or not runner._nudged.is_set()


def test_prefects_poller_still_has_the_methods_the_runner_wraps():
    assert list(inspect.signature(ScheduledRunPoller._submit_scheduled_flow_runs).parameters) == [
        "self", "flow_run_response", "task_group"]
    assert list(inspect.signature(ScheduledRunPoller._submit_run).parameters) == [
        "self", "flow_run", "task_group", "slot_token"]
