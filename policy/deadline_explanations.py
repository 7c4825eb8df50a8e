"""How a working-day date was reached, in words a centre can read to an enterprise asking "why is my deadline the
16th?": the rule and its source, the day the count starts from, how many working days after (or before) it, each
day skipped — weekends, holidays by name — and each make-up working day (调休上班) counted, and whether every year
the count crossed is official or estimated. Pure: the calendar and the holidays' names are given.

The count follows policy.working_days exactly (the explanation recomputes the date with the same calendar), so the
count it states is always the calendar's own; a caller whose stored date differs from it (a step whose clock was
paused) says so beside it (tasks.queries.views.task_deadline_explanation)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Literal

from policy.working_days import WorkingCalendar

WEEKDAYS = "一二三四五六日"


@dataclass(frozen=True)
class SkippedSpan:
    """Consecutive days not counted, for one reason (周六、周日, 国庆节 …)."""

    first: dt.date
    last: dt.date
    reason: str

    def as_text(self) -> str:
        days = _day(self.first) if self.first == self.last else f"{_day(self.first)}至{_day(self.last)}"
        return f"{days}（{self.reason}）"


@dataclass(frozen=True)
class DeadlineExplanation:
    start: dt.date
    working_days: int
    direction: Literal["after", "before"]
    start_day_counts: bool
    due: dt.date
    skipped: tuple[SkippedSpan, ...]
    makeup_days: tuple[dt.date, ...]  # weekend days counted as working days (调休上班)
    estimated_years: tuple[int, ...]  # years of the count without the State Council's notice
    rule: str = ""  # what the period is, e.g. 受理 5 个工作日
    source: str | None = None  # where the rule is written (a text's section, or 本地设置); None: not known here

    def as_text(self) -> str:
        counted = "当日计入" if self.start_day_counts else "当日不计"
        way = "之后" if self.direction == "after" else "之前"
        parts = []
        if self.rule:
            parts.append(f"{self.rule}（{self.source}）。" if self.source else f"{self.rule}。")
        parts.append(f"自 {_day(self.start)}（{counted}）{way}第 {self.working_days} 个工作日，为 {_day(self.due)}。")
        if self.skipped:
            parts.append("不计：" + "；".join(span.as_text() for span in self.skipped) + "。")
        if self.makeup_days:
            parts.append("调休上班日计入：" + "、".join(_day(d) for d in self.makeup_days) + "。")
        if self.estimated_years:
            years = "、".join(f"{y} 年" for y in self.estimated_years)
            parts.append(f"{years}的节假日尚未公布，按法定节假日规则估算，日期为暂定。")
        else:
            parts.append("节假日以国务院办公厅公布的安排为准。")
        return "".join(parts)


def explain(calendar: WorkingCalendar, start: dt.date, working_days: int, *,
            direction: Literal["after", "before"] = "after", start_day_counts: bool = False,
            holiday_names: Mapping[dt.date, str] | None = None, rule: str = "",
            source: str | None = None) -> DeadlineExplanation:
    """The explanation of `calendar.add(start, n)` (or `before`), with the days between walked one by one."""
    names = holiday_names or {}
    if direction == "after":
        due = calendar.add(start, working_days, start_day_counts=start_day_counts).date
        first = start if start_day_counts else start + dt.timedelta(days=1)
        walked = _days(first, due)
    else:
        due = calendar.before(start, working_days, start_day_counts=start_day_counts).date
        last = start if start_day_counts else start - dt.timedelta(days=1)
        walked = _days(due, last)
    skipped: list[SkippedSpan] = []
    makeup = []
    for day in walked:
        if calendar.is_working_day(day):
            if day.weekday() >= 5:
                makeup.append(day)
            continue
        reason = names.get(day) or (f"周{WEEKDAYS[day.weekday()]}" if day.weekday() >= 5 else "法定节假日")
        if skipped and skipped[-1].last == day - dt.timedelta(days=1) and _same_reason(skipped[-1].reason, reason):
            previous = skipped.pop()
            reason = previous.reason if previous.reason == reason else "周六、周日"
            skipped.append(SkippedSpan(previous.first, day, reason))
        else:
            skipped.append(SkippedSpan(day, day, reason))
    years = range(min(start, due).year, max(start, due).year + 1)
    return DeadlineExplanation(
        start=start, working_days=working_days, direction=direction, start_day_counts=start_day_counts, due=due,
        skipped=tuple(skipped), makeup_days=tuple(makeup),
        estimated_years=tuple(y for y in years if not calendar.is_official(y)), rule=rule, source=source)


def _same_reason(earlier: str, later: str) -> bool:
    """A holiday's days run together; a Saturday and the Sunday after it make one weekend."""
    weekend = ("周六", "周日", "周六、周日")
    return earlier == later or (earlier in weekend and later in weekend)


def _days(first: dt.date, last: dt.date) -> list[dt.date]:
    return [first + dt.timedelta(days=n) for n in range((last - first).days + 1)]


def _day(day: dt.date) -> str:
    return f"{day.year}年{day.month}月{day.day}日（周{WEEKDAYS[day.weekday()]}）"
