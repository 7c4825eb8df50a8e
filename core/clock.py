"""Time as people read it: China's offset, the wall clock, the day of a stored instant, the range of
instants we accept. The business clock itself — real, or a simulated time stored in our database —
is models/clock.py (the ground floor imports no table)."""

from __future__ import annotations

import datetime as dt

CHINA = dt.timezone(dt.timedelta(hours=8), "Asia/Shanghai")
SIMULATED_START = dt.datetime(2026, 9, 1, 9, 0, tzinfo=CHINA)


class ClockError(ValueError):
    pass


def wall_now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


def china_date(instant: dt.datetime) -> dt.date:
    """The day in China of a stored instant (UTC; naive when SQLite gave it back): what a person reads."""
    return (instant if instant.tzinfo else instant.replace(tzinfo=dt.UTC)).astimezone(CHINA).date()


EARLIEST = dt.datetime(1970, 1, 1, tzinfo=dt.UTC)  # any instant a person or a client gives us lies between these
LATEST = dt.datetime(2200, 1, 1, tzinfo=dt.UTC)


def bounded_instant(value: dt.datetime) -> dt.datetime:
    """`value` in UTC if it lies between 1970 and 2200; ValueError otherwise. An offset of ±23:59 on the
    first or last day Python knows moves it out of Python's own range (an OverflowError deep in a query)."""
    try:
        utc = (value if value.tzinfo else value.replace(tzinfo=CHINA)).astimezone(dt.UTC)
    except (OverflowError, ValueError):
        utc = None
    if utc is None or not EARLIEST <= utc < LATEST:
        raise ValueError(f"{value.isoformat()} is outside {EARLIEST.year}–{LATEST.year - 1}")
    return utc


def iso_day(value: dt.date | None) -> str | None:
    """A day as ISO text, or None for no day."""
    return value.isoformat() if value is not None else None
