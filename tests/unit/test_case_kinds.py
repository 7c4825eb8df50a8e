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
