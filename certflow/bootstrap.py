"""Bring a data folder to a usable state: schema, seed calendar, occupations, profiles."""

from __future__ import annotations

import datetime as dt

from sqlmodel import func, select

from core.clock import SIMULATED_START
from core.settings import Settings
from models.catalogue import OccupationRecord
from models.db import migrate, session_scope
from models.workflow import BusinessClock
from policy.occupations import Occupation, seed_occupations
from policy.profiles import all_profiles


def prepare(settings: Settings) -> None:
    """Idempotent: safe on every start and every CLI call."""
    all_profiles()  # a bad profile refuses to start, naming file and key (read once per process)
    settings.data_dir.mkdir(parents=True, exist_ok=True)
    migrate(settings.database_url)
    from tasks.waits.calendar import seed_calendar_if_empty

    with session_scope(settings.database_url) as session:
        seed_calendar_if_empty(session, dt.datetime.now(dt.UTC))
        if settings.clock == "simulated" and session.get(BusinessClock, 1) is None:
            # the folder remembers its simulated clock (`certflow clock` finds it), at the start business_now
            # assumes without a row
            session.add(BusinessClock(id=1, now=SIMULATED_START, moved_at=dt.datetime.now(dt.UTC)))
        if not session.exec(select(func.count()).select_from(OccupationRecord)).one():
            store_occupations(session, seed_occupations())


def store_occupations(session, occupations: list[Occupation]) -> tuple[int, int]:
    """Insert or update by code; returns (added, updated)."""
    added = updated = 0
    for occupation in occupations:
        record = session.get(OccupationRecord, occupation.code)
        if record is None:
            session.add(OccupationRecord(code=occupation.code, name=occupation.name,
                                         access_type=occupation.access_type, skill_type=occupation.skill_type))
            added += 1
        else:
            record.name, record.access_type, record.skill_type = (
                occupation.name,
                occupation.access_type,
                occupation.skill_type,
            )
            session.add(record)
            updated += 1
    from tasks.cases.filing import forget_catalogue

    forget_catalogue()
    return added, updated
