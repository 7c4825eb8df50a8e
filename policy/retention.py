"""Record retention (004 §六(三)): electronic records are kept at least `retention_years_electronic` years
(5 in Gansu's text; a local setting elsewhere), counted from the day the case's file closed; a legal hold
keeps them whatever the date. Pure rules: no framework.

What retention may remove is a closed case's *electronic file*: its uploaded materials. The audit trail
and the certificates are the register itself (责任可追溯, certificate verification) and are never purged.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from policy.inactivity import years_after


@dataclass(frozen=True)
class RetentionFacts:
    """What the rule needs to know of one case."""

    closed_on: dt.date | None  # the day its file closed; None while the case runs
    in_force: str | None  # why the file still serves (a registered institution's filing), or None
    holds: tuple[str, ...]  # the legal holds on it (a supervision case, a court), by reason
    years: int  # the profile's electronic retention period


@dataclass(frozen=True)
class RetentionDecision:
    purgeable: bool
    kept_until: dt.date | None  # the last day it must be kept (None: open, in force or held)
    reason: str


def retention_decision(facts: RetentionFacts, today: dt.date) -> RetentionDecision:
    if facts.closed_on is None:
        return RetentionDecision(False, None, "the case is still running")
    if facts.in_force:
        return RetentionDecision(False, None, facts.in_force)
    kept_until = years_after(facts.closed_on, facts.years)
    if facts.holds:
        return RetentionDecision(False, kept_until, "legal hold: " + "; ".join(facts.holds))
    if today <= kept_until:
        return RetentionDecision(False, kept_until, f"kept {facts.years} years after it closed on "
                                                    f"{facts.closed_on.isoformat()}")
    return RetentionDecision(True, kept_until, f"closed on {facts.closed_on.isoformat()}; its {facts.years} "
                                               "years ended")
