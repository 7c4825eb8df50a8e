"""National 22-character certificate numbering."""

import pytest

from policy.numbering import (
    CertificateNumber,
    InstitutionSegment,
    NumberFormatError,
    certificate_number,
    is_certificate_number,
    next_institution_segment,
    number_problems,
    parse_certificate_number,
)


def test_a_number_is_segment_year_level_serial_and_round_trips():
    segment = InstitutionSegment("Y", "0000", "44", 123)
    number = certificate_number(segment, 2026, 3, 0)
    assert str(segment) == "Y00004400012 3".replace(" ", "")
    assert str(number) == "Y000044000123263000001"
    assert len(str(number)) == 22
    assert parse_certificate_number(str(number)) == number
    assert number.serial_scope == "Y000044000123263"


def test_serials_follow_the_last_used_one_and_never_overflow_silently():
    segment = InstitutionSegment("S", "0000", "32", 1)
    assert certificate_number(segment, 2026, 5, 41).serial == 42
    with pytest.raises(OverflowError):
        certificate_number(segment, 2026, 5, 999_999)


def test_the_next_institution_segment_follows_the_provinces_last_serial():
    assert str(next_institution_segment("Y", "62", 7)) == "Y000062000008"


@pytest.mark.parametrize("text,reason", [
    ("Y00004400012326300000", "22 characters"),
    ("X000044000123263000001", "type letter"),
    ("Y000099000123263000001", "province code"),
    ("Y000044000123266000001", "level digit"),
    ("Y000044000123263000000", "000000"),
    ("Y00004400012326300000A", "digits"),
    ("Y000044000000263000001", "organisation serial"),
    ("Ｙ000044000123263000001", "ASCII"),
])
def test_malformed_numbers_are_rejected_with_the_reason(text, reason):
    assert not is_certificate_number(text)
    assert any(reason in p for p in number_problems(text)), number_problems(text)
    with pytest.raises(NumberFormatError):
        parse_certificate_number(text)


def test_every_problem_is_reported_at_once():
    problems = number_problems("Z000099000123267000000")
    assert len(problems) == 4


def test_a_non_string_is_not_a_number():
    assert number_problems(12345) == ["a certificate number is a string"]


def test_fields_out_of_range_cannot_be_constructed():
    with pytest.raises(NumberFormatError):
        CertificateNumber(InstitutionSegment("Y", "0000", "44", 1), 26, 6, 1)
    with pytest.raises(NumberFormatError):
        InstitutionSegment("Y", "00A0", "44", 1)
