"""How long 100,000 working-day computations take (add and before, N in 1..30, dates over 2025–2027).

Run: .venv/bin/python bench/bench_calendar.py
"""

from __future__ import annotations

import datetime as dt
import random
import time

from policy.working_days import WorkingCalendar
from tasks.waits.calendar import official_years_from_chinesecalendar


def main(count: int = 100_000) -> None:
    calendar = WorkingCalendar(official_years_from_chinesecalendar())
    rng = random.Random(20261122)
    start = dt.date(2025, 1, 1).toordinal()
    cases = [(dt.date.fromordinal(start + rng.randrange(3 * 365)), rng.randrange(1, 31)) for _ in range(count)]
    calendar.add(dt.date(2027, 12, 1), 40)  # build the year tables once, as a running server would have them
    for name, fn in (("add", calendar.add), ("before", calendar.before)):
        t0 = time.perf_counter()
        for day, n in cases:
            fn(day, n)
        elapsed = time.perf_counter() - t0
        print(f"{name:6s}: {count:,} computations in {elapsed * 1000:.0f} ms ({elapsed / count * 1e6:.2f} µs each)")
    t0 = time.perf_counter()
    WorkingCalendar(official_years_from_chinesecalendar()).add(dt.date(2026, 1, 1), 1)
    print(f"cold  : building a calendar and its first year table took {(time.perf_counter() - t0) * 1000:.1f} ms")


if __name__ == "__main__":
    main()
