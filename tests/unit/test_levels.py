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


def test_the_enterprise_ladder_maps_its_titles_to_national_levels():
    ladder = EnterpriseLadder.build({"首席技师": "一级"})
    assert ladder.national_level("学徒工") is Level.五级
    assert ladder.national_level("首席技师") is Level.一级
    assert ladder.national_level("技师") is Level.二级


def test_a_title_above_the_top_cannot_map_below_it():
    with pytest.raises(ValueError, match="特级技师"):
        EnterpriseLadder.build({"特级技师": 3})
