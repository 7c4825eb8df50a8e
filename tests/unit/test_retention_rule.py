"""Retention (004 §六(三)): a closed case's electronic file is kept `years` after it closed — the last day
inclusive — unless it is still in force or held; then nothing of it may be purged."""

import datetime as dt

from policy.retention import RetentionFacts, retention_decision

CLOSED = dt.date(2021, 3, 15)


def test_a_file_is_kept_through_the_last_day_of_its_period_and_purgeable_the_day_after():
    facts = RetentionFacts(closed_on=CLOSED, in_force=None, holds=(), years=5)
    assert retention_decision(facts, dt.date(2026, 3, 15)).purgeable is False
    after = retention_decision(facts, dt.date(2026, 3, 16))
    assert after.purgeable and after.kept_until == dt.date(2026, 3, 15)


def test_a_case_still_running_or_in_force_is_never_purgeable():
    assert not retention_decision(RetentionFacts(None, None, (), 5), dt.date(2040, 1, 1)).purgeable
    in_force = retention_decision(RetentionFacts(CLOSED, "the filing of a registered institution", (), 5),
                                  dt.date(2040, 1, 1))
    assert not in_force.purgeable and in_force.kept_until is None and "registered" in in_force.reason


def test_a_legal_hold_keeps_a_file_past_its_period_and_says_why():
    held = retention_decision(RetentionFacts(CLOSED, None, ("#4 诉讼",), 5), dt.date(2030, 1, 1))
    assert not held.purgeable and held.kept_until == dt.date(2026, 3, 15) and "诉讼" in held.reason


def test_a_file_closed_on_29_february_is_kept_until_28_february():
    facts = RetentionFacts(dt.date(2024, 2, 29), None, (), 5)
    assert retention_decision(facts, dt.date(2029, 3, 1)).kept_until == dt.date(2029, 2, 28)
