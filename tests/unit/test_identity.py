"""Resident ID (GB 11643) and unified social credit code (GB 32100)."""

import datetime as dt

import pytest

from policy.identity import (
    credit_code_problems,
    embedded_org_code_is_consistent,
    is_valid_credit_code,
    is_valid_resident_id,
    mask_resident_id,
    resident_id_check_char,
    resident_id_problems,
)

# The worked example of GB 11643 and the example of GB 32100.
STANDARD_ID = "11010519491231002X"
STANDARD_CREDIT_CODE = "91350100M000100Y43"


def make_id(first17: str) -> str:
    return first17 + resident_id_check_char(first17)


def test_the_standards_own_examples_are_valid():
    assert is_valid_resident_id(STANDARD_ID)
    assert is_valid_resident_id(STANDARD_ID.lower())
    assert is_valid_credit_code(STANDARD_CREDIT_CODE)
    assert embedded_org_code_is_consistent(STANDARD_CREDIT_CODE)


@pytest.mark.parametrize("position", range(17))
def test_changing_any_single_digit_breaks_the_id_check(position):
    corrupted = list(STANDARD_ID)
    corrupted[position] = str((int(corrupted[position]) + 1) % 10)
    assert not is_valid_resident_id("".join(corrupted))


def test_an_id_reports_the_check_character_it_should_have():
    problems = resident_id_problems("110105194912310021")
    assert any("should be X" in p for p in problems)


def test_an_id_with_an_impossible_birth_date_is_refused_even_with_a_right_check():
    assert any("birth date" in p for p in resident_id_problems(make_id("11010519490230002")))
    future = make_id("11010520990101002")
    assert any("impossible" in p for p in resident_id_problems(future, today=dt.date(2026, 11, 22)))


def test_an_id_with_an_unknown_region_is_refused():
    assert any("region code" in p for p in resident_id_problems(make_id("99010519491231002")))


@pytest.mark.parametrize("value", ["", "1101051949123100", "11010519491231002Y", "1101051949123100２X", None])
def test_malformed_ids_get_a_message_not_an_exception(value):
    assert resident_id_problems(value)


@pytest.mark.parametrize("position", range(17))
def test_changing_any_single_character_breaks_the_credit_code_check(position):
    alphabet = "0123456789ABCDEFGHJKLMNPQRTUWXY"
    corrupted = list(STANDARD_CREDIT_CODE)
    corrupted[position] = alphabet[(alphabet.index(corrupted[position]) + 1) % 31]
    assert not is_valid_credit_code("".join(corrupted))


@pytest.mark.parametrize("value,fragment", [
    ("91350100M000100Y4", "18 characters"),
    ("91350100M000I00Y43", "not allowed"),
    ("Q1350100M000100Y43", "registration authority"),
    ("91990100M000100Y4X", "region code"),
])
def test_malformed_credit_codes_name_the_problem(value, fragment):
    assert any(fragment in p for p in credit_code_problems(value)), credit_code_problems(value)


def test_public_pages_show_only_region_prefix_and_last_four():
    assert mask_resident_id("330106199001012814") == "330106********2814"
    assert mask_resident_id(STANDARD_ID) == "110105********002X"
