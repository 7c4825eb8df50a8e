"""The working-day calendar in the database: seeding, importing a year, loading for computation."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict

from sqlmodel import Session, col, delete, func, select

from models import responses as out
from models.calendar import CalendarDay, CalendarYear
from policy.working_days import HOLIDAY, MAKEUP_WORKDAY, OfficialYear, WorkingCalendar


def official_years_from_chinesecalendar() -> list[OfficialYear]:
    """The official holidays and make-up workdays `chinesecalendar` ships (2004–2026)."""
    import chinese_calendar

    holidays: dict[int, set[dt.date]] = defaultdict(set)
    makeup: dict[int, set[dt.date]] = defaultdict(set)
    for day in chinese_calendar.holidays:
        holidays[day.year].add(day)
    for day in chinese_calendar.workdays:
        makeup[day.year].add(day)
    return [
        OfficialYear(
            year, frozenset(holidays[year]), frozenset(makeup[year]), "chinesecalendar 1.11.0 (国务院办公厅通知)"
        )
        for year in sorted(holidays)
    ]


def _holiday_names() -> dict[dt.date, str]:
    import chinese_calendar

    chinese = {
        "New Year's Day": "元旦",
        "Spring Festival": "春节",
        "Tomb-sweeping Day": "清明节",
        "Labour Day": "劳动节",
        "Dragon Boat Festival": "端午节",
        "National Day": "国庆节",
        "Mid-autumn Festival": "中秋节",
        "Anti-Fascist 70th Day": "抗战胜利70周年纪念日",
    }
    return {day: chinese.get(name, name) for day, name in chinese_calendar.holidays.items()}


def store_official_years(
    session: Session,
    years: list[OfficialYear],
    *,
    imported_by: str,
    now: dt.datetime,
    names: dict[dt.date, str] | None = None,
) -> None:
    """Replace the given years' data in one transaction (the caller's session commits or rolls back).
    Pending timers and due dates follow through tasks.waits.timers.import_calendar, which calls this."""
    names = names or {}
    for year in years:
        session.exec(delete(CalendarDay).where(col(CalendarDay.year) == year.year))
        record = session.get(CalendarYear, year.year)
        if record is None:
            record = CalendarYear(year=year.year, imported_at=now)
        record.source, record.imported_at, record.imported_by = year.source, now, imported_by
        session.add(record)
        session.flush()
        for day in sorted(year.holidays):
            session.add(CalendarDay(day=day, year=year.year, kind=HOLIDAY, name=names.get(day, "")))
        for day in sorted(year.makeup_workdays):
            session.add(CalendarDay(day=day, year=year.year, kind=MAKEUP_WORKDAY, name=names.get(day, "调休上班")))
    session.flush()
    _cache.clear()


def seed_calendar_if_empty(session: Session, now: dt.datetime) -> int:
    """Load chinesecalendar's years on first start; an administrator's later imports are kept."""
    if session.exec(select(func.count()).select_from(CalendarYear)).one():
        return 0
    years = official_years_from_chinesecalendar()
    store_official_years(session, years, imported_by="seed", now=now, names=_holiday_names())
    return len(years)


_cache: dict[tuple, WorkingCalendar] = {}


def load_calendar(session: Session) -> WorkingCalendar:
    """The calendar as the database has it now (cached until the data changes)."""
    stamp = session.exec(select(func.count(), func.max(CalendarYear.imported_at))).one()
    bind = session.get_bind()
    key = (str(bind.engine.url), stamp[0], str(stamp[1]))
    cached = _cache.get(key)
    if cached is not None:
        return cached
    holidays: dict[int, set[dt.date]] = defaultdict(set)
    makeup: dict[int, set[dt.date]] = defaultdict(set)
    for day in session.exec(select(CalendarDay)).all():
        (holidays if day.kind == HOLIDAY else makeup)[day.year].add(day.day)
    years = [
        OfficialYear(record.year, frozenset(holidays[record.year]), frozenset(makeup[record.year]), record.source)
        for record in session.exec(select(CalendarYear)).all()
    ]
    calendar = WorkingCalendar(years)
    _cache.clear()
    _cache[key] = calendar
    return calendar


_names_cache: dict[tuple, dict[dt.date, str]] = {}


def holiday_names(session: Session) -> dict[dt.date, str]:
    """The holidays' names as the calendar was published (国庆节 …), for deadlines explaining themselves; cached
    like the calendar until the data changes."""
    stamp = session.exec(select(func.count(), func.max(CalendarYear.imported_at))).one()
    key = (str(session.get_bind().engine.url), stamp[0], str(stamp[1]))
    cached = _names_cache.get(key)
    if cached is None:
        rows = session.exec(select(CalendarDay).where(CalendarDay.kind == HOLIDAY, CalendarDay.name != "")).all()
        cached = {row.day: row.name for row in rows}
        _names_cache.clear()
        _names_cache[key] = cached
    return cached


def year_view(session: Session, year: int) -> out.CalendarYearOut:
    """A year's exceptions — holidays on weekdays and make-up workdays — and whether they are the official ones."""
    calendar = load_calendar(session)
    official = calendar.official_years.get(year)
    days, day = [], dt.date(year, 1, 1)
    while day.year == year:
        working, weekend = calendar.is_working_day(day), day.weekday() >= 5
        if working == weekend:
            days.append(out.CalendarDay(date=day, kind="workday" if working else "holiday"))
        day += dt.timedelta(days=1)
    return out.CalendarYearOut(year=year, official=official is not None, provisional=official is None,
                               source=official.source if official else "estimated from the statutory holidays",
                               days=days)
