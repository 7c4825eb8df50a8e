"""The watch that takes a process tree down with its root, however the root dies (a SIGKILL from a script's
timeout included): `certflow up`, `certflow demo` and `certflow serve` start it first; it waits for its parent
to go away, then ends every process that carries the tree's mark in its environment — the Prefect server, the
runner and its flow processes, the simulator, the API's uvicorn workers, whatever they started meanwhile —
SIGTERM first, SIGKILL after a grace.

A mark in the environment, rather than process groups or the kernel's parent-death signal, because the
descendants are started by code that is not ours (uvicorn's workers, Prefect's server and runner) and may open
sessions of their own, and because PR_SET_PDEATHSIG fires when the *thread* that started a child ends, which
in a threaded server is not the parent's death.
"""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from pathlib import Path

MARK = "CERTFLOW_TREE"  # the environment variable every process of one tree inherits
POLL_SECONDS = 0.25
GRACE_SECONDS = 6.0  # SIGTERM to SIGKILL: the whole tree is gone within 10 s of its root


def new_mark() -> str:
    return uuid.uuid4().hex


def marked(mark: str) -> Iterator[int]:
    """The processes of this user whose environment carries `mark` (not this one)."""
    return carrying(MARK, mark)


def carrying(variable: str, value: str, *, proc: Path = Path("/proc")) -> Iterator[int]:
    """The live processes of this user whose environment has `variable` set to `value` (not this one; a zombie's
    environment reads empty)."""
    needle = f"{variable}={value}".encode()
    for entry in proc.iterdir():
        if not entry.name.isdigit() or int(entry.name) == os.getpid():
            continue
        try:
            if needle in (entry / "environ").read_bytes().split(b"\0"):
                yield int(entry.name)
        except OSError:  # gone meanwhile, or another user's
            continue


def end_tree(mark: str, *, grace: float = GRACE_SECONDS) -> int:
    """SIGTERM every marked process, SIGKILL what is left after `grace`; returns how many there were."""
    found = set(marked(mark))
    for pid in found:
        _signal(pid, signal.SIGTERM)
    deadline = time.monotonic() + grace
    while time.monotonic() < deadline:
        if not any(True for _ in marked(mark)):
            return len(found)
        time.sleep(0.1)
    for _ in range(3):  # what a dying process started meanwhile is marked too
        left = set(marked(mark))
        if not left:
            break
        for pid in left:
            _signal(pid, signal.SIGKILL)
        time.sleep(0.2)
    return len(found)


def _signal(pid: int, signum: int) -> None:
    with contextlib.suppress(ProcessLookupError):
        os.kill(pid, signum)


def start(mark: str, *, log: Path | None = None) -> subprocess.Popen:
    """The watch of the calling process, as a process of its own session (a signal to the caller's group does
    not reach it) and without the mark (it must not end itself)."""
    env = {key: value for key, value in os.environ.items() if key != MARK}
    out = open(log, "ab") if log is not None else subprocess.DEVNULL  # noqa: SIM115 - the watch's own log
    return subprocess.Popen([sys.executable, "-m", "certflow.reaper", str(os.getpid()), mark], env=env,
                            stdout=out, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL, start_new_session=True)


def main(argv: list[str]) -> int:
    parent, mark = int(argv[0]), argv[1]
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))  # the root stopped its tree itself: nothing to do
    while os.getppid() == parent:  # reparented: the root is gone, however it went
        time.sleep(POLL_SECONDS)
    ended = end_tree(mark)
    print(f"certflow.reaper: the root {parent} is gone; ended {ended} process(es) of its tree", flush=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
