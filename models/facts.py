"""What a flow knows of its case at the start of every replay, typed: read from the tables by the case's
tasks module (`flow_facts`), read by the flow's steps. Nothing here is stored: a replay reads them again."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

Centres = dict[str, str]  # who takes a step `by` handling / municipal / provincial: a region code each


@dataclass(frozen=True)
class FilingFlowFacts:
    status: str
    region_code: str
    profile_code: str
    centres: Centres
    finished: bool  # nothing is left for the flow (rejected, withdrawn, or registered with its pilot plan passed)
    pilot_plan_approved: bool
    institution_kind: str  # Y, Q, S… (a step may apply to some kinds only)


@dataclass(frozen=True)
class PlanFlowFacts:
    status: str
    finished: bool
    region_code: str
    profile_code: str
    evaluation_start: dt.date
    evaluation_end: dt.date
    centres: Centres
    institution_kind: str


@dataclass(frozen=True)
class SupervisionFlowFacts:
    status: str
    outcome: str | None
    source: str
    profile_code: str
    centre: str  # the investigating centre
    cancellation_centre: str  # where a cancellation is decided (the province's, where the profile says so)


@dataclass(frozen=True)
class RevocationFlowFacts:
    status: str
    plan_id: int
    profile_code: str
    centre: str  # the batch's handling centre: its second officer approves
    certificates: int


@dataclass(frozen=True)
class SupervisionDraw:
    """质量督导's draw for a batch: whether it is supervised, by whom (a 双随机 draw names the supervisor;
    otherwise the roster's supervisors take the seat), and which centre's roster."""
    supervised: bool
    supervisor_id: int | None
    centre: str
    drawn: bool


FlowFacts = FilingFlowFacts | PlanFlowFacts | SupervisionFlowFacts | RevocationFlowFacts
