"""Service levels in working days: the budget of each step, when it is at risk, breached, escalated.

Pure rules (no framework, no database): the dates of a clock follow from its start, its budget,
the working days it was paused and the calendar.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Protocol

from policy.steps import SLA_STEPS as _STEPS_WITH_SLA

# The escalation ladder: each level tells one more party.
LEVELS = ("at_risk", "breached", "escalated")
NOTIFY = {"at_risk": "assignee", "breached": "centre_lead", "escalated": "operations"}
LEVEL_NAMES = {"on_track": "正常", "at_risk": "即将超期", "breached": "已超期", "escalated": "已升级至运维"}
NOTIFY_NAMES = {"assignee": "提醒经办人", "centre_lead": "通知中心负责人", "operations": "上报运维"}


@dataclass(frozen=True)
class SlaRule:
    """One step's budget: `budget` working days; at risk when `at_risk` working days are left;
    escalated to operations `escalate_after` working days after the breach."""

    budget: int
    at_risk: int
    escalate_after: int


class Calendar(Protocol):
    def add(self, start: dt.date, n: int, *, start_day_counts: bool = False): ...
    def before(self, end: dt.date, n: int, *, start_day_counts: bool = False): ...


@dataclass(frozen=True)
class ClockDates:
    due: dt.date  # the last working day of the budget
    at_risk_on: dt.date  # the working day on which `at_risk` working days are left
    breached_on: dt.date  # the first working day after `due`
    escalate_on: dt.date
    provisional: bool


def clock_dates(calendar: Calendar, *, started_on: dt.date, rule: SlaRule, paused_working_days: int = 0,
                start_day_counts: bool = False) -> ClockDates:
    """A pause of N working days moves every date by exactly N working days."""
    due = calendar.add(started_on, rule.budget + paused_working_days, start_day_counts=start_day_counts)
    at_risk = calendar.before(due.date, rule.at_risk) if rule.at_risk else due
    at_risk_on = max(at_risk.date, started_on)
    breached = calendar.add(due.date, 1)
    escalate = calendar.add(due.date, 1 + rule.escalate_after)
    return ClockDates(due.date, at_risk_on, breached.date, escalate.date,
                      due.provisional or breached.provisional or escalate.provisional)


def level_on(dates: ClockDates, today: dt.date) -> str:
    if today >= dates.escalate_on:
        return "escalated"
    if today >= dates.breached_on:
        return "breached"
    if today >= dates.at_risk_on:
        return "at_risk"
    return "on_track"


def next_check(dates: ClockDates, level: str) -> dt.date | None:
    """The date the clock can next change level (None: the top of the ladder)."""
    return {"on_track": dates.at_risk_on, "at_risk": dates.breached_on, "breached": dates.escalate_on}.get(level)


def levels_between(before: str, after: str) -> list[str]:
    """The levels crossed going from `before` to `after` (a scan after a long weekend may cross two)."""
    order = ("on_track", *LEVELS)
    return list(order[order.index(before) + 1: order.index(after) + 1])


def parse_rules(data: object, where: str) -> dict[str, SlaRule]:
    """The profile's `sla` mapping: step → {budget, at_risk, escalate_after}; errors name the key."""
    if not isinstance(data, dict) or not data:
        raise ValueError(f"{where}: must map steps to {{budget, at_risk, escalate_after}}")
    rules = {}
    for step, values in data.items():
        key = f"{where}.{step}"
        if step not in SLA_STEPS:
            raise ValueError(f"{key}: unknown step (known: {', '.join(SLA_STEPS)})")
        if not isinstance(values, dict) or set(values) != {"budget", "at_risk", "escalate_after"}:
            raise ValueError(f"{key}: needs exactly budget, at_risk and escalate_after")
        for name, value in values.items():
            if isinstance(value, bool) or not isinstance(value, int) or value < 0:
                raise ValueError(f"{key}.{name}: must be a whole number of working days ≥ 0, not {value!r}")
        if values["budget"] < 1:
            raise ValueError(f"{key}.budget: must be at least 1 working day")
        if values["at_risk"] >= values["budget"]:
            raise ValueError(f"{key}.at_risk: must be less than the budget ({values['budget']})")
        rules[step] = SlaRule(values["budget"], values["at_risk"], values["escalate_after"])
    missing = [s for s in SLA_STEPS if s not in rules]
    if missing:
        raise ValueError(f"{where}: no budget for {', '.join(missing)}")
    return rules


# The monitored steps (the people's steps and the enterprise's results submission): policy/steps.py
SLA_STEPS = _STEPS_WITH_SLA
