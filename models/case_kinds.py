"""The registry of case kinds, beside the step registry (policy/steps.py): each kind's table, the flow that
runs it, its one label, and whether it belongs to an institution. Every "a filing or a plan" choice reads
this instead of spelling the tables out again."""

from __future__ import annotations

from dataclasses import dataclass

from sqlmodel import Session

from models.cases import EvaluationPlan, FilingApplication
from models.reports import QuarterlyReport
from models.supervision import SupervisionCase

CaseRow = FilingApplication | EvaluationPlan | SupervisionCase | QuarterlyReport
InstitutionCase = FilingApplication | EvaluationPlan | SupervisionCase  # filed by or about one institution
PublicisedCase = FilingApplication | EvaluationPlan  # the kinds a publicity period belongs to


@dataclass(frozen=True)
class CaseKind:
    code: str
    label: str  # a person's word for it: 备案 #12, 批次 #7
    table: type[CaseRow]
    flow: str | None  # the Prefect flow that runs a case of this kind (a report has none: a task only)
    of_an_institution: bool  # filed by or about one institution (its staff may not decide it)


CASE_KINDS: dict[str, CaseKind] = {kind.code: kind for kind in (
    CaseKind("filing", "备案", FilingApplication, "institution_filing", True),
    CaseKind("plan", "批次", EvaluationPlan, "evaluation_batch", True),
    CaseKind("supervision", "监督案件", SupervisionCase, "supervision_case", True),
    CaseKind("report", "季度报告", QuarterlyReport, None, False),
)}
CASE_LABELS = {code: kind.label for code, kind in CASE_KINDS.items()}
FINISHED_PLANS = ("completed", "rejected")  # a plan here is done: no step, no file, no activity clock held


def case_table(case_type: str) -> type[CaseRow]:
    """The table of a case kind; KeyError for a kind that does not exist."""
    return CASE_KINDS[case_type].table


def case_row(session: Session, case_type: str, case_id: int) -> CaseRow | None:
    """The row of a case of a registered kind, None for an id that does not exist (or a kind that does not)."""
    kind = CASE_KINDS.get(case_type)
    row = session.get(kind.table, case_id) if kind is not None else None
    return row if isinstance(row, CaseRow) else None


def institution_case(session: Session, case_type: str, case_id: int) -> InstitutionCase | None:
    """A filing, a plan or a supervision case; None for anything else (a quarterly report is no institution's)."""
    row = case_row(session, case_type, case_id)
    return row if isinstance(row, InstitutionCase) else None


def publicised_case(session: Session, case_type: str, case_id: int) -> PublicisedCase | None:
    """A filing or a plan, the kinds a publicity period belongs to; None for anything else."""
    row = case_row(session, case_type, case_id)
    return row if isinstance(row, PublicisedCase) else None
