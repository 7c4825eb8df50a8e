"""What the benchmarks share: a fresh data folder, the API as `certflow up` runs it, percentiles."""

from __future__ import annotations

import contextlib
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))


def percentile(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(p / 100 * (len(ordered) - 1))))]


@contextlib.contextmanager
def fresh_instance(prefix: str) -> Iterator:
    """A prepared data folder on a simulated clock (removed afterwards); yields the Settings."""
    folder = Path(tempfile.mkdtemp(prefix=f"certflow-{prefix}-"))
    os.environ.update({"CERTFLOW_DATA_DIR": str(folder), "CERTFLOW_CLOCK": "simulated"})
    from certflow.bootstrap import prepare
    from core.settings import Settings, install

    settings = install(Settings.from_env())  # the process's settings (the clock finds them)
    prepare(settings)
    try:
        yield settings
    finally:
        shutil.rmtree(folder, ignore_errors=True)


@contextlib.contextmanager
def running_api(workers: int = 2) -> Iterator[str]:
    """The API on a free port (uvicorn, `workers` processes, as `certflow up` runs it); yields its URL."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    api = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "uvicorn",
            "api.app:create_app",
            "--factory",
            "--port",
            str(port),
            "--workers",
            str(workers),
            "--log-level",
            "warning",
            "--no-access-log",
            "--no-proxy-headers",
        ],
        env=dict(os.environ),
        cwd=ROOT,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        for _ in range(120):
            try:
                if httpx.get(f"{base}/healthz", timeout=1).status_code == 200:
                    break
            except httpx.HTTPError:
                time.sleep(0.25)
        yield base
    finally:
        api.terminate()
        api.wait(timeout=30)


class CpuAccount:
    """Where an instance's CPU goes, by kind of process: every process of its data folder (and the root, where
    the tick runs) is read from /proc ten times a second, each keeping the most it was seen to have used (a flow
    process lives a second or two: the last reading before it exits is what it used, less at most 0.1 s).
    `mark(name)` closes a phase; `phase(name)` is what each kind used in it, in core-seconds."""

    KINDS = (("forkserver", "flow processes"), ("certflow.runner", "runner"), ("prefect", "Prefect server"),
             ("uvicorn", "API"), ("multiprocessing", "API"), ("certflow.simulator", "simulator"),
             ("certflow.reaper", "reaper"))

    def __init__(self, folder: Path, root_pid: int, every: float = 0.1) -> None:
        import threading

        self.needle, self.root, self.every = f"CERTFLOW_DATA_DIR={folder}".encode(), root_pid, every
        self.used: dict[int, tuple[str, float]] = {}
        self.marks: dict[str, dict[str, float]] = {"start": {}}
        self._stop = threading.Event()
        self._tick = os.sysconf("SC_CLK_TCK")
        self._thread = threading.Thread(target=self._watch, daemon=True)
        self._thread.start()

    def _kind(self, pid: int, command: str, parent_command: str) -> str:
        if pid == self.root:
            return "certflow up (tick)"
        if "forkserver" in command and "forkserver" not in parent_command:
            return "runner's forkserver"
        return next((kind for key, kind in self.KINDS if key in command), "other")

    def _read(self) -> None:
        commands, usage = {}, {}
        for entry in os.listdir("/proc"):
            if not entry.isdigit():
                continue
            pid = int(entry)
            try:
                if pid != self.root and self.needle not in Path(f"/proc/{pid}/environ").read_bytes().split(b"\0"):
                    continue
                commands[pid] = Path(f"/proc/{pid}/cmdline").read_bytes().replace(b"\0", b" ").decode("utf-8",
                                                                                                    "replace")
                fields = Path(f"/proc/{pid}/stat").read_text().rpartition(")")[2].split()
            except OSError:
                continue
            usage[pid] = (int(fields[1]), (int(fields[11]) + int(fields[12])) / self._tick)
        for pid, (parent, seconds) in usage.items():
            kind = self._kind(pid, commands[pid], commands.get(parent, ""))
            self.used[pid] = (kind, max(seconds, self.used.get(pid, (kind, 0.0))[1]))

    def _watch(self) -> None:
        while not self._stop.wait(self.every):
            self._read()

    def totals(self) -> dict[str, float]:
        found: dict[str, float] = {}
        for kind, seconds in self.used.values():
            found[kind] = found.get(kind, 0.0) + seconds
        return found

    def mark(self, name: str) -> None:
        self._read()
        self.marks[name] = self.totals()

    def phase(self, name: str, since: str) -> dict[str, float]:
        after, before = self.marks[name], self.marks[since]
        return {kind: after[kind] - before.get(kind, 0.0) for kind in after if after[kind] - before.get(kind, 0.0) > 0}

    def stop(self) -> None:
        self._stop.set()
        self._thread.join()


def account_line(spent: dict[str, float], per: int, unit: str) -> str:
    total = sum(spent.values())
    parts = ", ".join(f"{kind} {seconds / per:.2f}" for kind, seconds in sorted(spent.items(), key=lambda kv: -kv[1]))
    return f"{total / per:.2f} core-s per {unit} ({parts})"
