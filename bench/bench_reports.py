"""The quarterly report over 100,000 cases: a province's quarter with `--cases` filings and batches (60/40),
each with its steps in the audit trail, the batches with five scored candidates each, spread over four
cities; then the statistics for one city and for the province, and the quarterly PDF.

Run: .venv/bin/python bench/bench_reports.py [--cases 100000]
"""

from __future__ import annotations

import argparse
import datetime as dt
import random
import time

from harness import fresh_instance

CITIES = ("440106", "440305", "440402", "440604")  # districts of four cities of one province
STEPS = ("acceptance", "expert_evaluation", "publicity", "closed")


def seed(settings, cases: int) -> float:
    from sqlalchemy import insert

    from core.clock import CHINA
    from models.audit import AuditEvent
    from models.cases import Candidate, EvaluationPlan, FilingApplication, Institution, Score
    from models.db import session_scope

    rng = random.Random(7)
    started = time.perf_counter()
    quarter = dt.date(2026, 7, 1)
    at = lambda day, hour=9: dt.datetime.combine(day, dt.time(hour), CHINA)  # noqa: E731
    with session_scope(settings.database_url) as session:
        institutions = {}
        for n, region in enumerate(CITIES):
            institution = Institution(name=f"机构{n}", credit_code=f"91440000MA{n:07d}X", region_code=region,
                                      profile_code="guangdong", status="registered", created_at=at(quarter))
            session.add(institution)
            session.flush()
            institutions[region] = institution.id
    filings, plans = int(cases * 0.6), cases - int(cases * 0.6)
    batch = 5000
    for first in range(0, filings, batch):
        rows, entries = [], []
        for n in range(first, min(filings, first + batch)):
            region = CITIES[n % len(CITIES)]
            created = quarter + dt.timedelta(days=rng.randrange(0, 60))
            rows.append({"institution_id": institutions[region], "profile_code": "guangdong", "region_code": region,
                         "status": rng.choice(("registered", "rejected")), "current_step": "closed",
                         "form": {"enterprise_name": f"企业{n}"}, "created_at": at(created), "updated_at": at(created)})
        with session_scope(settings.database_url) as session:
            result = session.execute(
                insert(FilingApplication).returning(FilingApplication.id, FilingApplication.created_at), rows
            )
            for filing_id, created in result.all():
                day = created.astimezone(CHINA).date()
                previous = "acceptance"
                for step in STEPS[1:]:
                    day += dt.timedelta(days=rng.randrange(1, 9))
                    entries.append(
                        {
                            "case_type": "filing",
                            "case_id": filing_id,
                            "action": "step_entered",
                            "actor_role": "system",
                            "business_time": at(day),
                            "wall_time": at(day),
                            "before": {"step": previous},
                            "after": {"step": step},
                        }
                    )
                    previous = step
            session.execute(insert(AuditEvent), entries)
        print(f"\r  filings {min(filings, first + batch):,} of {filings:,}", end="", flush=True)
    print()
    for first in range(0, plans, batch):
        rows = []
        for n in range(first, min(plans, first + batch)):
            region = CITIES[n % len(CITIES)]
            ended = quarter + dt.timedelta(days=rng.randrange(0, 85))
            rows.append(
                {
                    "institution_id": institutions[region],
                    "region_code": region,
                    "profile_code": "guangdong",
                    "occupation_code": rng.choice(("6-18-01-01", "6-18-02-01", "4-01-02-01")),
                    "evaluation_start": ended,
                    "evaluation_end": ended,
                    "filed_on": ended - dt.timedelta(days=20),
                    "staff": {},
                    "status": "completed",
                    "results_late": rng.random() < 0.05,
                    "created_at": at(ended - dt.timedelta(days=20)),
                    "updated_at": at(ended),
                }
            )
        with session_scope(settings.database_url) as session:
            ids = session.execute(insert(EvaluationPlan).returning(EvaluationPlan.id), rows).scalars().all()
            candidates = [
                {
                    "plan_id": plan_id,
                    "name": f"考生{k}",
                    "id_number": f"{plan_id:012d}{k:05d}X",
                    "relation": "employee",
                    "level": rng.choice((3, 4, 5)),
                }
                for plan_id in ids
                for k in range(5)
            ]
            candidate_ids = session.execute(insert(Candidate).returning(Candidate.id), candidates).scalars().all()
            now = at(quarter)
            session.execute(
                insert(Score),
                [
                    {"candidate_id": c, "theory": 70, "passed": rng.random() < 0.8, "submitted_at": now}
                    for c in candidate_ids
                ],
            )
        print(f"\r  batches {min(plans, first + batch):,} of {plans:,} (5 candidates each)", end="", flush=True)
    print()
    return time.perf_counter() - started


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--cases", type=int, default=100_000)
    args = parser.parse_args()
    with fresh_instance("reports") as settings:
        from models.db import session_scope
        from policy.statistics import parse_period
        from tasks.queries import charts, reports

        print(f"seeded {args.cases:,} cases in {seed(settings, args.cases):.1f} s")
        quarter = parse_period("2026-Q3")
        for jurisdiction in ("440100", "440000"):
            started = time.perf_counter()
            with session_scope(settings.database_url, readonly=True) as session:
                stats = reports.statistics(session, jurisdiction=jurisdiction, period=quarter)
            took = time.perf_counter() - started
            print(
                f"statistics {quarter.code} for {jurisdiction}: {took:.2f} s — {stats['filings']['decided']:,} "
                f"filings decided, {stats['batches']['evaluated']:,} batches, {stats['batches']['candidates']:,} "
                f"candidates, {sum(r['count'] for r in stats['step_durations']):,} step durations"
            )
        started = time.perf_counter()
        pdf = charts.quarterly_report_pdf(stats, quarter, dt.date(2026, 10, 9))
        print(f"quarterly report PDF (province): {time.perf_counter() - started:.2f} s, {len(pdf) / 1024:.0f} KiB")


if __name__ == "__main__":
    main()
