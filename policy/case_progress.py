"""Where a case stands among its province's steps: each step of its profile done, current, to come — or,
for a case that stopped, not reached. The strip on the case page (an officer's first question: where is
it, and what is left?).

Pure: the caller gives the case's steps (its profile's list, those applying to its kind, in order), the
step the case records, which steps have a task open or not yet decided, and whether the case is still
running, completed or stopped. The case's recorded step (`current_step`) may be a sub-step a profile does
not list (a resubmission belongs to acceptance, an objection's investigation to the publicity it
interrupts): `PART_OF` says whose.
"""

from __future__ import annotations

# a case's step (the value the workflow records) → the step of the profile's list it belongs to
PART_OF = {
    "filing": {
        "resubmission": "acceptance",
        "objection_investigation": "publicity", "objection_enterprise_investigation": "publicity",
        "objection_review": "publicity",
        "ministry_refusal": "ministry_review",
        "registered": "registration",
        "pilot_plan_submission": "pilot_plan_evaluation",
    },
    "plan": {
        "supervision_violation": "quality_supervision",
        "results_submitted": "results_submission",
        "objection_investigation": "results_publicity", "objection_enterprise_investigation": "results_publicity",
        "objection_review": "results_publicity",
        "upload": "national_upload", "national_refusal": "national_upload",
        "certificates_issued": "certificate_issuance",
    },
}

STATES = ("done", "current", "to_come", "not_reached")


def profile_step(case_type: str, case_step: str | None) -> str | None:
    """The profile's step a case's recorded step belongs to (itself when it is one)."""
    if case_step is None:
        return None
    return PART_OF.get(case_type, {}).get(case_step, case_step)


def position(codes: list[str], case_type: str, case_step: str | None, *, unfinished: set[int]) -> int | None:
    """Where in its list (`codes`, in order) the case is, from the step it records; None when that step is not
    one of the list's (a case just filed, or closed). A step the list has twice (a review at two levels) is
    the first of them whose tasks are not all decided (`unfinished`), else the last."""
    step = profile_step(case_type, case_step)
    places = [i for i, code in enumerate(codes) if code == step]
    if not places:
        return None
    return next((i for i in places if i in unfinished), places[-1])


def states(count: int, at: int | None, *, ended: str | None = None, open_tasks: frozenset[int] = frozenset(),
           furthest: int = -1) -> list[str]:
    """Each of the `count` steps' state, in the list's order. `at` is where the case is (`position`);
    `ended` is None while it runs, "completed" once its last step is behind it, "stopped" when it ended early
    (rejected, closed) — at `at`, or at the `furthest` step its record reaches when `at` is unknown.

    Steps before the case's place are done (a profile's list has no optional steps: one not applying to
    the case is not in its list), the step at it is current, those after it are to come — or not reached,
    for a case that stopped. A step with an open task is current wherever it is (a report still being
    written while the enterprise evaluates)."""
    if ended == "completed":
        return ["done"] * count
    place = at if at is not None else (furthest if ended == "stopped" else 0)
    out = []
    for i in range(count):
        if i in open_tasks or (i == place and ended is None):
            out.append("current")
        elif i <= place:
            out.append("done")
        else:
            out.append("not_reached" if ended == "stopped" else "to_come")
    return out
