"""One registry of case kinds (issue 26, item 3): every kind a step or a task names is registered there,
and no module spells the "filing or plan" choice itself."""

from __future__ import annotations

import pathlib
import re

from models.case_kinds import CASE_KINDS
from policy.steps import STEPS

ROOT = pathlib.Path(__file__).resolve().parents[2]
SWITCH = re.compile(r"(FilingApplication|EvaluationPlan) if |else (FilingApplication|EvaluationPlan)\b")


def test_every_kind_of_case_a_step_occurs_on_is_registered():
    assert {kind for step in STEPS.values() for kind in step.case_types} <= set(CASE_KINDS)


def test_no_module_chooses_between_a_filing_and_a_plan_by_hand():
    found = [f"{path.relative_to(ROOT)}:{n}" for package in ("tasks", "api", "flows", "engine", "certflow")
             for path in (ROOT / package).rglob("*.py")
             for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1) if SWITCH.search(line)]
    assert found == []


def test_a_kind_not_of_an_institution_is_nobodys_own_case():
    assert [code for code, kind in CASE_KINDS.items() if not kind.of_an_institution] == ["report"]
    assert all(hasattr(kind.table, "institution_id") for kind in CASE_KINDS.values() if kind.of_an_institution)


def test_every_process_starts_with_its_one_parameter_and_names_a_kind_of_case():
    import datetime as dt

    from models.case_kinds import PROCESSES

    for flow, process in PROCESSES.items():
        message = process.start(7, dt.datetime(2026, 12, 1, tzinfo=dt.UTC))
        assert (message.kind, message.case_id, message.parameters) == (flow, 7, {process.parameter: 7})
        assert process.case_type in CASE_KINDS
    assert {kind.flow for kind in CASE_KINDS.values() if kind.flow} <= set(PROCESSES)


def test_each_kind_lists_the_steps_its_cases_may_have():
    assert "acceptance" in CASE_KINDS["filing"].steps and "acceptance" not in CASE_KINDS["plan"].steps
    assert CASE_KINDS["report"].steps == ("quarterly_report_review",)
