"""What is left of a process tree, read from /proc: the processes started for a data folder (every process of a
stack has it in its environment) and a process's children, by what they run."""

from __future__ import annotations

import time
from pathlib import Path

from certflow import reaper

PROC = Path("/proc")


def _read(path: Path) -> bytes:
    try:
        return path.read_bytes()
    except OSError:
        return b""


def of_folder(folder: Path) -> list[int]:
    """Live processes whose environment names this data folder."""
    return list(reaper.carrying("CERTFLOW_DATA_DIR", str(folder)))


def children(pid: int) -> dict[int, str]:
    """The direct children of `pid`, each with its command line."""
    found = {}
    for entry in PROC.iterdir():
        if not entry.name.isdigit():
            continue
        stat = _read(entry / "stat").decode(errors="replace")
        fields = stat.rpartition(")")[2].split()
        if len(fields) > 1 and fields[1] == str(pid):
            found[int(entry.name)] = _read(entry / "cmdline").replace(b"\0", b" ").decode(errors="replace")
    return found


def until(what: str, fact, *, timeout: float):
    """Wait on a fact (not a sleep): its first true value, or a failure naming what never happened."""
    deadline = time.monotonic() + timeout
    while True:
        value = fact()
        if value:
            return value
        if time.monotonic() > deadline:
            raise AssertionError(f"{what}: not within {timeout:.0f} s")
        time.sleep(0.2)
