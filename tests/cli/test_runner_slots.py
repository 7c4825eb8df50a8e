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


def _woken() -> bool:
    return runner._nudged is not None and runner._nudged.is_set()


def _look_at_three_runs_then_end_one(poller, slots: int) -> tuple[bool, bool]:
    """Whether the poll loop was woken after the look, and after the first run's process ended."""
    instance, free = poller
    free["slots"] = slots
    runs = [SimpleNamespace(id=uuid.uuid4()) for _ in range(3)]
    seen = []

    async def scenario():
        await instance._submit_scheduled_flow_runs(runs, None)
        seen.append(_woken())
        await instance._submit_run(runs[0], None, uuid.uuid4())
        seen.append(_woken())

    anyio.run(scenario)
    return seen[0], seen[1]


def test_a_run_that_ends_while_others_wait_for_a_slot_wakes_the_poll_loop(poller):
    assert _look_at_three_runs_then_end_one(poller, slots=1) == (False, True)


def test_a_run_that_ends_when_every_run_found_had_a_slot_does_not_wake_it(poller):
    assert _look_at_three_runs_then_end_one(poller, slots=3) == (False, False)


def test_prefects_poller_still_has_the_methods_the_runner_wraps():
    assert list(inspect.signature(ScheduledRunPoller._submit_scheduled_flow_runs).parameters) == [
        "self", "flow_run_response", "task_group"]
    assert list(inspect.signature(ScheduledRunPoller._submit_run).parameters) == [
        "self", "flow_run", "task_group", "slot_token"]
