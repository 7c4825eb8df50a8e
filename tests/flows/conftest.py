"""A real embedded instance for flow tests: Prefect server, runner, simulator, API and tick.

Started once per session (~15 s); tests drive it over HTTP on a simulated clock, and each
test makes its own enterprise and cases, so tests do not depend on each other's data.
"""

from __future__ import annotations

import itertools
import os

import pytest

from tests.flows.driver import Driver


@pytest.fixture(scope="session")
def stack(tmp_path_factory):
    from certflow.embedded import Stack
    from certflow.settings import Settings

    saved = dict(os.environ)
    os.environ.update({"CERTFLOW_CLOCK": "simulated", "CERTFLOW_STALE_RUN_SECONDS": "20",
                       "CERTFLOW_REVIVE_SECONDS": "2", "PREFECT_LOGGING_LEVEL": "WARNING"})
    folder = tmp_path_factory.mktemp("flow-stack")
    instance = Stack(Settings.from_env(folder), api_port=0, clock="simulated", sim_latency_ms=5)
    try:
        instance.start(progress=lambda *_: None)
        yield instance
    finally:
        instance.stop()
        os.environ.clear()
        os.environ.update(saved)


_names = itertools.count(1)


@pytest.fixture()
def driver(stack) -> Driver:
    return Driver(stack, prefix=f"t{next(_names)}")
