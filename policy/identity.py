"""Identity numbers: resident ID (GB 11643) and unified social credit code (GB 32100).

Validators return every problem found (empty list = valid), so a deficiency
notice or an API error can list them all at once.
"""

from __future__ import annotations

import datetime as dt

from policy.regions import PROVINCES

_ID_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
_ID_CHECK = "10X98765432"


def resident_id_check_char(first17: str) -> str:
    total = sum(int(c) * w for c, w in zip(first17, _ID_WEIGHTS, strict=True))
    return _ID_CHECK[total % 11]


def resident_id_problems(value: str, *, today: dt.date | None = None) -> list[str]:
    """Problems with an 18-character resident identity number (empty = valid)."""
    if not isinstance(value, str):
        return ["身份证号必须是字符串 / the ID number must be a string"]
    value = value.strip().upper()
    if len(value) != 18:
        return [f"身份证号应为18位，实为{len(value)}位 / an ID number has 18 characters, this one has {len(value)}"]
    if not (value[:17].isascii() and value[:17].isdigit()) or value[17] not in "0123456789X":
        return ["身份证号前17位须为数字，末位为数字或X / the first 17 characters must be digits, the last a digit or X"]
    problems = []
    if value[:2] not in PROVINCES:
        problems.append(f"地区码 {value[:6]} 无效 / region code {value[:6]} does not exist")
    try:
        birth = dt.date(int(value[6:10]), int(value[10:12]), int(value[12:14]))
    except ValueError:
        problems.append(f"出生日期 {value[6:14]} 无效 / birth date {value[6:14]} is not a date")
    else:
        if birth.year < 1900 or birth > (today or dt.date.today()):
            problems.append(f"出生日期 {birth} 不合理 / birth date {birth} is impossible")
    expected = resident_id_check_char(value[:17])
    if value[17] != expected:
        problems.append(f"校验码错误 / the check character should be {expected}, not {value[17]}")
    return problems


def is_valid_resident_id(value: str) -> bool:
    return not resident_id_problems(value)


def birth_date_of(resident_id: str) -> dt.date:
    return dt.date(int(resident_id[6:10]), int(resident_id[10:12]), int(resident_id[12:14]))


def mask_resident_id(value: str) -> str:
    """Public display form: the region prefix and the last four stay (`330106********2810`)."""
    value = value.strip().upper()
    if len(value) <= 10:
        return "*" * len(value)
    return value[:6] + "*" * (len(value) - 10) + value[-4:]


# Unified social credit code (统一社会信用代码), GB 32100-2015: 18 characters from a
# 31-character alphabet without I, O, Z, S, V.
_USCC_ALPHABET = "0123456789ABCDEFGHJKLMNPQRTUWXY"
_USCC_WEIGHTS = (1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28)
_USCC_AUTHORITIES = {
    "1": "123", "2": "19", "3": "1234", "4": "1", "5": "1239", "6": "129", "7": "129",
    "8": "19", "9": "123", "A": "19", "N": "12349", "Y": "1",
}
# Embedded organisation code (GB 11714), positions 9–17.
_ORG_WEIGHTS = (3, 7, 9, 10, 5, 8, 4, 2)


def credit_code_check_char(first17: str) -> str:
    total = sum(_USCC_ALPHABET.index(c) * w for c, w in zip(first17, _USCC_WEIGHTS, strict=True))
    return _USCC_ALPHABET[(31 - total % 31) % 31]


def _org_code_check_char(first8: str) -> str:
    total = sum(_USCC_ALPHABET.index(c) * w for c, w in zip(first8, _ORG_WEIGHTS, strict=True))
    check = 11 - total % 11
    return "X" if check == 10 else "0" if check == 11 else str(check)


def credit_code_problems(value: str) -> list[str]:
    """Problems with a unified social credit code (empty = valid)."""
    if not isinstance(value, str):
        return ["统一社会信用代码必须是字符串 / the credit code must be a string"]
    value = value.strip().upper()
    if len(value) != 18:
        return [
            f"统一社会信用代码应为18位，实为{len(value)}位 / a credit code has 18 characters, this one has {len(value)}"
        ]
    bad = sorted({c for c in value if c not in _USCC_ALPHABET})
    if bad:
        return [
            f"统一社会信用代码含非法字符 {''.join(bad)} / "
            f"characters not allowed: {''.join(bad)} (I, O, Z, S, V are never used)"
        ]
    problems = []
    kinds = _USCC_AUTHORITIES.get(value[0])
    if kinds is None or value[1] not in kinds:
        problems.append(
            f"登记管理部门或机构类别代码 {value[:2]} 无效 / registration authority and type {value[:2]} do not exist"
        )
    if not value[2:8].isdigit() or value[2:4] not in PROVINCES:
        problems.append(f"行政区划码 {value[2:8]} 无效 / region code {value[2:8]} does not exist")
    expected = credit_code_check_char(value[:17])
    if value[17] != expected:
        problems.append(f"校验码错误 / the check character should be {expected}, not {value[17]}")
    return problems


def is_valid_credit_code(value: str) -> bool:
    return not credit_code_problems(value)


def embedded_org_code_is_consistent(value: str) -> bool:
    """Whether positions 9–17 carry a valid GB 11714 organisation code.

    Informational only: codes issued to individual businesses and some older
    registrations do not satisfy it, so it is not a reason to refuse a filing.
    """
    body = value.strip().upper()[8:17]
    if len(body) != 9 or any(c not in _USCC_ALPHABET for c in body[:8]):
        return False
    return _org_code_check_char(body[:8]) == body[8]
