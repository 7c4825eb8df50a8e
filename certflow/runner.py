"""Serve the process deployments (the embedded mode's worker). Started by `certflow up`.

A runner waits out its Prefect server's outages (keep_polling_through_outages): Prefect's own poll loop
ends the process after three failed polls in a row.

Prefect's runner starts each flow run (and each resumed run) in a *spawned* process, which
imports prefect and our code again: ~2.5 s of CPU per resume on this machine, most of the
decision-to-next-step latency. With the setting runner_forkserver (CERTFLOW_RUNNER_FORKSERVER, on by default)
those processes
are forked instead from a server process that imported everything once; the run itself is
unchanged (same function, same arguments, same environment handling).
"""

from __future__ import annotations

import contextlib
import logging
import multiprocessing
import os
import random
import threading
from collections.abc import Awaitable, Callable

log = logging.getLogger("prefect.runner.certflow")  # printed by the handlers Prefect configures

PRELOAD = [
    "certflow.warm",  # the tables' mappers configured once, not in every forked flow process
    "prefect.flow_engine",
    "prefect.flow_runs",
    "flows.institution_filing",
    "flows.evaluation_batch",
    "flows.certificate_revocation",
    "flows.supervision_case",
]


class _ForkserverForSpawn:
    """Stands in for the `multiprocessing` module inside prefect.flow_engine: asks for 'spawn',
    gets a forkserver context with the flows preloaded."""

    def __init__(self) -> None:
        self._context = multiprocessing.get_context("forkserver")
        self._context.set_forkserver_preload(PRELOAD)

    def get_context(self, method: str | None = None):
        return self._context if method == "spawn" else multiprocessing.get_context(method)

    def __getattr__(self, name: str):
        return getattr(multiprocessing, name)


def use_forkserver() -> None:
    """Flow processes forked from the forkserver, which starts now: its imports (about two seconds) overlap the
    runner's wait for its Prefect server instead of holding up the first run (seen: every burst's first runs, and
    the first decision after a restart, waited for them)."""
    import multiprocessing.forkserver

    import prefect.flow_engine

    prefect.flow_engine.multiprocessing = _ForkserverForSpawn()  # type: ignore[assignment]
    multiprocessing.forkserver.ensure_running()


def use_flow_process_starter() -> None:
    """Runs start through certflow/flow_process.start_flow_process (the runner's settings serialised once, not
    per run): Prefect's direct starter calls its module's `run_flow_in_subprocess` and says to patch it there."""
    from prefect.runner import _starter_direct

    from certflow.flow_process import start_flow_process

    _starter_direct.run_flow_in_subprocess = start_flow_process  # type: ignore[assignment]


STOP_GRACE_SECONDS = 5.0


def _runner_class():
    from prefect.runner import Runner

    class StoppingRunner(Runner):
        """Prefect's runner, stopping on SIGTERM even when its Prefect server is gone: its graceful stop talks to
        the server and, with none to answer, held the process for as long as the client retried (seen: 28 s and
        more). After a short grace the process leaves; runs in flight are the reviver's, as after a crash."""

        def handle_sigterm(self, *args: object, **kwargs: object) -> None:
            timer = threading.Timer(STOP_GRACE_SECONDS, os._exit, args=(0,))
            timer.daemon = True
            timer.start()
            super().handle_sigterm(*args, **kwargs)

    return StoppingRunner


async def serve_flows() -> None:
    """Like prefect.serve(), but with the flows added in memory (Runner.aadd_flow): the runner then
    starts runs with run_flow_in_subprocess instead of `python -m prefect.engine` re-loading the code."""
    from core import settings
    from flows.certificate_revocation import certificate_revocation
    from flows.evaluation_batch import evaluation_batch
    from flows.institution_filing import institution_filing
    from flows.supervision_case import supervision_case

    installed = settings.current()
    if installed.runner_nudge_address:
        await listen_for_nudges(installed.runner_nudge_address)
    runner = _runner_class()(name="certflow", limit=installed.runner_limit,
                             query_seconds=installed.runner_poll_interval)
    await runner.aadd_flow(institution_filing, name="certflow", description="Process 1 — institution filing (备案)")
    await runner.aadd_flow(evaluation_batch, name="certflow", description="Process 2 — evaluation batch (认定实施)")
    await runner.aadd_flow(certificate_revocation, name="certflow", description="Certificate revocation (撤销证书)")
    await runner.aadd_flow(
        supervision_case, name="certflow", description="Process 3 — a supervision case (投诉举报、调查、处理)"
    )
    await runner.start()


def wait_for_prefect(api_url: str, within: float = 120.0) -> None:
    """The runner starts beside its Prefect server (`certflow up` starts both at once; on hosts of their
    own the order is not ours): its imports overlap the server's start, and it registers its flows once
    the server answers. SIGTERM meanwhile ends it at once (the default handler is still in place)."""
    import time

    import httpx

    deadline = time.monotonic() + within
    while True:
        try:
            if httpx.get(f"{api_url.rstrip('/')}/health", timeout=2).status_code == 200:
                return
        except httpx.HTTPError:
            pass
        if time.monotonic() > deadline:
            raise SystemExit(f"certflow.runner: no Prefect server answered at {api_url} within {within:.0f} s")
        time.sleep(0.25)


async def patient_service_loop(workload: Callable[[], Awaitable[object]], interval: float, *,
                               run_once: bool = False, jitter_range: float | None = None, **_: object) -> None:
    """Prefect's critical_service_loop, without its exit: a poll that fails because the server is gone or
    answers 5xx (its database restarting) is tried again — sooner at first, then every 5 s at most — for as
    long as it takes. An answer 4xx (a wrong credential) still ends the runner: waiting cannot mend it."""
    import httpx

    failures = 0
    while True:
        try:
            await workload()
        except (httpx.TransportError, httpx.HTTPStatusError) as exc:
            if isinstance(exc, httpx.HTTPStatusError) and exc.response.status_code < 500:
                raise
            failures += 1
            if failures == 1:
                log.warning("Prefect's server did not answer a poll (%s): polling on until it does", exc)
        else:
            if failures:
                log.warning("Prefect's server answers again, after %d failed polls", failures)
            failures = 0
        if run_once:
            return
        delay = min(interval * 2 ** min(failures, 4), 5.0) if failures else interval
        if jitter_range:
            delay *= random.uniform(1 - jitter_range, 1 + jitter_range)
        await _rest(delay)


_nudged = None  # an asyncio.Event set by a nudge (engine/nudge.py) or a slot freed while runs wait for one
_look_again = False  # the look a nudge woke is followed by a second one soon after
LOOK_AGAIN_SECONDS = 0.25


async def _rest(seconds: float) -> None:
    """Until the next poll: `seconds`, or less when a nudge arrives (nudges meanwhile make one look). A look
    a nudge woke is followed by another LOOK_AGAIN_SECONDS later: a run resumed a moment before its nudge was
    sometimes not yet among the runs to start, and then waited for the next poll."""
    import anyio

    global _look_again
    if _nudged is None:
        await anyio.sleep(seconds)
        return
    if _look_again:
        seconds, _look_again = min(seconds, LOOK_AGAIN_SECONDS), False
    with anyio.move_on_after(seconds):
        await _nudged.wait()
        _look_again = True
    _nudged.clear()


def look_when_a_slot_frees() -> None:
    """A run's process that ends frees a slot of the runner's limit; when its last look left runs waiting for
    one, the runner looks again at once instead of at its next poll. In a burst the runner's slots stood idle
    about half of the time between polls (bench/README.md). Prefect's poller (its pinned version's methods;
    tests/cli/test_runner_slots.py fails if they move) is wrapped, not copied."""
    from prefect.runner._scheduled_run_poller import ScheduledRunPoller

    submit_found_runs = ScheduledRunPoller._submit_scheduled_flow_runs
    submit_run = ScheduledRunPoller._submit_run

    async def submit_found_runs_noting_those_left(self, flow_run_response, task_group):
        global _runs_left_waiting
        await submit_found_runs(self, flow_run_response, task_group)
        _runs_left_waiting = any(run.id not in self._submitting_flow_run_ids for run in flow_run_response)

    async def submit_run_and_look_when_done(self, *args, **kwargs):
        try:
            await submit_run(self, *args, **kwargs)
        finally:
            if _runs_left_waiting:
                _wake_the_poll_loop()

    ScheduledRunPoller._submit_scheduled_flow_runs = submit_found_runs_noting_those_left  # type: ignore[method-assign]
    ScheduledRunPoller._submit_run = submit_run_and_look_when_done  # type: ignore[method-assign]


_runs_left_waiting = False  # the last look found more runs than the runner had free slots for


def _wake_the_poll_loop() -> None:
    global _nudged
    if _nudged is None:
        import asyncio

        _nudged = asyncio.Event()
    _nudged.set()


async def listen_for_nudges(address: str) -> object:
    """A nudge (a datagram at `address`) ends the poll loop's rest: a run just started or resumed is looked
    for at once instead of at the next poll."""
    import asyncio

    from engine.nudge import listen

    global _nudged
    _nudged = asyncio.Event()
    return await listen(address, _nudged.set)


def keep_polling_through_outages() -> None:
    """Seen on hosts of their own (bench/bench_hosts.py): PostgreSQL's fast shutdown made Prefect's server
    answer 500 for a few seconds, and both runners ended — Prefect's poll loop gives up after three failed
    polls in a row. The runner's poller (a module of Prefect's pinned version; tests/cli/test_runner_outages.py
    fails if it moves) polls through patient_service_loop instead."""
    from prefect.runner import _scheduled_run_poller

    _scheduled_run_poller.critical_service_loop = patient_service_loop  # type: ignore[assignment]


def main() -> None:
    import asyncio

    from core import settings

    installed = settings.install(settings.Settings.from_env())
    keep_polling_through_outages()
    look_when_a_slot_frees()
    use_flow_process_starter()
    if installed.runner_forkserver:
        use_forkserver()
    if installed.prefect_api_url:
        wait_for_prefect(installed.prefect_api_url)
    with contextlib.suppress(KeyboardInterrupt):
        asyncio.run(serve_flows())


if __name__ == "__main__":
    main()
