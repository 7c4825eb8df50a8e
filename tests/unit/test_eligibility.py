"""Eligibility of a filing and of an evaluation plan: every violation at once."""

import datetime as dt

import pytest

from policy.eligibility import (
    REQUIRED_MATERIALS,
    CandidateFacts,
    FiledScope,
    FilingFacts,
    OccupationRequest,
    PlanFacts,
    candidate_passes,
    check_filing,
    check_plan,
    expert_panel_passes,
    latest_plan_filing_date,
    score_problems,
)
from policy.identity import resident_id_check_char
from policy.levels import Level
from policy.occupations import seed_occupations
from policy.profiles import get_profile
from policy.working_days import WorkingCalendar
from tasks.waits.calendar import official_years_from_chinesecalendar

CATALOGUE = {o.code: o for o in seed_occupations()}
CALENDAR = WorkingCalendar(official_years_from_chinesecalendar())
GUANGDONG, JIANGSU, SHENZHEN = get_profile("guangdong"), get_profile("jiangsu"), get_profile("shenzhen")


def person_id(serial: int, born: str = "19900101") -> str:
    first17 = f"440305{born}{serial:03d}"
    return first17 + resident_id_check_char(first17)


def filing(**changes) -> FilingFacts:
    base = dict(
        enterprise_name="深圳市某精密制造有限公司", credit_code="91350100M000100Y43", region_code="440305",
        employees=1200, occupations=[OccupationRequest("6-18-01-01", [3, 4, 5])],
        materials=frozenset(REQUIRED_MATERIALS), contact_name="李四", contact_phone="13800138000",
    )
    base.update(changes)
    return FilingFacts(**base)


def codes(violations):
    return [v.code for v in violations]


def test_a_complete_filing_has_no_violation():
    assert check_filing(filing(), GUANGDONG, CATALOGUE) == []


def test_all_deficiencies_are_listed_at_once_for_the_one_time_notice():
    facts = filing(
        credit_code="91350100M000100Y44",
        employees=100,
        occupations=[
            OccupationRequest("4-07-05-04", [3]),
            OccupationRequest("6-99-99-99", [7]),
            OccupationRequest("6-1-01", [3]),
        ],
        materials=frozenset({"business_licence"}),
        contact_phone="12345",
    )
    found = codes(check_filing(facts, SHENZHEN, CATALOGUE))
    assert "enterprise.credit_code" in found
    assert "enterprise.too_few_employees" in found
    assert "occupation.access_type" in found
    assert "occupation.unknown" in found
    assert "occupation.level" in found
    assert "occupation.code_format" in found
    assert "contact.phone" in found
    assert found.count("material.missing") == len(REQUIRED_MATERIALS) - 1


def test_guangdong_allows_at_most_five_occupations():
    six = [
        OccupationRequest(code, [4])
        for code in ["6-18-01-01", "6-18-01-02", "6-18-01-03", "6-18-01-04", "6-18-01-05", "6-18-01-06"]
    ]
    assert "occupation.too_many" in codes(check_filing(filing(occupations=six), GUANGDONG, CATALOGUE))
    jiangsu_filing = filing(occupations=six, region_code="321300")
    assert "occupation.too_many" not in codes(check_filing(jiangsu_filing, JIANGSU, CATALOGUE))


def test_shenzhen_requires_three_hundred_employees_and_guangdong_does_not():
    assert "enterprise.too_few_employees" in codes(check_filing(filing(employees=299), SHENZHEN, CATALOGUE))
    assert check_filing(filing(employees=299), GUANGDONG, CATALOGUE) == []


def test_an_enterprise_registered_in_another_province_is_refused():
    assert "enterprise.region_outside_province" in codes(
        check_filing(filing(region_code="320100"), GUANGDONG, CATALOGUE)
    )


SCOPE = FiledScope({"6-18-01-01": frozenset({Level.三级, Level.四级, Level.五级})})


def worker(name, id_number, relation, level, **facts) -> CandidateFacts:
    """A candidate working in Guangzhou for ten years (meets the workplace rule and every condition table)."""
    return CandidateFacts(
        name, id_number, relation, level, **{"workplace_region": "440106", "years_in_occupation": 10, **facts}
    )


def plan(**changes) -> PlanFacts:
    base = dict(
        occupation_code="6-18-01-01",
        evaluation_start=dt.date(2026, 10, 19),
        evaluation_end=dt.date(2026, 10, 20),
        filed_on=dt.date(2026, 9, 29),
        candidates=[worker("张三", person_id(1), "employee", 4), worker("王五", person_id(2), "employee", "三级")],
        proctors=["赵监考"],
        evaluators=["钱考评"],
        quality_supervisors=["孙督导"],
    )
    base.update(changes)
    return PlanFacts(**base)


def test_a_plan_filed_exactly_on_the_last_allowed_day_is_accepted():
    assert latest_plan_filing_date(dt.date(2026, 10, 19), GUANGDONG, CALENDAR).date == dt.date(2026, 9, 29)
    assert check_plan(plan(), SCOPE, GUANGDONG, CALENDAR) == []


def test_a_late_plan_is_refused_with_the_latest_allowed_date():
    found = check_plan(plan(filed_on=dt.date(2026, 9, 30)), SCOPE, GUANGDONG, CALENDAR)
    assert codes(found) == ["plan.late"]
    assert "2026-09-29" in found[0].message


def test_jiangsu_needs_fifteen_working_days_where_guangdong_needs_ten():
    latest = latest_plan_filing_date(dt.date(2026, 10, 19), JIANGSU, CALENDAR).date
    assert latest == dt.date(2026, 9, 21)  # 中秋 2026-09-25 is skipped
    assert "plan.late" in codes(check_plan(plan(), SCOPE, JIANGSU, CALENDAR))


def test_every_candidate_problem_is_reported_with_its_row():
    roster = [
        worker("张三", person_id(1), "employee", 4),
        worker("张三", person_id(1), "employee", 4),  # duplicate
        worker("小明", person_id(3, born="20150101"), "employee", 5),  # too young
        worker("李雷", person_id(4)[:-1] + "0", "intern", 2),  # bad id, relation, level scope
        worker("韩梅", person_id(5), "dispatched", 4, months_with_enterprise=6),
    ]
    found = check_plan(plan(candidates=roster), SCOPE, SHENZHEN, CALENDAR)
    where = {(v.code, v.field) for v in found}
    assert ("candidate.duplicate", "candidates[1].id_number") in where
    assert ("candidate.too_young", "candidates[2].id_number") in where
    assert ("candidate.relation_unknown", "candidates[3].relation") in where
    assert ("candidate.level_out_of_scope", "candidates[3].level") in where
    assert any(code == "candidate.id_number" and f == "candidates[3].id_number" for code, f in where)
    assert ("candidate.dispatched_too_short", "candidates[4].months_with_enterprise") in where


def test_partner_school_students_are_allowed_only_where_the_profile_says_so():
    roster = [worker("学生甲", person_id(6, born="20040101"), "partner_student", 5)]
    assert "candidate.relation_not_allowed" in codes(check_plan(plan(candidates=roster), SCOPE, GUANGDONG, CALENDAR))
    assert "candidate.relation_not_allowed" in codes(check_plan(plan(candidates=roster), SCOPE, JIANGSU, CALENDAR))
    early = plan(candidates=roster, filed_on=dt.date(2026, 9, 1))
    assert check_plan(early, SCOPE, get_profile("gansu"), CALENDAR) == []  # 004 §一(二): 合作院校学生


def test_a_jiangsu_training_evaluation_organisation_takes_the_public_and_school_trainees_not_staff():
    """002 §(十八): 社会化鉴定 registers its 申报人员 from the public, 院校认证 its students (校企联合培养,
    002 §(十五)); an employer (Y) evaluates only its own staff (002 §(十三))."""
    early = dict(filed_on=dt.date(2026, 9, 1))
    public = [worker("社会甲", person_id(7), "public", 4), worker("学员乙", person_id(8, born="20040101"),
                                                                 "partner_student", 5)]
    assert check_plan(plan(candidates=public, institution_kind="S", **early), SCOPE, JIANGSU, CALENDAR) == []
    staff = [worker("职工丙", person_id(9), "employee", 4)]
    refused = check_plan(plan(candidates=staff, institution_kind="S", **early), SCOPE, JIANGSU, CALENDAR)
    assert codes(refused) == ["candidate.relation_not_allowed"] and "社会培训评价组织" in refused[0].message
    by_employer = check_plan(plan(candidates=public[:1], institution_kind="Y", **early), SCOPE, JIANGSU, CALENDAR)
    assert codes(by_employer) == ["candidate.relation_not_allowed"]
    by_guangdong_s = check_plan(plan(candidates=public[:1], institution_kind="S"), SCOPE, GUANGDONG, CALENDAR)
    assert codes(by_guangdong_s) == ["candidate.relation_not_allowed"]  # no Guangdong text opens this route


def test_an_occupation_outside_the_filed_scope_and_missing_staff_are_refused():
    found = codes(
        check_plan(
            plan(occupation_code="6-18-01-02", proctors=[], quality_supervisors=[" "]), SCOPE, GUANGDONG, CALENDAR
        )
    )
    assert "plan.occupation_out_of_scope" in found
    assert found.count("plan.staff_missing") == 2


def test_expert_panel_pass_rule_uses_the_profiles_bar():
    good = {
        a: 80
        for a in (
            "basic_situation",
            "hr_system",
            "funding",
            "training_and_quality",
            "venue",
            "equipment",
            "information_system",
        )
    }
    poor = {a: 40 for a in good}
    assert expert_panel_passes([good, good, poor], GUANGDONG)  # mean 66.7
    assert not expert_panel_passes([good, poor, poor], GUANGDONG)  # mean 53.3
    assert not expert_panel_passes([], GUANGDONG)


def test_a_score_sheet_must_cover_every_aspect_within_zero_to_hundred():
    assert score_problems({"basic_situation": 101})
    assert len(score_problems({})) == 7


@pytest.mark.parametrize(
    "theory,practical,performance,passes",
    [
        (60, 60, None, True),
        (59.5, 90, None, False),
        (None, 75, None, True),
        (80, 80, 50, False),
        (None, None, None, False),
    ],
)
def test_a_candidate_passes_when_every_part_used_reaches_sixty(theory, practical, performance, passes):
    assert candidate_passes(theory, practical, performance) is passes


GANSU = get_profile("gansu")


def test_guangdong_takes_only_staff_whose_social_insurance_or_workplace_is_in_guangdong():
    elsewhere = worker("外省", person_id(7), "employee", 4, workplace_region="620102", social_insurance_region="")
    insured_here = worker(
        "参保", person_id(8), "employee", 4, workplace_region="620102", social_insurance_region="440305"
    )
    found = check_plan(plan(candidates=[elsewhere, insured_here]), SCOPE, GUANGDONG, CALENDAR)
    assert [(v.code, v.field) for v in found] == [
        ("candidate.outside_province", "candidates[0].social_insurance_region")
    ]
    early = plan(candidates=[elsewhere], filed_on=dt.date(2026, 9, 1))
    assert check_plan(early, SCOPE, JIANGSU, CALENDAR) == []  # Jiangsu's text has no such rule


def test_shenzhen_names_the_affiliate_and_wants_a_year_of_outsourced_work():
    roster = [
        worker("关联", person_id(9), "affiliated", 4),
        worker("关联乙", person_id(10), "affiliated", 4, affiliate_name="深圳示范关联公司"),
        worker("外包", person_id(11), "outsourced", 4, months_with_enterprise=8),
    ]
    found = check_plan(plan(candidates=roster), SCOPE, SHENZHEN, CALENDAR)
    assert [(v.code, v.field) for v in found] == [
        ("candidate.affiliate_missing", "candidates[0].affiliate_name"),
        ("candidate.dispatched_too_short", "candidates[2].months_with_enterprise"),
    ]
    assert "candidate.relation_not_allowed" in codes(
        check_plan(plan(candidates=roster[1:2]), SCOPE, GUANGDONG, CALENDAR)
    )


def test_gansu_takes_a_mandating_enterprises_staff_only_with_the_mandate_agreement_filed():
    staff = worker("委托", person_id(12), "mandated", 4, mandating_enterprise="兰州配套厂")
    early = dict(filed_on=dt.date(2026, 9, 1))
    assert codes(check_plan(plan(candidates=[staff], **early), SCOPE, GANSU, CALENDAR)) == [
        "candidate.mandate_not_filed"
    ]
    assert (
        check_plan(plan(candidates=[staff], mandating_enterprises=["兰州配套厂"], **early), SCOPE, GANSU, CALENDAR)
        == []
    )
    unnamed = worker("委托乙", person_id(13), "mandated", 4)
    assert codes(check_plan(plan(candidates=[unnamed], **early), SCOPE, GANSU, CALENDAR)) == [
        "candidate.mandator_missing"
    ]


def test_the_application_conditions_of_each_level_are_checked_and_every_failure_is_named():
    early = dict(filed_on=dt.date(2026, 9, 1))
    roster = [
        worker("新手", person_id(14), "employee", 4, years_in_occupation=2),  # 四级: 4 years, or 五级 held 3 years
        worker("持证", person_id(15), "employee", 4, years_in_occupation=2, held_level=5, held_level_years=3),
        worker("毕业", person_id(16), "employee", 5, years_in_occupation=0, diploma="technical_college"),
        worker("高级", person_id(17), "employee", 3, years_in_occupation=3, diploma="technical_college"),
        worker("无据", person_id(18), "employee", 3, years_in_occupation=None),
    ]
    found = check_plan(plan(candidates=roster, **early), SCOPE, GANSU, CALENDAR)
    assert [(v.code, v.field) for v in found] == [
        ("candidate.conditions_not_met", "candidates[0]"),
        ("candidate.conditions_not_met", "candidates[4]"),
    ]
    assert "从事本职业4年" in found[0].message and "取得下一级证书后从事本职业3年" in found[0].message
    assert check_plan(plan(candidates=roster[:1]), SCOPE, GUANGDONG, CALENDAR) == []  # Guangdong's profile sets none


def test_a_condition_table_with_an_impossible_entry_is_refused_naming_the_key():
    import yaml

    from policy.profiles import PROFILE_DIR, ProfileError, parse_profile

    data = yaml.safe_load((PROFILE_DIR / "gansu.yaml").read_text(encoding="utf-8"))
    data["application_conditions"]["value"][5] = [{"lower_level_years": 2}]
    with pytest.raises(ProfileError, match="application_conditions.5.*no lower level"):
        parse_profile(data, "gansu.yaml")
    data["application_conditions"]["value"][5] = [{"diploma": ["phd"]}]
    with pytest.raises(ProfileError, match=r"application_conditions.5\[0\].diploma"):
        parse_profile(data, "gansu.yaml")


def test_a_position_outside_the_catalogue_maps_to_the_nearest_occupation_where_the_province_allows_it():
    mapped = [
        OccupationRequest(
            "6-18-01-01",
            [4],
            position_name="数控精密车削岗",
            mapping_reason="以数控车床加工精密零件，工作内容与车工相同",
        )
    ]
    gansu = filing(region_code="620102", occupations=mapped)
    assert check_filing(gansu, GANSU, CATALOGUE) == []  # 004 §一(三): 相邻相近
    found = check_filing(filing(occupations=mapped), GUANGDONG, CATALOGUE)
    assert [(v.code, v.field) for v in found] == [("occupation.mapping_not_allowed", "occupations[0].position_name")]
    unexplained = [OccupationRequest("6-18-01-01", [4], position_name="数控精密车削岗", mapping_reason="相近")]
    found = check_filing(filing(region_code="620102", occupations=unexplained), GANSU, CATALOGUE)
    assert [(v.code, v.field) for v in found] == [("occupation.mapping_reason", "occupations[0].mapping_reason")]


def test_a_change_of_scope_adds_something_new_and_drops_only_what_is_filed():
    from policy.eligibility import OccupationRequest, scope_change_problems
    from policy.levels import Level
    from policy.profiles import get_profile

    scope = {"6-18-01-01": frozenset({Level.三级, Level.四级})}
    profile = get_profile("guangdong")
    assert scope_change_problems(scope, [OccupationRequest("4-03-02-01", [4])], [("6-18-01-01", [4])], profile) == []
    codes = {
        (v.code, v.field)
        for v in scope_change_problems(
            scope, [OccupationRequest("6-18-01-01", [3])], [("4-03-02-01", [4]), ("6-18-01-01", [2])], profile
        )
    }
    assert codes == {
        ("scope_change.already_filed", "occupations[0]"),
        ("scope_change.drop_not_filed", "drop_occupations[0].code"),
        ("scope_change.drop_levels_not_filed", "drop_occupations[1].levels"),
    }
    assert [v.code for v in scope_change_problems(scope, [], [], profile)] == ["scope_change.nothing"]
    assert [v.code for v in scope_change_problems(scope, [], [("6-18-01-01", [3, 4])], profile)] == [
        "scope_change.empty"
    ]


@pytest.mark.parametrize(("profile", "route", "evidence", "fields"), [
    ("gansu", "direct_recognition", {"basis": "技术攻关成效显著", "years": 12}, []),  # 004 §三(二) 直接认定
    ("gansu", "direct_recognition", {"basis": "技术攻关成效显著"}, ["evidence.award"]),
    ("gansu", "competition", {"basis": "省赛获奖", "competition": "甘肃省职业技能大赛", "rank": 3}, []),  # §三(三)
    ("gansu", "competition", {"basis": "省赛获奖", "competition": "甘肃省职业技能大赛"}, ["evidence.rank"]),
    ("gansu", "competition", None, ["evidence.basis", "evidence.rank"]),
    ("gansu", "scored", {"basis": "多余的佐证"}, ["evidence"]),
    ("gansu", "scored", None, []),
    ("guangdong", "direct_recognition", {"basis": "技术攻关成效显著", "years": 12}, ["route"]),  # 003 names none
    ("jiangsu", "competition", {"basis": "省赛获奖", "competition": "江苏省技能大赛", "rank": 1}, ["route"]),
])
def test_a_route_other_than_the_scored_parts_needs_its_profile_and_its_evidence(profile, route, evidence, fields):
    from policy.eligibility import route_problems

    assert [field for field, _ in route_problems(route, evidence, get_profile(profile))] == fields


NORM = {"kind": "adjusted_standard", "title": "车工（数控方向）企业评价规范（2026版）",
        "adjustments": "增加数控编程模块", "not_below_national_standard": True}


def test_an_occupation_filed_with_the_enterprises_own_norm_carries_its_text_and_stays_above_the_standard():
    """004 §二: 结合企业工种（岗位）特殊要求…适当调整，原则上不低于国家职业技能标准要求; the norm's text is a material
    of the filing (a missing one goes to the one-time notice)."""
    with_norm = [OccupationRequest("6-18-01-01", [3, 4], norm=NORM)]
    filed = frozenset({*REQUIRED_MATERIALS, "evaluation_norm"})
    assert check_filing(filing(occupations=with_norm, materials=filed), SHENZHEN, CATALOGUE) == []
    missing = check_filing(filing(occupations=with_norm), SHENZHEN, CATALOGUE)
    assert [(v.code, v.field) for v in missing] == [("material.missing", "materials.evaluation_norm")]
    below = [OccupationRequest("6-18-01-01", [3, 4], norm={**NORM, "not_below_national_standard": False})]
    found = check_filing(filing(occupations=below, materials=filed), SHENZHEN, CATALOGUE)
    assert [(v.code, v.field) for v in found] == [("occupation.norm_below_standard",
                                                   "occupations[0].norm.not_below_national_standard")]
