"""The calendar in the database: seeded once, imports all-or-nothing, administrators' years kept."""

import datetime as dt

import pytest
from sqlalchemy.exc import IntegrityError
from sqlmodel import select

from models.calendar import CalendarDay, CalendarYear
from models.db import session_scope
from policy.working_days import OfficialYear
from tasks.waits.calendar import load_calendar, seed_calendar_if_empty, store_official_years

pytestmark = pytest.mark.postgres  # on PostgreSQL too: all-or-nothing imports on each database's constraints

NOW = dt.datetime(2026, 11, 22, tzinfo=dt.UTC)


def test_the_seed_holds_2004_to_2026_and_runs_once(settings):
    with session_scope(settings.database_url) as session:
        years = session.exec(select(CalendarYear.year)).all()
        assert min(years) == 2004 and max(years) == 2026
        assert seed_calendar_if_empty(session, NOW) == 0
        calendar = load_calendar(session)
    assert calendar.add(dt.date(2026, 9, 30), 1).date == dt.date(2026, 10, 8)


def test_an_import_that_fails_midway_leaves_the_database_as_it_was(settings):
    before = _snapshot(settings)
    good = OfficialYear(2027, frozenset({dt.date(2027, 1, 1)}), frozenset(), "notice")
    duplicate_day = OfficialYear(2026, frozenset({dt.date(2027, 1, 1)}), frozenset(), "bad")  # collides on the key
    with pytest.raises(IntegrityError), session_scope(settings.database_url) as session:
        store_official_years(session, [good, duplicate_day], imported_by="admin", now=NOW)
    assert _snapshot(settings) == before


def test_reimporting_a_year_replaces_its_days(settings):
    with session_scope(settings.database_url) as session:
        store_official_years(session, [OfficialYear(2026, frozenset({dt.date(2026, 1, 1)}), frozenset(), "fix")],
                             imported_by="admin", now=NOW)
    with session_scope(settings.database_url) as session:
        days = session.exec(select(CalendarDay).where(CalendarDay.year == 2026)).all()
        assert [d.day for d in days] == [dt.date(2026, 1, 1)]
        assert load_calendar(session).is_working_day(dt.date(2026, 10, 8))
        assert load_calendar(session).is_working_day(dt.date(2026, 10, 2))  # the corrected data holds


def _snapshot(settings):
    with session_scope(settings.database_url) as session:
        return (sorted((y.year, y.source) for y in session.exec(select(CalendarYear)).all()),
                session.exec(select(CalendarDay.day)).all().__len__())
