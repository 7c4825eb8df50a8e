"""Province profiles: where provinces differ, the difference is data, never a code branch.

Each `*.yaml` beside this file is one profile. They are loaded and validated
at start; an unknown key, a missing key or a wrong type refuses to start with
the file and the key named.

Every number and switch carries its source: `{value: 10, source: "003 §二(四)"}` — a seed file and
section, or `local` for a setting the seeds do not fix. Each process is a list of steps from a fixed
vocabulary (policy/processes.py), each with the centre that takes it and its source.
"""

from __future__ import annotations

import dataclasses
import re
import types
import typing
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

from policy.legal_basis import BasisError, DocumentBasis, SourceText, basis_line, parse_bases, parse_texts
from policy.processes import (
    BATCH_STEP_FUNCTIONS,
    CENTRES,
    FILING_STEP_FUNCTIONS,
    INSTITUTION_KINDS,
    PROCESSES,
    ProcessStep,
    order_problems,
)
from policy.regions import PROVINCES, division_names
from policy.sla import SlaRule, parse_rules

PROFILE_DIR = Path(__file__).parent

CandidateRelation = Literal["employee", "dispatched", "outsourced", "partner_student", "affiliated", "mandated",
                            "public"]
CANDIDATE_RELATIONS: dict[str, str] = {
    "employee": "本企业职工",
    "dispatched": "劳务派遣人员",
    "outsourced": "劳务外包人员",
    "partner_student": "合作院校学生",
    "affiliated": "关联企业在职职工",  # 深圳 (000 §三(三)): the affiliate is named
    "mandated": "委托单位人员",  # 甘肃 (004 §一(二)): staff of an enterprise that mandated the evaluation
    "public": "社会人员",  # 江苏 (002 §(十八)): 社会化鉴定 takes applicants from the public, not an employer's staff
}
# how a candidate passes (004 §三(二)(三)): the scored parts (each ≥ 60), or — where a profile opens them —
# direct recognition on its evidence (直接认定: an award, years of proven work), or a competition result
# (竞赛晋升: the competition and the rank reached)
EVALUATION_ROUTES: dict[str, str] = {
    "scored": "考核评价",
    "direct_recognition": "直接认定",
    "competition": "竞赛晋升",
}
DIPLOMAS = (
    "secondary_vocational",
    "technical_college",
    "higher_vocational",
    "bachelor",
)  # 中职 / 技工院校 / 高职 / 本科


@dataclass(frozen=True)
class Condition:
    """One way to meet a level's 申报条件: years in the occupation, or the level below held for N years, or
    a relevant diploma (any field left None is not part of this way)."""

    years_in_occupation: int | None = None
    lower_level_years: int | None = None
    diploma: tuple[str, ...] | None = None

    def describe(self) -> str:
        parts = []
        if self.years_in_occupation is not None:
            parts.append(f"从事本职业{self.years_in_occupation}年")
        if self.lower_level_years is not None:
            parts.append(f"取得下一级证书后从事本职业{self.lower_level_years}年")
        if self.diploma:
            parts.append("相关专业" + "/".join(DIPLOMA_NAMES[d] for d in self.diploma) + "毕业")
        return "且".join(parts)


DIPLOMA_NAMES = {
    "secondary_vocational": "中职",
    "technical_college": "技工院校",
    "higher_vocational": "高职",
    "bachelor": "本科",
}


@dataclass(frozen=True)
class ProvinceProfile:
    code: str
    name: str
    province_code: str
    region_prefix: str
    plan_lead_working_days: int
    results_due_working_days: int
    results_publicity_working_days: int
    filing_publicity_working_days: int
    max_occupations: int | None
    nearest_occupation_mapping: bool  # a position outside the catalogue mapped to the nearest occupation (相邻相近)
    min_employees: int | None
    dispatched_min_months: int | None
    allowed_candidate_relations: tuple[str, ...]
    evaluation_routes: tuple[str, ...]  # EVALUATION_ROUTES the profile opens; "scored" always among them
    # a training-evaluation organisation's (S) candidates; None: the same as an employer's
    training_organisation_candidate_relations: tuple[str, ...] | None
    candidates_work_in_province: bool  # social insurance or workplace in the province (广东 003 §一(二))
    # 申报条件 per national level (5 … 1): any one condition of a level's list is enough; None: not checked
    application_conditions: dict[int, tuple[Condition, ...]] | None
    inactivity_withdrawal_years: int
    inactivity_warning_working_days: int  # the institution is warned this many working days before
    refiling_ban_years: int  # a cancelled filing: no new filing for this long (000 §三(6))
    abnormal_list_years: int  # how long an abnormal-list entry holds unless the decision says otherwise
    explanation_working_days: int  # the institution's deadline to explain itself to an investigation
    rectification_working_days: int  # 责令整改: the default deadline of a rectification order
    retention_years_paper: int
    retention_years_electronic: int
    start_day_counts: bool
    # "提前N个工作日": the filing day is one of the N (true), or N whole working days lie between (false)
    plan_lead_counts_filing_day: bool
    expert_panel_size: int
    expert_pass_average: float
    expert_pass_min_aspect: float
    supervision_rate: float
    supervision_draw: Literal["double_random", "spot_check", "random"]  # 双随机 / 抽查 / 随机督导
    supervision_roster: Literal["handling", "provincial"]  # whose quality supervisors are drawn
    supervisor_card_required: bool  # a supervisor must hold the province's card (证卡)
    inspection_results_public: bool  # 双随机、一公开: each inspection's result is published (000 §三(六))
    s_type_every_session: bool  # S-type organisations: a supervisor on site at every session
    provincial_centre_name: str  # the provincial centre's name on documents and pages
    municipal_centre_name: str  # a city's (or county's) centre: "{city}" stands for the division's name
    resubmission_working_days: int | None  # 一次性告知: the period to resubmit in, printed on the notice
    filing_handled_by: Literal["municipal", "provincial"]  # the centre that holds a filing by default
    # 省属 enterprises: filed with the provincial centre, the municipal one, or their own choice (004 §四(一))
    provincial_enterprises_file_with: Literal["provincial", "municipal", "choice"]
    central_branches_file_with: Literal["provincial", "municipal"]  # 央企驻地单位 (双备案)
    central_branches_within_ministry_scope: bool  # a central branch stays inside its ministry-filed scope
    plans_handled_by: Literal["handling", "municipal", "provincial"]  # who receives plans and results
    # central-enterprise branches and provincially owned enterprises: every municipal step of their batches
    # (plans, spot checks, the first review) and their complaints at the provincial centre (003 §四(三))
    province_manages_central_and_provincial_enterprises: bool
    # who investigates a results objection: the centre, or the enterprise's own body with the centre
    # reviewing its finding (004 §五(四))
    results_objections_investigated_by: Literal["centre", "enterprise"]
    # who decides a cancellation (and so the removal from the catalogue): the investigating centre's second
    # officer, or the provincial level, the investigating centre only proposing (003 §四(三))
    filing_cancelled_by: Literal["investigating_centre", "provincial"]
    filing_steps: tuple[ProcessStep, ...]
    batch_steps: tuple[ProcessStep, ...]
    sla: dict[str, SlaRule]  # step → budget, at-risk threshold, escalation (working days)
    source_texts: tuple[SourceText, ...] = ()  # the province's own texts: number, date, kind, stated validity
    document_bases: dict[str, DocumentBasis | None] = dataclasses.field(default_factory=dict)
    sources: dict[str, str] = dataclasses.field(default_factory=dict)  # key → seed section or "local"

    def source(self, key: str) -> str:
        return self.sources.get(key, "local")

    def candidate_relations(self, institution_kind: str) -> tuple[str, ...]:
        """Who may be evaluated by an institution of this kind: an employer's (Y) own people, or whom a
        training-evaluation organisation (S) takes where the profile says so."""
        if institution_kind == "S" and self.training_organisation_candidate_relations is not None:
            return self.training_organisation_candidate_relations
        return self.allowed_candidate_relations

    def basis(self, document: str) -> str | None:
        """The passage `document` cites (title, number, section, the text's own words), or None."""
        return basis_line(self.source_texts, self.document_bases, document)


class ProfileError(ValueError):
    """A profile file is wrong; the message names the file and the key."""

    def __init__(self, path: Path | str, key: str | None, message: str) -> None:
        self.path, self.key = str(path), key
        where = f"{path}: key `{key}`" if key else str(path)
        super().__init__(f"{where}: {message}")


_MINIMUMS = {
    "plan_lead_working_days": 0,
    "results_due_working_days": 1,
    "results_publicity_working_days": 5,
    "filing_publicity_working_days": 1,
    "max_occupations": 1,
    "min_employees": 1,
    "dispatched_min_months": 0,
    "inactivity_withdrawal_years": 1,
    "inactivity_warning_working_days": 1,
    "refiling_ban_years": 1,
    "abnormal_list_years": 1,
    "explanation_working_days": 1,
    "rectification_working_days": 1,
    "resubmission_working_days": 1,
    "retention_years_paper": 3,
    "retention_years_electronic": 5,
    "expert_panel_size": 1,
    "expert_pass_average": 0,
    "expert_pass_min_aspect": 0,
    "supervision_rate": 0,
}


def _check_type(path: Path, key: str, value: object, annotation: object) -> object:
    origin = typing.get_origin(annotation)
    args = typing.get_args(annotation)
    if origin in (typing.Union, types.UnionType):
        if value is None and type(None) in args:
            return None
        inner = [a for a in args if a is not type(None)]
        return _check_type(path, key, value, inner[0])
    if origin is Literal:
        if value not in args:
            raise ProfileError(path, key, f"must be one of {list(args)}, not {value!r}")
        return value
    if origin is tuple and args and args[0] is ProcessStep:
        return _steps(path, key, value)
    if key == "application_conditions":
        return None if value is None else _conditions(path, key, value)
    if origin is tuple:
        if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
            raise ProfileError(path, key, f"must be a list of strings, not {value!r}")
        vocabulary = EVALUATION_ROUTES if key == "evaluation_routes" else CANDIDATE_RELATIONS
        unknown = [v for v in value if v not in vocabulary]
        if unknown:
            raise ProfileError(path, key, f"unknown value(s) {unknown}; allowed: {list(vocabulary)}")
        if key == "evaluation_routes" and "scored" not in value:
            raise ProfileError(path, key, "must include scored (the scored parts are every profile's route)")
        return tuple(value)
    if annotation is bool:
        if not isinstance(value, bool):
            raise ProfileError(path, key, f"must be true or false, not {value!r}")
        return value
    if annotation is int:
        if isinstance(value, bool) or not isinstance(value, int):
            raise ProfileError(path, key, f"must be a whole number, not {value!r}")
    elif annotation is float:
        if isinstance(value, bool) or not isinstance(value, (int, float)):
            raise ProfileError(path, key, f"must be a number, not {value!r}")
        value = float(value)
    elif annotation is str and (not isinstance(value, str) or not value):
        raise ProfileError(path, key, f"must be a non-empty string, not {value!r}")
    if key in _MINIMUMS and value < _MINIMUMS[key]:  # type: ignore[operator]
        raise ProfileError(path, key, f"must be at least {_MINIMUMS[key]}, not {value!r}")
    if key == "municipal_centre_name" and not _names_the_city_once(str(value)):
        raise ProfileError(path, key, f"must contain {{city}} once (the division's name), not {value!r}")
    if key == "supervision_rate" and value > 1:  # type: ignore[operator]
        raise ProfileError(path, key, f"is a share between 0 and 1, not {value!r}")
    return value


def _names_the_city_once(pattern: str) -> bool:
    rest = pattern.replace("{city}", "", 1)
    return "{city}" in pattern and "{" not in rest and "}" not in rest


IDENTITY = ("code", "name", "province_code", "region_prefix")  # who the profile is: no source to cite
SOURCE = re.compile(r"^(00[0-4] §.+|local)$")


def _source(path: Path, key: str, source: object) -> str:
    if not isinstance(source, str) or not SOURCE.match(source.strip()):
        raise ProfileError(path, key, f'source must be a seed section such as "003 §二(四)" or `local`, not {source!r}')
    return source.strip()


def _unwrap(path: Path, key: str, entry: object) -> tuple[object, str]:
    """`{value: …, source: …}` → (value, source); a bare value has no source and is refused."""
    if not isinstance(entry, dict) or set(entry) != {"value", "source"}:
        raise ProfileError(
            path, key, f"must be {{value: …, source: …}} (the source: a seed section or `local`), not {entry!r}"
        )
    return entry["value"], _source(path, key, entry["source"])


def _steps(path: Path, key: str, value: object) -> tuple[ProcessStep, ...]:
    if not isinstance(value, list) or not value:
        raise ProfileError(path, key, "must be a list of steps: {step: …, by: …, source: …}")
    steps = []
    for index, item in enumerate(value):
        where = f"{key}[{index}]"
        if (
            not isinstance(item, dict)
            or "step" not in item
            or "source" not in item
            or not set(item) <= {"step", "by", "for", "source"}
        ):
            raise ProfileError(path, where, f"must be {{step: …, by: …, for: …, source: …}}, not {item!r}")
        by = item.get("by", "handling")
        if by not in CENTRES:
            raise ProfileError(path, f"{where}.by", f"must be one of {list(CENTRES)}, not {by!r}")
        kind = item.get("for")
        if kind is not None and kind not in INSTITUTION_KINDS:
            raise ProfileError(path, f"{where}.for", f"must be one of {list(INSTITUTION_KINDS)}, not {kind!r}")
        steps.append(ProcessStep(str(item["step"]), by, _source(path, f"{where}.source", item["source"]), kind))
    problems = order_problems(key, steps)
    if problems:
        raise ProfileError(path, key, "; ".join(problems))
    return tuple(steps)


def _conditions(path: Path, key: str, value: object) -> dict[int, tuple[Condition, ...]]:
    if not isinstance(value, dict) or not value:
        raise ProfileError(path, key, "must map levels 1–5 to a list of conditions, or be null")
    table = {}
    for level, options in value.items():
        where = f"{key}.{level}"
        if level not in (1, 2, 3, 4, 5):
            raise ProfileError(path, where, "levels are 1 (高级技师) to 5 (初级工)")
        if not isinstance(options, list) or not options:
            raise ProfileError(path, where, "must be a list of conditions (any one is enough)")
        parsed = []
        for n, option in enumerate(options):
            fields = {"years_in_occupation", "lower_level_years", "diploma"}
            if not isinstance(option, dict) or not option or not set(option) <= fields:
                raise ProfileError(path, f"{where}[{n}]", f"a condition has one or more of {sorted(fields)}")
            for name in ("years_in_occupation", "lower_level_years"):
                years = option.get(name)
                if years is not None and (
                    isinstance(years, bool) or not isinstance(years, int) or not 0 <= years <= 40
                ):
                    raise ProfileError(path, f"{where}[{n}].{name}", f"must be whole years 0–40, not {years!r}")
            if option.get("lower_level_years") is not None and level == 5:
                raise ProfileError(path, f"{where}[{n}]", "level 5 has no lower level")
            diploma = option.get("diploma")
            if diploma is not None and (
                not isinstance(diploma, list) or not set(diploma) <= set(DIPLOMAS) or not diploma
            ):
                raise ProfileError(path, f"{where}[{n}].diploma", f"one or more of {list(DIPLOMAS)}")
            parsed.append(
                Condition(
                    option.get("years_in_occupation"),
                    option.get("lower_level_years"),
                    tuple(diploma) if diploma else None,
                )
            )
        table[level] = tuple(parsed)
    return table


def parse_profile(data: object, path: Path | str = "<profile>") -> ProvinceProfile:
    path = Path(path)
    if not isinstance(data, dict):
        raise ProfileError(path, None, "must be a mapping of keys to values")
    hints = typing.get_type_hints(ProvinceProfile)
    known = {f.name for f in dataclasses.fields(ProvinceProfile)} - {"sources"}
    legal = {"source_texts", "document_bases"}
    for key in data:
        if key not in known:
            raise ProfileError(path, str(key), f"unknown key (known keys: {', '.join(sorted(known))})")
    values: dict[str, typing.Any] = {}  # each checked against ProvinceProfile's annotation by _check_type
    sources: dict[str, str] = {}
    for key in sorted(known):
        if key not in data:
            raise ProfileError(path, key, "is missing")
        if key == "sla":
            values[key] = _sla(path, data[key], sources)
            continue
        if key in legal:
            continue
        if key in IDENTITY or key in PROCESSES:
            values[key] = _check_type(path, key, data[key], hints[key])
            continue
        value, sources[key] = _unwrap(path, key, data[key])
        values[key] = _check_type(path, key, value, hints[key])
    if values["sla"]["results_submission"].budget != values["results_due_working_days"]:
        raise ProfileError(
            path,
            "sla",
            f"sla.results_submission.budget must equal results_due_working_days ({values['results_due_working_days']})",
        )

    if values["province_code"] not in PROVINCES:
        raise ProfileError(path, "province_code", f"{values['province_code']!r} is not a GB/T 2260 province code")
    prefix = values["region_prefix"]
    if not (prefix.isdigit() and len(prefix) in (2, 4, 6) and prefix.startswith(values["province_code"])):
        raise ProfileError(
            path, "region_prefix", f"{prefix!r} must be 2, 4 or 6 digits inside province {values['province_code']}"
        )
    try:
        values["source_texts"] = parse_texts(data["source_texts"])
    except BasisError as problem:
        raise ProfileError(path, "source_texts", str(problem)) from None
    try:
        values["document_bases"] = parse_bases(data["document_bases"], values["source_texts"])
    except BasisError as problem:
        raise ProfileError(path, "document_bases", str(problem)) from None
    return ProvinceProfile(**values, sources=sources)


def _sla(path: Path, data: object, sources: dict[str, str]) -> dict[str, SlaRule]:
    """Each rule carries its own source beside budget, at_risk and escalate_after."""
    if isinstance(data, dict):
        stripped = {}
        for step, rule in data.items():
            if isinstance(rule, dict):
                if "source" not in rule:
                    raise ProfileError(path, f"sla.{step}", "needs a source (a seed section or `local`)")
                sources[f"sla.{step}"] = _source(path, f"sla.{step}.source", rule["source"])
                rule = {k: v for k, v in rule.items() if k != "source"}
            stripped[step] = rule
        data = stripped
    try:
        return parse_rules(data, "sla")
    except ValueError as problem:
        raise ProfileError(path, "sla", str(problem)) from None


def load_profile_file(path: Path) -> ProvinceProfile:
    import yaml

    # libyaml's parser where PyYAML was built with it (the wheels are): the pure-Python one took ~0.2 s a file,
    # and every start and every CLI call reads them all
    loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
    try:
        data = yaml.load(path.read_text(encoding="utf-8"), Loader=loader)
    except yaml.YAMLError as exc:
        raise ProfileError(path, None, f"not valid YAML: {exc}") from None
    profile = parse_profile(data, path)
    if profile.code != path.stem:
        raise ProfileError(path, "code", f"{profile.code!r} must match the file name {path.stem!r}")
    return profile


def load_profiles(directory: Path = PROFILE_DIR) -> dict[str, ProvinceProfile]:
    """Every profile in `directory`, by code; raises ProfileError on the first bad file."""
    profiles = {}
    for path in sorted(directory.glob("*.yaml")):
        profile = load_profile_file(path)
        profiles[profile.code] = profile
    if not profiles:
        raise ProfileError(directory, None, "no profiles found")
    return profiles


_cache: dict[str, ProvinceProfile] | None = None


def get_profile(code: str) -> ProvinceProfile:
    """A profile by code (`guangdong`) or Chinese name (`广东`)."""
    global _cache
    if _cache is None:
        _cache = load_profiles()
    if code in _cache:
        return _cache[code]
    for profile in _cache.values():
        if profile.name == code:
            return profile
    raise KeyError(f"unknown province profile {code!r}; known: {', '.join(sorted(_cache))}")


def profile_for_region(region_code: str) -> ProvinceProfile | None:
    """The profile governing a division: the one with the longest matching region prefix."""
    matches = [p for p in all_profiles().values() if region_code.startswith(p.region_prefix)]
    return max(matches, key=lambda p: len(p.region_prefix)) if matches else None


def centre_name(code: str) -> str:
    """A centre's name for people (广州市职业技能鉴定指导中心, not 440100): the governing profile's pattern
    with the division's name; a code outside every profile or the division table stays a code."""
    name = place_name(code)
    profile = profile_for_region(code)
    if name == code or profile is None:
        return code
    if code.endswith("0000"):
        return profile.provincial_centre_name
    return profile.municipal_centre_name.replace("{city}", name)


def place_name(code: str) -> str:
    """A division's name as a person says it: a county with its city (深圳市南山区), a city or province alone;
    a code outside the division table stays a code."""
    name = division_names().get(code)
    if name is None:
        return code
    city = division_names().get(code[:4] + "00", "")
    if not code.endswith("00") and city not in ("", "市辖区", "县", "省直辖县级行政区划"):
        return city + name
    return name


def division_name(code: str) -> str:
    """A division's name with its code, for a place a person reads (广州市（440100）)."""
    name = division_names().get(code)
    return f"{name}（{code}）" if name else code


def all_profiles() -> dict[str, ProvinceProfile]:
    """Every profile, read and checked once per process (a bad file raises ProfileError here)."""
    get_profile("guangdong")
    assert _cache is not None
    return dict(_cache)


_BY = {"handling": "受理中心", "municipal": "市级", "provincial": "省级"}


_FOR = {"S": "（社会培训评价组织、院校）", "Y": "（用人单位）"}


def steps_table(profiles: dict[str, ProvinceProfile] | None = None) -> str:
    """The README's province × step table: in each cell the centre that takes the step and its source
    (`—`: the province's process has no such step). Generated here; a test keeps the README equal."""
    profiles = profiles or all_profiles()
    order = sorted(profiles.values(), key=lambda p: p.code)
    lines = [
        "| process | step | " + " | ".join(f"{p.name} ({p.code})" for p in order) + " |",
        "|---|---|" + "---|" * len(order),
    ]
    for process, vocabulary in (("filing_steps", FILING_STEP_FUNCTIONS), ("batch_steps", BATCH_STEP_FUNCTIONS)):
        for code, function in vocabulary.items():
            cells = []
            for profile in order:
                found = [s for s in getattr(profile, process) if s.step == code]
                who = {"enterprise": "企业", "system": "系统"}
                cells.append(
                    "<br>".join(
                        f"{who.get(function.taken_by) or _BY[s.by]}{_FOR.get(s.for_kind, '')} · {s.source}"
                        for s in found
                    )
                    or "—"
                )
            name = "备案" if process == "filing_steps" else "认定实施"
            lines.append(f"| {name} | {function.label} `{code}` | " + " | ".join(cells) + " |")
    return "\n".join(lines)
