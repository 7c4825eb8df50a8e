"""A burst of filings on PostgreSQL with 2 runners and 2 tick processes; in the middle of it, one
runner (with its flow processes) and the leading tick are killed with SIGKILL. Prints, at the end,
how many filings reached their first human task (受理), how many were lost, how many got a second
task or a second live flow run, and how long the standby took to lead.

Run: .venv/bin/python bench/bench_failover.py [--filings 500] [--kill-at 0.3]
"""

from __future__ import annotations

import argparse
import os
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import httpx

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench_engine import form


def _reader(process: subprocess.Popen, lines: list[str]) -> None:
    for line in process.stdout:
        lines.append(line)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--filings", type=int, default=500)
    parser.add_argument("--kill-at", type=float, default=0.3, help="kill when this share is at 受理")
    args = parser.parse_args()
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(1))  # stopped from outside: still clean up below

    from certflow.localpg import TemporaryCluster

    cluster = TemporaryCluster().start()
    folder = Path(tempfile.mkdtemp(prefix="certflow-failover-"))
    ours = cluster.create_database("certflow")
    env = {**os.environ, "CERTFLOW_DATA_DIR": str(folder), "CERTFLOW_CLOCK": "simulated",
           "CERTFLOW_DATABASE_URL": ours, "PREFECT_LOGGING_LEVEL": "WARNING",
           "CERTFLOW_STALE_RUN_SECONDS": "30", "CERTFLOW_REVIVE_SECONDS": "5"}
    port = 19000 + os.getpid() % 1000
    up = subprocess.Popen([sys.executable, "-m", "certflow.cli", "up", "--port", str(port), "--clock", "simulated",
                           "--runners", "2", "--no-tick", "--database-url", ours, "--prefect-database-url",
                           cluster.create_database("prefect").replace("+psycopg", "+asyncpg")],
                          env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    ticks: list[subprocess.Popen] = []
    try:
        up_lines: list[str] = []
        prefect_url = None
        while True:
            line = up.stdout.readline()
            if not line:
                raise SystemExit(f"certflow up exited: {''.join(up_lines[-20:])}")
            up_lines.append(line)
            if found := re.search(r"Prefect UI: (http://\S+)\)", line):
                prefect_url = found.group(1)
            if "certflow is up" in line:
                break
        threading.Thread(target=_reader, args=(up, up_lines), daemon=True).start()
        tick_env = {**env, "PREFECT_API_URL": f"{prefect_url}/api"}
        tick_lines: list[list[str]] = []
        for _ in range(2):
            tick = subprocess.Popen([sys.executable, "-m", "certflow.cli", "serve", "tick"], env=tick_env,
                                    stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
            ticks.append(tick)
            tick_lines.append([])
            threading.Thread(target=_reader, args=(tick, tick_lines[-1]), daemon=True).start()
            time.sleep(3)  # the first one leads
        leader = next(n for n, lines in enumerate(tick_lines) if any("this tick leads" in line for line in lines))
        print(
            f"2 runners, 2 ticks (tick {leader + 1} leads), PostgreSQL for ours and Prefect's; {args.filings} filings"
        )

        os.environ.update({"CERTFLOW_DATA_DIR": str(folder), "CERTFLOW_DATABASE_URL": ours})
        from sqlmodel import func, select

        from models.db import session_scope
        from models.workflow import HumanTask, OutboxMessage
        from tasks.people.accounts import create_user

        tokens = [create_user(ours, role="enterprise", name=f"burst-{n}")[1] for n in range(args.filings)]
        base = f"http://127.0.0.1:{port}"
        client = httpx.Client(base_url=base, timeout=60, limits=httpx.Limits(max_connections=50))

        def submit(n: int) -> int:
            answer = client.post("/api/v1/filings", json=form(n), headers={"Authorization": f"Bearer {tokens[n]}"})
            assert answer.status_code == 201, answer.text
            return answer.json()["id"]

        t0 = time.perf_counter()
        with ThreadPoolExecutor(50) as pool:
            ids = list(pool.map(submit, range(args.filings)))
        print(f"accepted {len(ids)} in {time.perf_counter() - t0:.1f} s")

        def at_acceptance() -> int:
            with session_scope(ours, readonly=True) as session:
                return session.exec(
                    select(func.count(func.distinct(HumanTask.case_id))).where(HumanTask.step == "acceptance")
                ).one()

        killed = False
        takeover = None
        while True:
            done = at_acceptance()
            if not killed and done >= args.kill_at * len(ids):
                runners = subprocess.run(
                    ["pgrep", "-f", "certflow.runner"], capture_output=True, text=True
                ).stdout.split()
                victim = int(sorted(runners, key=int)[-1])
                os.killpg(os.getpgid(victim), signal.SIGKILL)  # the runner and the flow processes it started
                ticks[leader].kill()
                killed, killed_at = True, time.perf_counter()
                print(f"    killed runner {victim} (with its flow processes) and the leading tick at {done}/{len(ids)}")
            if killed and takeover is None and any("this tick leads" in line for line in tick_lines[1 - leader]):
                takeover = time.perf_counter() - killed_at
                print(f"    the standby tick leads {takeover:.1f} s later")
            if done >= len(ids) or time.perf_counter() - t0 > 1800:
                break
            time.sleep(1)
        drain = time.perf_counter() - t0
        with session_scope(ours, readonly=True) as session:
            per_case = dict(
                session.exec(
                    select(HumanTask.case_id, func.count())
                    .where(HumanTask.step == "acceptance")
                    .group_by(HumanTask.case_id)
                ).all()
            )
            starts = session.exec(select(func.count()).select_from(OutboxMessage)).one()
        lost = sorted(set(ids) - set(per_case))
        doubled = [case for case, count in per_case.items() if count > 1]
        print(
            f"burst of {len(ids)}: {len(per_case)} at 受理 after {drain:.0f} s ({len(per_case) / drain:.2f} runs/s); "
            f"lost {len(lost)}, a second task {len(doubled)}; flow-run starts {starts} "
            f"({starts - len(ids)} revivals of runs killed with their runner)"
        )
    finally:
        for tick in ticks:
            if tick.poll() is None:
                tick.terminate()
        up.terminate()
        try:
            up.wait(timeout=60)
        except subprocess.TimeoutExpired:
            up.kill()
        for tick in ticks:
            try:
                tick.wait(timeout=30)
            except subprocess.TimeoutExpired:
                tick.kill()
        cluster.stop()
        shutil.rmtree(folder, ignore_errors=True)


if __name__ == "__main__":
    main()
