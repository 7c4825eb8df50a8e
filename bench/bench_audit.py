"""The audit trail's evidence: what chaining costs per insert, and `audit verify` over a large trail.

1. Insert cost: `--inserts` audit entries, one per transaction over `--cases` cases (as steps write them),
   through tasks.records.audit.record (chained at commit) and as plain rows without a chain; the ratio.
2. Verify: `--entries` chained entries (made in bulk with core.evidence, as the recorder would chain them)
   over `--cases-for-verify` cases, then tasks.records.evidence.verify over all of them, and one anchor.

Run: .venv/bin/python bench/bench_audit.py [--inserts 2000 --entries 1000000]
"""

from __future__ import annotations

import argparse
import datetime as dt
import time

from harness import fresh_instance


def insert_cost(settings, inserts: int, cases: int) -> tuple[float, float]:
    from models.audit import AuditEvent
    from models.db import session_scope
    from tasks.records import audit

    url = settings.database_url
    started = time.perf_counter()
    for n in range(inserts):
        with session_scope(url) as session:
            audit.record(session, case_type="filing", case_id=n % cases, action="step_entered", actor_role="officer",
                         before={"status": "a"}, after={"status": "b", "n": n})
    chained = (time.perf_counter() - started) / inserts
    now = dt.datetime.now(dt.UTC)
    started = time.perf_counter()
    for n in range(inserts):
        with session_scope(url) as session:
            session.add(AuditEvent(case_type="plain", case_id=n % cases, action="step_entered", actor_role="officer",
                                   business_time=now, wall_time=now, before={"status": "a"},
                                   after={"status": "b", "n": n}))
    plain = (time.perf_counter() - started) / inserts
    return chained, plain


def seed_chained(settings, entries: int, cases: int) -> float:
    """Bulk-insert `entries` chained entries (after the plain rows of part 1 are removed)."""
    from sqlalchemy import delete, insert

    from core import evidence
    from models.audit import AuditChain, AuditEvent
    from models.db import session_scope

    started = time.perf_counter()
    with session_scope(settings.database_url) as session:
        session.execute(delete(AuditEvent).where(AuditEvent.case_type == "plain"))
    heads: dict[int, tuple[int, str]] = {}
    base = dt.datetime(2026, 1, 5, 1, tzinfo=dt.UTC)
    batch: list[dict] = []
    for n in range(entries):
        case_id = 100_000 + n % cases
        length, previous = heads.get(case_id, (0, evidence.GENESIS))
        when = base + dt.timedelta(seconds=n)
        row = {"case_type": "plan", "case_id": case_id, "seq": length + 1, "action": "step_entered",
               "actor_id": None, "actor_role": "system", "business_time": when, "wall_time": when,
               "before": {"status": "evaluation"}, "after": {"status": "results", "step": "results_review"},
               "prev_hash": previous}
        row["entry_hash"] = evidence.entry_hash(row)
        heads[case_id] = (length + 1, row["entry_hash"])
        batch.append(row)
        if len(batch) == 20_000 or n == entries - 1:
            with session_scope(settings.database_url) as session:
                session.execute(insert(AuditEvent), batch)
            batch = []
            print(f"\r  seeded {n + 1:,} of {entries:,}", end="", flush=True)
    with session_scope(settings.database_url) as session:
        session.execute(insert(AuditChain), [{"chain": f"plan:{c}", "length": n, "head_hash": h}
                                             for c, (n, h) in heads.items()])
    print()
    return time.perf_counter() - started


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--inserts", type=int, default=2000)
    parser.add_argument("--cases", type=int, default=200)
    parser.add_argument("--entries", type=int, default=1_000_000)
    parser.add_argument("--cases-for-verify", type=int, default=50_000)
    args = parser.parse_args()
    with fresh_instance("audit") as settings:
        from models.db import session_scope
        from tasks.records import evidence

        chained, plain = insert_cost(settings, args.inserts, args.cases)
        print(f"insert, one entry per transaction ({args.inserts:,} over {args.cases} cases, SQLite): "
              f"chained {chained * 1000:.2f} ms, plain {plain * 1000:.2f} ms — ratio {chained / plain:.2f}")
        seeded = seed_chained(settings, args.entries, args.cases_for_verify)
        print(f"seeded {args.entries:,} chained entries over {args.cases_for_verify:,} cases in {seeded:.1f} s")
        started = time.perf_counter()
        with session_scope(settings.database_url, readonly=True) as session:
            checked, found = evidence.verify(session)
        took = time.perf_counter() - started
        print(f"audit verify: {checked:,} entries in {took:.1f} s ({checked / took:,.0f} entries/s); "
              f"{'holds' if found is None else found}")
        started = time.perf_counter()
        with session_scope(settings.database_url) as session:
            anchor = evidence.make_anchor(session, settle=dt.timedelta(0))
            entries = anchor.entries
        print(f"first anchor over {entries:,} entries in {time.perf_counter() - started:.1f} s")


if __name__ == "__main__":
    main()
