"""The centres' statistics (004 §六(一) quarterly progress, 003 §四(五), 002 §(十九)): reporting periods and
the figures' arithmetic. Pure rules: no framework."""

from __future__ import annotations

import datetime as dt
import math
import re
from collections.abc import Sequence
from dataclasses import dataclass

QUARTER_NAMES = {1: "第一季度", 2: "第二季度", 3: "第三季度", 4: "第四季度"}
PERIOD_PATTERN = re.compile(r"^(?P<year>\d{4})(?:-(?:Q(?P<quarter>[1-4])|(?P<month>0[1-9]|1[0-2])))?$")


class PeriodError(ValueError):
    pass


@dataclass(frozen=True)
class Period:
    code: str  # 2026, 2026-Q3, 2026-09
    kind: str  # year | quarter | month
    start: dt.date
    end: dt.date  # inclusive
    label: str  # 2026年第三季度

    def contains(self, day: dt.date) -> bool:
        return self.start <= day <= self.end


def _code_of(day: dt.date, kind: str) -> str:
    if kind == "year":
        return f"{day.year}"
    if kind == "quarter":
        return f"{day.year}-Q{(day.month - 1) // 3 + 1}"
    return f"{day.year}-{day.month:02d}"


def parse_period(code: str) -> Period:
    """`2026` (a year), `2026-Q3` (a quarter), `2026-09` (a month)."""
    found = PERIOD_PATTERN.match(code.strip())
    if not found:
        raise PeriodError(f"{code!r} is not a period: give a year (2026), a quarter (2026-Q3) or a month (2026-09)")
    year = int(found["year"])
    if not 2000 <= year <= 2100:
        raise PeriodError(f"{year} is outside the years this system reports on (2000–2100)")
    if found["quarter"]:
        quarter = int(found["quarter"])
        start = dt.date(year, 3 * quarter - 2, 1)
        end = _month_end(year, 3 * quarter)
        return Period(code.strip(), "quarter", start, end, f"{year}年{QUARTER_NAMES[quarter]}")
    if found["month"]:
        month = int(found["month"])
        return Period(code.strip(), "month", dt.date(year, month, 1), _month_end(year, month), f"{year}年{month}月")
    return Period(code.strip(), "year", dt.date(year, 1, 1), dt.date(year, 12, 31), f"{year}年")


def _month_end(year: int, month: int) -> dt.date:
    following = dt.date(year + month // 12, month % 12 + 1, 1)
    return following - dt.timedelta(days=1)


def period_containing(day: dt.date, kind: str = "quarter") -> Period:
    return parse_period(_code_of(day, kind))


def nearest_rank(values: Sequence[float], p: float) -> float | None:
    """The p-th percentile by the nearest-rank rule (a value that occurred; None for no values)."""
    if not values:
        return None
    ordered = sorted(values)
    return ordered[max(1, math.ceil(p / 100 * len(ordered))) - 1]


def median(values: Sequence[float]) -> float | None:
    """The middle value; the mean of the two middle ones for an even count."""
    if not values:
        return None
    ordered = sorted(values)
    middle = len(ordered) // 2
    return float(ordered[middle]) if len(ordered) % 2 else (ordered[middle - 1] + ordered[middle]) / 2


def pass_rate(passed: int, total: int) -> float | None:
    """Passed of those scored, as a percentage with one decimal; None when nobody was scored."""
    return None if total == 0 else round(100 * passed / total, 1)
