"""Occupations (职业分类大典 codes) and which ones enterprises may evaluate themselves."""

from __future__ import annotations

import csv
import re
from dataclasses import dataclass
from pathlib import Path

OCCUPATION_CODE = re.compile(r"^[1-8]-\d{2}-\d{2}-\d{2}$")
SEED_FILE = Path(__file__).parent / "data" / "occupations.csv"


@dataclass(frozen=True)
class Occupation:
    code: str
    name: str
    access_type: bool = False  # 准入类职业资格: excluded from self-evaluation
    skill_type: bool = True  # 技能类 (major groups 4, 5, 6); 专业技术类 are not evaluated here


class OccupationFileError(ValueError):
    def __init__(self, message: str, line: int | None = None) -> None:
        self.line = line
        super().__init__(f"line {line}: {message}" if line else message)


_TRUE = {"1", "true", "yes", "y", "是"}
_FALSE = {"0", "false", "no", "n", "否", ""}


def parse_occupation_csv(text: str) -> list[Occupation]:
    """`code,name,access_type[,skill_type]` rows; every row is checked, the first bad line is reported."""
    rows = csv.reader(text.splitlines())
    result: list[Occupation] = []
    seen: dict[str, int] = {}
    for line_no, row in enumerate(rows, start=1):
        cells = [c.strip() for c in row]
        if not cells or not any(cells) or cells[0].startswith("#"):
            continue
        if cells[0].lower() == "code":
            continue
        if len(cells) < 2 or not cells[1]:
            raise OccupationFileError("expected `code,name[,access_type[,skill_type]]`", line_no)
        code, name = cells[0], cells[1]
        if not OCCUPATION_CODE.match(code):
            raise OccupationFileError(f"{code!r} is not an occupation code of the form d-dd-dd-dd", line_no)
        if code in seen:
            raise OccupationFileError(f"{code} is listed twice (first on line {seen[code]})", line_no)
        flags = []
        for value in cells[2:4]:
            lowered = value.lower()
            if lowered not in _TRUE | _FALSE:
                raise OccupationFileError(f"{value!r} is not a yes/no flag", line_no)
            flags.append(lowered in _TRUE)
        access = flags[0] if flags else False
        skill = flags[1] if len(flags) > 1 else code[0] in "456"
        seen[code] = line_no
        result.append(Occupation(code, name, access, skill))
    if not result:
        raise OccupationFileError("the file lists no occupations")
    return result


def seed_occupations() -> list[Occupation]:
    return parse_occupation_csv(SEED_FILE.read_text(encoding="utf-8"))
