"""The dashboard's inbox page (server-rendered HTML) with 10,000 open tasks in the officer's
jurisdiction: render time per page, p50/p99.

The API runs as `certflow up` runs it (uvicorn, 2 workers, SQLite). The database holds
--tasks open tasks in Guangzhou (440100, the officer's jurisdiction) on as many filings, plus
--others open tasks elsewhere; the officer logs in through the login form, then 10 concurrent
clients load the first page, pages further down (by the keyset cursor) and a step filter.

Run: .venv/bin/python bench/bench_dashboard.py [--tasks 10000] [--others 40000] [--requests 600]
"""

from __future__ import annotations

import argparse
import datetime as dt
import re
import time
from concurrent.futures import ThreadPoolExecutor

import httpx
from harness import fresh_instance, percentile, running_api

PASSWORD = "bench-password"


def seed(url: str, mine: int, others: int) -> None:
    from sqlalchemy import insert

    from models.cases import FilingApplication, Institution
    from models.db import get_engine, session_scope
    from models.workflow import HumanTask

    now = dt.datetime.now(dt.UTC)
    with session_scope(url) as session:
        institution = Institution(name="基准测试企业", credit_code="91440101MA5900000X", region_code="440106",
                                  profile_code="guangdong", created_at=now)
        session.add(institution)
        session.flush()
        institution_id = institution.id
    steps = ["acceptance", "objection_investigation", "results_review"]
    filings = [{"institution_id": institution_id, "profile_code": "guangdong", "region_code": "440106",
                "form": {"enterprise_name": f"广州基准企业{n:05d}有限公司"}, "status": "in_acceptance",
                "current_step": "acceptance", "created_at": now, "updated_at": now} for n in range(mine)]
    tasks = [{"key": f"bench:{n}", "case_type": "filing", "case_id": n + 1, "step": steps[n % 3], "role": "officer",
              "jurisdiction": f"4401{n % 20:02d}" if n < mine else f"{32 + n % 3}0{n % 9 + 1}00", "status": "open",
              "created_on": dt.date(2026, 9, 1), "due_working_days": 5,
              "due_date": dt.date(2026, 9, 1) + dt.timedelta(days=n % 60), "due_provisional": n % 7 == 0,
              "version": 0, "created_at": now, "start_day_counts": False} for n in range(mine + others)]
    with get_engine(url).begin() as connection:
        for start in range(0, len(filings), 5000):
            connection.execute(insert(FilingApplication), filings[start:start + 5000])
        for start in range(0, len(tasks), 5000):
            connection.execute(insert(HumanTask), tasks[start:start + 5000])


def log_in(client: httpx.Client, name: str) -> None:
    page = client.get("/dashboard/login").text
    csrf = re.search(r'name="csrf" value="([^"]+)"', page).group(1)
    answer = client.post("/dashboard/login", data={"name": name, "password": PASSWORD, "csrf": csrf})
    assert answer.status_code == 303, answer.text


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--tasks", type=int, default=10_000)
    parser.add_argument("--others", type=int, default=40_000)
    parser.add_argument("--requests", type=int, default=600)
    parser.add_argument("--clients", type=int, default=10)
    args = parser.parse_args()

    with fresh_instance("dashboard") as settings:
        from tasks.people.accounts import create_user

        t0 = time.perf_counter()
        seed(settings.database_url, args.tasks, args.others)
        print(f"seeded {args.tasks:,} open tasks in 440100 and {args.others:,} elsewhere "
              f"in {time.perf_counter() - t0:.1f} s")
        create_user(settings.database_url, role="officer", name="bench-guangzhou", jurisdiction="440100",
                    password=PASSWORD)
        with running_api() as base:
            client = httpx.Client(base_url=base, timeout=30, limits=httpx.Limits(max_connections=args.clients))
            log_in(client, "bench-guangzhou")
            measure(client, args.tasks, args.requests, args.clients)


def measure(client: httpx.Client, tasks: int, requests: int, clients: int) -> None:
    first = client.get("/dashboard/inbox")
    assert f"共 {tasks} 项" in first.text, "the inbox does not show the seeded tasks"
    deep, page = [], first.text  # cursors of pages 2..20, followed as a person would click 下一页
    for _ in range(19):
        found = re.search(r'href="(/dashboard/inbox\?[^"]*after=[^"]+)"', page)
        if not found:
            break
        deep.append(found.group(1).replace("&amp;", "&"))
        page = client.get(deep[-1]).text
    kinds = {"first page": ["/dashboard/inbox"], "pages 2-20 (cursor)": deep,
             "filtered by step (受理)": ["/dashboard/inbox?step=acceptance"]}
    for kind, urls in kinds.items():
        latencies: list[float] = []

        def one(n: int, urls: list[str] = urls, latencies: list[float] = latencies) -> int:
            started = time.perf_counter()
            response = client.get(urls[n % len(urls)])
            latencies.append(time.perf_counter() - started)
            return response.status_code

        started = time.perf_counter()
        with ThreadPoolExecutor(clients) as pool:
            statuses = list(pool.map(one, range(requests)))
        elapsed = time.perf_counter() - started
        print(f"GET inbox, {kind:<24}: p50 {percentile(latencies, 50) * 1000:5.0f} ms, "
              f"p99 {percentile(latencies, 99) * 1000:5.0f} ms, {requests / elapsed:4.0f} pages/s "
              f"({clients} clients), non-200: {sum(s != 200 for s in statuses)}")
    single = []
    for _ in range(50):
        started = time.perf_counter()
        client.get("/dashboard/inbox")
        single.append(time.perf_counter() - started)
    print(f"GET inbox, one client at a time      : p50 {percentile(single, 50) * 1000:5.0f} ms, "
          f"p99 {percentile(single, 99) * 1000:5.0f} ms")

if __name__ == "__main__":
    main()
