"""The daily inactivity scan (视同自行退出, 004 §六(三)) over 10,000 registered institutions (SQLite).

Seeds --institutions registered institutions across the five profiles, active since dates spread over
the last three years (so some are due a warning, some a withdrawal, most nothing), a tenth of them with
a batch under way; then times the scan on the due day, and again on the same day (nothing left to do).

Run: .venv/bin/python bench/bench_inactivity.py [--institutions 10000]
"""

from __future__ import annotations

import argparse
import datetime as dt
import time

from harness import fresh_instance

REGIONS = ["440106", "440305", "320102", "620102", "510104"]


def seed(url: str, count: int, today: dt.date) -> None:
    from sqlalchemy import insert

    from models.cases import EvaluationPlan, Institution
    from models.db import get_engine
    from policy.profiles import profile_for_region

    now = dt.datetime.now(dt.UTC)
    institutions, plans = [], []
    for n in range(count):
        region = REGIONS[n % len(REGIONS)]
        since = today - dt.timedelta(days=n % (3 * 365))
        institutions.append({"id": n + 1, "name": f"基准{n}", "credit_code": f"{n:018d}", "kind": "Y",
                             "region_code": region, "profile_code": profile_for_region(region).code,
                             "segment": f"Y0000{region[:2]}{n:06d}", "status": "registered", "registered_on": since,
                             "last_evaluation_on": since, "created_at": now, "ladder": []})
        if n % 10 == 0:
            plans.append({"institution_id": n + 1, "region_code": region,
                          "profile_code": profile_for_region(region).code,
                          "occupation_code": "6-18-01-01", "evaluation_start": today, "evaluation_end": today,
                          "filed_on": today, "staff": {}, "status": "scheduled", "created_at": now, "updated_at": now})
    with get_engine(url).begin() as connection:
        for table, rows in ((Institution, institutions), (EvaluationPlan, plans)):
            for start in range(0, len(rows), 5000):
                connection.execute(insert(table), rows[start:start + 5000])


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--institutions", type=int, default=10_000)
    args = parser.parse_args()
    with fresh_instance("inactivity") as settings:
        from tasks.waits.inactivity import scan_today

        today = dt.date(2026, 9, 1)  # the simulated clock's first day
        started = time.perf_counter()
        seed(settings.database_url, args.institutions, today)
        print(f"seeded {args.institutions} institutions in {time.perf_counter() - started:.1f} s")
        started = time.perf_counter()
        _, counts = scan_today(settings.database_url)
        first = time.perf_counter() - started
        print(f"scan on the due day: {first:.3f} s — {counts['warned']} warned, {counts['withdrawn']} withdrawn")
        started = time.perf_counter()
        _, again = scan_today(settings.database_url)
        print(f"scan again the same day: {time.perf_counter() - started:.3f} s — {again}")


if __name__ == "__main__":
    main()
