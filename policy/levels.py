"""Skill levels (002 §(二), 004 §二): five national levels and an enterprise's ladder."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from enum import IntEnum


class Level(IntEnum):
    """National level; the value is the digit used in certificate numbers."""

    一级 = 1
    二级 = 2
    三级 = 3
    四级 = 4
    五级 = 5

    @property
    def title(self) -> str:
        return _TITLES[self]

    @property
    def display(self) -> str:
        """The form printed on certificates: `三级/高级工`."""
        return f"{self.name}/{self.title}"

    @classmethod
    def parse(cls, value: object) -> Level:
        """Accept 3, "3", "三级", "高级工" or "三级/高级工"."""
        if isinstance(value, Level):
            return value
        if isinstance(value, int) and not isinstance(value, bool):
            if value in (1, 2, 3, 4, 5):
                return cls(value)
            raise ValueError(f"level {value} must be 1–5")
        if isinstance(value, str):
            text = value.strip()
            if text.isdigit() and text in "12345" and len(text) == 1:
                return cls(int(text))
            for level in cls:
                if text in (level.name, level.title, level.display):
                    return level
        raise ValueError(f"{value!r} is not a skill level (一级/高级技师 … 五级/初级工, or 1–5)")


_TITLES = {
    Level.一级: "高级技师",
    Level.二级: "技师",
    Level.三级: "高级工",
    Level.四级: "中级工",
    Level.五级: "初级工",
}

# Where the seed's own enterprise titles sit (004 §二): 学徒工 below 五级, 特级技师 and 首席技师 above
# 一级. Their national correspondence is what the institution files; these fix only the side they sit on.
DEFAULT_ENTERPRISE_LADDER: Mapping[str, Level] = {
    "学徒工": Level.五级,
    "特级技师": Level.一级,
    "首席技师": Level.一级,
}
_BELOW = {"学徒工"}
_ABOVE = {"特级技师", "首席技师"}
MAX_TITLES = 30
MAX_TITLE_LENGTH = 20


@dataclass(frozen=True)
class EnterpriseLadder:
    """An institution's own titles (学徒工, 特级技师, 首席技师, or sub-tiers between two levels such as
    高级工一档) each filed with the national level it corresponds to (004 §二)."""

    mapping: Mapping[str, Level]

    @classmethod
    def build(cls, mapping: Mapping[str, object] | None = None) -> EnterpriseLadder:
        """The filed titles only; every problem is reported at once, naming the title."""
        titles: dict[str, Level] = {}
        problems = []
        if len(mapping or {}) > MAX_TITLES:
            problems.append(f"at most {MAX_TITLES} titles")
        for raw_title, level in (mapping or {}).items():
            title = str(raw_title).strip()
            if not title or len(title) > MAX_TITLE_LENGTH:
                problems.append(f"{raw_title!r}: a title has 1–{MAX_TITLE_LENGTH} characters")
                continue
            if _is_national(title):
                problems.append(f"{title}: a national level keeps its national name, not an enterprise title")
                continue
            try:
                parsed = Level.parse(level)
            except ValueError as exc:
                problems.append(f"{title}: {exc}")
                continue
            if title in _BELOW and parsed != Level.五级:
                problems.append(f"{title} sits below 五级 and maps to 五级, not {parsed.display}")
            if title in _ABOVE and parsed != Level.一级:
                problems.append(f"{title} sits above 一级 and maps to 一级, not {parsed.display}")
            titles[title] = parsed
        if problems:
            raise ValueError("; ".join(problems))
        return cls(titles)

    def national_level(self, title: str) -> Level:
        if title in self.mapping:
            return self.mapping[title]
        return Level.parse(title)

    def as_rows(self) -> list[dict]:
        """The filed correspondence, lowest national level first (五级 … 一级), as stored and shown."""
        return [{"title": t, "level": lv.value, "level_display": lv.display}
                for t, lv in sorted(self.mapping.items(), key=lambda item: (-item[1].value, item[0]))]


def _is_national(title: str) -> bool:
    try:
        Level.parse(title)
    except ValueError:
        return False
    return True
