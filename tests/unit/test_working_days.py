"""Working days: the 2026 official calendar, the counting conventions, estimates and imports."""

import datetime as dt

import pytest

from policy.working_days import (
    CalendarFileError,
    OfficialYear,
    WorkingCalendar,
    estimated_holidays,
    parse_calendar_file,
)
from tasks.waits.calendar import official_years_from_chinesecalendar

D = dt.date


@pytest.fixture(scope="module")
def calendar() -> WorkingCalendar:
    return WorkingCalendar(official_years_from_chinesecalendar())


def test_national_day_2026_block_is_not_counted(calendar):
    for day in range(1, 8):
        assert not calendar.is_working_day(D(2026, 10, day))
    assert calendar.add(D(2026, 9, 30), 1).date == D(2026, 10, 8)


def test_spring_festival_2026_block_is_not_counted(calendar):
    for day in range(15, 24):
        assert not calendar.is_working_day(D(2026, 2, day)), D(2026, 2, day)
    assert calendar.add(D(2026, 2, 13), 1).date == D(2026, 2, 14)  # Saturday make-up workday
    assert calendar.add(D(2026, 2, 14), 1).date == D(2026, 2, 24)


@pytest.mark.parametrize("makeup", [D(2026, 1, 4), D(2026, 2, 14), D(2026, 2, 28), D(2026, 5, 9),
                                    D(2026, 9, 20), D(2026, 10, 10)])
def test_every_2026_make_up_workday_counts_although_it_is_a_weekend(calendar, makeup):
    assert makeup.weekday() >= 5
    assert calendar.is_working_day(makeup)


def test_the_start_day_never_counts_and_n_zero_returns_the_start(calendar):
    assert calendar.add(D(2026, 9, 28), 0).date == D(2026, 9, 28)
    assert calendar.add(D(2026, 9, 28), 1).date == D(2026, 9, 29)
    assert calendar.before(D(2026, 10, 10), 0).date == D(2026, 10, 10)


def test_a_profile_may_let_the_start_day_count(calendar):
    assert calendar.add(D(2026, 9, 28), 1, start_day_counts=True).date == D(2026, 9, 28)
    assert calendar.add(D(2026, 10, 3), 1, start_day_counts=True).date == D(2026, 10, 8)
    assert calendar.before(D(2026, 10, 8), 1, start_day_counts=True).date == D(2026, 10, 8)


def test_counting_backwards_excludes_the_end_date_and_skips_holidays(calendar):
    assert calendar.before(D(2026, 10, 8), 1).date == D(2026, 9, 30)
    # the evaluation on 2026-10-19 under a 10-day lead: 10-16,15,14,13,12,10(Sat, make-up),9,8, 9-30, 9-29
    assert calendar.before(D(2026, 10, 19), 10).date == D(2026, 9, 29)


def test_before_is_the_inverse_of_add_on_working_days(calendar):
    day = D(2025, 12, 1)
    while day < D(2026, 12, 31):
        if calendar.is_working_day(day):
            for n in (1, 5, 10, 15):
                assert calendar.before(calendar.add(day, n).date, n).date == day
        day += dt.timedelta(days=3)


def test_year_boundaries_are_crossed_in_both_directions(calendar):
    # 2026-01-01/02 are holidays, 01-03 a Saturday, 01-04 a make-up Sunday
    assert calendar.add(D(2025, 12, 31), 2).date == D(2026, 1, 5)
    assert calendar.before(D(2026, 1, 5), 2).date == D(2025, 12, 31)


def test_the_2026_new_year_make_up_sunday_is_the_first_working_day(calendar):
    assert calendar.add(D(2025, 12, 31), 1).date == D(2026, 1, 4)


def test_a_year_without_official_data_is_estimated_and_marked_provisional(calendar):
    result = calendar.add(D(2026, 12, 30), 5)
    assert result.provisional
    assert str(result).endswith(" provisional")
    assert result.date == D(2027, 1, 7)  # 12-31, (1-1 holiday), 1-4, 1-5, 1-6, 1-7
    assert not calendar.add(D(2026, 12, 1), 5).provisional


def test_estimates_hold_the_statutory_holidays_of_the_year():
    days = estimated_holidays(2027)
    assert D(2027, 1, 1) in days and D(2027, 10, 3) in days and D(2027, 5, 2) in days
    assert {D(2027, 2, 5), D(2027, 2, 6), D(2027, 2, 7), D(2027, 2, 8)} <= days  # 除夕–初三 (春节 2027-02-06)
    assert D(2027, 6, 9) in days and D(2027, 9, 15) in days  # 端午, 中秋
    assert len(days) == 13


def test_negative_n_is_refused(calendar):
    with pytest.raises(ValueError, match="must not be negative"):
        calendar.add(D(2026, 1, 5), -1)
    with pytest.raises(TypeError):
        calendar.before(D(2026, 1, 5), 1.5)


def test_count_between_counts_working_days_after_the_start(calendar):
    assert calendar.count_between(D(2026, 9, 30), D(2026, 10, 8)) == 1
    assert calendar.count_between(D(2026, 10, 8), D(2026, 9, 30)) == -1


YAML_2027 = """\
year: 2027
source: 国务院办公厅关于2027年部分节假日安排的通知 (test data)
holidays:
  - 2027-01-01
  - {from: 2027-02-05, to: 2027-02-11, name: 春节}
  - {from: 2027-10-01, to: 2027-10-07, name: 国庆节}
makeup_workdays:
  - 2027-02-20
  - 2027-10-09
"""


def test_an_imported_year_replaces_the_estimate_and_is_official(calendar):
    years = parse_calendar_file(YAML_2027, "2027.yaml")
    assert [y.year for y in years] == [2027]
    merged = WorkingCalendar([*calendar.official_years.values(), *years])
    assert merged.is_official(2027)
    assert merged.is_working_day(D(2027, 2, 20))
    assert not merged.is_working_day(D(2027, 10, 7))
    assert not merged.add(D(2026, 12, 30), 5).provisional


def test_csv_import_reads_date_kind_name_rows():
    years = parse_calendar_file("date,kind,name\n2027-01-01,holiday,元旦\n2027-02-20,workday,\n", "2027.csv")
    assert years == [OfficialYear(2027, frozenset({D(2027, 1, 1)}), frozenset({D(2027, 2, 20)}), "")]


@pytest.mark.parametrize("text,filename,line,fragment", [
    ("date,kind\n2027-01-01,holiday\n2027-02-30,holiday\n", "x.csv", 3, "not a date"),
    ("date,kind\n2027-01-01,holiday\n2027-01-04,workday\n", "x.csv", 3, "weekday"),
    ("date,kind\n2027-01-01,holiday\n2027-01-01,holiday\n", "x.csv", 3, "listed twice"),
    ("date,kind\n2027-01-01,vacation\n", "x.csv", 2, "neither"),
    ("year: 2027\nholidays:\n  - 2027-01-01\n  - 2028-01-01\n", "x.yaml", 4, "not in year 2027"),
    ("year: 2027\nholidays:\n  - {from: 2027-02-11, to: 2027-02-05}\n", "x.yaml", 3, "ends"),
    ("year: 2027\nholiday:\n  - 2027-01-01\n", "x.yaml", 2, "unknown key"),
])
def test_a_bad_file_is_refused_naming_the_wrong_line(text, filename, line, fragment):
    with pytest.raises(CalendarFileError) as err:
        parse_calendar_file(text, filename)
    assert err.value.line == line
    assert fragment in str(err.value)


def test_a_file_with_no_holidays_is_refused():
    with pytest.raises(CalendarFileError, match="no holidays"):
        parse_calendar_file("date,kind\n", "x.csv")
