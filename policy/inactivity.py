"""Inactivity withdrawal (004 §六(三)): an institution that has not evaluated for the profile's
`inactivity_withdrawal_years` consecutive years counts as having withdrawn (视同自行退出). It is warned
`inactivity_warning_working_days` working days before (a local setting). Pure rules: no framework."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from policy.working_days import WorkingCalendar


def years_after(day: dt.date, years: int) -> dt.date:
    """The same calendar day `years` later; 29 February falls on 28 February in a common year."""
    try:
        return day.replace(year=day.year + years)
    except ValueError:
        return day.replace(year=day.year + years, day=28)


def period_end(start: dt.date, years: int) -> dt.date:
    """The last day of a period of `years` that starts on `start` (民法典 art. 201: the start day is not
    counted, the period runs from the next day; art. 202: it ends at the end of the corresponding day, or of
    the month's last day where there is none). Registered 2024-12-10, two years: through 2026-12-10."""
    return years_after(start, years)


@dataclass(frozen=True)
class InactivityClock:
    active_since: dt.date  # registration, or the last evaluation of a completed batch
    withdrawal_on: dt.date  # the day it counts as withdrawn if it has not evaluated by then
    warning_on: dt.date  # the day it is warned
    provisional: bool  # the warning day falls in a year whose official calendar is not imported

    def state(self, today: dt.date) -> str:
        """active | warned (the warning is due) | withdrawn (the withdrawal is due)."""
        if today >= self.withdrawal_on:
            return "withdrawn"
        return "warned" if today >= self.warning_on else "active"


def inactivity_clock(active_since: dt.date, *, years: int, warning_working_days: int,
                     calendar: WorkingCalendar) -> InactivityClock:
    # 连续两年不开展 (004 §六(三)): the two years end with their last day, on which it may still evaluate;
    # it counts as withdrawn the day after
    withdrawal_on = period_end(active_since, years) + dt.timedelta(days=1)
    warning = calendar.before(withdrawal_on, warning_working_days)
    return InactivityClock(active_since, withdrawal_on, warning.date, warning.provisional)


def latest_active_since(today: dt.date, *, years: int, warning_working_days: int) -> dt.date:
    """A bound for a database query: institutions active since after this day cannot be due for a
    warning today (a working day is at most ~2 calendar days in the worst golden week, with margin)."""
    return years_after(today + dt.timedelta(days=warning_working_days * 3 + 15), -years)
