import datetime as dt

from policy.credit import CreditSpan, is_receipt_number, last_day_after, new_receipt_number, span_problems

DAY = dt.date(2026, 12, 2)


def test_a_ban_of_three_years_decided_on_a_day_holds_through_its_third_anniversary():
    # 民法典 art. 201: the decision day is not counted; art. 202: the period ends with the corresponding day
    assert last_day_after(DAY, 3) == dt.date(2029, 12, 2)  # cancelled 2026-12-02: may file again 2029-12-03
    assert last_day_after(dt.date(2028, 2, 29), 1) == dt.date(2029, 2, 28)  # no 29 February: the month's last day


def test_a_credit_entry_holds_from_its_first_day_through_its_last_and_then_expires_by_itself():
    span = CreditSpan("blacklist", DAY, dt.date(2027, 1, 31))
    assert not span.holds_on(DAY - dt.timedelta(days=1))
    assert span.holds_on(DAY) and span.holds_on(dt.date(2027, 1, 31))
    assert not span.holds_on(dt.date(2027, 2, 1))


def test_a_receipt_number_carries_the_day_and_eight_unambiguous_random_characters():
    numbers = {new_receipt_number(DAY) for _ in range(200)}
    assert len(numbers) == 200
    for number in numbers:
        assert number.startswith("TS20261202") and len(number) == 18 and is_receipt_number(number)
        assert not set(number[10:]) & set("01OIL")
    assert not is_receipt_number("TS20261202ABCDEFG1")
    assert not is_receipt_number("1; drop table")


def test_an_entry_that_ends_before_it_starts_or_lasts_beyond_ten_years_is_refused():
    assert span_problems("blacklist", DAY, DAY) == []
    assert span_problems("abnormal", DAY, DAY - dt.timedelta(days=1))
    assert span_problems("blacklist", DAY, dt.date(2037, 12, 3))
    assert span_problems("grey", DAY, None)
