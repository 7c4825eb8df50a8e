"""Shared fixtures. Heavy harnesses (Prefect) are imported inside their fixtures, never here."""

from __future__ import annotations

import os

import pytest

# A Prefect client used without a server URL would quietly start a temporary server; in tests
# that is always a mistake, so make it fail loudly instead.
os.environ.setdefault("PREFECT_SERVER_ALLOW_EPHEMERAL_MODE", "false")


@pytest.fixture()
def data_dir(tmp_path, monkeypatch):
    """A fresh, prepared data folder (SQLite), as `certflow` would make it."""
    from certflow.bootstrap import prepare
    from certflow.settings import Settings

    folder = tmp_path / "data"
    monkeypatch.setenv("CERTFLOW_DATA_DIR", str(folder))
    monkeypatch.delenv("CERTFLOW_DATABASE_URL", raising=False)
    prepare(Settings.from_env())
    return folder


@pytest.fixture()
def settings(data_dir):
    from certflow.settings import Settings

    return Settings.from_env()


@pytest.fixture(scope="session")
def stack(tmp_path_factory):
    """A real embedded instance (Prefect server, runner, simulator, API, tick) on a simulated clock,
    started once per session (~15 s) for the flow and browser tests."""
    from certflow.embedded import Stack
    from certflow.settings import Settings

    saved = dict(os.environ)
    os.environ.update({"CERTFLOW_CLOCK": "simulated", "CERTFLOW_STALE_RUN_SECONDS": "20",
                       "CERTFLOW_REVIVE_SECONDS": "2", "PREFECT_LOGGING_LEVEL": "WARNING",
                       "CERTFLOW_SLA_SCAN_SECONDS": "1"})
    folder = tmp_path_factory.mktemp("flow-stack")
    instance = Stack(Settings.from_env(folder), api_port=0, clock="simulated", sim_latency_ms=5)
    try:
        instance.start(progress=lambda *_: None)
        yield instance
    finally:
        instance.stop()
        os.environ.clear()
        os.environ.update(saved)
