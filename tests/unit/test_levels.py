"""Skill levels and the enterprise ladder."""

import pytest

from policy.levels import EnterpriseLadder, Level


def test_levels_carry_digit_and_display_form():
    assert Level.三级.value == 3
    assert Level.三级.display == "三级/高级工"
    assert [lv.display for lv in sorted(Level, reverse=True)] == [
        "五级/初级工", "四级/中级工", "三级/高级工", "二级/技师", "一级/高级技师"]


@pytest.mark.parametrize("value", [3, "3", "三级", "高级工", "三级/高级工", Level.三级])
def test_a_level_is_read_from_any_of_its_names(value):
    assert Level.parse(value) is Level.三级


@pytest.mark.parametrize("value", [0, 6, "六级", "", None, True, "33"])
def test_anything_else_is_not_a_level(value):
    with pytest.raises(ValueError):
        Level.parse(value)


def test_the_enterprise_ladder_maps_the_titles_the_institution_filed_to_national_levels():
    ladder = EnterpriseLadder.build({"首席技师": "一级", "高级工一档": 3, "学徒工": 5})
    assert ladder.national_level("首席技师") is Level.一级
    assert ladder.national_level("高级工一档") is Level.三级
    assert ladder.national_level("技师") is Level.二级  # the national names need no filing
    assert [row["title"] for row in ladder.as_rows()] == ["学徒工", "高级工一档", "首席技师"]


def test_a_title_the_institution_did_not_file_is_not_on_its_ladder():
    with pytest.raises(ValueError):
        EnterpriseLadder.build({"首席技师": 1}).national_level("特级技师")


@pytest.mark.parametrize("title", ["技师", "三级", "高级工"])
def test_a_national_level_cannot_be_refiled_as_an_enterprise_title(title):
    with pytest.raises(ValueError, match="national level"):
        EnterpriseLadder.build({title: 1})


def test_every_problem_of_a_ladder_is_reported_at_once():
    with pytest.raises(ValueError) as caught:
        EnterpriseLadder.build({"学徒工": 4, "首席技师": 2, "": 3, "高级工二档": 7})
    message = str(caught.value)
    assert all(part in message for part in ("学徒工", "首席技师", "1–20 characters", "高级工二档"))


def test_a_title_above_the_top_cannot_map_below_it():
    with pytest.raises(ValueError, match="特级技师"):
        EnterpriseLadder.build({"特级技师": 3})
