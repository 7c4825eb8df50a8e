"""Shared fixtures. Heavy harnesses (Prefect) are imported inside their fixtures, never here."""

from __future__ import annotations

import contextlib
import os
import shutil
import sys
from pathlib import Path

import pytest

# pytest rewrites every test module's asserts on import and caches the result beside it, unless the interpreter
# may not write bytecode (PYTHONDONTWRITEBYTECODE, set on our CI machines): then each of the suite's processes
# rewrote all ~150 test modules again, ~9 s of every collection (measured: 19 s → 10 s without the fuzz file).
# The test processes may write: __pycache__ is ignored by git, and what they write is what Python writes anyway.
sys.dont_write_bytecode = False

# A Prefect client used without a server URL would quietly start a temporary server; in tests
# that is always a mistake, so make it fail loudly instead.
os.environ.setdefault("PREFECT_SERVER_ALLOW_EPHEMERAL_MODE", "false")
os.environ.setdefault("PREFECT_SERVER_ANALYTICS_ENABLED", "false")  # no telemetry from test servers


def pytest_addoption(parser):
    parser.addoption("--db", choices=("sqlite", "postgresql"), default="sqlite",
                     help="our database for the db, api and security suites: SQLite files (default) or a "
                          "temporary PostgreSQL server started and removed by the suite")


# Each test's tier comes from its folder (so nobody forgets one); a few files sit in a tier of their own.
TIER_OF_FOLDER = {"unit": "unit", "db": "db", "cli": "db", "api": "api", "security": "api", "replay": "replay",
                  "stack": "stack", "browser": "browser"}
TIER_OF_FILE = {
    "tests/api/test_openapi_fuzz.py": "contract",  # the OpenAPI document fuzzed against the app
    "tests/api/test_generated_client.py": "contract",  # a client generated from the document
    "tests/cli/test_serve_cli.py": "stack",  # starts the roles as processes
    "tests/cli/test_prefect_deploy.py": "stack",  # a Prefect server and a process worker
}
# Tests that start the embedded stack (or a browser on it) share one xdist worker: two stacks never fight
# over the two cores, and the session's one stack serves them all (pytest_xdist_make_scheduler below).
ONE_WORKER = ("stack", "browser")


def tier_of(path: str) -> str:
    relative = path.split("tests/", 1)[-1]
    return TIER_OF_FILE.get(f"tests/{relative}") or TIER_OF_FOLDER[relative.split("/", 1)[0]]


def pytest_xdist_make_scheduler(config, log):
    """xdist's scheduler by scope, one scope for every stack and browser test and one per test otherwise.
    (Not `--dist loadgroup`: xdist 3.8 groups by rewriting `item._nodeid`, which pytest 9 no longer reads,
    so its groups silently spread over every worker.)"""
    from xdist.scheduler import LoadScopeScheduling

    class OneWorkerForTheStack(LoadScopeScheduling):
        def _split_scope(self, nodeid: str) -> str:
            return "stack" if tier_of(nodeid.split("::", 1)[0]) in ONE_WORKER else nodeid

    return OneWorkerForTheStack(config, log)


# The contract files are left uncollected when their tests would not run: the PostgreSQL pass (they run on
# SQLite only), or a `-m` that leaves the contract tier out (the developer loop). The fuzzed app is built at
# import and its cases generated at collection, ~16 s of each worker's start, only for `-m` to drop them all.
# (Their tests carry no marker but their tier's, so the tier alone decides.)
CONTRACT_FILES = tuple(path for path, tier in TIER_OF_FILE.items() if tier == "contract")


def pytest_ignore_collect(collection_path, config):
    if not collection_path.as_posix().endswith(CONTRACT_FILES):
        return None
    if config.getoption("--db") == "postgresql":
        return True
    if config.option.markexpr:
        from _pytest.mark.expression import Expression

        return not Expression.compile(config.option.markexpr).evaluate(lambda marker: marker == "contract") or None
    return None


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item, call):
    """Each phase's report on the item (`report_call`…): a browser test's pages are kept when it failed
    (tests/browser/conftest.py `opened`), on the stack or on a replay instance alike."""
    outcome = yield
    report = outcome.get_result()
    setattr(item, f"report_{report.when}", report)


def pytest_collection_modifyitems(config, items):
    for item in items:
        item.add_marker(getattr(pytest.mark, tier_of(item.path.as_posix())))
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
    import shutil
    import tempfile

    from certflow.bootstrap import prepare
    from certflow.localpg import TemporaryCluster
    from core.settings import Settings

    cluster = TemporaryCluster().start()
    folder = tempfile.mkdtemp(prefix="certflow-pg-template-")
    try:
        cluster.prepare_template(lambda url: prepare(Settings(data_dir=folder, database_url=url)))
        yield cluster
    finally:
        cluster.stop()
        shutil.rmtree(folder, ignore_errors=True)


@pytest.fixture(scope="session")
def sqlite_template(tmp_path_factory, postgres):
    """A SQLite database migrated through every revision and seeded once per test process; each test's
    data folder starts from a copy of it (as the PostgreSQL pass clones a template database)."""
    if postgres is not None:
        return None
    from certflow.bootstrap import prepare
    from core.settings import Settings
    from models.db import get_engine

    folder = tmp_path_factory.mktemp("sqlite-template")
    settings = Settings(data_dir=folder, clock="real", prefect_api_url="")
    prepare(settings)
    get_engine(settings.database_url).dispose()  # closed: the file holds everything (no -wal left)
    return folder / "certflow.db"


@pytest.fixture()
def data_dir(tmp_path, postgres, sqlite_template):
    """A fresh, prepared data folder, as `certflow` would make it: SQLite inside it, or (--db=postgresql)
    a fresh database on the session's PostgreSQL server. Its Settings are installed (`settings`)."""
    import shutil

    from certflow.bootstrap import prepare
    from core import settings as instance
    from core.settings import Settings

    folder = tmp_path / "data"
    url = postgres.fresh_database() if postgres is not None else ""
    if sqlite_template is not None:
        folder.mkdir(parents=True)
        shutil.copyfile(sqlite_template, folder / "certflow.db")
    installed = instance.install(Settings(data_dir=folder, database_url=url, clock="real", prefect_api_url=""))
    prepare(installed)  # on the copy: already at the newest revision, seeded
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


def _audit_trail_holds(settings) -> None:
    """After every flow and browser test: the trail that the API, the runners' flow processes and the tick
    wrote together still verifies, every chain and every anchor the tick made."""
    from models.db import session_scope
    from tasks.records.evidence import verify

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


# -- a real browser (Debian's /usr/bin/chromium driven by playwright), one per test process -----------------

CHROMIUM = os.environ.get("CERTFLOW_CHROMIUM", "/usr/bin/chromium")
SCREENSHOTS = Path(__file__).resolve().parents[1] / "test-output" / "screenshots"


@pytest.fixture(scope="session")
def browser():
    if not shutil.which(CHROMIUM):
        pytest.fail(f"{CHROMIUM} is missing: scripts/setup installs Debian's chromium")
    from playwright.sync_api import sync_playwright

    for stale in SCREENSHOTS.glob("failure-*.png"):  # only this run's failures stay
        stale.unlink()

    with sync_playwright() as playwright:
        instance = playwright.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox", "--disable-gpu"])
        yield instance
        instance.close()


@pytest.fixture()
def shots():
    """Saves a page's screenshot under test-output/screenshots/ (kept after the run, for people to look at)."""
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)

    def take(page, name: str) -> Path:
        path = SCREENSHOTS / f"{name}.png"
        page.screenshot(path=str(path), full_page=True)
        return path

    return take


@pytest.fixture()
def opened(request):
    """Pages a test opens; when the test fails each one is saved as failure-<test>-<n>.png."""
    pages: list = []
    yield pages
    report = getattr(request.node, "report_call", None)
    if report is not None and report.failed:
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        for n, page in enumerate(pages):
            with contextlib.suppress(Exception):  # a closed page has nothing to show
                page.screenshot(path=str(SCREENSHOTS / f"failure-{request.node.name}-{n}.png"), full_page=True)
