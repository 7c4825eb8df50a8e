"""The facts of the two processes: filings, institutions, plans, candidates, scores, certificates."""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import JSON, Column, Index, UniqueConstraint
from sqlmodel import Field, SQLModel


def _changed_now() -> dt.datetime:
    """`updated_at` of a row: set by every UPDATE the ORM flushes (lists sort by last change)."""
    return dt.datetime.now(dt.UTC)


LAST_CHANGE = {"onupdate": _changed_now}


class Institution(SQLModel, table=True):
    """An evaluation institution (评价机构); registered once its filing completes."""

    __tablename__ = "institution"
    __table_args__ = (Index("ix_institution_last_change", "updated_at", "id"),)  # lists page by last change
    id: int = Field(default=None, primary_key=True)
    name: str
    credit_code: str = Field(unique=True, max_length=18)
    kind: str = Field(default="Y", max_length=1)  # Y employer / S training-evaluation organisation
    region_code: str = Field(max_length=6, index=True)
    profile_code: str
    segment: str | None = Field(default=None, unique=True, max_length=13)  # 证书号段, positions 1–13
    status: str = Field(default="applying", index=True)  # applying | registered | withdrawn | revoked
    registered_on: dt.date | None = None
    last_evaluation_on: dt.date | None = None
    inactivity_warned_on: dt.date | None = None  # warned of the coming withdrawal (004 §六(三))
    removed_on: dt.date | None = None  # left the catalogue (withdrawn or cancelled)
    removal_reason: str | None = None  # the category: inactivity | cancelled
    handling_centre: str | None = Field(default=None, max_length=6)  # the centre its filing was handled by
    pilot_plan_approved_on: dt.date | None = None  # 试点方案 passed the experts (where the profile has the step)
    # its own titles and the national level each corresponds to (004 §二): [{"title", "level"}], as filed
    ladder: list[dict[str, Any]] = Field(default_factory=list, sa_column=Column(JSON, nullable=False))
    created_at: dt.datetime
    updated_at: dt.datetime = Field(default_factory=_changed_now, sa_column_kwargs=LAST_CHANGE)


class SegmentCounter(SQLModel, table=True):
    """Last organisation serial a province assigned (positions 8–13 of the segment)."""

    __tablename__ = "segment_counter"
    province: str = Field(primary_key=True, max_length=2)
    last_serial: int = 0


class InstitutionOccupation(SQLModel, table=True):
    """The filed scope: which occupations and levels an institution may evaluate."""

    __tablename__ = "institution_occupation"
    __table_args__ = (UniqueConstraint("institution_id", "occupation_code"),)
    id: int = Field(default=None, primary_key=True)
    institution_id: int = Field(foreign_key="institution.id", index=True)
    occupation_code: str = Field(foreign_key="occupation.code")
    levels: str  # national level digits, e.g. "345"


class FilingApplication(SQLModel, table=True):
    """备案申请: the enterprise's application and where its process stands."""

    __tablename__ = "filing_application"
    __table_args__ = (Index("ix_filing_application_last_change", "updated_at", "id"),)  # lists page by last change
    id: int = Field(default=None, primary_key=True)
    institution_id: int = Field(foreign_key="institution.id", index=True)
    applicant_id: int | None = Field(default=None, foreign_key="user_account.id")
    profile_code: str
    region_code: str = Field(max_length=6, index=True)
    handling_centre: str = Field(default="", max_length=6, index=True)  # 受理中心: municipal xxxx00 / provincial xx0000
    form: dict[str, Any] = Field(sa_column=Column(JSON, nullable=False))  # the application form as filed
    status: str = Field(default="submitted", index=True)
    current_step: str = "completeness_check"
    deficiency_rounds: int = 0
    publicity_start: dt.date | None = None
    publicity_end: dt.date | None = None
    publicity_provisional: bool = False
    receipt_number: str | None = Field(default=None, unique=True)
    outcome_reason: str | None = None
    flow_run_id: str | None = None
    created_at: dt.datetime
    updated_at: dt.datetime = Field(sa_column_kwargs=LAST_CHANGE)


class FilingOccupation(SQLModel, table=True):
    __tablename__ = "filing_occupation"
    __table_args__ = (UniqueConstraint("filing_id", "occupation_code"),)
    id: int = Field(default=None, primary_key=True)
    filing_id: int = Field(foreign_key="filing_application.id", index=True)
    occupation_code: str = Field(max_length=10)
    levels: str  # digits, e.g. "345"
    basis: str = ""  # 评价依据: the national standard or the enterprise's specification
    position_name: str = ""  # 企业岗位 mapped to this occupation (相邻相近), for the experts to judge
    mapping_reason: str = ""


class FilingMaterial(SQLModel, table=True):
    """One material of the checklist, per submission round (resubmissions add rows)."""

    __tablename__ = "filing_material"
    __table_args__ = (UniqueConstraint("filing_id", "round", "kind"),)
    id: int = Field(default=None, primary_key=True)
    filing_id: int = Field(foreign_key="filing_application.id", index=True)
    round: int = 0
    kind: str
    title: str = ""
    sha256: str | None = None
    uri: str | None = None
    submitted_at: dt.datetime


class DeficiencyNotice(SQLModel, table=True):
    """一次性告知: every deficiency of one acceptance round, told at once."""

    __tablename__ = "deficiency_notice"
    __table_args__ = (UniqueConstraint("filing_id", "round"),)
    id: int = Field(default=None, primary_key=True)
    filing_id: int = Field(foreign_key="filing_application.id", index=True)
    round: int
    items: list[dict[str, Any]] = Field(sa_column=Column(JSON, nullable=False))
    issued_at: dt.datetime
    issued_by: int | None = Field(default=None, foreign_key="user_account.id")
    resubmitted_at: dt.datetime | None = None


class PilotPlan(SQLModel, table=True):
    """试点方案 (003 §二(三)): written by a registered pilot enterprise, evaluated by experts before it
    may file evaluation plans; a plan the experts fail is revised and submitted as the next round."""

    __tablename__ = "pilot_plan"
    __table_args__ = (UniqueConstraint("filing_id", "round"),)
    id: int = Field(default=None, primary_key=True)
    filing_id: int = Field(foreign_key="filing_application.id", index=True)
    round: int = 0
    summary: str
    materials: list[Any] = Field(default_factory=list, sa_column=Column(JSON, nullable=False))
    submitted_by: int | None = Field(default=None, foreign_key="user_account.id")
    submitted_at: dt.datetime
    outcome: str | None = None  # passed | failed
    outcome_reasons: list[Any] = Field(default_factory=list, sa_column=Column(JSON, nullable=False))
    decided_at: dt.datetime | None = None


class Objection(SQLModel, table=True):
    """An objection raised during a publicity period; investigated and decided."""

    __tablename__ = "objection"
    id: int = Field(default=None, primary_key=True)
    case_type: str = Field(index=True)  # filing | plan
    case_id: int = Field(index=True)
    candidate_id: int | None = Field(default=None, foreign_key="candidate.id")  # results objections may name one
    raised_by: int | None = Field(default=None, foreign_key="user_account.id")  # None: a person without an account
    objector_name: str = ""  # given on the public form (an account's objection has its user)
    text: str
    contact: str = ""  # how the investigating officer reaches the objector
    # the objector's handle on the public lookup (status and outcome only); none before revision 0020
    receipt_number: str | None = Field(default=None, unique=True, index=True, max_length=20)
    raised_at: dt.datetime
    # centre: the handling centre investigates; enterprise: the enterprise's own certification body
    # investigates and the centre reviews its finding (004 §五(四), a profile option)
    investigated_by: str = "centre"
    outcome: str | None = None  # upheld | dismissed
    decided_at: dt.datetime | None = None


class EvaluationPlan(SQLModel, table=True):
    """认定实施计划: one evaluation batch."""

    __tablename__ = "evaluation_plan"
    __table_args__ = (Index("ix_evaluation_plan_last_change", "updated_at", "id"),)  # lists page by last change
    id: int = Field(default=None, primary_key=True)
    institution_id: int = Field(foreign_key="institution.id", index=True)
    region_code: str = Field(max_length=6, index=True)
    handling_centre: str = Field(default="", max_length=6, index=True)  # the centre that receives plan and results
    profile_code: str
    occupation_code: str = Field(max_length=10)
    evaluation_start: dt.date
    evaluation_end: dt.date
    filed_on: dt.date
    site: str = ""
    staff: dict[str, Any] = Field(sa_column=Column(JSON, nullable=False))  # proctors, evaluators, quality supervisors
    status: str = Field(default="filed", index=True)
    current_step: str = "plan_filing"
    supervised: bool | None = None
    supervisor_id: int | None = Field(default=None, foreign_key="user_account.id")
    supervision_draw_id: int | None = Field(default=None, foreign_key="draw_record.id")
    supervision_verdict: str | None = None  # no_issues | to_correct | serious_violation (the on-site report)
    corrections: list[Any] = Field(default_factory=list, sa_column=Column(JSON, nullable=False))  # to answer
    corrections_answer: list[Any] = Field(default_factory=list, sa_column=Column(JSON, nullable=False))
    corrections_answered_at: dt.datetime | None = None
    results_due: dt.date | None = None
    results_submitted_on: dt.date | None = None
    results_submissions: int = 0
    results_late: bool = False  # 逾期报送: submitted after results_due
    publicity_start: dt.date | None = None
    publicity_end: dt.date | None = None
    review_rounds: int = 0
    outcome_reason: str | None = None
    flow_run_id: str | None = None
    created_at: dt.datetime
    updated_at: dt.datetime = Field(sa_column_kwargs=LAST_CHANGE)


class Candidate(SQLModel, table=True):
    __tablename__ = "candidate"
    __table_args__ = (UniqueConstraint("plan_id", "id_number"),)
    id: int = Field(default=None, primary_key=True)
    plan_id: int = Field(foreign_key="evaluation_plan.id", index=True)
    name: str
    id_number: str = Field(max_length=18)
    relation: str
    level: int  # national level digit 1–5
    months_with_enterprise: int | None = None
    # the facts of eligibility as declared: affiliate or mandator, social insurance and workplace regions,
    # years in the occupation, level held, diploma (checked against the profile when the plan is filed)
    eligibility: dict[str, Any] = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))
    excluded_reason: str | None = None  # e.g. an upheld objection
    enterprise_title: str = ""  # the institution's own level on its filed ladder, beside the national one


class Score(SQLModel, table=True):
    __tablename__ = "score"
    id: int = Field(default=None, primary_key=True)
    candidate_id: int = Field(foreign_key="candidate.id", unique=True)
    theory: float | None = None
    practical: float | None = None
    performance: float | None = None
    # scored (the parts) | direct_recognition | competition, with the evidence it rests on (004 §三(二)(三))
    route: str = Field(default="scored", max_length=20)
    evidence: dict[str, Any] = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))
    passed: bool
    submitted_at: dt.datetime


class SerialCounter(SQLModel, table=True):
    """Last certificate serial used within one scope (segment + year + level)."""

    __tablename__ = "serial_counter"
    scope: str = Field(primary_key=True, max_length=16)
    last_serial: int = 0


class Certificate(SQLModel, table=True):
    __tablename__ = "certificate"
    __table_args__ = (UniqueConstraint("serial_scope", "serial"),)
    id: int = Field(default=None, primary_key=True)
    number: str = Field(unique=True, max_length=22)
    serial_scope: str = Field(max_length=16)
    serial: int
    candidate_id: int = Field(foreign_key="candidate.id", unique=True)  # one certificate per candidate and batch
    plan_id: int = Field(foreign_key="evaluation_plan.id", index=True)
    institution_id: int = Field(foreign_key="institution.id", index=True)
    holder_name: str
    id_number: str = Field(max_length=18)
    occupation_code: str
    occupation_name: str
    level: int
    enterprise_title: str = ""  # printed beside the national level (004 §二)
    issued_on: dt.date
    # pending (numbered, not yet acknowledged by the national query system) | valid | revoked
    status: str = "valid"
    revoked_reason: str | None = None
    revoked_on: dt.date | None = None
    revocation_id: int | None = None  # the revocation that revoked it
    uploaded_at: dt.datetime | None = None  # when the national system acknowledged it
    national_refusal: str | None = None  # the national system's reason for refusing it (stays pending)
    holder_link_version: int = 0  # raised to revoke every holder link given out so far


class DrawRecord(SQLModel, table=True):
    """A random draw (expert panel seats, quality supervision), kept for audit.

    The seed is a server-side secret drawn with `secrets`; the commitment (its SHA-256) is written in
    the case's audit trail when the draw is made, so an auditor given the seed later can re-run the
    draw from `candidates` and check both the result and that the seed was not changed afterwards."""

    __tablename__ = "draw_record"
    id: int = Field(default=None, primary_key=True)
    case_type: str = Field(index=True)
    case_id: int = Field(index=True)
    purpose: str  # expert_panel | seat_redraw | quality_supervision
    seed: str
    commitment: str
    candidates: list[Any] = Field(sa_column=Column(JSON, nullable=False))
    result: dict[str, Any] = Field(sa_column=Column(JSON, nullable=False))
    drawn_at: dt.datetime


class Revocation(SQLModel, table=True):
    """撤销证书 (004 §六(三): results traceable and re-checkable): certificates of one batch found wrongly
    issued, revoked once a second officer approves (four-eyes) and then sent to the national system."""

    __tablename__ = "revocation"
    id: int = Field(default=None, primary_key=True)
    plan_id: int = Field(foreign_key="evaluation_plan.id", index=True)
    numbers: list[str] = Field(default_factory=list, sa_column=Column(JSON, nullable=False))
    category: str  # REVOCATION_CATEGORIES (models/schemas.py)
    reason: str
    requested_by: int = Field(foreign_key="user_account.id")
    requested_at: dt.datetime
    # requested (awaiting the second officer) | refused | revoked (not yet acknowledged nationally) | notified
    status: str = Field(default="requested", index=True)
    approved_by: int | None = Field(default=None, foreign_key="user_account.id")
    revoked_on: dt.date | None = None
    flow_run_id: str | None = None
    # the supervision case whose decision it is (监督案件撤销证书): told when the revocation is decided
    supervision_case_id: int | None = Field(default=None, foreign_key="supervision_case.id")


class CaseNote(SQLModel, table=True):
    """An internal note on a filing or a plan: written by the centre's officers for each other, never shown to
    the applicant or the public (no event, no webhook, no applicant view carries it), audited."""

    __tablename__ = "case_note"
    id: int = Field(default=None, primary_key=True)
    case_type: str = Field(index=True, max_length=20)  # filing | plan
    case_id: int = Field(index=True)
    author_id: int = Field(foreign_key="user_account.id")
    text: str = Field(max_length=2000)
    written_at: dt.datetime  # the business clock's instant
