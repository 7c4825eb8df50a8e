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
    # a test that moves the shared simulated clock years ahead runs after every other test
    items.sort(key=lambda item: "moves_clock_years" in item.keywords)
    if config.getoption("--db") != "postgresql":
        return
    skip = pytest.mark.skip(reason="SQLite's own locking: this test reads the SQLite file directly")
    same = pytest.mark.skip(reason="the same on every database (a profile's step order, quality supervision, the "
                                   "revocation and inactivity flows); the other flow tests run on PostgreSQL (kept "
                                   "out of this pass for its time)")
    for item in items:
        if "sqlite_only" in item.keywords:
            item.add_marker(skip)
        if "database_independent" in item.keywords:
            item.add_marker(same)


@pytest.fixture(scope="session")
def postgres(request):
    """With --db=postgresql: one temporary PostgreSQL server for the session, with a migrated template."""
    if request.config.getoption("--db") != "postgresql":
        yield None
        return
    import tempfile

    from certflow.bootstrap import prepare
    from core.settings import Settings
    from certflow.localpg import TemporaryCluster

    import shutil

    cluster = TemporaryCluster().start()
    folder = tempfile.mkdtemp(prefix="certflow-pg-template-")
    try:
        cluster.prepare_template(lambda url: prepare(Settings(data_dir=folder, database_url=url)))
        yield cluster
    finally:
        cluster.stop()
        shutil.rmtree(folder, ignore_errors=True)


@pytest.fixture()
def data_dir(tmp_path, postgres):
    """A fresh, prepared data folder, as `certflow` would make it: SQLite inside it, or (--db=postgresql)
    a fresh database on the session's PostgreSQL server. Its Settings are installed (`settings`)."""
    from certflow.bootstrap import prepare
    from core import settings as instance
    from core.settings import Settings

    folder = tmp_path / "data"
    url = postgres.fresh_database() if postgres is not None else ""
    installed = instance.install(Settings(data_dir=folder, database_url=url, clock="real", prefect_api_url=""))
    prepare(installed)
    try:
        yield folder
    finally:
        instance.uninstall(installed.database_url)  # and whatever a test installed for the same database
        if postgres is not None:
            postgres.drop(url)


@pytest.fixture()
def settings(data_dir):
    """The installed settings of `data_dir`'s instance; a test wanting others installs
    `settings.replace(...)` (core.settings.install), never patches the environment."""
    from core import settings as instance

    return instance.current()


def _audit_trail_holds(settings) -> None:  # noqa: ANN001
    """After every flow and browser test: the trail that the API, the runners' flow processes and the tick
    wrote together still verifies, every chain and every anchor the tick made."""
    from models.db import session_scope
    from tasks.evidence import verify

    with session_scope(settings.database_url, readonly=True) as session:
        checked, found = verify(session)
    assert found is None, f"the stack's audit trail ({checked} entries) does not verify: {found}"


@pytest.fixture(scope="session")
def stack(tmp_path_factory, postgres):
    """A real embedded instance (Prefect server, runner, simulator, API, tick) on a simulated clock,
    started once per session (~15 s) for the flow and browser tests; with --db=postgresql our tables
    are on the session's PostgreSQL server (the API, the runner's flow processes and the tick alike)."""
    from certflow.embedded import Stack
    from core.settings import Settings

    saved = dict(os.environ)
    os.environ["PREFECT_LOGGING_LEVEL"] = "WARNING"  # Prefect's own, inherited by the stack's processes
    folder = tmp_path_factory.mktemp("flow-stack")
    settings = Settings(data_dir=folder, database_url=postgres.fresh_database() if postgres is not None else "",
                        clock="simulated", stale_run_seconds=20, revive_seconds=2, sla_scan_seconds=1)
    instance = Stack(settings, api_port=0, sim_latency_ms=5)
    try:
        instance.start(progress=lambda *_: None)
        os.environ["PREFECT_API_URL"] = f"{instance.prefect_url}/api"  # the tests' own Prefect client
        yield instance
        _audit_trail_holds(instance.settings)
    finally:
        instance.stop()
        os.environ.clear()
        os.environ.update(saved)
