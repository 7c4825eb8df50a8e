"""Where a case stands among its province's steps (policy/case_progress.py), as tables."""

import pytest

from policy.case_progress import PART_OF, position, states
from policy.processes import BATCH_STEP_FUNCTIONS, FILING_STEP_FUNCTIONS
from policy.profiles import all_profiles

GUANGDONG = ["acceptance", "expert_evaluation", "best_selection", "leading_group_approval", "registration",
             "pilot_plan_evaluation"]
TWO_REVIEWS = ["plan_acceptance", "evaluation", "results_submission", "results_review", "results_review",
               "certificate_numbering", "national_upload", "certificate_issuance"]


@pytest.mark.parametrize("case_type,case_step,codes,unfinished,expected", [
    ("filing", "acceptance", GUANGDONG, set(), 0),
    ("filing", "resubmission", GUANGDONG, set(), 0),  # waiting for the enterprise: still acceptance
    ("filing", "best_selection", GUANGDONG, set(), 2),
    ("filing", "registered", GUANGDONG, set(), 4),
    ("filing", "pilot_plan_submission", GUANGDONG, set(), 5),
    ("filing", "submitted", GUANGDONG, set(), None),  # just filed: no step of the list yet
    ("plan", "results_review", TWO_REVIEWS, {3}, 3),  # the municipal review still open
    ("plan", "results_review", TWO_REVIEWS, {4}, 4),  # the municipal one decided, the provincial one open
    ("plan", "results_review", TWO_REVIEWS, set(), 4),  # both decided: the last of them
    ("plan", "results_submitted", TWO_REVIEWS, set(), 2),
    ("plan", "upload", TWO_REVIEWS, set(), 6),
    ("plan", "national_refusal", TWO_REVIEWS, set(), 6),
])
def test_a_cases_recorded_step_places_it_in_its_profiles_list(case_type, case_step, codes, unfinished, expected):
    assert position(codes, case_type, case_step, unfinished=unfinished) == expected


D, C, T, N = "done", "current", "to_come", "not_reached"


@pytest.mark.parametrize("count,at,ended,open_tasks,furthest,expected", [
    (4, 0, None, frozenset(), -1, [C, T, T, T]),
    (4, 2, None, frozenset(), -1, [D, D, C, T]),
    (4, None, None, frozenset(), -1, [C, T, T, T]),  # just filed: the first step is next
    (4, 3, "completed", frozenset(), -1, [D, D, D, D]),
    (4, 1, "stopped", frozenset(), -1, [D, D, N, N]),  # rejected at the second step: it is where it ended
    (4, None, "stopped", frozenset(), 2, [D, D, D, N]),  # closed: where its record reached
    (4, 3, None, frozenset({1}), -1, [D, C, D, C]),  # a report still open behind the case's place
])
def test_steps_before_the_case_are_done_its_own_current_and_the_rest_to_come(count, at, ended, open_tasks, furthest,
                                                                          expected):
    assert states(count, at, ended=ended, open_tasks=open_tasks, furthest=furthest) == expected


def test_every_sub_step_belongs_to_a_step_of_its_process():
    for case_type, functions in (("filing", FILING_STEP_FUNCTIONS), ("plan", BATCH_STEP_FUNCTIONS)):
        assert set(PART_OF[case_type].values()) <= set(functions), case_type


def test_every_profiles_steps_are_steps_of_the_vocabulary():
    for profile in all_profiles().values():
        assert {s.step for s in profile.filing_steps} <= set(FILING_STEP_FUNCTIONS)
        assert {s.step for s in profile.batch_steps} <= set(BATCH_STEP_FUNCTIONS)
