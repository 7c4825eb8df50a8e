"""The replay tier: the flows called in-process (tests/replay/engine.py) on one test Prefect API per test
process, with the registry simulator served from a thread of this process; each test has its own SQLite
folder (a copy of the migrated template) on a simulated clock, and drives it through the API in-process
(TestClient) like the stack tests drive the real instance — the same Driver, the waits answered by the
engine's passes instead of a poll."""

from __future__ import annotations

import contextlib
import copy
import itertools
import socket
import threading
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from tests.replay.engine import ReplayEngine, install
from tests.stack.driver import Driver

_names = itertools.count(1)
SICHUAN = "510104"  # 四川: the national practice's steps (publicity, ministry review, one review), all `local`


@pytest.fixture(scope="session")
def prefect_api():
    """One temporary Prefect server for the test process's flow calls (Prefect's own test harness)."""
    from prefect.settings import PREFECT_FLOWS_HEARTBEAT_FREQUENCY, PREFECT_LOGGING_TO_API_ENABLED, temporary_settings
    from prefect.testing.utilities import prefect_test_harness

    # the runs' logs stay here: shipped to the API they would outlive the harness's server at exit; no
    # heartbeats: a sync flow joins its heartbeat thread at the end (~0.9 s a call) and nothing reads them here
    quiet = {PREFECT_LOGGING_TO_API_ENABLED: False, PREFECT_FLOWS_HEARTBEAT_FREQUENCY: None}
    with _from_the_template(), prefect_test_harness(server_startup_timeout=180), temporary_settings(updates=quiet):
        yield


@contextlib.contextmanager
def _from_the_template():
    """The harness's server on a copy of the migrated Prefect database an earlier stack kept
    (certflow/prefect_template.py): ~8 s instead of ~20 s. The harness names its database
    `prefect-test.db` in a folder it makes with `mkdtemp`; that folder gets the copy first."""
    import tempfile

    import prefect.testing.utilities as harness

    from certflow import prefect_template

    template = prefect_template.template_path()
    if not template.is_file():
        yield
        return

    def seeded_folder() -> str:
        folder = tempfile.mkdtemp()
        prefect_template.copy(template, Path(folder) / "prefect-test.db")
        return folder

    original = harness.mkdtemp
    harness.mkdtemp = seeded_folder
    try:
        yield
    finally:
        harness.mkdtemp = original


@pytest.fixture(scope="session")
def registry_simulator():
    """The national system's simulator (certflow/simulator.py) on a free loopback port, in a thread."""
    import uvicorn

    from certflow import simulator

    with _served_in_a_thread(uvicorn.Config(simulator.app, host="127.0.0.1", port=_free_port(),
                                            log_level="warning"), "registry-simulator") as url:
        yield url, simulator, copy.deepcopy(simulator._state)


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@contextlib.contextmanager
def _served_in_a_thread(config, name: str):
    """An ASGI app served by uvicorn from a thread of this process, until the block ends; yields its URL."""
    import uvicorn

    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, name=name, daemon=True)
    thread.start()
    while not server.started:  # a fact, not a sleep: uvicorn says when it listens
        if not thread.is_alive():
            raise RuntimeError(f"{name} did not start")
        time.sleep(0.01)
    try:
        yield f"http://{config.host}:{config.port}"
    finally:
        server.should_exit = True
        thread.join(timeout=10)


@dataclass
class ReplayInstance:
    """What a Driver needs of an instance: its settings, its API, the simulator; and the engine."""

    settings: Any
    engine: ReplayEngine
    sim_url: str
    api_url: str = "http://testserver"
    prefect_url: str = ""


@pytest.fixture()
def instance(data_dir, prefect_api, registry_simulator, monkeypatch) -> ReplayInstance:
    """A fresh instance on a simulated clock, its flows answered by a ReplayEngine; the simulator as new."""
    from core import settings as installed

    sim_url, simulator, pristine = registry_simulator
    with simulator._lock:
        simulator._state.clear()
        simulator._state.update(copy.deepcopy(pristine), latency_ms=0)
    settings = installed.install(installed.current().replace(clock="simulated", registry_url=sim_url,
                                                             prefect_api_url=""))
    engine = ReplayEngine(settings.database_url)
    install(engine, monkeypatch)
    return ReplayInstance(settings, engine, sim_url)


class ReplayDriver(Driver):
    """The stack's Driver, in-process: the API through a TestClient, and every wait answered by the
    engine's passes — the condition is checked after each pass, and a wait that the settled processes
    never satisfy fails at once, naming what was awaited."""

    def __init__(self, instance: ReplayInstance, prefix: str, region: str = "440106") -> None:
        from fastapi.testclient import TestClient

        from tests.api.helpers import app_for

        super().__init__(instance, prefix, region)
        self.engine = instance.engine
        self.http.close()
        self.http = TestClient(app_for(instance.settings))

    def wait(self, what: str, probe, timeout: float = 240) -> Any:  # the timeout is the stack's: no clock here
        for _ in range(500):
            found = probe()
            if found:
                return found
            if not self.engine.step():
                raise AssertionError(f"every process settled, and still not: {what} "
                                     f"(runs waiting for: {self.engine.waiting()})")
        raise AssertionError(f"500 passes of the tick, and still not: {what}")

    def run_state(self, run_id: str) -> str:
        return self.engine.state_of(run_id)


@pytest.fixture()
def driver(instance) -> ReplayDriver:
    return ReplayDriver(instance, prefix=f"r{next(_names)}")


@pytest.fixture()
def driver_in(instance):
    """A driver whose enterprise is registered in the given division (and so under its province's profile)."""
    return lambda region: ReplayDriver(instance, prefix=f"r{next(_names)}", region=region)


@pytest.fixture()
def sichuan(driver_in) -> ReplayDriver:
    """Tests of publicity, objections and the ministry review run where the profile has those steps."""
    return driver_in(SICHUAN)


@pytest.fixture()
def served(instance):
    """The instance's API and dashboard on a free loopback port (uvicorn in a thread of this process), for a real
    browser: the same app the driver's TestClient calls, the flows still answered by the replay engine."""
    import uvicorn

    from tests.api.helpers import app_for

    with _served_in_a_thread(uvicorn.Config(app_for(instance.settings), host="127.0.0.1", port=_free_port(),
                                            log_level="warning", lifespan="off"), "the replay instance's API") as url:
        yield url
