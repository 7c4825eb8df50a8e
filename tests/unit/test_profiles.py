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
    path = _write(tmp_path, _shipped().replace("plan_lead_working_days: 10", 'plan_lead_working_days: "ten"'))
    with pytest.raises(ProfileError) as err:
        load_profile_file(path)
    assert err.value.key == "plan_lead_working_days"
    assert "whole number" in str(err.value)


def test_a_missing_key_refuses(tmp_path):
    text = "\n".join(line for line in _shipped().splitlines() if not line.startswith("max_occupations"))
    with pytest.raises(ProfileError, match="max_occupations.*missing"):
        load_profile_file(_write(tmp_path, text))


def test_a_publicity_shorter_than_five_working_days_is_refused(tmp_path):
    path = _write(tmp_path, _shipped().replace("results_publicity_working_days: 5", "results_publicity_working_days: 3"))
    with pytest.raises(ProfileError, match="at least 5"):
        load_profile_file(path)


def test_an_unknown_candidate_relation_is_refused(tmp_path):
    path = _write(tmp_path, _shipped().replace("[employee, dispatched, outsourced]", "[employee, intern]"))
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
