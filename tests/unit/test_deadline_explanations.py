"""A deadline explains itself: the count it names is the calendar's own, each day it skips is named (a weekend,
a holiday by its name), each make-up working day it counts is listed, and an estimated year is said to be one."""

from __future__ import annotations

import datetime as dt

import chinese_calendar
import pytest

from policy.deadline_explanations import explain
from policy.working_days import WorkingCalendar
from tasks.waits.calendar import official_years_from_chinesecalendar

CALENDAR = WorkingCalendar(official_years_from_chinesecalendar())
NAMES = {"National Day": "国庆节", "Mid-autumn Festival": "中秋节", "Dragon Boat Festival": "端午节"}
HOLIDAYS = {day: NAMES.get(name, name) for day, name in chinese_calendar.holidays.items()}


def test_a_plain_week_skips_its_weekend_and_says_so():
    told = explain(CALENDAR, dt.date(2026, 6, 3), 5, holiday_names=HOLIDAYS, rule="受理 5 个工作日",
                   source="003 §二(一)")
    assert told.due == dt.date(2026, 6, 10)
    assert [(s.first, s.last, s.reason) for s in told.skipped] == [(dt.date(2026, 6, 6), dt.date(2026, 6, 7),
                                                                     "周六、周日")]
    assert told.makeup_days == () and told.estimated_years == ()
    assert told.as_text() == (
        "受理 5 个工作日（003 §二(一)）。自 2026年6月3日（周三）（当日不计）之后第 5 个工作日，"
        "为 2026年6月10日（周三）。不计：2026年6月6日（周六）至2026年6月7日（周日）（周六、周日）。"
        "节假日以国务院办公厅公布的安排为准。")


def test_a_count_across_the_national_day_names_the_holiday_and_counts_the_make_up_days():
    told = explain(CALENDAR, dt.date(2026, 9, 28), 5, holiday_names=HOLIDAYS)
    assert told.due == CALENDAR.add(dt.date(2026, 9, 28), 5).date
    reasons = {s.reason for s in told.skipped}
    assert "国庆节" in reasons or "中秋节" in reasons
    for day in told.makeup_days:
        assert day.weekday() >= 5 and CALENDAR.is_working_day(day)
    assert "不计：" in told.as_text() and "国庆节" in told.as_text()


@pytest.mark.parametrize(("start", "n", "counts", "due"), [
    (dt.date(2026, 6, 10), 5, False, dt.date(2026, 6, 3)),
    (dt.date(2026, 6, 10), 1, True, dt.date(2026, 6, 10)),
])
def test_a_count_backwards_ends_on_the_calendars_day(start, n, counts, due):
    told = explain(CALENDAR, start, n, direction="before", start_day_counts=counts, holiday_names=HOLIDAYS)
    assert told.due == due and ("当日计入" in told.as_text()) == counts and "之前" in told.as_text()


def test_the_start_day_counts_where_the_profile_says_so():
    told = explain(CALENDAR, dt.date(2026, 6, 3), 1, start_day_counts=True)
    assert told.due == dt.date(2026, 6, 3) and told.skipped == () and "当日计入" in told.as_text()


def test_a_year_without_the_state_councils_notice_is_said_to_be_estimated():
    told = explain(CALENDAR, dt.date(2026, 12, 28), 10)
    assert 2027 in told.estimated_years and "2027 年的节假日尚未公布" in told.as_text()
    assert told.estimated_years == (2027,) and told.source is None


def test_the_days_walked_hold_exactly_the_working_days_counted():
    start = dt.date(2026, 1, 1)
    for offset in range(0, 365, 7):
        for n in (1, 5, 15, 20):
            told = explain(CALENDAR, start + dt.timedelta(days=offset), n, holiday_names=HOLIDAYS)
            first = told.start + dt.timedelta(days=1)
            walked = [first + dt.timedelta(days=k) for k in range((told.due - first).days + 1)]
            skipped = sum((s.last - s.first).days + 1 for s in told.skipped)
            assert len(walked) - skipped == n and told.due == CALENDAR.add(told.start, n).date
