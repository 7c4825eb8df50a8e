"""Credit records (信用档案, 002 §(二十二); 003 §四(三), 004 §六(一)) and the supervision case's own
rules: how long an entry holds, what a receipt number looks like. Pure rules: no framework."""

from __future__ import annotations

import datetime as dt
import re
import secrets
from dataclasses import dataclass

from policy.inactivity import period_end, years_after

KINDS = {"abnormal": "异常名录", "blacklist": "黑名单"}
OUTCOMES = {"not_accepted": "不予受理", "dismissed": "查无实据，不予处理", "rectified": "已责令整改并整改到位",
            "cancelled": "取消备案", "revoked": "撤销证书", "credit_entry": "列入信用记录"}
# what the complainant sees: where the case stands, never who decided or what was found
PUBLIC_STATUS = {"registered": "已登记，待受理", "investigating": "调查核实中", "awaiting_explanation": "调查核实中",
                 "rectifying": "调查核实中", "verifying": "调查核实中", "awaiting_approval": "调查核实中",
                 "revoking": "调查核实中", "closed": "已办结"}

# no 0/O, 1/I/L: a receipt number is read out over the phone
_RECEIPT_ALPHABET = "23456789ABCDEFGHJKMNPQRSTUVWXYZ"
RECEIPT_PATTERN = re.compile(r"^TS[0-9]{8}[2-9A-HJKMNP-Z]{8}$")  # a complaint's (投诉)
OBJECTION_RECEIPT_PATTERN = re.compile(r"^YY[0-9]{8}[2-9A-HJKMNP-Z]{8}$")  # a publicity objection's (异议)


def new_receipt_number(day: dt.date, prefix: str = "TS") -> str:
    """The prefix (TS a complaint, YY an objection) + the day + 8 random characters: unguessable, so a receipt
    cannot be enumerated."""
    return f"{prefix}{day:%Y%m%d}" + "".join(secrets.choice(_RECEIPT_ALPHABET) for _ in range(8))


def is_receipt_number(text: str) -> bool:
    return bool(RECEIPT_PATTERN.match(text))


def is_objection_receipt(text: str) -> bool:
    return bool(OBJECTION_RECEIPT_PATTERN.match(text))


def last_day_after(start: dt.date, years: int) -> dt.date:
    """The last day of a period of `years` decided on `start` (民法典 arts. 201, 202: the decision day is not
    counted): a ban decided 2026-12-02 for 3 years holds through 2029-12-02; a filing may come on 2029-12-03."""
    return period_end(start, years)


@dataclass(frozen=True)
class CreditSpan:
    kind: str  # abnormal | blacklist
    valid_from: dt.date
    valid_until: dt.date

    def holds_on(self, day: dt.date) -> bool:
        """An entry expires by itself: it holds from its first day through its last, no later."""
        return self.valid_from <= day <= self.valid_until


def span_problems(kind: str, valid_from: dt.date, valid_until: dt.date | None) -> list[str]:
    problems = []
    if kind not in KINDS:
        problems.append(f"信用记录类别只能是 {' / '.join(KINDS)} / kind is abnormal or blacklist")
    if valid_until is not None and valid_until < valid_from:
        problems.append(f"截止日期 {valid_until} 早于起始日期 {valid_from} / the entry would end before it starts")
    if valid_until is not None and valid_until > years_after(valid_from, 10):
        problems.append("信用记录最长十年 / an entry holds for ten years at most")
    return problems
