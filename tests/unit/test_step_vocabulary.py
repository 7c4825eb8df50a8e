"""One label per step code (issue 26, item 4): the inbox, the case pages, the documents, the statistics,
the README's province × step table and the profiles page all read policy/steps.py's STEP_NAMES."""

from __future__ import annotations

from policy.processes import PROCESSES
from policy.steps import STEP_NAMES, STEPS


def test_every_step_a_profile_may_list_has_its_one_label():
    for process in PROCESSES.values():
        for code, function in process.items():
            assert function.label == STEP_NAMES[code], code


def test_every_decided_step_is_labelled_by_its_registry_entry():
    assert all(STEP_NAMES[code] == step.label for code, step in STEPS.items())


def test_the_dashboards_case_states_are_never_a_step_under_another_name():
    from api.dashboard.pages import CASE_STATES, CASE_STEPS

    assert set(CASE_STATES) & set(STEP_NAMES) == set()
    assert all(CASE_STEPS[code] == label for code, label in STEP_NAMES.items())


def test_the_statistics_and_the_readme_table_name_steps_as_the_registry_does():
    from policy.profiles import steps_table
    from tasks.queries import reports

    assert reports.STEP_NAMES is STEP_NAMES
    table = steps_table()
    assert all(f"{STEP_NAMES[code]} `{code}`" in table for process in PROCESSES.values() for code in process)
