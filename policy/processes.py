"""The step functions a province profile may list, and the order rules its list must keep.

A profile says which steps its process has (`filing_steps`, `batch_steps`), in which order, which
centre takes each (`by`), and the seed section that says so (`source`). The flows run that list;
this module is the fixed vocabulary and the checks (pure data: no framework, no database).
"""

from __future__ import annotations

from dataclasses import dataclass

from policy.steps import STEP_NAMES

# Which centre holds a step: the case's handling centre (chosen at submission from the profile's
# routing), the municipal centre of the case's region (地市鉴定中心), or the provincial centre (省级中心).
CENTRES = ("handling", "municipal", "provincial")


@dataclass(frozen=True)
class StepFunction:
    code: str
    after: tuple[str, ...] = ()  # steps that must come before this one when the list has them
    requires: tuple[str, ...] = ()  # steps the list must have, before this one
    first: bool = False  # opens the process: only another first step may precede it
    repeatable: bool = False  # may appear more than once (a review in two levels)
    taken_by: str = "centre"  # centre (the profile says which: `by`) | enterprise | system

    @property
    def label(self) -> str:  # the one vocabulary (policy/steps.py)
        return STEP_NAMES[self.code]


FILING_STEP_FUNCTIONS: dict[str, StepFunction] = {f.code: f for f in (
    StepFunction("city_recommendation", first=True),  # before the province takes the filing
    StepFunction("acceptance", first=True),
    StepFunction("expert_evaluation", requires=("acceptance",)),
    StepFunction("best_selection", requires=("expert_evaluation",)),
    StepFunction("leading_group_approval", requires=("expert_evaluation",), after=("best_selection",)),
    StepFunction("publicity", requires=("expert_evaluation",)),
    StepFunction("cities_report", requires=("expert_evaluation",), after=("publicity",)),
    StepFunction("ministry_review", requires=("expert_evaluation",),
                 after=("publicity", "cities_report", "best_selection", "leading_group_approval")),
    StepFunction("registration", requires=("acceptance", "expert_evaluation"),
                 after=("best_selection", "leading_group_approval", "publicity", "cities_report", "ministry_review")),
    StepFunction("pilot_plan_evaluation", requires=("registration",)),
    StepFunction("national_report", requires=("registration",)),
)}

BATCH_STEP_FUNCTIONS: dict[str, StepFunction] = {f.code: f for f in (
    StepFunction("plan_acceptance", first=True),
    StepFunction("roster_review", requires=("plan_acceptance",)),
    StepFunction("quality_supervision", requires=("plan_acceptance",)),
    StepFunction("evaluation", requires=("plan_acceptance",), after=("roster_review", "quality_supervision"),
                 taken_by="enterprise"),
    StepFunction("results_submission", requires=("evaluation",)),
    StepFunction("results_publicity", requires=("results_submission",)),
    StepFunction("results_review", requires=("results_submission",), after=("results_publicity",),
                 repeatable=True),
    StepFunction("certificate_numbering", requires=("results_review",), taken_by="system"),
    StepFunction("national_upload", requires=("certificate_numbering",)),
    StepFunction("certificate_issuance", requires=("national_upload",), taken_by="enterprise"),
)}

PROCESSES = {"filing_steps": FILING_STEP_FUNCTIONS, "batch_steps": BATCH_STEP_FUNCTIONS}
# institution kinds a step may be limited to (`for:`): Y an employer, S a social training-evaluation
# organisation or school (002 §(十八) gives the S-type its own registration steps)
INSTITUTION_KINDS = ("Y", "S")

# steps a process cannot do without: a filing ends in registration, a batch in certificates
REQUIRED = {"filing_steps": ("acceptance", "expert_evaluation", "registration"),
            "batch_steps": ("plan_acceptance", "evaluation", "results_submission", "results_review",
                            "certificate_numbering", "national_upload", "certificate_issuance")}


@dataclass(frozen=True)
class ProcessStep:
    step: str
    by: str  # one of CENTRES
    source: str  # a seed section ("003 §二(二)") or "local"
    for_kind: str | None = None  # only for institutions of this kind (INSTITUTION_KINDS); None: every one

    def applies_to(self, institution_kind: str) -> bool:
        return self.for_kind is None or self.for_kind == institution_kind

    @property
    def label(self) -> str:
        functions = FILING_STEP_FUNCTIONS if self.step in FILING_STEP_FUNCTIONS else BATCH_STEP_FUNCTIONS
        return functions[self.step].label


def order_problems(process: str, steps: list[ProcessStep]) -> list[str]:
    """What is wrong with a process's step list, each problem naming the step (empty when it holds)."""
    vocabulary = PROCESSES[process]
    problems: list[str] = []
    codes = [s.step for s in steps]
    for index, code in enumerate(codes):
        function = vocabulary.get(code)
        if function is None:
            problems.append(f"unknown step {code!r} (known: {', '.join(vocabulary)})")
            continue
        if function.taken_by != "centre" and steps[index].by != "handling":
            problems.append(f"{code!r} is taken by the {function.taken_by}: it has no `by`")
        if function.first and steps[index].for_kind is not None:
            problems.append(f"{code!r} is every case's first step: it has no `for`")
        if function.first and any(c in vocabulary and not vocabulary[c].first for c in codes[:index]):
            problems.append(f"{code!r} must be the first step (only another first step may precede it)")
        if not function.repeatable and codes.count(code) > 1 and codes.index(code) != index:
            problems.append(f"{code!r} is listed twice")
        before = codes[:index]
        for needed in function.requires:
            if needed not in before:
                problems.append(f"{code!r} needs {needed!r} before it")
        for earlier in function.after:
            if earlier in codes[index + 1:]:
                problems.append(f"{code!r} must come after {earlier!r}")
    for needed in REQUIRED[process]:
        if needed not in codes:
            problems.append(f"the process has no {needed!r} step")
        elif all(s.for_kind is not None for s in steps if s.step == needed):
            problems.append(f"{needed!r} is a step of every case: it has no `for`")
    return problems


def has_step(steps: tuple[ProcessStep, ...], code: str) -> bool:
    return any(s.step == code for s in steps)


def centre_of(region_code: str, level: str) -> str:
    """The centre code of a level for a division: municipal xxxx00 (地市), provincial xx0000 (省级)."""
    return region_code[:2] + "0000" if level == "provincial" else region_code[:4] + "00"


class RoutingProblem(ValueError):
    def __init__(self, field: str, message: str) -> None:
        self.field = field
        super().__init__(message)


def filing_handling_level(profile, *, ownership: str, provincial_owned: bool,  # a ProvinceProfile
                          chosen: str | None) -> str:
    """Which level's centre holds a filing (004 §四(一) in Gansu; 003 §二(二) in Guangdong): the profile's
    default; a central-enterprise branch (双备案) where the profile sends it; a provincially owned
    enterprise (省属) where the profile sends it, or where it chose when the profile lets it choose."""
    if chosen is not None and not (provincial_owned and profile.provincial_enterprises_file_with == "choice"):
        raise RoutingProblem("handled_by", "只有省属企业可以选择受理中心（且须本省允许） / only a provincially owned "
                                           "enterprise chooses its centre, where the province allows it")
    if ownership == "central_branch":
        return profile.central_branches_file_with
    if provincial_owned:
        rule = profile.provincial_enterprises_file_with
        if rule == "choice":
            return chosen or "provincial"
        return rule
    return profile.filing_handled_by


def plan_handling_level(profile, institution_centre_level: str) -> str:  # a ProvinceProfile
    """Who receives a plan and its results: the profile's rule, or the centre that handled the filing."""
    return institution_centre_level if profile.plans_handled_by == "handling" else profile.plans_handled_by


def level_of(centre_code: str) -> str:
    return "provincial" if centre_code.endswith("0000") else "municipal"
