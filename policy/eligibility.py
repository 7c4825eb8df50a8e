"""Eligibility rules of the filing (Process 1 step 1) and of an evaluation plan (Process 2 step 1).

Each check returns *every* violation at once: the one-time deficiency notice
(一次性告知, 004 §四(二)) and the API's error list both need the whole list,
never only the first problem.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from policy.identity import birth_date_of, credit_code_problems, resident_id_problems
from policy.levels import Level
from policy.numbering import EMPLOYER, TRAINING_ORGANISATION
from policy.occupations import OCCUPATION_CODE, Occupation
from policy.profiles import CANDIDATE_RELATIONS, EVALUATION_ROUTES, Condition, ProvinceProfile
from policy.regions import is_region_code
from policy.working_days import WorkingCalendar


@dataclass(frozen=True)
class Violation:
    code: str  # stable machine-readable reason, e.g. "occupation.access_type"
    field: str  # where: "occupations[1].code", "candidates[3].id_number"
    message: str  # for people: Chinese, then English

    def as_dict(self) -> dict[str, str]:
        return {"code": self.code, "field": self.field, "message": self.message}


# 003 attachment: the material checklist of the filing application.
# filed where an occupation carries the enterprise's own norm (004 §二; 003 §一(四)): the norm's text
NORM_MATERIAL = ("evaluation_norm", "企业评价规范（或调整后的职业技能标准）文本")
REQUIRED_MATERIALS: dict[str, str] = {
    "business_licence": "营业执照",
    "hr_system": "技能人才培养、评价、使用、激励制度",
    "education_fund": "近两年职工教育经费提取和使用证明",
    "evaluation_rules": "评价管理制度、信息管理系统及培训部门材料",
    "staff_roster": "考评人员和质量督导人员名册及资格证明",
    "venue_equipment": "场地、设备设施及视频监控证明",
}
# the kinds of an enterprise's own norm (004 §二), as the experts and the receipt name them
NORM_KINDS = {"adjusted_standard": "结合企业岗位调整的国家职业技能标准", "enterprise_norm": "企业评价规范"}
# every material a filing may carry: the checklist, and the norm's text where one is filed
FILING_MATERIALS: dict[str, str] = {**REQUIRED_MATERIALS, NORM_MATERIAL[0]: NORM_MATERIAL[1]}

_PHONE = re.compile(r"^(1[3-9]\d{9}|0\d{2,3}-?\d{7,8})$")
MINIMUM_WORKING_AGE = 16  # 劳动法 art. 15


@dataclass(frozen=True)
class OccupationRequest:
    code: str
    levels: Sequence[object]
    position_name: str = ""  # 企业岗位: a position not in the catalogue, mapped to `code` (相邻相近, 004 §一(三))
    mapping_reason: str = ""
    norm: Mapping[str, Any] | None = None  # the enterprise's own evaluation norm (004 §二), as filed


@dataclass(frozen=True)
class FilingFacts:
    enterprise_name: str
    credit_code: str
    region_code: str
    employees: int
    occupations: Sequence[OccupationRequest]
    materials: frozenset[str]
    contact_name: str
    contact_phone: str


def check_filing(facts: FilingFacts, profile: ProvinceProfile, catalogue: Mapping[str, Occupation]) -> list[Violation]:
    """Every reason the filing application cannot be accepted as it stands."""
    found: list[Violation] = []
    add = lambda code, where, msg: found.append(Violation(code, where, msg))  # noqa: E731

    if not facts.enterprise_name.strip():
        add("enterprise.name_missing", "enterprise_name", "企业名称不能为空 / the enterprise name is missing")
    for problem in credit_code_problems(facts.credit_code):
        add("enterprise.credit_code", "credit_code", problem)
    if not is_region_code(facts.region_code):
        add(
            "enterprise.region_code",
            "region_code",
            f"行政区划代码 {facts.region_code!r} 无效 / not a GB/T 2260 division code",
        )
    elif facts.region_code[:2] != profile.province_code:
        add(
            "enterprise.region_outside_province",
            "region_code",
            f"{facts.region_code} 不属于{profile.name} / the enterprise is not registered in {profile.name}",
        )
    if profile.min_employees is not None and facts.employees < profile.min_employees:
        add(
            "enterprise.too_few_employees",
            "employees",
            f"职工人数 {facts.employees} 少于{profile.name}要求的 {profile.min_employees} 人 / "
            f"{profile.name} requires at least {profile.min_employees} employees",
        )
    if not facts.contact_name.strip():
        add("contact.name_missing", "contact_name", "联系人不能为空 / the contact person is missing")
    if not _PHONE.match(facts.contact_phone.strip()):
        add(
            "contact.phone", "contact_phone", f"联系电话 {facts.contact_phone!r} 无效 / not a mobile or landline number"
        )

    found += _check_occupations(facts.occupations, profile, catalogue)

    for key, label in REQUIRED_MATERIALS.items():
        if key not in facts.materials:
            add("material.missing", f"materials.{key}", f"缺少材料：{label} / missing material: {key}")
    if any(o.norm for o in facts.occupations) and NORM_MATERIAL[0] not in facts.materials:
        add("material.missing", f"materials.{NORM_MATERIAL[0]}",
            f"缺少材料：{NORM_MATERIAL[1]} / missing material: {NORM_MATERIAL[0]}")
    for key in sorted(facts.materials - REQUIRED_MATERIALS.keys() - {NORM_MATERIAL[0]}):
        add("material.unknown", f"materials.{key}", f"未知材料类型 {key} / unknown material kind")
    return found


def _check_occupations(
    requests: Sequence[OccupationRequest], profile: ProvinceProfile, catalogue: Mapping[str, Occupation]
) -> list[Violation]:
    found: list[Violation] = []
    if not requests:
        found.append(
            Violation("occupation.none", "occupations", "至少申报一个职业(工种) / at least one occupation is required")
        )
    if profile.max_occupations is not None and len(requests) > profile.max_occupations:
        found.append(
            Violation(
                "occupation.too_many",
                "occupations",
                f"申报 {len(requests)} 个职业，{profile.name}最多 {profile.max_occupations} 个 / "
                f"at most {profile.max_occupations} occupations in {profile.name}",
            )
        )
    seen: set[str] = set()
    for i, request in enumerate(requests):
        where = f"occupations[{i}]"
        if not OCCUPATION_CODE.match(request.code):
            found.append(
                Violation(
                    "occupation.code_format",
                    f"{where}.code",
                    f"职业编码 {request.code!r} 格式应为 d-dd-dd-dd / code must look like 6-18-01-01",
                )
            )
            continue
        if request.code in seen:
            found.append(
                Violation("occupation.duplicate", f"{where}.code", f"职业 {request.code} 重复申报 / listed twice")
            )
        seen.add(request.code)
        occupation = catalogue.get(request.code)
        if occupation is None:
            found.append(
                Violation(
                    "occupation.unknown",
                    f"{where}.code",
                    f"职业编码 {request.code} 不在职业分类大典中（可在 GET /api/v1/occupations 查找） / not in the "
                    "occupation classification (look it up at GET /api/v1/occupations)",
                )
            )
        elif occupation.access_type:
            found.append(
                Violation(
                    "occupation.access_type",
                    f"{where}.code",
                    f"{occupation.name}({request.code}) 属准入类职业资格，不能自主评价 / "
                    "access-type qualifications are excluded from self-evaluation",
                )
            )
        elif not occupation.skill_type:
            found.append(
                Violation(
                    "occupation.not_skill_type",
                    f"{where}.code",
                    f"{occupation.name}({request.code}) 不是技能类职业 / not a skill-type occupation",
                )
            )
        if request.norm and not request.norm.get("not_below_national_standard"):
            found.append(Violation(  # 004 §二: 原则上不低于国家职业技能标准要求
                "occupation.norm_below_standard", f"{where}.norm.not_below_national_standard",
                "企业评价规范不得低于国家职业技能标准要求 / the norm may not fall below the national standard"))
        if request.position_name.strip():
            if not profile.nearest_occupation_mapping:
                found.append(
                    Violation(
                        "occupation.mapping_not_allowed",
                        f"{where}.position_name",
                        f"{profile.name}不接受按相邻相近原则对应的岗位，请申报职业分类大典内的职业 / "
                        f"{profile.name} takes catalogue occupations only",
                    )
                )
            elif len(request.mapping_reason.strip()) < 10:
                found.append(
                    Violation(
                        "occupation.mapping_reason",
                        f"{where}.mapping_reason",
                        "请说明该岗位与所对应职业相邻相近的理由（至少 10 个字），供专家评估 / explain why "
                        "the position is nearest to this occupation, for the experts",
                    )
                )
        if not request.levels:
            found.append(
                Violation("occupation.levels_missing", f"{where}.levels", "至少申报一个等级 / at least one level")
            )
        for j, level in enumerate(request.levels):
            try:
                Level.parse(level)
            except ValueError as exc:
                found.append(Violation("occupation.level", f"{where}.levels[{j}]", str(exc)))
    return found


# ---------------------------------------------------------------------------
def scope_change_problems(
    scope: Mapping[str, frozenset[Level]],
    additions: Sequence[OccupationRequest],
    drops: Sequence[tuple[str, Sequence[object]]],
    profile: ProvinceProfile,
) -> list[Violation]:
    """变更备案: additions must add something, drops must take off what is filed, and the scope that
    results stays within the profile's limit."""
    found: list[Violation] = []
    if not additions and not drops:
        found.append(
            Violation(
                "scope_change.nothing",
                "occupations",
                "变更备案须增加或减少职业(工种)或等级 / a change of scope adds or drops something",
            )
        )
    after = {code: set(levels) for code, levels in scope.items()}
    for i, (code, levels) in enumerate(drops):
        try:
            wanted = {Level.parse(x) for x in levels}
        except ValueError as exc:
            found.append(Violation("scope_change.level", f"drop_occupations[{i}].levels", str(exc)))
            continue
        if code not in scope:
            found.append(
                Violation(
                    "scope_change.drop_not_filed",
                    f"drop_occupations[{i}].code",
                    f"职业 {code} 不在备案范围内 / {code} is not in the filed scope",
                )
            )
        elif not wanted <= scope[code]:
            found.append(
                Violation(
                    "scope_change.drop_levels_not_filed",
                    f"drop_occupations[{i}].levels",
                    f"职业 {code} 未备案这些等级 / those levels of {code} are not filed",
                )
            )
        else:
            after[code] -= wanted
    for i, request in enumerate(additions):
        try:
            wanted = {Level.parse(x) for x in request.levels}
        except ValueError:
            continue  # the filing's own check names it
        if wanted <= scope.get(request.code, frozenset()):
            found.append(
                Violation(
                    "scope_change.already_filed",
                    f"occupations[{i}]",
                    f"职业 {request.code} 的这些等级已在备案范围内 / already in the filed scope",
                )
            )
        after.setdefault(request.code, set()).update(wanted)
    remaining = [code for code, levels in after.items() if levels]
    if not remaining:
        found.append(
            Violation(
                "scope_change.empty",
                "drop_occupations",
                "变更后备案范围为空；注销备案另行申请 / the scope would be empty",
            )
        )
    elif profile.max_occupations is not None and len(remaining) > profile.max_occupations:
        found.append(
            Violation(
                "occupation.too_many",
                "occupations",
                f"变更后共 {len(remaining)} 个职业，{profile.name}最多 {profile.max_occupations} 个 / "
                f"{profile.name} allows at most {profile.max_occupations} occupations",
            )
        )
    return found


# Evaluation plan (实施计划备案)


@dataclass(frozen=True)
class CandidateFacts:
    name: str
    id_number: str
    relation: str  # employee | dispatched | outsourced | partner_student
    level: object
    months_with_enterprise: int | None = None  # dispatched and outsourced workers (深圳: ≥ 12)
    affiliate_name: str = ""  # 关联企业在职职工: the affiliated enterprise
    mandating_enterprise: str = ""  # 委托单位人员: the enterprise that mandated the evaluation
    social_insurance_region: str = ""  # 社保参保地 (GB/T 2260 code)
    workplace_region: str = ""  # 就业地
    years_in_occupation: int | None = None  # 申报条件: years working in the occupation
    held_level: int | None = None  # the national level already held (1–5)
    held_level_years: int | None = None  # years in the occupation since that certificate
    diploma: str | None = None  # a relevant diploma (DIPLOMAS)
    enterprise_title: str = ""  # the institution's own level (004 §二), as filed on its ladder


@dataclass(frozen=True)
class PlanFacts:
    occupation_code: str
    evaluation_start: dt.date
    evaluation_end: dt.date
    filed_on: dt.date
    candidates: Sequence[CandidateFacts]
    proctors: Sequence[str]
    evaluators: Sequence[str]
    quality_supervisors: Sequence[str]
    site: str = ""
    mandating_enterprises: Sequence[str] = ()  # enterprises whose mandate agreement (委托协议) is filed with the plan
    ladder: Mapping[str, Level] = field(default_factory=dict)  # the institution's filed titles → national levels
    institution_kind: str = EMPLOYER  # Y: an employer's own staff; S: a training-evaluation organisation's route


@dataclass(frozen=True)
class FiledScope:
    """What a registered institution may evaluate: occupation code → national levels."""

    occupations: Mapping[str, frozenset[Level]] = field(default_factory=dict)


def latest_plan_filing_date(evaluation_start: dt.date, profile: ProvinceProfile, calendar: WorkingCalendar):
    """The last day a plan may be filed, "提前N个工作日" (N = `plan_lead_working_days`) before the evaluation.
    Two readings, a profile switch (`plan_lead_counts_filing_day`): the filing day counts as one of the N
    working days before the evaluation day (true), or N whole working days lie between the filing day and the
    evaluation day (false: one working day earlier). The evaluation day itself is never one of the N."""
    lead = profile.plan_lead_working_days + (0 if profile.plan_lead_counts_filing_day else 1)
    return calendar.before(evaluation_start, lead, start_day_counts=profile.start_day_counts)


def check_plan(
    plan: PlanFacts, scope: FiledScope, profile: ProvinceProfile, calendar: WorkingCalendar
) -> list[Violation]:
    """Every reason the evaluation plan cannot be filed as it stands."""
    found: list[Violation] = []
    add = lambda code, where, msg: found.append(Violation(code, where, msg))  # noqa: E731

    if plan.evaluation_end < plan.evaluation_start:
        add("plan.dates", "evaluation_end", f"结束日期 {plan.evaluation_end} 早于开始日期 / ends before it starts")
    latest = latest_plan_filing_date(plan.evaluation_start, profile, calendar)
    if plan.filed_on > latest.date:
        add(
            "plan.late",
            "evaluation_start",
            f"实施计划须于认定前 {profile.plan_lead_working_days} 个工作日备案，最迟 {latest.date.isoformat()}"
            f"{'（暂定）' if latest.provisional else ''} / the plan must be filed {profile.plan_lead_working_days} "
            f"working days ahead: latest allowed date {latest.date.isoformat()}",
        )
    allowed_levels = scope.occupations.get(plan.occupation_code)
    if allowed_levels is None:
        add(
            "plan.occupation_out_of_scope",
            "occupation_code",
            f"职业 {plan.occupation_code} 不在本机构备案范围内 / not in the institution's filed scope",
        )

    if not plan.candidates:
        add("plan.no_candidates", "candidates", "参加认定人员名册为空 / the candidate roster is empty")
    seen_ids: dict[str, int] = {}
    for i, candidate in enumerate(plan.candidates):
        found += _check_candidate(i, candidate, plan, allowed_levels, profile, seen_ids)

    for role, people, label in (
        ("proctors", plan.proctors, "监考人员"),
        ("evaluators", plan.evaluators, "考评人员"),
        ("quality_supervisors", plan.quality_supervisors, "质量督导员"),
    ):
        if not [p for p in people if p.strip()]:
            add("plan.staff_missing", role, f"未安排{label} / no {role.replace('_', ' ')} named")
    candidate_names = {c.name.strip() for c in plan.candidates}
    for i, evaluator in enumerate(plan.evaluators):
        if evaluator.strip() and evaluator.strip() in candidate_names:
            add(
                "plan.evaluator_is_candidate",
                f"evaluators[{i}]",
                f"考评人员 {evaluator} 同时是参评人员 / an evaluator cannot evaluate their own batch",
            )
    return found


def _check_candidate(
    i: int,
    candidate: CandidateFacts,
    plan: PlanFacts,
    allowed_levels: frozenset[Level] | None,
    profile: ProvinceProfile,
    seen_ids: dict[str, int],
) -> list[Violation]:
    found: list[Violation] = []
    where = f"candidates[{i}]"
    if not candidate.name.strip():
        found.append(Violation("candidate.name_missing", f"{where}.name", "姓名不能为空 / the name is missing"))
    id_problems = resident_id_problems(candidate.id_number, today=plan.evaluation_start)
    for problem in id_problems:
        found.append(Violation("candidate.id_number", f"{where}.id_number", problem))
    id_key = candidate.id_number.strip().upper()
    if id_key in seen_ids:
        found.append(
            Violation(
                "candidate.duplicate",
                f"{where}.id_number",
                f"身份证号与第 {seen_ids[id_key] + 1} 名人员重复 / same person as candidates[{seen_ids[id_key]}]",
            )
        )
    else:
        seen_ids[id_key] = i
    if not id_problems:
        born = birth_date_of(id_key)
        age = (
            plan.evaluation_start.year
            - born.year
            - ((plan.evaluation_start.month, plan.evaluation_start.day) < (born.month, born.day))
        )
        if age < MINIMUM_WORKING_AGE:
            found.append(
                Violation(
                    "candidate.too_young",
                    f"{where}.id_number",
                    f"认定时未满 {MINIMUM_WORKING_AGE} 周岁 / "
                    f"younger than {MINIMUM_WORKING_AGE} on the evaluation date",
                )
            )
    if candidate.relation not in CANDIDATE_RELATIONS:
        found.append(
            Violation(
                "candidate.relation_unknown",
                f"{where}.relation",
                f"人员类别 {candidate.relation!r} 无效 / must be one of {', '.join(CANDIDATE_RELATIONS)}",
            )
        )
    elif candidate.relation not in profile.candidate_relations(plan.institution_kind):
        route = "社会培训评价组织评价" if plan.institution_kind == TRAINING_ORGANISATION else "企业自主评价"
        found.append(
            Violation(
                "candidate.relation_not_allowed",
                f"{where}.relation",
                f"{profile.name}不允许{CANDIDATE_RELATIONS[candidate.relation]}参加{route} / "
                f"{candidate.relation} candidates are not allowed on this route in {profile.name}",
            )
        )
    elif candidate.relation in ("dispatched", "outsourced") and profile.dispatched_min_months is not None:
        months = candidate.months_with_enterprise  # 000 §三(三): 劳务输出到本企业1年以上
        if months is None or months < profile.dispatched_min_months:
            found.append(
                Violation(
                    "candidate.dispatched_too_short",
                    f"{where}.months_with_enterprise",
                    f"{CANDIDATE_RELATIONS[candidate.relation]}须在本企业工作满 {profile.dispatched_min_months} "
                    f"个月 / dispatched and outsourced workers need {profile.dispatched_min_months} "
                    f"months with the enterprise",
                )
            )
    elif candidate.relation == "affiliated" and not candidate.affiliate_name.strip():
        found.append(
            Violation(
                "candidate.affiliate_missing",
                f"{where}.affiliate_name",
                "关联企业在职职工须注明关联企业名称 / name the affiliated enterprise",
            )
        )
    elif candidate.relation == "mandated":
        mandator = candidate.mandating_enterprise.strip()
        if not mandator:
            found.append(
                Violation(
                    "candidate.mandator_missing",
                    f"{where}.mandating_enterprise",
                    "委托单位人员须注明委托单位 / name the enterprise that mandated the evaluation",
                )
            )
        elif mandator not in {m.strip() for m in plan.mandating_enterprises}:
            found.append(
                Violation(
                    "candidate.mandate_not_filed",
                    f"{where}.mandating_enterprise",
                    f"未随计划报送与“{mandator}”的委托协议 / no mandate agreement with {mandator} is "
                    f"filed with this plan",
                )
            )
    if profile.candidates_work_in_province:
        regions = [r for r in (candidate.social_insurance_region, candidate.workplace_region) if r]
        if not any(r.startswith(profile.province_code) for r in regions):
            found.append(
                Violation(
                    "candidate.outside_province",
                    f"{where}.social_insurance_region",
                    f"须为社保参保地或就业地在{profile.name}的在岗职工 / social insurance or workplace "
                    f"must be in {profile.name}",
                )
            )
    try:
        level = Level.parse(candidate.level)
    except ValueError as exc:
        found.append(Violation("candidate.level", f"{where}.level", str(exc)))
    else:
        if allowed_levels is not None and level not in allowed_levels:
            found.append(
                Violation(
                    "candidate.level_out_of_scope",
                    f"{where}.level",
                    f"{level.display} 不在本机构该职业的备案等级内 / level not in the filed scope",
                )
            )
        title = candidate.enterprise_title.strip()
        if title and title not in plan.ladder:
            found.append(
                Violation(
                    "candidate.enterprise_title_not_filed",
                    f"{where}.enterprise_title",
                    f"“{title}”不在本机构备案的岗位等级对应关系中 / {title} is not on the institution's filed ladder",
                )
            )
        elif title and plan.ladder[title] != level:
            found.append(
                Violation(
                    "candidate.enterprise_title_level",
                    f"{where}.enterprise_title",
                    f"“{title}”对应{plan.ladder[title].display}，与申报等级{level.display}不符 / {title} "
                    f"corresponds to level {plan.ladder[title].value}, not {level.value}",
                )
            )
        conditions = (profile.application_conditions or {}).get(level.value)
        if conditions and not any(meets(candidate, level.value, c) for c in conditions):
            found.append(
                Violation(
                    "candidate.conditions_not_met",
                    where,
                    f"不符合{level.display}申报条件（须{' 或 '.join(c.describe() for c in conditions)}） / "
                    f"does not meet the application conditions of level {level.value}",
                )
            )
    return found


def meets(candidate: CandidateFacts, level: int, condition: Condition) -> bool:
    """One way of a level's 申报条件: every part of it holds."""
    if (
        condition.years_in_occupation is not None
        and (candidate.years_in_occupation or 0) < condition.years_in_occupation
    ):
        return False
    if condition.lower_level_years is not None and not (
        candidate.held_level is not None
        and candidate.held_level <= level + 1
        and (candidate.held_level_years or 0) >= condition.lower_level_years
    ):
        return False
    return condition.diploma is None or candidate.diploma in condition.diploma


# ---------------------------------------------------------------------------
# Expert evaluation and results


EXPERT_ASPECTS: dict[str, str] = {  # 003 §二(二)
    "basic_situation": "基本情况",
    "hr_system": "人力资源管理制度",
    "funding": "经费保障",
    "training_and_quality": "培训考核部门与质量管理体系",
    "venue": "场地",
    "equipment": "设施设备",
    "information_system": "信息管理系统",
}


def expert_panel_passes(panel_scores: Sequence[Mapping[str, float]], profile: ProvinceProfile) -> bool:
    """The panel passes when the mean of all experts' mean scores reaches the profile's bar and no
    aspect mean falls below the per-aspect minimum."""
    if not panel_scores:
        return False
    per_expert = [sum(s.values()) / len(s) for s in panel_scores if s]
    if len(per_expert) != len(panel_scores):
        return False
    overall = sum(per_expert) / len(per_expert)
    aspect_means = [sum(s[a] for s in panel_scores) / len(panel_scores) for a in panel_scores[0]]
    return overall >= profile.expert_pass_average and min(aspect_means) >= profile.expert_pass_min_aspect


def score_problems(scores: Mapping[str, object]) -> list[str]:
    """An expert's score sheet: every aspect of 003 §二(二), each 0–100."""
    problems = []
    for aspect in EXPERT_ASPECTS:
        if aspect not in scores:
            problems.append(f"aspect {aspect} ({EXPERT_ASPECTS[aspect]}) is not scored")
    for aspect, value in scores.items():
        if aspect not in EXPERT_ASPECTS:
            problems.append(f"unknown aspect {aspect}")
        elif isinstance(value, bool) or not isinstance(value, (int, float)) or not 0 <= value <= 100:
            problems.append(f"score of {aspect} must be a number 0–100, not {value!r}")
    return problems


PASS_MARK = 60.0


def route_problems(route: str, evidence: Mapping[str, Any] | None, profile: ProvinceProfile) -> list[tuple[str, str]]:
    """Why a candidate cannot pass by `route` on this evidence (each with the field, under the score's own
    path): the profile must open the route (004 §三(二)(三)); direct recognition names its basis and an
    award or the years of proven work; a competition names the competition and the rank reached."""
    if route not in profile.evaluation_routes:
        opened = "、".join(EVALUATION_ROUTES[r] for r in profile.evaluation_routes)
        return [("route", f"{profile.name}的评价方式为{opened}，不含{EVALUATION_ROUTES.get(route, route)} / "
                          f"{route} is not a route {profile.name} opens")]
    evidence = evidence or {}
    if route == "scored":
        return [("evidence", "考核评价以成绩为准 / a scored candidate has no route evidence")] if evidence else []
    problems = []
    if not str(evidence.get("basis") or "").strip():
        problems.append(("evidence.basis", "请写明认定依据 / state the basis of the recognition"))
    if route == "direct_recognition" and not (evidence.get("award") or evidence.get("years")):
        problems.append(("evidence.award", "直接认定须有获奖或从业年限等业绩 / direct recognition needs an award or "
                                           "the years of proven work"))
    if route == "competition" and not (evidence.get("competition") and evidence.get("rank")):
        problems.append(("evidence.rank", "竞赛晋升须写明竞赛名称和名次 / a competition result names the competition "
                                          "and the rank"))
    return problems


def candidate_passes(theory: float | None, practical: float | None, performance: float | None = None) -> bool:
    """Each part used must reach 60 (理论知识、操作技能、业绩评审 each scored out of 100)."""
    parts = [p for p in (theory, practical, performance) if p is not None]
    return bool(parts) and all(p >= PASS_MARK for p in parts)
