"""Shared fixtures. Heavy harnesses (Prefect) are imported inside their fixtures, never here."""

from __future__ import annotations

import os

import pytest

# A Prefect client used without a server URL would quietly start a temporary server; in tests
# that is always a mistake, so make it fail loudly instead.
os.environ.setdefault("PREFECT_SERVER_ALLOW_EPHEMERAL_MODE", "false")


def pytest_addoption(parser):
    parser.addoption("--db", choices=("sqlite", "postgresql"), default="sqlite",
                     help="our database for the db, api and security suites: SQLite files (default) or a "
                          "temporary PostgreSQL server started and removed by the suite")


def pytest_collection_modifyitems(config, items):
    if config.getoption("--db") != "postgresql":
        return
    skip = pytest.mark.skip(reason="SQLite's own locking: this test reads the SQLite file directly")
    for item in items:
        if "sqlite_only" in item.keywords:
            item.add_marker(skip)


@pytest.fixture(scope="session")
def postgres(request):
    """With --db=postgresql: one temporary PostgreSQL server for the session, with a migrated template."""
    if request.config.getoption("--db") != "postgresql":
        yield None
        return
    import dataclasses
    import tempfile

    from certflow.bootstrap import prepare
    from certflow.settings import Settings
    from certflow.localpg import TemporaryCluster

    import shutil

    cluster = TemporaryCluster().start()
    folder = tempfile.mkdtemp(prefix="certflow-pg-template-")
    try:
        cluster.prepare_template(lambda url: prepare(dataclasses.replace(Settings.from_env(folder), database_url=url)))
        yield cluster
    finally:
        cluster.stop()
        shutil.rmtree(folder, ignore_errors=True)


@pytest.fixture()
def data_dir(tmp_path, monkeypatch, postgres):
    """A fresh, prepared data folder, as `certflow` would make it: SQLite inside it, or (--db=postgresql)
    a fresh database on the session's PostgreSQL server."""
    from certflow.bootstrap import prepare
    from certflow.settings import Settings

    folder = tmp_path / "data"
    monkeypatch.setenv("CERTFLOW_DATA_DIR", str(folder))
    if postgres is None:
        monkeypatch.delenv("CERTFLOW_DATABASE_URL", raising=False)
        prepare(Settings.from_env())
        yield folder
        return
    url = postgres.fresh_database()
    monkeypatch.setenv("CERTFLOW_DATABASE_URL", url)
    prepare(Settings.from_env())
    try:
        yield folder
    finally:
        postgres.drop(url)


@pytest.fixture()
def settings(data_dir):
    from certflow.settings import Settings

    return Settings.from_env()


@pytest.fixture(scope="session")
def stack(tmp_path_factory, postgres):
    """A real embedded instance (Prefect server, runner, simulator, API, tick) on a simulated clock,
    started once per session (~15 s) for the flow and browser tests; with --db=postgresql our tables
    are on the session's PostgreSQL server (the API, the runner's flow processes and the tick alike)."""
    from certflow.embedded import Stack
    from certflow.settings import Settings

    saved = dict(os.environ)
    os.environ.update({"CERTFLOW_CLOCK": "simulated", "CERTFLOW_STALE_RUN_SECONDS": "20",
                       "CERTFLOW_REVIVE_SECONDS": "2", "PREFECT_LOGGING_LEVEL": "WARNING",
                       "CERTFLOW_SLA_SCAN_SECONDS": "1"})
    if postgres is not None:
        os.environ["CERTFLOW_DATABASE_URL"] = postgres.fresh_database()
    folder = tmp_path_factory.mktemp("flow-stack")
    instance = Stack(Settings.from_env(folder), api_port=0, clock="simulated", sim_latency_ms=5)
    try:
        instance.start(progress=lambda *_: None)
        yield instance
    finally:
        instance.stop()
        os.environ.clear()
        os.environ.update(saved)
