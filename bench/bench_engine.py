"""Engine benchmarks on `certflow up` as a separate process: the embedded default (SQLite), or with
our tables and Prefect's server on a temporary PostgreSQL server, with one or more runners.

  (b) filings accepted by the API per second from 50 concurrent submitters (and errors)
  (c) a burst of N filings: every one reaches its first human task (Guangdong's 市人社部门推荐意见, in the
      city centre's inbox), none lost or doubled; drain time
  (a) the city officer's recommendation → the flow reaching its next step (受理 at the provincial centre),
      p50/p99 over M decisions

Run: .venv/bin/python bench/bench_engine.py [--filings 500] [--decisions 50] [--clients 50]
                                            [--database sqlite|postgresql] [--runners 1|2] [--json FILE]

--json writes the figures (and the commit, the configuration and a CPU probe of the machine at the time) for
bench/compare_engine.py, which runs two commits back to back and prints the ratios.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import httpx

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from harness import CpuAccount, account_line, percentile

from policy.identity import credit_code_check_char

MATERIALS = ["business_licence", "hr_system", "education_fund", "evaluation_rules", "staff_roster", "venue_equipment"]


def credit_code(n: int) -> str:
    first17 = f"91440106MA{n:07d}"
    return first17 + credit_code_check_char(first17)


def form(n: int) -> dict:
    return {"enterprise_name": f"基准企业{n}", "credit_code": credit_code(n), "region_code": "440106",
            "registered_address": "基准路", "registered_capital_wan": 100, "ownership": "private", "employees": 400,
            "contact_name": "联系人", "contact_phone": "13800138000",
            "occupations": [{"code": "6-18-01-01", "levels": [4]}], "materials": [{"kind": k} for k in MATERIALS]}


def commit() -> str:
    done = subprocess.run(["git", "rev-parse", "--short", "HEAD"], capture_output=True, text=True,
                          cwd=Path(__file__).resolve().parents[1])
    return done.stdout.strip() or "unknown"


def cpu_probe() -> float:
    """Seconds of one pure-Python loop: how fast this (shared) machine is right now, so that two runs' figures
    are compared knowing whether the machine itself changed between them."""
    started = time.perf_counter()
    sum(i * i for i in range(10**7))
    return time.perf_counter() - started


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--filings", type=int, default=500)
    parser.add_argument("--decisions", type=int, default=50)
    parser.add_argument("--clients", type=int, default=50)
    parser.add_argument("--database", choices=("sqlite", "postgresql"), default="sqlite",
                        help="postgresql: our tables and Prefect's server on a temporary PostgreSQL server")
    parser.add_argument("--runners", type=int, default=1, help="runner processes")
    parser.add_argument("--keep", action="store_true", help="keep the data folder")
    parser.add_argument("--json", metavar="FILE", help="also write the figures to FILE (bench/compare_engine.py)")
    args = parser.parse_args()
    figures: dict = {"commit": commit(), "database": args.database, "runners": args.runners, "filings": args.filings,
                     "decisions": args.decisions, "clients": args.clients, "cpu_probe_s": cpu_probe()}

    folder = Path(tempfile.mkdtemp(prefix="certflow-bench-"))
    port = 18000 + os.getpid() % 1000
    env = {**os.environ, "CERTFLOW_DATA_DIR": str(folder), "CERTFLOW_CLOCK": "simulated",
           "PREFECT_LOGGING_LEVEL": "WARNING"}
    command = [sys.executable, "-m", "certflow.cli", "up", "--port", str(port), "--clock", "simulated",
               "--runners", str(args.runners)]
    cluster = None
    if args.database == "postgresql":
        from certflow.localpg import TemporaryCluster

        cluster = TemporaryCluster().start()
        env["CERTFLOW_DATABASE_URL"] = cluster.create_database("certflow")
        command += ["--database-url", env["CERTFLOW_DATABASE_URL"], "--prefect-database-url",
                    cluster.create_database("prefect").replace("+psycopg", "+asyncpg")]
    print(f"configuration: {args.database}, {args.runners} runner(s), {args.filings} filings, "
          f"{args.decisions} decisions, {os.cpu_count()} cores")
    up = subprocess.Popen(command, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    base = f"http://127.0.0.1:{port}"
    try:
        started = time.monotonic()
        while True:
            line = up.stdout.readline()
            if not line:
                raise SystemExit(f"certflow up exited: {up.wait()}")
            if "certflow is up" in line:
                break
        print(f"embedded instance up in {time.monotonic() - started:.1f} s ({folder})")
        cpu = CpuAccount(folder, up.pid)
        log = open(folder / "up.log", "w")  # noqa: SIM115
        threading.Thread(target=lambda: [log.write(line) or log.flush() for line in up.stdout], daemon=True).start()

        os.environ["CERTFLOW_DATA_DIR"] = str(folder)
        if cluster is not None:
            os.environ["CERTFLOW_DATABASE_URL"] = env["CERTFLOW_DATABASE_URL"]
        from core.settings import Settings
        from tasks.people.accounts import create_user

        url = Settings.from_env().database_url
        tokens = [create_user(url, role="enterprise", name=f"bench-enterprise-{n}")[1] for n in range(args.filings)]
        officer = create_user(url, role="officer", name="bench-officer", jurisdiction="440100")[1]
        for n in range(3):
            create_user(url, role="expert", name=f"bench-expert-{n}")

        # (b) + (c): the burst, from concurrent submitters
        latencies: list[float] = []
        errors: list[str] = []
        client = httpx.Client(base_url=base, timeout=60, limits=httpx.Limits(max_connections=args.clients))

        def submit(n: int) -> int | None:
            t0 = time.perf_counter()
            response = client.post("/api/v1/filings", json=form(n), headers={"Authorization": f"Bearer {tokens[n]}"})
            latencies.append(time.perf_counter() - t0)
            if response.status_code != 201:
                errors.append(f"{response.status_code} {response.text[:120]}")
                return None
            return response.json()["id"]

        cpu.mark("before the burst")
        t0 = time.perf_counter()
        with ThreadPoolExecutor(args.clients) as pool:
            ids = [i for i in pool.map(submit, range(args.filings)) if i is not None]
        accept_seconds = time.perf_counter() - t0
        figures |= {"intake_per_s": len(ids) / accept_seconds, "intake_p50_ms": percentile(latencies, 50) * 1000,
                    "intake_p99_ms": percentile(latencies, 99) * 1000, "intake_errors": len(errors)}
        print(f"(b) POST /filings: {len(ids)} accepted in {accept_seconds:.2f} s = {len(ids) / accept_seconds:.1f}/s "
              f"from {args.clients} concurrent clients; p50 {percentile(latencies, 50) * 1000:.0f} ms, "
              f"p99 {percentile(latencies, 99) * 1000:.0f} ms; errors: {len(errors)} {errors[:3]}")

        auth = {"Authorization": f"Bearer {officer}"}

        def first_tasks() -> dict[int, list[int]]:
            found: dict[int, list[int]] = {}
            cursor = None
            while True:
                params = {"step": "city_recommendation", "limit": 500, **({"cursor": cursor} if cursor else {})}
                page = client.get("/api/v1/tasks", params=params, headers=auth).json()
                for task in page["items"]:
                    found.setdefault(task["case_id"], []).append(task["id"])
                cursor = page["next_cursor"]
                if not cursor:
                    return found

        last_report = 0.0
        while True:
            tasks = first_tasks()
            done = len(tasks)
            if time.perf_counter() - last_report > 15:
                print(f"    … {done}/{len(ids)} filings at their first human task "
                      f"after {time.perf_counter() - t0:.0f} s")
                last_report = time.perf_counter()
            if done >= len(ids) or time.perf_counter() - t0 > 3600:
                break
            time.sleep(1)
        drain = time.perf_counter() - t0
        cpu.mark("drained")
        doubled = [case for case, task_ids in tasks.items() if len(task_ids) > 1]
        lost = sorted(set(ids) - set(tasks))
        figures |= {"drain_runs_per_s": len(ids) / drain, "drain_s": drain, "lost": len(lost), "doubled": len(doubled)}
        print(
            f"(c) burst of {len(ids)} filings: all at 市推荐 after {drain:.0f} s "
            f"({len(ids) / drain:.2f} runs/s); lost {len(lost)}, doubled {len(doubled)}"
        )
        burst = cpu.phase("drained", "before the burst")
        figures |= {"burst_core_s_per_filing": sum(burst.values()) / len(ids)}
        print(f"    CPU, intake and drain: {account_line(burst, len(ids), 'filing')}")

        # (a) decision → next step, one at a time so each latency is its own
        waits: list[float] = []
        for case_id in ids[: args.decisions]:
            task_id = tasks[case_id][0]
            assert client.post(f"/api/v1/tasks/{task_id}/claim", headers=auth).status_code == 200
            t1 = time.perf_counter()  # from the decision (the claim is the officer opening the task)
            response = client.post(f"/api/v1/tasks/{task_id}/decision", json={"decision": "recommend"}, headers=auth)
            assert response.status_code == 200, response.text
            while client.get(f"/api/v1/filings/{case_id}", headers=auth).json()["status"] != "in_acceptance":
                time.sleep(0.05)
            waits.append(time.perf_counter() - t1)
        cpu.mark("decided")
        steps = cpu.phase("decided", "drained")
        figures |= {"decision_p50_s": percentile(waits, 50), "decision_p99_s": percentile(waits, 99),
                    "decision_max_s": max(waits), "decision_core_s_per_step": sum(steps.values()) / len(waits)}
        print(
            f"(a) decision → next step over {len(waits)} decisions: p50 {percentile(waits, 50):.2f} s, "
            f"p99 {percentile(waits, 99):.2f} s, max {max(waits):.2f} s"
        )
        print(f"    CPU, decision to next step (with the bench's polling of the API): "
              f"{account_line(steps, len(waits), 'step')}")
        cpu.stop()
        if args.json:
            Path(args.json).write_text(json.dumps(figures, indent=2) + "\n", encoding="utf-8")
            print(f"figures written to {args.json}")
    finally:
        up.terminate()
        try:
            up.wait(timeout=60)
        except subprocess.TimeoutExpired:
            up.kill()
        if cluster is not None:
            cluster.stop()
        if not args.keep:
            shutil.rmtree(folder, ignore_errors=True)


if __name__ == "__main__":
    main()
