"""The README's first hour, run as written on a fresh data folder: `certflow up` on the simulated clock says
where everything is and, with no user yet, how to make one; `users sample` prints logins that open the
dashboard; `clock advance` and `clock show` move and read the instance's clock."""

from __future__ import annotations

import os
import re
import shlex
import signal
import subprocess
import time
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parents[2]
TRY_FOLDER = "~/certflow-try"


def first_hour_commands() -> list[str]:
    section = (ROOT / "README.md").read_text(encoding="utf-8").split("## Your first hour", 1)[1].split("\n## ", 1)[0]
    block = section.split("```bash\n", 1)[1].split("```", 1)[0]
    return [line for line in block.splitlines() if line.strip()]


def _until(what: str, probe, *, timeout: float, process: subprocess.Popen, log: Path):
    """Polls for a fact; a process that died first, or the deadline, fails with its output."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        found = probe()
        if found:
            return found
        if process.poll() is not None:
            raise AssertionError(f"{what}: the process exited ({process.returncode}):\n{log.read_text()}")
        time.sleep(0.25)
    raise AssertionError(f"{what}: not within {timeout} s:\n{log.read_text()}")


def _argv(command: str, folder: Path) -> list[str]:
    return shlex.split(command.replace(TRY_FOLDER, str(folder)))


def test_the_readmes_first_hour_commands_work_as_written(tmp_path):
    folder = tmp_path / "certflow-try"
    up, sample, advance, show = first_hour_commands()
    assert up.startswith(".venv/bin/certflow up --clock simulated") and "users sample" in sample
    log = tmp_path / "up.out"
    with log.open("w") as out:  # port 0: any free one (the README's 8000 may be taken on a test machine)
        instance = subprocess.Popen([*_argv(up, folder), "--port", "0"], cwd=ROOT, stdout=out,
                                    stderr=subprocess.STDOUT, start_new_session=True,
                                    env={**os.environ, "PREFECT_LOGGING_LEVEL": "WARNING"})
    try:
        said = _until("certflow up to say it is up", lambda: "move the simulated clock" in log.read_text()
                      and log.read_text(), timeout=240, process=instance, log=log)
        base = re.search(r"public pages\s+(http://127\.0\.0\.1:\d+)/", said).group(1)
        assert "no user exists yet" in said
        assert f"certflow users sample --province guangdong --data-dir {folder}" in said

        printed = subprocess.run(_argv(sample, folder), cwd=ROOT, capture_output=True, text=True, timeout=120)
        assert printed.returncode == 0, printed.stderr
        logins = {row[0]: row for row in (line.split() for line in printed.stdout.splitlines()[2:])}
        assert set(logins) >= {"guangdong-admin", "guangdong-province", "guangdong-city", "guangdong-city2",
                               "guangdong-expert1", "guangdong-expert2", "guangdong-expert3",
                               "guangdong-supervisor", "guangdong-ops", "guangdong-enterprise"}
        _, password, role, centre, token, *_ = logins["guangdong-city"]
        assert (role, centre) == ("officer", "440100")
        with httpx.Client(base_url=base, timeout=30) as browser_like:
            form = browser_like.get("/dashboard/login")
            csrf = re.search(r'name="csrf" value="([^"]+)"', form.text).group(1)
            answer = browser_like.post("/dashboard/login", data={"name": "guangdong-city", "password": password,
                                                                 "csrf": csrf})
            assert answer.status_code == 303 and answer.headers["location"] == "/dashboard"
            inbox = browser_like.get("/dashboard/inbox")
            assert inbox.status_code == 200 and "guangdong-city" in inbox.text
            assert browser_like.get("/api/v1/tasks", headers={"Authorization": f"Bearer {token}"}).status_code == 200

        moved = subprocess.run(_argv(advance, folder), cwd=ROOT, capture_output=True, text=True, timeout=60)
        assert moved.returncode == 0 and "business time 2026-09-08 09:00" in moved.stdout, moved.stderr
        shown = subprocess.run(_argv(show, folder), cwd=ROOT, capture_output=True, text=True, timeout=60)
        assert "business time 2026-09-08 09:00" in shown.stdout
        admin_token = logins["guangdong-admin"][4]
        clock = httpx.get(f"{base}/api/v1/admin/clock", headers={"Authorization": f"Bearer {admin_token}"}).json()
        assert clock["business_now"].startswith("2026-09-08T09:00") and clock["mode"] == "simulated"
    finally:
        instance.send_signal(signal.SIGTERM)
        try:
            instance.wait(timeout=60)
        except subprocess.TimeoutExpired:
            os.killpg(instance.pid, signal.SIGKILL)
            raise
