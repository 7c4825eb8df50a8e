"""Working days (工作日): the clock every period in the policy texts runs on.

Weekends and statutory holidays do not count; make-up working days (调休上班)
on weekends do. Official years come from data (the State Council's notice,
seeded from `chinesecalendar` and imported by an administrator); a year
without official data is estimated from the statutory-holiday rules and every
answer that touched it is marked provisional.

Counting conventions (administrative-law practice, 民法典 art. 201):
- add(S, N): the N-th working day strictly after S; S never counts; N=0 → S.
- before(D, N): the N-th working day counting backwards from D, D excluded;
  the inverse of add on working days.
A profile may choose "start day counts", which makes S (or D) day one when it
is itself a working day.
"""

from __future__ import annotations

import bisect
import csv
import datetime as dt
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path

_LUNAR_TABLE = Path(__file__).parent / "data" / "lunar_holidays.csv"


@dataclass(frozen=True)
class OfficialYear:
    """One year as the State Council published it."""

    year: int
    holidays: frozenset[dt.date]
    makeup_workdays: frozenset[dt.date]
    source: str = ""


@dataclass(frozen=True)
class WorkingDate:
    """A computed date and whether any day of the computation was estimated."""

    date: dt.date
    provisional: bool

    def __str__(self) -> str:
        return self.date.isoformat() + (" provisional" if self.provisional else "")


class CalendarRangeError(ValueError):
    """The computation left the range this calendar can estimate."""


def _load_lunar_table() -> dict[int, dict[str, dt.date]]:
    table: dict[int, dict[str, dt.date]] = {}
    with _LUNAR_TABLE.open(encoding="utf-8") as fh:
        rows = csv.DictReader(line for line in fh if not line.startswith("#"))
        for row in rows:
            table[int(row["year"])] = {
                k: dt.date.fromisoformat(v) for k, v in row.items() if k != "year"
            }
    return table


_LUNAR = _load_lunar_table()
FIRST_ESTIMABLE_YEAR = min(_LUNAR)
LAST_ESTIMABLE_YEAR = max(_LUNAR)


def estimated_holidays(year: int) -> frozenset[dt.date]:
    """The statutory holidays of 《全国年节及纪念日放假办法》 (2025 revision) for a year
    without an official notice: 元旦 1, 春节 4 (除夕–初三), 清明 1, 劳动节 2,
    端午 1, 中秋 1, 国庆 3. Bridging days and make-up workdays are the notice's
    choice and cannot be guessed, so none are assumed."""
    if year not in _LUNAR:
        raise CalendarRangeError(
            f"no calendar data or estimate for {year} "
            f"(estimates cover {FIRST_ESTIMABLE_YEAR}–{LAST_ESTIMABLE_YEAR})"
        )
    lunar = _LUNAR[year]
    spring = lunar["spring_festival"]
    days = {
        dt.date(year, 1, 1),
        lunar["qingming"],
        dt.date(year, 5, 1),
        dt.date(year, 5, 2),
        lunar["dragon_boat"],
        lunar["mid_autumn"],
        dt.date(year, 10, 1),
        dt.date(year, 10, 2),
        dt.date(year, 10, 3),
    }
    days.update(spring + dt.timedelta(days=k) for k in range(-1, 3))
    return frozenset(d for d in days if d.year == year)


@dataclass
class _Year:
    official: bool
    working: list[int]  # sorted ordinals of the year's working days
    working_set: frozenset[int] = field(default_factory=frozenset)


class WorkingCalendar:
    """Answers working-day questions from official years plus estimates."""

    def __init__(self, official_years: Iterable[OfficialYear] = ()) -> None:
        self._official: dict[int, OfficialYear] = {y.year: y for y in official_years}
        self._years: dict[int, _Year] = {}

    @property
    def official_years(self) -> Mapping[int, OfficialYear]:
        return dict(self._official)

    def is_official(self, year: int) -> bool:
        return year in self._official

    def _year(self, year: int) -> _Year:
        cached = self._years.get(year)
        if cached is not None:
            return cached
        official = self._official.get(year)
        if official is not None:
            holidays, makeup = official.holidays, official.makeup_workdays
        else:
            holidays, makeup = estimated_holidays(year), frozenset()
        first = dt.date(year, 1, 1).toordinal()
        last = dt.date(year, 12, 31).toordinal()
        working = []
        for ordinal in range(first, last + 1):
            day = dt.date.fromordinal(ordinal)
            if day in makeup or (day.weekday() < 5 and day not in holidays):
                working.append(ordinal)
        built = _Year(official=official is not None, working=working, working_set=frozenset(working))
        self._years[year] = built
        return built

    def is_working_day(self, day: dt.date) -> bool:
        return day.toordinal() in self._year(day.year).working_set

    def is_provisional(self, day: dt.date) -> bool:
        return not self.is_official(day.year)

    def add(self, start: dt.date, n: int, *, start_day_counts: bool = False) -> WorkingDate:
        """The n-th working day after `start` (strictly after, unless start_day_counts)."""
        _check_n(n)
        if n == 0:
            return WorkingDate(start, self.is_provisional(start))
        if start_day_counts:
            start = start - dt.timedelta(days=1)
        provisional = False
        year = start.year
        ordinal = start.toordinal()
        remaining = n
        while True:
            data = self._year(year)
            provisional |= not data.official
            idx = bisect.bisect_right(data.working, ordinal)
            available = len(data.working) - idx
            if remaining <= available:
                return WorkingDate(dt.date.fromordinal(data.working[idx + remaining - 1]), provisional)
            remaining -= available
            year += 1

    def before(self, end: dt.date, n: int, *, start_day_counts: bool = False) -> WorkingDate:
        """The n-th working day counting backwards from `end` (end excluded unless start_day_counts)."""
        _check_n(n)
        if n == 0:
            return WorkingDate(end, self.is_provisional(end))
        if start_day_counts:
            end = end + dt.timedelta(days=1)
        provisional = False
        year = end.year
        ordinal = end.toordinal()
        remaining = n
        while True:
            data = self._year(year)
            provisional |= not data.official
            idx = bisect.bisect_left(data.working, ordinal)  # working days strictly before `end`
            if remaining <= idx:
                return WorkingDate(dt.date.fromordinal(data.working[idx - remaining]), provisional)
            remaining -= idx
            year -= 1

    def count_between(self, start: dt.date, end: dt.date) -> int:
        """Working days in (start, end]; negative when end is before start."""
        if end < start:
            return -self.count_between(end, start)
        total = 0
        for year in range(start.year, end.year + 1):
            data = self._year(year)
            lo = bisect.bisect_right(data.working, start.toordinal())
            hi = bisect.bisect_right(data.working, end.toordinal())
            total += hi - lo
        return total

    def span_is_provisional(self, a: dt.date, b: dt.date) -> bool:
        lo, hi = min(a, b), max(a, b)
        return any(not self.is_official(y) for y in range(lo.year, hi.year + 1))


def _check_n(n: int) -> None:
    if isinstance(n, bool) or not isinstance(n, int):
        raise TypeError(f"the number of working days must be an integer, not {n!r}")
    if n < 0:
        raise ValueError(f"the number of working days must not be negative (got {n})")


# ---------------------------------------------------------------------------
# Import files: an administrator loads a year's State Council notice.


class CalendarFileError(ValueError):
    """A calendar file was refused; `line` names the first wrong line."""

    def __init__(self, message: str, line: int | None = None) -> None:
        self.line = line
        super().__init__(f"line {line}: {message}" if line else message)


HOLIDAY = "holiday"
MAKEUP_WORKDAY = "workday"
_KIND_ALIASES = {
    "holiday": HOLIDAY, "休": HOLIDAY, "放假": HOLIDAY,
    "workday": MAKEUP_WORKDAY, "makeup_workday": MAKEUP_WORKDAY, "班": MAKEUP_WORKDAY, "上班": MAKEUP_WORKDAY,
}


@dataclass
class _Entry:
    line: int
    day: dt.date
    kind: str
    name: str


def parse_calendar_file(text: str, filename: str = "") -> list[OfficialYear]:
    """Parse a CSV (`date,kind,name`) or YAML calendar file into official years.

    YAML form::

        year: 2027
        source: 国务院办公厅关于2027年部分节假日安排的通知
        holidays:
          - {from: 2027-02-05, to: 2027-02-11, name: 春节}
          - 2027-01-01
        makeup_workdays:
          - 2027-02-14

    Every entry is checked; the first wrong line is reported and nothing is
    returned, so an import is all or nothing.
    """
    if filename.lower().endswith(".csv"):
        declared_years: set[int] = set()
        entries, source = _parse_csv(text), ""
    else:
        entries, declared_years, source = _parse_yaml(text)
    return _assemble(entries, declared_years, source)


def _parse_date(value: object, line: int) -> dt.date:
    if isinstance(value, dt.date) and not isinstance(value, dt.datetime):
        return value
    try:
        return dt.date.fromisoformat(str(value).strip())
    except ValueError:
        raise CalendarFileError(f"{value!r} is not a date (YYYY-MM-DD)", line) from None


def _parse_csv(text: str) -> list[_Entry]:
    entries: list[_Entry] = []
    reader = csv.reader(text.splitlines())
    for line_no, row in enumerate(reader, start=1):
        cells = [c.strip() for c in row]
        if not cells or not any(cells) or cells[0].startswith("#"):
            continue
        if line_no == 1 and cells[0].lower() == "date":
            continue
        if len(cells) < 2:
            raise CalendarFileError("expected `date,kind[,name]`", line_no)
        kind = _KIND_ALIASES.get(cells[1].lower())
        if kind is None:
            raise CalendarFileError(f"kind {cells[1]!r} is neither `holiday` nor `workday`", line_no)
        entries.append(_Entry(line_no, _parse_date(cells[0], line_no), kind, cells[2] if len(cells) > 2 else ""))
    return entries


def _parse_yaml(text: str) -> tuple[list[_Entry], set[int], str]:
    import yaml  # data parsing only; no framework

    try:
        root = yaml.compose(text, Loader=yaml.SafeLoader)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        raise CalendarFileError(f"not valid YAML: {getattr(exc, 'problem', exc)}",
                                mark.line + 1 if mark else None) from None
    if root is None or not isinstance(root, yaml.MappingNode):
        raise CalendarFileError("expected a mapping with `year`, `holidays` and `makeup_workdays`", 1)
    constructor = yaml.SafeLoader("")
    entries: list[_Entry] = []
    years: set[int] = set()
    source = ""
    allowed = {"year", "source", "holidays", "makeup_workdays"}
    for key_node, value_node in root.value:
        key = key_node.value
        line = key_node.start_mark.line + 1
        if key not in allowed:
            raise CalendarFileError(f"unknown key {key!r} (allowed: {', '.join(sorted(allowed))})", line)
        if key == "year":
            try:
                years.add(int(value_node.value))
            except (TypeError, ValueError):
                raise CalendarFileError(f"year {value_node.value!r} is not a number", line) from None
        elif key == "source":
            source = str(value_node.value)
        else:
            kind = HOLIDAY if key == "holidays" else MAKEUP_WORKDAY
            if not isinstance(value_node, yaml.SequenceNode):
                raise CalendarFileError(f"`{key}` must be a list", line)
            for item in value_node.value:
                item_line = item.start_mark.line + 1
                value = constructor.construct_object(item, deep=True)
                entries.extend(_expand_item(value, kind, item_line))
    return entries, years, source


def _expand_item(value: object, kind: str, line: int) -> list[_Entry]:
    if isinstance(value, dict):
        unknown = set(value) - {"date", "from", "to", "name"}
        if unknown:
            raise CalendarFileError(f"unknown field(s) {sorted(unknown)}", line)
        name = str(value.get("name", ""))
        if "date" in value:
            return [_Entry(line, _parse_date(value["date"], line), kind, name)]
        if "from" not in value or "to" not in value:
            raise CalendarFileError("a range needs both `from` and `to`", line)
        first, last = _parse_date(value["from"], line), _parse_date(value["to"], line)
        if last < first:
            raise CalendarFileError(f"range ends ({last}) before it starts ({first})", line)
        if (last - first).days > 31:
            raise CalendarFileError("a holiday range longer than a month is surely a typo", line)
        return [_Entry(line, first + dt.timedelta(days=k), kind, name) for k in range((last - first).days + 1)]
    return [_Entry(line, _parse_date(value, line), kind, "")]


def official_year(year: int, holidays: list[dt.date], makeup_workdays: list[dt.date], source: str = "") -> OfficialYear:
    """One year from lists (the API's form), checked like a file; `line` of an error is the
    1-based position in holidays followed by makeup_workdays."""
    entries = [_Entry(i + 1, d, HOLIDAY, "") for i, d in enumerate(holidays)]
    entries += [_Entry(len(holidays) + j + 1, d, MAKEUP_WORKDAY, "") for j, d in enumerate(makeup_workdays)]
    return _assemble(entries, {year}, source)[0]


def _assemble(entries: list[_Entry], declared_years: set[int], source: str) -> list[OfficialYear]:
    if not entries:
        raise CalendarFileError("the file lists no holidays")
    seen: dict[dt.date, _Entry] = {}
    for entry in entries:
        if declared_years and entry.day.year not in declared_years:
            raise CalendarFileError(f"{entry.day} is not in year {sorted(declared_years)[0]}", entry.line)
        if entry.day in seen:
            raise CalendarFileError(f"{entry.day} is listed twice (first on line {seen[entry.day].line})", entry.line)
        if entry.kind == MAKEUP_WORKDAY and entry.day.weekday() < 5:
            raise CalendarFileError(
                f"{entry.day} is a weekday; a make-up workday (调休上班) is a Saturday or Sunday", entry.line
            )
        seen[entry.day] = entry
    years = sorted({e.day.year for e in entries} | declared_years)
    result = []
    for year in years:
        holidays = frozenset(e.day for e in entries if e.day.year == year and e.kind == HOLIDAY)
        if not holidays:
            raise CalendarFileError(f"year {year} lists no holidays; refusing a year that would have none")
        makeup = frozenset(e.day for e in entries if e.day.year == year and e.kind == MAKEUP_WORKDAY)
        result.append(OfficialYear(year, holidays, makeup, source))
    return result
