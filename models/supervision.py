"""Process 3 — supervision (监督管理): the cases opened by a complaint or an officer's finding, and the
credit records (信用档案) their decisions leave on institutions and persons."""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import JSON, Column
from sqlmodel import Field, SQLModel


class SupervisionCase(SQLModel, table=True):
    """投诉举报 or 抽查发现: about an institution (and maybe one of its batches or certificates), triaged,
    investigated and decided by the centre that handles the institution."""

    __tablename__ = "supervision_case"
    id: int = Field(default=None, primary_key=True)
    receipt_number: str = Field(unique=True, max_length=20)  # the complainant's handle: status and outcome only
    source: str  # complaint | finding | supervision_report
    institution_id: int = Field(foreign_key="institution.id", index=True)
    plan_id: int | None = Field(default=None, foreign_key="evaluation_plan.id", index=True)
    certificate_number: str | None = Field(default=None, max_length=22)
    profile_code: str
    region_code: str = Field(max_length=6, index=True)  # the institution's, for who sees the case
    centre: str = Field(max_length=6, index=True)  # the centre whose officers take its steps
    text: str
    contact_name: str = ""
    contact_phone: str = ""
    opened_by: int | None = Field(default=None, foreign_key="user_account.id")  # an officer's own finding
    # registered | investigating | awaiting_explanation | rectifying | verifying | awaiting_approval | revoking | closed
    status: str = Field(default="registered", index=True)
    outcome: str | None = None  # not_accepted | dismissed | rectified | cancelled | revoked | credit_entry
    outcome_reason: str | None = None
    # one entry per request of the institution's explanation: {round, requested_on, due, text, answered_on, silent}
    explanations: list[dict[str, Any]] = Field(default_factory=list, sa_column=Column(JSON, nullable=False))
    # one entry per rectification order: {round, items, ordered_on, due, text, submitted_on, silent, verdict}
    rectifications: list[dict[str, Any]] = Field(default_factory=list, sa_column=Column(JSON, nullable=False))
    # what each investigation round decided and what became of it: {round, decision, proposed_by,
    # revocation_id, credit_entry_id, approved_by, refused}; a replayed step finds its round here
    actions: list[dict[str, Any]] = Field(default_factory=list, sa_column=Column(JSON, nullable=False))
    flow_run_id: str | None = None
    created_at: dt.datetime
    updated_at: dt.datetime


class CreditEntry(SQLModel, table=True):
    """信用档案 (002 §(二十二)): an institution (by its credit code) or a person on the abnormal list
    (异常名录) or the blacklist (黑名单), from a date until a date; it expires by itself."""

    __tablename__ = "credit_entry"
    id: int = Field(default=None, primary_key=True)
    subject_type: str  # institution | person
    credit_code: str | None = Field(default=None, max_length=18, index=True)
    institution_id: int | None = Field(default=None, foreign_key="institution.id")
    person_name: str | None = Field(default=None, max_length=50, index=True)
    person_user_id: int | None = Field(default=None, foreign_key="user_account.id", index=True)
    kind: str  # abnormal | blacklist
    reason: str
    case_id: int | None = Field(default=None, foreign_key="supervision_case.id", index=True)
    valid_from: dt.date
    valid_until: dt.date  # the last day it holds
    decided_by: int | None = Field(default=None, foreign_key="user_account.id")
    approved_by: int | None = Field(default=None, foreign_key="user_account.id")
    created_at: dt.datetime
