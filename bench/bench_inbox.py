"""GET /api/v1/tasks (the inbox) with 100,000 tasks in the database: requests/s and latency.

The API runs as `certflow up` runs it (uvicorn, 2 workers, SQLite); 100,000 open tasks are spread
over 20 cities of Guangdong and Jiangsu; a provincial officer (440000) and a city officer (440300)
page through their inboxes from 20 concurrent clients.

Run: .venv/bin/python bench/bench_inbox.py [--tasks 100000] [--requests 2000] [--clients 20]
"""

from __future__ import annotations

import argparse
import datetime as dt
import time
from concurrent.futures import ThreadPoolExecutor

import httpx
from harness import fresh_instance, percentile, running_api


def seed(url: str, count: int) -> None:
    from sqlalchemy import insert

    from models.db import get_engine
    from models.workflow import HumanTask

    cities = [f"44{c:02d}00" for c in range(1, 11)] + [f"32{c:02d}00" for c in range(1, 11)]
    steps = ["acceptance", "objection_investigation", "results_review"]
    now = dt.datetime.now(dt.UTC)
    rows = [{"key": f"bench:{n}", "case_type": "filing", "case_id": n, "step": steps[n % 3], "role": "officer",
             "jurisdiction": cities[n % 20][:4] + f"{(n // 20) % 10:02d}", "status": "open",
             "created_on": dt.date(2026, 9, 1), "due_working_days": 5,
             "due_date": dt.date(2026, 9, 1) + dt.timedelta(days=n % 40), "due_provisional": False,
             "version": 0, "created_at": now, "start_day_counts": False} for n in range(count)]
    with get_engine(url).begin() as connection:
        for start in range(0, count, 5000):
            connection.execute(insert(HumanTask), rows[start:start + 5000])


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--tasks", type=int, default=100_000)
    parser.add_argument("--requests", type=int, default=2000)
    parser.add_argument("--clients", type=int, default=20)
    args = parser.parse_args()

    with fresh_instance("inbox") as settings:
        from tasks.people.accounts import create_user

        t0 = time.perf_counter()
        seed(settings.database_url, args.tasks)
        print(f"seeded {args.tasks:,} open tasks in {time.perf_counter() - t0:.1f} s")
        officers = {code: create_user(settings.database_url, role="officer", name=f"bench-{code}",
                                      jurisdiction=code)[1] for code in ("440000", "440300")}
        with running_api() as base:
            client = httpx.Client(base_url=base, timeout=30, limits=httpx.Limits(max_connections=args.clients))
            for code, token in officers.items():
                measure(client, code, token, args.requests, args.clients)


def measure(client: httpx.Client, code: str, token: str, requests: int, clients: int) -> None:
    headers = {"Authorization": f"Bearer {token}"}
    first = client.get("/api/v1/tasks", params={"limit": 50}, headers=headers).json()
    cursors = [None, first["next_cursor"]]
    latencies: list[float] = []

    def one(n: int) -> int:
        params = {"limit": 50, **({"cursor": cursors[n % 2]} if cursors[n % 2] else {})}
        started = time.perf_counter()
        status = client.get("/api/v1/tasks", params=params, headers=headers).status_code
        latencies.append(time.perf_counter() - started)
        return status

    started = time.perf_counter()
    with ThreadPoolExecutor(clients) as pool:
        statuses = list(pool.map(one, range(requests)))
    elapsed = time.perf_counter() - started
    print(f"GET /tasks as officer {code} (page of 50): {requests / elapsed:.0f} requests/s, "
          f"p50 {percentile(latencies, 50) * 1000:.0f} ms, p99 {percentile(latencies, 99) * 1000:.0f} ms, "
          f"non-200: {sum(s != 200 for s in statuses)}")

if __name__ == "__main__":
    main()
