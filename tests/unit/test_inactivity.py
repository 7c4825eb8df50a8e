"""Inactivity withdrawal (004 §六(三)): two years without an evaluation count as withdrawal; a warning
comes the profile's working days before."""

import datetime as dt

from policy.inactivity import inactivity_clock, latest_active_since, years_after
from policy.working_days import WorkingCalendar
from tasks.waits.calendar import official_years_from_chinesecalendar


def calendar_2026() -> WorkingCalendar:
    return WorkingCalendar(official_years_from_chinesecalendar())


def test_two_years_after_a_day_is_the_same_calendar_day_and_29_february_falls_on_28():
    assert years_after(dt.date(2026, 9, 1), 2) == dt.date(2028, 9, 1)
    assert years_after(dt.date(2028, 2, 29), 2) == dt.date(2030, 2, 28)
    assert years_after(dt.date(2028, 9, 1), -2) == dt.date(2026, 9, 1)


def test_the_withdrawal_comes_the_day_after_the_two_years_and_the_warning_the_working_days_before():
    # 004 §六(三) 连续两年; 民法典 arts. 201, 202: the two years run from the day after registration and end
    # with the anniversary, on which the institution may still evaluate
    clock = inactivity_clock(dt.date(2024, 10, 15), years=2, warning_working_days=5, calendar=calendar_2026())
    assert clock.withdrawal_on == dt.date(2026, 10, 16)
    # 5 working days before 16 October 2026, the make-up Saturday 10 October a working day: 15, 14, 13, 12, 10
    assert clock.warning_on == dt.date(2026, 10, 10) and not clock.provisional
    assert [clock.state(day) for day in (dt.date(2026, 10, 9), dt.date(2026, 10, 10), dt.date(2026, 10, 15),
                                         dt.date(2026, 10, 16))] == ["active", "warned", "warned", "withdrawn"]


def test_registered_on_10_december_2024_it_may_evaluate_on_10_december_2026_and_is_withdrawn_on_the_11th():
    clock = inactivity_clock(dt.date(2024, 12, 10), years=2, warning_working_days=20, calendar=calendar_2026())
    assert (clock.state(dt.date(2026, 12, 10)), clock.state(dt.date(2026, 12, 11))) == ("warned", "withdrawn")
    assert clock.warning_on == dt.date(2026, 11, 13)  # 20 working days before the 11th: the warning moves with it


def test_a_warning_in_a_year_without_an_official_calendar_is_provisional():
    clock = inactivity_clock(dt.date(2026, 3, 2), years=2, warning_working_days=20, calendar=WorkingCalendar())
    assert clock.provisional and clock.withdrawal_on == dt.date(2028, 3, 3)


def test_the_query_bound_never_leaves_out_an_institution_whose_warning_is_due():
    calendar = calendar_2026()
    today = dt.date(2026, 9, 25)  # the National Day golden week lies ahead
    bound = latest_active_since(today, years=2, warning_working_days=20)
    for offset in range(0, 80):
        since = dt.date(2024, 9, 1) + dt.timedelta(days=offset)
        clock = inactivity_clock(since, years=2, warning_working_days=20, calendar=calendar)
        if clock.state(today) != "active":
            assert since <= bound, since


def test_the_plans_lead_time_has_two_readings_and_the_profile_says_which():
    """"提前10个工作日" (003 §二(四)) before an evaluation on Monday 21 September 2026 (Sunday the 20th is a
    make-up working day): counting the filing day as one of the ten, the last filing day is 8 September
    (8, 9, 10, 11, 14, 15, 16, 17, 18, 20); with ten whole working days between, 7 September."""
    import dataclasses

    from policy.eligibility import latest_plan_filing_date
    from policy.profiles import get_profile

    guangdong = get_profile("guangdong")
    assert guangdong.plan_lead_counts_filing_day  # the reading every shipped profile uses (README)
    readings = {flag: latest_plan_filing_date(dt.date(2026, 9, 21),
                                              dataclasses.replace(guangdong, plan_lead_counts_filing_day=flag),
                                              calendar_2026()).date
                for flag in (True, False)}
    assert readings == {True: dt.date(2026, 9, 8), False: dt.date(2026, 9, 7)}
