"""The dashboard's inbox page (server-rendered HTML) with 10,000 open tasks in the officer's
jurisdiction, and its case search (案件查询) over 100,000 cases: render time per page, p50/p99.

The API runs as `certflow up` runs it (uvicorn, 2 workers, SQLite). The database holds
--tasks open tasks in Guangzhou (440100, the officer's jurisdiction) on as many filings, plus
--others open tasks elsewhere; the officer logs in through the login form, then 10 concurrent
clients load the first page, pages further down (by the keyset cursor) and a step filter. Then
--cases filings in all (one institution each, a fifth of them in Guangzhou) are searched as the officer
types: a part of a name, a credit code, a case id, and the plain case list.

Run: .venv/bin/python bench/bench_dashboard.py [--tasks 10000] [--others 40000] [--cases 100000] [--requests 600]
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


def credit_code(n: int) -> str:
    from policy.identity import credit_code_check_char

    first17 = f"91440101MA{n:07d}"
    return first17 + credit_code_check_char(first17)


def seed(url: str, mine: int, others: int, cases: int) -> None:
    """`cases` filings, each of its own institution (a fifth in Guangzhou, the rest in Jiangsu, Sichuan and
    Gansu); the first `mine` of the Guangzhou ones carry the officer's open tasks."""
    from sqlalchemy import insert

    from models.cases import FilingApplication, Institution
    from models.db import get_engine
    from models.workflow import HumanTask

    now = dt.datetime.now(dt.UTC)
    profiles = {"440106": "guangdong", "320102": "jiangsu", "510104": "sichuan", "620102": "gansu",
                "320106": "jiangsu"}
    regions = list(profiles)
    institutions = [{"name": f"{'广州' if n % 5 == 0 else '外省'}基准企业{n:06d}有限公司",
                     "credit_code": credit_code(n), "region_code": regions[n % 5],
                     "profile_code": profiles[regions[n % 5]], "created_at": now} for n in range(max(cases, mine))]
    # the officer's tasks sit on the first Guangzhou filings (every fifth institution); the rest is the haystack
    guangzhou = [n for n in range(len(institutions)) if n % 5 == 0][:mine]
    taken = set(guangzhou)
    order = guangzhou + [n for n in range(len(institutions)) if n not in taken]
    steps = ["acceptance", "objection_investigation", "results_review"]
    filings = [{"institution_id": n + 1, "profile_code": institutions[n]["profile_code"],
                "region_code": institutions[n]["region_code"],
                "form": {"enterprise_name": institutions[n]["name"]}, "status": "in_acceptance",
                "current_step": "acceptance", "created_at": now, "updated_at": now + dt.timedelta(seconds=n)}
               for n in order]
    with get_engine(url).begin() as connection:
        for start in range(0, len(institutions), 5000):
            connection.execute(insert(Institution), institutions[start:start + 5000])
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
    parser.add_argument("--cases", type=int, default=100_000)
    parser.add_argument("--requests", type=int, default=600)
    parser.add_argument("--clients", type=int, default=10)
    args = parser.parse_args()

    with fresh_instance("dashboard") as settings:
        from tasks.people.accounts import create_user

        t0 = time.perf_counter()
        seed(settings.database_url, args.tasks, args.others, args.cases)
        print(f"seeded {max(args.cases, args.tasks):,} filings of as many institutions, {args.tasks:,} open tasks "
              f"in 440100 and {args.others:,} elsewhere in {time.perf_counter() - t0:.1f} s")
        create_user(settings.database_url, role="officer", name="bench-guangzhou", jurisdiction="440100",
                    password=PASSWORD)
        with running_api() as base:
            client = httpx.Client(base_url=base, timeout=30, limits=httpx.Limits(max_connections=args.clients))
            log_in(client, "bench-guangzhou")
            measure(client, args.tasks, args.requests, args.clients)
            search(client, args.requests, args.clients)


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

def search(client: httpx.Client, requests: int, clients: int) -> None:
    """案件查询 as the officer uses it: each kind of term, and the plain list, by concurrent clients."""
    terms = {"the case list (no term)": "/dashboard/cases",
             "part of a name (基准企业0123)": "/dashboard/cases?q=基准企业0123",
             "a credit code": f"/dashboard/cases?q={credit_code(50_000)}",
             "a case id (#40000)": "/dashboard/cases?q=%2340000",
             "kind + step filters": "/dashboard/cases?kind=filing&state=open&step=acceptance"}
    found = re.compile(r'href="/dashboard/cases/filing/\d+"')
    assert not found.search(client.get("/dashboard/cases?q=基准企业000006").text)  # Sichuan's: not the officer's
    assert len(found.findall(client.get("/dashboard/cases?q=基准企业000010").text)) == 1  # Guangzhou's: found
    for kind, url in terms.items():
        assert client.get(url).status_code == 200, url
        latencies: list[float] = []

        def one(_: int, url: str = url, latencies: list[float] = latencies) -> int:
            started = time.perf_counter()
            response = client.get(url)
            latencies.append(time.perf_counter() - started)
            return response.status_code

        started = time.perf_counter()
        with ThreadPoolExecutor(clients) as pool:
            statuses = list(pool.map(one, range(requests // 3)))
        elapsed = time.perf_counter() - started
        print(f"GET cases, {kind:<30}: p50 {percentile(latencies, 50) * 1000:5.0f} ms, "
              f"p99 {percentile(latencies, 99) * 1000:5.0f} ms, {len(statuses) / elapsed:4.0f} pages/s, "
              f"non-200: {sum(s != 200 for s in statuses)}")


if __name__ == "__main__":
    main()
