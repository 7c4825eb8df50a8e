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
