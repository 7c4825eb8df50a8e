"""National certificate numbering (人社鉴发〔2019〕2号), 22 characters.

    Y 0000 44 000123 | 26 3 000001
    │  │    │   │       │  │   └ 6-digit serial, assigned at issuance, never reused
    │  │    │   │       │  └ level digit 1–5 (一级 … 五级)
    │  │    │   │       └ 2-digit year of issuance
    │  │    │   └ 6-digit organisation serial assigned by the province
    │  │    └ province code (first two digits of GB/T 2260)
    │  └ 4-digit organisation code (0000 when first filed with a province)
    └ Y employer (用人单位) / S social training-evaluation organisation

Positions 1–13 are the institution's segment, assigned once at registration.
Uniqueness of serials is finally guaranteed by the database; the functions
here compute and check.
"""

from __future__ import annotations

from dataclasses import dataclass

from policy.regions import PROVINCES

EMPLOYER = "Y"
TRAINING_ORGANISATION = "S"
INSTITUTION_KINDS = {EMPLOYER: "用人单位", TRAINING_ORGANISATION: "社会培训评价组织"}
MAX_SERIAL = 999_999


class NumberFormatError(ValueError):
    """A certificate number or segment is malformed; `problems` lists every reason."""

    def __init__(self, value: str, problems: list[str]) -> None:
        self.value = value
        self.problems = problems
        super().__init__(f"{value!r} is not a valid certificate number: " + "; ".join(problems))


@dataclass(frozen=True)
class InstitutionSegment:
    kind: str
    organisation_code: str
    province: str
    serial: int

    def __post_init__(self) -> None:
        problems = _segment_problems(self.kind, self.organisation_code, self.province, self.serial)
        if problems:
            raise NumberFormatError(self.kind + self.organisation_code + self.province + str(self.serial), problems)

    def __str__(self) -> str:
        return f"{self.kind}{self.organisation_code}{self.province}{self.serial:06d}"

    @classmethod
    def parse(cls, text: str) -> InstitutionSegment:
        if not isinstance(text, str) or len(text) != 13 or not text.isascii():
            raise NumberFormatError(str(text), ["a segment has 13 ASCII characters"])
        if not text[7:].isdigit():
            raise NumberFormatError(text, ["the organisation serial (positions 8–13) must be digits"])
        return cls(text[0], text[1:5], text[5:7], int(text[7:]))


@dataclass(frozen=True)
class CertificateNumber:
    segment: InstitutionSegment
    year: int  # two digits, 0–99
    level: int  # 1 (一级) … 5 (五级)
    serial: int

    def __post_init__(self) -> None:
        problems = []
        if not 0 <= self.year <= 99:
            problems.append(f"year {self.year} must be two digits")
        if self.level not in (1, 2, 3, 4, 5):
            problems.append(f"level digit {self.level} must be 1–5")
        if not 1 <= self.serial <= MAX_SERIAL:
            problems.append(f"serial {self.serial} must be 000001–999999")
        if problems:
            raise NumberFormatError(f"{self.segment}{self.year}{self.level}{self.serial}", problems)

    def __str__(self) -> str:
        return f"{self.segment}{self.year:02d}{self.level}{self.serial:06d}"

    @property
    def serial_scope(self) -> str:
        """What a serial is unique within: segment + year + level (positions 1–16)."""
        return f"{self.segment}{self.year:02d}{self.level}"


def _segment_problems(kind: str, org: str, province: str, serial: int) -> list[str]:
    problems = []
    if kind not in INSTITUTION_KINDS:
        problems.append(f"type letter {kind!r} must be Y (employer) or S (training-evaluation organisation)")
    if not (len(org) == 4 and org.isascii() and org.isdigit()):
        problems.append(f"organisation code {org!r} must be 4 digits")
    if province not in PROVINCES:
        problems.append(f"province code {province!r} is not a GB/T 2260 province")
    if not isinstance(serial, int) or not 1 <= serial <= MAX_SERIAL:
        problems.append(f"organisation serial {serial!r} must be 000001–999999")
    return problems


def number_problems(text: object) -> list[str]:
    """Every reason `text` is not a certificate number (empty = valid)."""
    if not isinstance(text, str):
        return ["a certificate number is a string"]
    if len(text) != 22:
        return [f"a certificate number has 22 characters, this has {len(text)}"]
    if not text.isascii():
        return ["a certificate number has only ASCII letters and digits"]
    problems = []
    if not text[1:].isdigit():
        problems.append("positions 2–22 must be digits")
        return problems
    problems += _segment_problems(text[0], text[1:5], text[5:7], int(text[7:13]))
    if text[15] not in "12345":
        problems.append(f"level digit {text[15]} must be 1–5")
    if int(text[16:]) == 0:
        problems.append("serial 000000 is never assigned")
    return problems


def parse_certificate_number(text: object) -> CertificateNumber:
    problems = number_problems(text)
    if problems:
        raise NumberFormatError(str(text), problems)
    assert isinstance(text, str)
    return CertificateNumber(
        InstitutionSegment(text[0], text[1:5], text[5:7], int(text[7:13])),
        int(text[13:15]),
        int(text[15]),
        int(text[16:]),
    )


def is_certificate_number(text: object) -> bool:
    return not number_problems(text)


def next_institution_segment(kind: str, province: str, last_serial: int,
                             organisation_code: str = "0000") -> InstitutionSegment:
    """The segment after the province's last assigned organisation serial."""
    return InstitutionSegment(kind, organisation_code, province, last_serial + 1)


def certificate_number(segment: InstitutionSegment, issue_year: int, level: int, last_serial: int) -> CertificateNumber:
    """The number after the last serial used under this segment, year and level."""
    if last_serial >= MAX_SERIAL:
        raise OverflowError(f"serials under {segment}{issue_year % 100:02d}{level} are exhausted")
    return CertificateNumber(segment, issue_year % 100, level, last_serial + 1)
