"""`certflow up`'s process tree dies with it, however it dies (issue 30): SIGKILL of the root leaves no process of
its data folder (its watch, certflow.reaper, ends them); SIGTERM stops the whole tree; a child that dies on its own
— the Prefect server, the runner, the simulator, the API — stops `certflow up` with one line naming it and its log,
and a non-zero exit. Facts are waited on (generous bounds); the seconds it took are printed, not asserted."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from tests.process_tree import children, of_folder, until

ROOT = Path(__file__).resolve().parents[2]
CHILDREN = {"prefect-server": "prefect server start", "runner": "certflow.runner", "simulator": "certflow.simulator",
            "api": "uvicorn api.app"}


def _up(folder: Path, log: Path) -> subprocess.Popen:
    env = {k: v for k, v in os.environ.items() if k not in ("CERTFLOW_DATA_DIR", "CERTFLOW_DATABASE_URL")}
    with log.open("w") as out:
        up = subprocess.Popen([sys.executable, "-m", "certflow.cli", "up", "--port", "0", "--data-dir", str(folder)],
                              cwd=ROOT, stdout=out, stderr=subprocess.STDOUT, start_new_session=True,
                              env={**env, "PREFECT_LOGGING_LEVEL": "WARNING"})
    until("certflow up to say it is up", lambda: "certflow is up" in log.read_text() or up.poll() is not None,
          timeout=240)
    assert up.poll() is None, log.read_text()[-3000:]
    return up


def _child(up: subprocess.Popen, name: str) -> int:
    [pid] = [pid for pid, command in children(up.pid).items() if CHILDREN[name] in command]
    return pid


def _cleanup(up: subprocess.Popen, folder: Path) -> None:
    if up.poll() is None:
        up.kill()
    for pid in of_folder(folder):
        os.kill(pid, signal.SIGKILL)


def test_certflow_up_killed_with_sigkill_leaves_no_process_of_its_folder(tmp_path):
    folder = tmp_path / "instance"
    up = _up(folder, tmp_path / "up.out")
    try:
        assert {name for name in CHILDREN if _child(up, name)} == set(CHILDREN)
        assert len(of_folder(folder)) >= 5  # the four and the API's workers
        started = time.monotonic()
        up.kill()
        up.wait()
        until("no process of the folder left", lambda: of_folder(folder) == [], timeout=60)
        print(f"tree gone {time.monotonic() - started:.1f} s after SIGKILL of its root")
    finally:
        _cleanup(up, folder)


def test_sigterm_stops_certflow_up_and_its_whole_tree(tmp_path):
    folder = tmp_path / "instance"
    up = _up(folder, tmp_path / "up.out")
    try:
        started = time.monotonic()
        up.send_signal(signal.SIGTERM)
        assert up.wait(timeout=60) == 0
        until("no process of the folder left", lambda: of_folder(folder) == [], timeout=30)
        print(f"stopped {time.monotonic() - started:.1f} s after SIGTERM")
    finally:
        _cleanup(up, folder)


@pytest.mark.parametrize("name", list(CHILDREN))
def test_a_child_that_dies_stops_certflow_up_with_one_line_naming_it_and_its_log(tmp_path, name):
    folder, log = tmp_path / "instance", tmp_path / "up.out"
    up = _up(folder, log)
    try:
        os.kill(_child(up, name), signal.SIGKILL)
        assert up.wait(timeout=60) == 1
        said = [line for line in log.read_text().splitlines() if line.startswith("certflow up:")]
        assert said == [f"certflow up: {name} stopped on its own (exit code -9); everything else was stopped — "
                        f"see {folder / 'logs' / f'{name}.log'}"]
        until("no process of the folder left", lambda: of_folder(folder) == [], timeout=30)
    finally:
        _cleanup(up, folder)
