"""The business clock: real time in China, or a simulated time every process of the instance shares.

With the setting `clock="simulated"` (CERTFLOW_CLOCK) the time is a row in our database that only an
administrator moves (POST /api/v1/admin/clock, or the demo), so a lifecycle of
many weeks runs in seconds and tests are exact about dates. The pure parts of time (China's offset,
the wall clock, bounds) are core/clock.py.
"""

from __future__ import annotations

import datetime as dt

from sqlmodel import Session

from core import settings
from core.clock import CHINA, EARLIEST, LATEST, SIMULATED_START, ClockError, bounded_instant, wall_now
from models.workflow import BusinessClock


def business_instant(session: Session) -> dt.datetime:
    """The business clock's now as a UTC instant: what a record of something a person did stores (a notice
    issued, a file uploaded, a complaint registered), so the date read off it is the business date — in
    `--clock simulated` too. Technical instants (audit wall time, deliveries, leases) stay on wall_now."""
    return business_now(session).astimezone(dt.UTC)


def is_simulated(session: Session | None = None) -> bool:
    """The mode of the instance this session belongs to (its settings, installed by the entry point)."""
    return settings.of(session).clock == "simulated"


def business_now(session: Session) -> dt.datetime:
    if not is_simulated(session):
        return dt.datetime.now(CHINA)
    # read once per transaction: each read would flush what the session holds (3,000 audit entries of
    # one scan cost 3 s in those reads); the clock only moves between transactions, or by this session
    if "business_now" not in session.info:
        row = session.get(BusinessClock, 1)
        stored = SIMULATED_START if row is None else row.now
        stored = stored if stored.tzinfo else stored.replace(tzinfo=dt.UTC)
        session.info["business_now"] = stored.astimezone(CHINA)
    return session.info["business_now"]


def business_today(session: Session) -> dt.date:
    return business_now(session).date()


def set_business_now(session: Session, new_now: dt.datetime) -> dt.datetime:
    """Move the simulated clock; it never runs backwards (deadlines already passed stay passed)."""
    if not is_simulated(session):
        raise ClockError("the business clock is real; start with --clock simulated to move it")
    try:
        new_now = bounded_instant(new_now).astimezone(CHINA)
    except ValueError as exc:
        raise ClockError(f"the business clock stays within {EARLIEST.year}–{LATEST.year - 1}: {exc}") from None
    current = business_now(session)
    if new_now < current:
        raise ClockError(f"the clock cannot go back from {current.isoformat()} to {new_now.isoformat()}")
    row = session.get(BusinessClock, 1) or BusinessClock(id=1, now=new_now, moved_at=wall_now())
    row.now, row.moved_at = new_now, wall_now()
    session.add(row)
    session.flush()
    session.info["business_now"] = new_now
    return new_now
