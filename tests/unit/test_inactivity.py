"""Inactivity withdrawal (004 §六(三)): two years without an evaluation count as withdrawal; a warning
comes the profile's working days before."""

import datetime as dt

from policy.inactivity import inactivity_clock, latest_active_since, years_after
from policy.working_days import WorkingCalendar
from tasks.calendar import official_years_from_chinesecalendar


def calendar_2026() -> WorkingCalendar:
    return WorkingCalendar(official_years_from_chinesecalendar())


def test_two_years_after_a_day_is_the_same_calendar_day_and_29_february_falls_on_28():
    assert years_after(dt.date(2026, 9, 1), 2) == dt.date(2028, 9, 1)
    assert years_after(dt.date(2028, 2, 29), 2) == dt.date(2030, 2, 28)
    assert years_after(dt.date(2028, 9, 1), -2) == dt.date(2026, 9, 1)


def test_the_warning_comes_the_working_days_before_and_the_withdrawal_on_the_anniversary():
    clock = inactivity_clock(dt.date(2024, 10, 15), years=2, warning_working_days=5, calendar=calendar_2026())
    assert clock.withdrawal_on == dt.date(2026, 10, 15)
    # 5 working days before 15 October 2026, the National Day week (1–7 October) and the make-up
    # Saturday 10 October considered: 14, 13, 12, 10 and 9 October
    assert clock.warning_on == dt.date(2026, 10, 9) and not clock.provisional
    assert [clock.state(day) for day in (dt.date(2026, 10, 8), dt.date(2026, 10, 9), dt.date(2026, 10, 14),
                                         dt.date(2026, 10, 15))] == ["active", "warned", "warned", "withdrawn"]


def test_a_warning_in_a_year_without_an_official_calendar_is_provisional():
    clock = inactivity_clock(dt.date(2026, 3, 2), years=2, warning_working_days=20, calendar=WorkingCalendar())
    assert clock.provisional and clock.withdrawal_on == dt.date(2028, 3, 2)


def test_the_query_bound_never_leaves_out_an_institution_whose_warning_is_due():
    calendar = calendar_2026()
    today = dt.date(2026, 9, 25)  # the National Day golden week lies ahead
    bound = latest_active_since(today, years=2, warning_working_days=20)
    for offset in range(0, 80):
        since = dt.date(2024, 9, 1) + dt.timedelta(days=offset)
        clock = inactivity_clock(since, years=2, warning_working_days=20, calendar=calendar)
        if clock.state(today) != "active":
            assert since <= bound, since
