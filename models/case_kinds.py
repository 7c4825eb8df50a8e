"""The registry of case kinds, beside the step registry (policy/steps.py): each kind's table, the flow that
runs it, its one label, its steps, whether it belongs to an institution, and what its flow knows of it; and the
registry of processes (the Prefect flows): each one's table, parameter, the kind of case it works on and the
message that starts it. Every "a filing or a plan" choice, and every flow-to-table switch, reads these
instead of spelling the tables out again. Who may see a case of each kind is tasks/people/access.py's."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlmodel import Session

from models.cases import EvaluationPlan, FilingApplication, Revocation
from models.facts import FilingFlowFacts, PlanFlowFacts, RevocationFlowFacts, SupervisionFlowFacts
from models.reports import QuarterlyReport
from models.supervision import SupervisionCase
from models.workflow import OutboxMessage
from policy.steps import STEPS

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
    facts: type | None  # what its flow knows of it at every replay (models/facts.py)

    @property
    def steps(self) -> tuple[str, ...]:
        """The decided steps a case of this kind may have (policy/steps.py), in the registry's order."""
        return tuple(code for code, step in STEPS.items() if self.code in step.case_types)


CASE_KINDS: dict[str, CaseKind] = {kind.code: kind for kind in (
    CaseKind("filing", "备案", FilingApplication, "institution_filing", True, FilingFlowFacts),
    CaseKind("plan", "批次", EvaluationPlan, "evaluation_batch", True, PlanFlowFacts),
    CaseKind("supervision", "监督案件", SupervisionCase, "supervision_case", True, SupervisionFlowFacts),
    CaseKind("report", "季度报告", QuarterlyReport, None, False, None),
)}
CASE_LABELS = {code: kind.label for code, kind in CASE_KINDS.items()}
FINISHED_PLANS = ("completed", "rejected")  # a plan here is done: no step, no file, no activity clock held


@dataclass(frozen=True)
class Process:
    """A Prefect flow, deployed as `<flow>/certflow`, run once per row of its table."""
    flow: str
    table: type[FilingApplication] | type[EvaluationPlan] | type[Revocation] | type[SupervisionCase]
    parameter: str  # the flow's one parameter: the row's id
    case_type: str  # the kind of case its tasks, incidents and audit entries belong to (a revocation: its batch)
    facts: type

    def start(self, case_id: int, now: dt.datetime) -> OutboxMessage:
        """The message the tick turns into this process's run for the row (written in the row's transaction)."""
        return OutboxMessage(kind=self.flow, case_id=case_id, parameters={self.parameter: case_id}, created_at=now)


PROCESSES: dict[str, Process] = {process.flow: process for process in (
    Process("institution_filing", FilingApplication, "filing_id", "filing", FilingFlowFacts),
    Process("evaluation_batch", EvaluationPlan, "plan_id", "plan", PlanFlowFacts),
    Process("certificate_revocation", Revocation, "revocation_id", "plan", RevocationFlowFacts),
    Process("supervision_case", SupervisionCase, "case_id", "supervision", SupervisionFlowFacts),
)}


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
