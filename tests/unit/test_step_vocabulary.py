"""One label per step code (issue 26, item 4): the inbox, the case pages, the documents, the statistics,
the README's province × step table and the profiles page all read policy/steps.py's STEP_NAMES."""

from __future__ import annotations

from policy.processes import PROCESSES
from policy.steps import CASE_STATE_NAMES, PROCESS_STEP_NAMES, STEP_NAMES, STEPS


def test_every_step_a_profile_may_list_has_its_one_label():
    for process in PROCESSES.values():
        for code, function in process.items():
            assert function.label == STEP_NAMES[code], code


def test_every_decided_step_is_labelled_by_its_registry_entry():
    assert all(STEP_NAMES[code] == step.label for code, step in STEPS.items())


def test_the_dashboard_names_steps_and_the_states_between_them_from_the_one_vocabulary():
    from api.dashboard.pages import CASE_STEPS

    assert CASE_STEPS is STEP_NAMES
    assert set(CASE_STATE_NAMES) & (set(STEPS) | set(PROCESS_STEP_NAMES)) == set()  # a state is never a step


def test_every_step_the_code_can_leave_a_case_in_has_a_label():
    """The statistics' step durations and the case pages name every `current_step` a case has left: each
    one written by the steps (`step="…"`) or a new case's first has its label."""
    import pathlib
    import re

    from models.cases import EvaluationPlan, FilingApplication

    root = pathlib.Path(__file__).resolve().parents[2]
    written = {code for folder in ("tasks", "flows") for path in (root / folder).rglob("*.py")
               for code in re.findall(r'step="([a-z_]+)"', path.read_text(encoding="utf-8"))}
    first = {FilingApplication.model_fields["current_step"].default,
             EvaluationPlan.model_fields["current_step"].default}
    assert len(written) > 20 and first == {"completeness_check", "plan_filing"}
    assert sorted((written | first) - set(STEP_NAMES)) == []


def test_the_statistics_and_the_readme_table_name_steps_as_the_registry_does():
    from policy.profiles import steps_table
    from tasks.queries import reports

    assert reports.STEP_NAMES is STEP_NAMES
    table = steps_table()
    assert all(f"{STEP_NAMES[code]} `{code}`" in table for process in PROCESSES.values() for code in process)


def test_a_steps_own_rules_are_kept_for_steps_that_are_decided_and_nothing_else_hooks_a_decision():
    import pathlib

    from tasks.cases.decisions import STEP_RULES

    assert all(STEPS[code].decisions for code in STEP_RULES), "a rule for a step nobody decides"
    # what happens after a decision is its flow's (the objection loop: flows/evaluation_batch.py), not a hook's
    source = (pathlib.Path(__file__).resolve().parents[2] / "tasks" / "cases" / "decisions.py").read_text("utf-8")
    assert "after_decision" not in source
