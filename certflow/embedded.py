"""The embedded instance: SQLite, a local Prefect server, the runner, the simulator, the API and the tick.

Everything lives in one data folder; internal ports are chosen free, so two
instances with different folders and API ports run side by side. Stop order
matters (measured): the runner before the server, or a run that just suspended
can be cancelled and a runner without its server can hang.
"""

from __future__ import annotations

import contextlib
import logging
import os
import signal
import socket
import subprocess
import sys
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

import httpx

from certflow import prefect_template, reaper
from core.settings import Settings, install

log = logging.getLogger("certflow.embedded")


def free_port(kind: int = socket.SOCK_STREAM) -> int:
    with socket.socket(socket.AF_INET, kind) as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _wait_http(
    url: str, timeout: float, what: str, proc: subprocess.Popen | None = None, log_file: Path | None = None
) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc is not None and proc.poll() is not None:
            tail = log_file.read_text(errors="replace")[-2000:] if log_file and log_file.exists() else ""
            raise RuntimeError(f"{what} exited with code {proc.returncode}\n{tail}")
        try:
            if httpx.get(url, timeout=2).status_code < 500:
                return
        except httpx.HTTPError:
            pass
        time.sleep(0.25)
    raise RuntimeError(f"{what} did not answer at {url} within {timeout:.0f} s")


@dataclass
class Stack:
    settings: Settings
    api_port: int = 8000
    sim_failure_rate: float = 0.0
    sim_latency_ms: int = 50
    tick: bool = True  # False: the passes run elsewhere (`certflow serve tick`)
    runners: int = 1  # runner processes serving the deployments (each runs flow runs as processes)
    prefect_database_url: str | None = None  # Prefect's own server on PostgreSQL (postgresql+asyncpg://…)
    processes: dict[str, subprocess.Popen] = field(default_factory=dict)
    prefect_port: int = 0
    nudge_ports: list[int] = field(default_factory=list)  # one UDP port per runner (engine/nudge.py)
    sim_port: int = 0
    _scheduler: object = None
    mark: str = field(default_factory=reaper.new_mark)  # every process of this stack carries it (certflow.reaper)
    _reaper: subprocess.Popen | None = None
    _stopping: bool = False

    @property
    def data_dir(self) -> Path:
        return self.settings.data_dir

    @property
    def logs(self) -> Path:
        return self.data_dir / "logs"

    @property
    def api_url(self) -> str:
        return f"http://127.0.0.1:{self.api_port}"

    @property
    def prefect_url(self) -> str:
        return f"http://127.0.0.1:{self.prefect_port}"

    @property
    def sim_url(self) -> str:
        return f"http://127.0.0.1:{self.sim_port}"

    @property
    def clock(self) -> str:
        return self.settings.clock

    def instance_settings(self) -> Settings:
        """The settings with the addresses this stack chose: every process of it runs on these."""
        return self.settings.replace(
            base_url=self.api_url, registry_url=self.sim_url, prefect_api_url=f"{self.prefect_url}/api",
            runner_nudge_targets=tuple(f"127.0.0.1:{port}" for port in self.nudge_ports),
        )

    def environment(self) -> dict[str, str]:
        """What every process of this instance shares (the runner's flow processes inherit it): the
        settings, as the environment each child builds them from, and Prefect's own variables."""
        prefect_home = self.data_dir / "prefect"
        return self.instance_settings().environment() | {
            "PREFECT_HOME": str(prefect_home),
            "PREFECT_SERVER_ANALYTICS_ENABLED": "false",
            "PREFECT_RUNNER_POLL_FREQUENCY": os.environ.get("PREFECT_RUNNER_POLL_FREQUENCY", "1"),
            "PREFECT_RESULTS_PERSIST_BY_DEFAULT": "true",
            "PREFECT_RESULTS_LOCAL_STORAGE_PATH": str(prefect_home / "storage"),
            "PREFECT_LOGGING_LEVEL": os.environ.get("PREFECT_LOGGING_LEVEL", "INFO"),
            "PREFECT_SERVER_LOGGING_LEVEL": "WARNING",
            "PREFECT_UI_ENABLED": "true",
            reaper.MARK: self.mark,
        }

    def _spawn(self, name: str, args: list[str], extra_env: dict[str, str] | None = None) -> subprocess.Popen:
        self.logs.mkdir(parents=True, exist_ok=True)
        env = {**os.environ, **self.environment(), **(extra_env or {})}
        out = open(self.logs / f"{name}.log", "ab")  # noqa: SIM115 - closed with the process
        proc = subprocess.Popen(
            args, env=env, stdout=out, stderr=subprocess.STDOUT, cwd=Path(__file__).parents[1], start_new_session=True
        )
        self.processes[name] = proc
        return proc

    def start(self, *, serve_api: bool = True, progress=print) -> None:
        from certflow.bootstrap import prepare

        install(self.settings)  # until the addresses are chosen (below): the clock's mode for prepare()
        prepare(self.settings)
        self.logs.mkdir(parents=True, exist_ok=True)
        self._stopping = False
        self._reaper = reaper.start(self.mark, log=self.logs / "reaper.log")  # first: the tree dies with us
        self.prefect_port, self.sim_port = free_port(), free_port()
        self.nudge_ports = [free_port(socket.SOCK_DGRAM) for _ in range(self.runners)]
        if self.api_port == 0:
            self.api_port = free_port()
        progress(f"starting the Prefect server on {self.prefect_url} …")
        # a new folder's Prefect database starts as a copy of one this Prefect version migrated before
        prefect_home = self.data_dir / "prefect"
        new_database = not self.prefect_database_url and not (prefect_home / prefect_template.DATABASE).exists()
        from_template = new_database and prefect_template.seed(prefect_home)
        server = self._spawn(
            "prefect-server",
            [
                sys.executable,
                "-m",
                "prefect",
                "server",
                "start",
                "--host",
                "127.0.0.1",
                "--port",
                str(self.prefect_port),
            ],
            {"PREFECT_API_DATABASE_CONNECTION_URL": self.prefect_database_url} if self.prefect_database_url else None,
        )
        progress(f"starting the registry SIMULATOR on {self.sim_url} …")
        sim = self._spawn(
            "simulator",
            [sys.executable, "-m", "certflow.simulator"],
            {
                "CERTFLOW_SIM_PORT": str(self.sim_port),
                "CERTFLOW_SIM_FAILURE_RATE": str(self.sim_failure_rate),
                "CERTFLOW_SIM_LATENCY_MS": str(self.sim_latency_ms),
            },
        )
        keeping = new_database and not from_template
        # the runner imports our flows while the server starts, and waits for it to answer (certflow.runner);
        # a database about to become the template is copied before the runner writes anything into it
        runner = None if keeping else self._spawn_runner(progress)
        api = self._spawn_api() if serve_api else None  # it needs neither Prefect nor the runner to start
        _wait_http(f"{self.prefect_url}/api/health", 90, "the Prefect server", server, self.logs / "prefect-server.log")
        if keeping:
            prefect_template.keep(prefect_home)  # migrated, and nothing of ours in it yet
        _wait_http(f"{self.sim_url}/_stats", 30, "the simulator", sim, self.logs / "simulator.log")
        self._wait_for_deployments(runner or self._spawn_runner(progress))
        for n in range(2, self.runners + 1):
            self._spawn(f"runner-{n}", [sys.executable, "-m", "certflow.runner"], self._runner_env(n))
        if api is not None:
            self._wait_for_api(api)
            progress(f"API and dashboard on {self.api_url}  (Prefect UI: {self.prefect_url})")

    def start_runner(self, progress=print) -> None:
        self._wait_for_deployments(self._spawn_runner(progress))

    def _spawn_runner(self, progress) -> subprocess.Popen:
        progress("starting the runner that serves the process deployments …")
        return self._spawn("runner", [sys.executable, "-m", "certflow.runner"], self._runner_env(1))

    def _runner_env(self, n: int) -> dict[str, str]:
        """Runner n's own settings: its limit, and where it hears the nudges the API and the tick send."""
        return {"CERTFLOW_RUNNER_LIMIT": str(self.settings.runner_limit),
                "CERTFLOW_RUNNER_NUDGE_ADDRESS": f"127.0.0.1:{self.nudge_ports[n - 1]}"}

    def _wait_for_deployments(self, runner: subprocess.Popen) -> None:
        deadline = time.monotonic() + 90
        while time.monotonic() < deadline:
            if runner.poll() is not None:
                raise RuntimeError(
                    f"the runner exited: {(self.logs / 'runner.log').read_text(errors='replace')[-2000:]}"
                )
            if self._deployments_ready():
                return
            time.sleep(0.5)
        raise RuntimeError("the runner did not register its deployments within 90 s")

    def _deployments_ready(self) -> bool:
        try:
            response = httpx.post(f"{self.prefect_url}/api/deployments/filter", json={"limit": 10}, timeout=5)
            names = {d["name"] for d in response.json()} if response.status_code == 200 else set()
            flows = httpx.post(f"{self.prefect_url}/api/flows/filter", json={"limit": 10}, timeout=5).json()
            return names == {"certflow"} and len(flows) >= 2 and len(response.json()) >= 2
        except (httpx.HTTPError, ValueError, TypeError):
            return False

    def stop_runner(self, *, hard: bool = False) -> None:
        proc = self.processes.pop("runner", None)
        if proc is None:
            return
        _stop(proc, hard=hard)

    def _spawn_api(self) -> subprocess.Popen:
        """The API in its own processes (one per core: the request work is Python, so a second
        process doubles what SQLite's single writer can be fed)."""
        metrics_dir = self.data_dir / "metrics"
        if metrics_dir.exists():
            for stale in metrics_dir.glob("*.db"):  # counters of a previous run's processes
                stale.unlink()
        metrics_dir.mkdir(parents=True, exist_ok=True)
        api = self._spawn(
            "api",
            [
                sys.executable,
                "-m",
                "uvicorn",
                "api.app:create_app",
                "--factory",
                "--host",
                "127.0.0.1",
                "--port",
                str(self.api_port),
                "--workers",
                str(self.settings.api_workers),
                "--log-level",
                "warning",
                "--no-access-log",
                # X-Forwarded-For is read by api.clients for configured proxies only;
                # uvicorn's default would believe it from any loopback peer
                "--no-proxy-headers",
            ],
            # only the API's workers share counters through this folder (Prefect's server
            # uses prometheus_client too, and must not)
            {"PROMETHEUS_MULTIPROC_DIR": str(metrics_dir)},
        )
        return api

    def _wait_for_api(self, api: subprocess.Popen) -> None:
        """Once the API answers, the tick starts, here, once (every process it feeds is up)."""
        from engine.tick import start_scheduler

        _wait_http(f"{self.api_url}/healthz", 60, "the API", api, self.logs / "api.log")
        if self.tick:
            # the passes run in this process: on this instance's settings (the clock finds them by database)
            self._scheduler = start_scheduler(install(self.instance_settings()))

    def dead_child(self) -> tuple[str, int, Path] | None:
        """A process of the stack that exited while nobody was stopping it: (name, exit code, its log)."""
        if self._stopping:
            return None
        for name, proc in list(self.processes.items()):
            code = proc.poll()
            if code is not None:
                return name, code, self.logs / f"{name}.log"
        return None

    def watch(self, on_death, every: float = 1.0) -> threading.Thread:
        """Call `on_death(name, code, log)` once, from a thread of its own, when a process of the stack dies."""
        def watching() -> None:
            while not self._stopping:
                died = self.dead_child()
                if died is not None:
                    on_death(*died)
                    return
                time.sleep(every)

        watcher = threading.Thread(target=watching, name="certflow-stack-watch", daemon=True)
        watcher.start()
        return watcher

    def stop(self) -> None:
        self._stopping = True
        if self._scheduler is not None:
            from engine.tick import stop_scheduler

            stop_scheduler(self._scheduler)
            self._scheduler = None
        # the runners first (no new run starts; runs in flight are the reviver's, as after a crash), then the rest
        # side by side: the whole tree is down within STOP_SECONDS, whatever ignores SIGTERM is killed then
        deadline = time.monotonic() + STOP_SECONDS
        runners = [name for name in self.processes if name == "runner" or name.startswith("runner-")]
        _stop_together([self.processes.pop(name) for name in runners], until=time.monotonic() + RUNNER_GRACE_SECONDS)
        _stop_together([self.processes.pop(name) for name in list(self.processes)], until=deadline)
        reaper.end_tree(self.mark, grace=1)  # what the processes left behind (a flow process mid-step)
        if self._reaper is not None:
            self._reaper.terminate()  # the tree is stopped: its watch has nothing left to do
            self._reaper.wait(timeout=5)
            self._reaper = None

    def __enter__(self) -> Stack:
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()


STOP_SECONDS = 8.0  # SIGTERM to the whole tree down: `certflow up` stops within 10 s of Ctrl-C or SIGTERM
RUNNER_GRACE_SECONDS = 3.0


def _stop_together(procs: list[subprocess.Popen], *, until: float, first: int = signal.SIGTERM) -> None:
    """Signal each process group at once (SIGTERM); SIGKILL those still there at `until`."""
    for proc in procs:
        if proc.poll() is None:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(proc.pid, first)
    for proc in procs:
        try:
            proc.wait(timeout=max(0.0, until - time.monotonic()))
        except subprocess.TimeoutExpired:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(proc.pid, signal.SIGKILL)
            proc.wait(timeout=5)


def _stop(proc: subprocess.Popen, *, hard: bool = False, grace: float = 10) -> None:
    """SIGTERM the process group, SIGKILL after `grace` (at once when `hard`: a crash, as the tests make one)."""
    _stop_together([proc], until=time.monotonic() + grace, first=signal.SIGKILL if hard else signal.SIGTERM)
