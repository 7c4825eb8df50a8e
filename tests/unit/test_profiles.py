"""Province profiles are data, loaded and validated at start."""

import pytest

from policy.profiles import ProfileError, get_profile, load_profile_file, load_profiles


def test_the_five_shipped_profiles_load_with_their_policy_figures():
    profiles = load_profiles()
    assert set(profiles) == {"guangdong", "jiangsu", "gansu", "shenzhen", "sichuan"}
    assert get_profile("广东").plan_lead_working_days == 10
    assert get_profile("广东").results_due_working_days == 10
    assert get_profile("广东").max_occupations == 5
    assert get_profile("江苏").plan_lead_working_days == 15
    assert get_profile("甘肃").results_publicity_working_days >= 5
    assert get_profile("甘肃").inactivity_withdrawal_years == 2
    assert (get_profile("甘肃").retention_years_paper, get_profile("甘肃").retention_years_electronic) == (3, 5)
    assert get_profile("深圳").min_employees == 300


def _write(tmp_path, text, name="guangdong.yaml"):
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def _shipped(name="guangdong"):
    from policy.profiles import PROFILE_DIR

    return (PROFILE_DIR / f"{name}.yaml").read_text(encoding="utf-8")


def test_an_unknown_key_refuses_naming_file_and_key(tmp_path):
    path = _write(tmp_path, _shipped() + "plan_lead_days: 10\n")
    with pytest.raises(ProfileError) as err:
        load_profile_file(path)
    assert err.value.key == "plan_lead_days"
    assert str(path) in str(err.value)


def test_a_wrong_type_refuses_naming_file_and_key(tmp_path):
    path = _write(
        tmp_path, _shipped().replace("plan_lead_working_days: {value: 10,", 'plan_lead_working_days: {value: "ten",')
    )
    with pytest.raises(ProfileError) as err:
        load_profile_file(path)
    assert err.value.key == "plan_lead_working_days"
    assert "whole number" in str(err.value)


def test_a_missing_key_refuses(tmp_path):
    text = "\n".join(line for line in _shipped().splitlines() if not line.startswith("max_occupations"))
    with pytest.raises(ProfileError, match="max_occupations.*missing"):
        load_profile_file(_write(tmp_path, text))


def test_a_publicity_shorter_than_five_working_days_is_refused(tmp_path):
    path = _write(
        tmp_path,
        _shipped().replace("results_publicity_working_days: {value: 5,", "results_publicity_working_days: {value: 3,"),
    )
    with pytest.raises(ProfileError, match="at least 5"):
        load_profile_file(path)


def test_an_unknown_candidate_relation_is_refused(tmp_path):
    path = _write(tmp_path, _shipped().replace("{value: [employee],", "{value: [employee, intern],"))
    with pytest.raises(ProfileError, match="intern"):
        load_profile_file(path)


def test_a_directory_with_one_bad_profile_refuses_to_start(tmp_path):
    _write(tmp_path, _shipped("jiangsu"), "jiangsu.yaml")
    _write(tmp_path, _shipped() + "surprise: 1\n")
    with pytest.raises(ProfileError, match="surprise"):
        load_profiles(tmp_path)


def test_the_profile_refuses_an_sla_table_with_a_wrong_value_naming_the_key():
    import yaml

    from policy.profiles import PROFILE_DIR, ProfileError, parse_profile

    data = yaml.safe_load((PROFILE_DIR / "guangdong.yaml").read_text(encoding="utf-8"))
    data["sla"]["acceptance"]["at_risk"] = 9
    with pytest.raises(ProfileError, match="sla.acceptance.at_risk"):
        parse_profile(data, "guangdong.yaml")
    del data["sla"]["acceptance"]
    with pytest.raises(ProfileError, match="no budget for acceptance"):
        parse_profile(data, "guangdong.yaml")


def test_a_scan_that_comes_late_crosses_every_level_in_between():
    from policy.sla import levels_between

    assert levels_between("on_track", "escalated") == ["at_risk", "breached", "escalated"]
    assert levels_between("at_risk", "at_risk") == []


def _data(name="guangdong"):
    import yaml

    return yaml.safe_load(_shipped(name))


def test_every_number_and_switch_of_every_profile_names_a_seed_section_or_local():
    import dataclasses

    from policy.profiles import IDENTITY, ProvinceProfile

    sourced = (
        {f.name for f in dataclasses.fields(ProvinceProfile)}
        - set(IDENTITY)
        - {"sources", "sla", "filing_steps", "batch_steps"}
        - {"source_texts", "document_bases"}  # these are the sources themselves (tests/unit/test_legal_basis.py)
    )
    for profile in load_profiles().values():
        assert sourced <= set(profile.sources), profile.code
        assert all(f"sla.{step}" in profile.sources for step in profile.sla)
        for step in (*profile.filing_steps, *profile.batch_steps):
            assert step.source == "local" or step.source[:3] in ("000", "001", "002", "003", "004")
    assert get_profile("guangdong").source("plan_lead_working_days") == "003 §二(四)"
    assert get_profile("guangdong").source("expert_panel_size") == "local"  # the seeds fix no panel size
    assert get_profile("jiangsu").source("plan_lead_working_days") == "002 §(十八)"


def test_a_value_without_its_source_is_refused_naming_the_key():
    from policy.profiles import parse_profile

    data = _data()
    data["max_occupations"] = 5
    with pytest.raises(ProfileError, match="max_occupations.*source"):
        parse_profile(data, "guangdong.yaml")
    data = _data()
    data["max_occupations"]["source"] = "the internet"
    with pytest.raises(ProfileError, match="max_occupations.*seed section"):
        parse_profile(data, "guangdong.yaml")
    data = _data()
    del data["sla"]["acceptance"]["source"]
    with pytest.raises(ProfileError, match="sla.acceptance.*source"):
        parse_profile(data, "guangdong.yaml")


def test_guangdong_and_gansu_run_the_steps_their_texts_name():
    steps = lambda code, kind: [s.step for s in getattr(get_profile(code), kind)]  # noqa: E731
    assert steps("guangdong", "filing_steps") == [
        "city_recommendation",  # 003 §一(一) and its attachment: 市人力资源社会保障部门推荐意见
        "acceptance",
        "expert_evaluation",
        "best_selection",
        "leading_group_approval",
        "registration",
        "pilot_plan_evaluation",
    ]
    assert steps("gansu", "filing_steps") == [
        "acceptance",
        "expert_evaluation",
        "publicity",
        "cities_report",
        "ministry_review",
        "registration",
        "national_report",  # 004 §四(四): 省级中心负责将备案企业和备案回执报送部职业技能鉴定中心向社会公布
    ]
    assert "publicity" not in steps("guangdong", "filing_steps")  # 003 has no publicity and no ministry review
    reviews = lambda code: [s.by for s in get_profile(code).batch_steps if s.step == "results_review"]  # noqa: E731
    assert reviews("guangdong") == ["municipal", "provincial"]  # 003 §二(四)(五)
    assert reviews("gansu") == ["handling", "provincial"]  # 004 §五(五)
    assert reviews("jiangsu") == ["handling"]


@pytest.mark.parametrize(
    "steps,problem",
    [
        (["expert_evaluation", "acceptance", "registration"], "'acceptance' must be the first step"),
        (
            ["acceptance", "expert_evaluation", "registration", "publicity"],
            "'registration' must come after 'publicity'",
        ),
        (["acceptance", "expert_evaluation", "registration", "interview"], "unknown step 'interview'"),
        (["acceptance", "registration"], "'registration' needs 'expert_evaluation' before it"),
        (["acceptance", "expert_evaluation", "publicity"], "no 'registration' step"),
        (
            ["acceptance", "expert_evaluation", "expert_evaluation", "registration"],
            "'expert_evaluation' is listed twice",
        ),
    ],
)
def test_an_impossible_step_order_is_refused_naming_the_key_and_the_step(steps, problem):
    from policy.profiles import parse_profile

    data = _data()
    data["filing_steps"] = [{"step": s, "source": "local"} for s in steps]
    with pytest.raises(ProfileError) as err:
        parse_profile(data, "guangdong.yaml")
    assert err.value.key == "filing_steps" and problem in str(err.value)


def test_a_step_taken_by_an_unknown_centre_is_refused():
    from policy.profiles import parse_profile

    data = _data()
    data["batch_steps"][4]["by"] = "county"
    with pytest.raises(ProfileError, match=r"batch_steps\[4\].by"):
        parse_profile(data, "guangdong.yaml")


def test_jiangsus_roster_review_is_a_step_of_s_type_organisations_only():
    step = next(s for s in get_profile("jiangsu").batch_steps if s.step == "roster_review")
    assert (step.applies_to("S"), step.applies_to("Y"), step.source) == (True, False, "002 §(十八)")
    assert all(
        s.for_kind is None
        for code in ("guangdong", "gansu", "shenzhen", "sichuan")
        for s in get_profile(code).batch_steps
    )


@pytest.mark.parametrize(
    "change,problem",
    [
        ({"step": "roster_review", "for": "Q"}, "batch_steps[1].for"),
        ({"step": "plan_acceptance", "for": "S"}, "every case's first step"),
    ],
)
def test_a_step_for_one_kind_of_institution_names_a_known_kind_and_is_never_the_first_step(change, problem):
    from policy.profiles import parse_profile

    data = _data()
    if change["step"] == "plan_acceptance":
        data["batch_steps"][0]["for"] = change["for"]
    else:
        data["batch_steps"].insert(1, {**change, "source": "local"})
    with pytest.raises(ProfileError) as err:
        parse_profile(data, "guangdong.yaml")
    assert problem in str(err.value)


def test_a_step_every_case_needs_cannot_be_limited_to_one_kind_of_institution():
    from policy.profiles import parse_profile

    data = _data()
    review = next(s for s in data["batch_steps"] if s["step"] == "results_review" and s.get("by") == "municipal")
    data["batch_steps"] = [s for s in data["batch_steps"] if s["step"] != "results_review"]
    data["batch_steps"].insert(4, {**review, "for": "S"})
    with pytest.raises(ProfileError, match="'results_review' is a step of every case"):
        parse_profile(data, "guangdong.yaml")


def test_a_province_is_added_with_a_yaml_file_alone(tmp_path):
    """Adding a province is data: a new file with its own steps loads beside the shipped ones."""
    text = (
        _shipped("sichuan")
        .replace("code: sichuan", "code: hubei")
        .replace('province_code: "51"', 'province_code: "42"')
    )
    text = text.replace('region_prefix: "51"', 'region_prefix: "42"').replace("name: 四川", "name: 湖北")
    _write(tmp_path, text, "hubei.yaml")
    _write(tmp_path, _shipped("gansu"), "gansu.yaml")
    profiles = load_profiles(tmp_path)
    assert [s.step for s in profiles["hubei"].filing_steps][-1] == "registration"


def test_routing_follows_the_profile_for_provincially_owned_and_central_enterprises():
    from policy.processes import RoutingProblem, centre_of, filing_handling_level

    gansu, guangdong = get_profile("gansu"), get_profile("guangdong")
    def route(profile, **kw):
        return filing_handling_level(profile, **{"ownership": "private", "provincial_owned": False, "chosen": None,
                                                 **kw})
    assert route(gansu) == "municipal"  # 004 §四(一): 属地管理
    assert route(gansu, provincial_owned=True, chosen="municipal") == "municipal"  # 省属: their choice
    assert route(gansu, provincial_owned=True) == "provincial"
    assert route(gansu, ownership="central_branch") == "provincial"  # 双备案
    assert route(guangdong) == "provincial"  # 003 §二(二): the provincial centre handles every pilot filing
    with pytest.raises(RoutingProblem):
        route(guangdong, provincial_owned=True, chosen="municipal")  # Guangdong lets nobody choose
    with pytest.raises(RoutingProblem):
        route(gansu, chosen="provincial")  # only 省属 enterprises choose
    assert centre_of("620102", "municipal") == "620100" and centre_of("620102", "provincial") == "620000"
    assert centre_of("440305", "municipal") == "440300"


def test_the_readme_shows_every_provinces_steps_as_the_profiles_list_them():
    import pathlib

    from policy.profiles import steps_table

    readme = pathlib.Path(__file__).resolve().parents[2] / "README.md"
    assert steps_table() in readme.read_text(encoding="utf-8")


@pytest.mark.parametrize(("code", "name"), [
    ("440000", "广东省职业技能服务指导中心"),  # 003 §二(二) 省职业技能服务指导中心
    ("440100", "广州市职业技能鉴定指导中心"),  # 003 §二(四) 地级以上市职业技能鉴定指导中心
    ("440300", "深圳市职业技能鉴定指导中心"),  # the Shenzhen profile's own pattern
    ("440305", "深圳市南山区职业技能鉴定指导中心"),  # a district's centre carries its city's name
    ("441900", "东莞市职业技能鉴定指导中心"),  # a city without districts
    ("620000", "甘肃省职业技能鉴定指导中心"),  # 004 §四(一) 省职业技能鉴定指导中心（以下简称省级中心）
    ("320500", "苏州市职业技能鉴定中心"),
    ("110000", "110000"),  # no profile governs Beijing: the code stays a code rather than an invented name
    ("全部", "全部"),
])
def test_a_centre_is_named_for_people_by_its_provinces_profile(code, name):
    from policy.profiles import centre_name

    assert centre_name(code) == name


@pytest.mark.parametrize("pattern", ["职业技能鉴定中心", "{city}{city}中心", "{city}中心{x}", "{province}中心"])
def test_a_municipal_centre_name_must_name_the_city_exactly_once(pattern):
    from policy.profiles import parse_profile

    data = _data()
    data["municipal_centre_name"]["value"] = pattern
    with pytest.raises(ProfileError, match="municipal_centre_name"):
        parse_profile(data, "guangdong.yaml")


def test_a_step_cites_only_a_section_that_says_it_or_is_marked_local():
    """000 §三(六) is about publishing inspection results, not evaluation results; 002 §(十八) has the
    enterprise enter its data in the provincial platform — neither is the step they were cited for."""
    def source(profile: str, process: str, code: str) -> str:
        return next(s.source for s in getattr(get_profile(profile), process) if s.step == code)

    assert source("shenzhen", "batch_steps", "results_publicity") == "local"
    assert source("jiangsu", "batch_steps", "national_upload") == "local"
    assert source("shenzhen", "batch_steps", "national_upload") == "000 §三(二)"  # 快速上传国家职业资格网
