"""The SLA scan and the timer pass over 100,000 open steps and 100,000 pending timers (SQLite).

Seeds --clocks running SLA clocks (one per open task) and --timers pending timers with dates
spread over a year, then times `sla.scan` and `timers.fire_due_timers` on a day when --due of
each are due (the work a tick really does), and on a day when nothing is due (the idle cost),
and prints the query plans they rely on.

Run: .venv/bin/python bench/bench_sla.py [--clocks 100000] [--timers 100000] [--due 500]
"""

from __future__ import annotations

import argparse
import datetime as dt
import time

from harness import fresh_instance

START = dt.date(2026, 3, 2)


def seed(url: str, clocks: int, timers: int, due: int) -> None:
    from sqlalchemy import insert

    from models.cases import FilingApplication, Institution
    from models.db import get_engine, session_scope
    from models.sla import SlaClock
    from models.workflow import HumanTask, Timer

    now = dt.datetime.now(dt.UTC)
    with session_scope(url) as session:
        institution = Institution(name="基准", credit_code="91440101MA5900000X", region_code="440106",
                                  profile_code="guangdong", created_at=now)
        session.add(institution)
        session.flush()
        institution_id = institution.id
    rows_filings = [{"institution_id": institution_id, "profile_code": "guangdong", "region_code": "440106",
                     "form": {}, "created_at": now, "updated_at": now} for _ in range(clocks)]
    rows_tasks, rows_clocks = [], []
    for n in range(clocks):
        # `due` clocks reach their next level on the scan day; the rest are spread over the year ahead
        check = START if n < due else START + dt.timedelta(days=1 + n % 360)
        rows_tasks.append({"key": f"b:{n}", "case_type": "filing", "case_id": n + 1, "step": "acceptance",
                           "role": "officer", "jurisdiction": "440106", "status": "open", "created_on": START,
                           "due_working_days": 5, "due_date": check, "due_provisional": False, "version": 0,
                           "created_at": now, "start_day_counts": False})
        rows_clocks.append({"case_type": "filing", "case_id": n + 1, "step": "acceptance", "round": 0,
                            "jurisdiction": "440106", "institution_id": institution_id,
                            "started_on": START - dt.timedelta(days=7), "budget_working_days": 5,
                            "at_risk_working_days": 2, "escalate_after_working_days": 3, "start_day_counts": False,
                            "paused_working_days": 0, "due_date": check + dt.timedelta(days=2), "at_risk_on": check,
                            "breached_on": check + dt.timedelta(days=3), "escalate_on": check + dt.timedelta(days=8),
                            "provisional": False, "level": "on_track", "next_check_on": check, "status": "running"})
    rows_timers = [{"key": f"t:{n}", "case_type": "filing", "case_id": n + 1, "purpose": "publicity",
                    "start_date": START, "working_days": 5, "start_day_counts": False, "period_end": START,
                    "due_date": START if n < due else START + dt.timedelta(days=1 + n % 360), "provisional": False,
                    "status": "pending", "created_at": now} for n in range(timers)]
    with get_engine(url).begin() as connection:
        for table, rows in ((FilingApplication, rows_filings), (HumanTask, rows_tasks), (SlaClock, rows_clocks),
                            (Timer, rows_timers)):
            for start in range(0, len(rows), 5000):
                connection.execute(insert(table), rows[start:start + 5000])


def plan(url: str, sql: str) -> str:
    from sqlalchemy import text

    from models.db import get_engine

    with get_engine(url).connect() as connection:
        return "; ".join(row[-1] for row in connection.execute(text("EXPLAIN QUERY PLAN " + sql)))


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--clocks", type=int, default=100_000)
    parser.add_argument("--timers", type=int, default=100_000)
    parser.add_argument("--due", type=int, default=500)
    args = parser.parse_args()
    with fresh_instance("sla") as settings:
        run(settings, args)


def run(settings, args) -> None:
    from models.db import session_scope
    from tasks.waits import sla, timers

    t0 = time.perf_counter()
    seed(settings.database_url, args.clocks, args.timers, args.due)
    print(f"seeded {args.clocks:,} running clocks / open tasks and {args.timers:,} pending timers "
          f"in {time.perf_counter() - t0:.1f} s")
    for label, day in (("nothing due", START - dt.timedelta(days=1)), (f"{args.due} of each due", START)):
        with session_scope(settings.database_url) as session:
            started = time.perf_counter()
            opened = sla.scan(session, today=day)
            scan_s = time.perf_counter() - started
            started = time.perf_counter()
            fired = timers.fire_due_timers(session, day, limit=args.due + 1000)
            timer_s = time.perf_counter() - started
        print(f"{label:>18}: SLA scan {scan_s * 1000:7.1f} ms ({len(opened)} levels opened), "
              f"timer pass {timer_s * 1000:7.1f} ms ({len(fired)} fired)")
    with session_scope(settings.database_url) as session:
        started = time.perf_counter()
        again = sla.scan(session, today=START)
        print(
            f"   second scan, same day: {(time.perf_counter() - started) * 1000:7.1f} ms "
            f"({len(again)} opened: never twice)"
        )
    print("query plans:")
    print(
        "  scan  :",
        plan(
            settings.database_url,
            "SELECT * FROM sla_clock WHERE status = 'running' AND "
            "next_check_on <= '2026-03-02' ORDER BY next_check_on, id LIMIT 5000",
        ),
    )
    print(
        "  timers:",
        plan(
            settings.database_url,
            "SELECT * FROM timer WHERE status = 'pending' AND due_date <= '2026-03-02' ORDER BY due_date, id LIMIT 500",
        ),
    )


if __name__ == "__main__":
    main()
