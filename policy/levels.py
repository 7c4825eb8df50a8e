"""Skill levels (002 §(二), 004 §二): five national levels and an enterprise's ladder."""

from __future__ import annotations

from dataclasses import dataclass
from enum import IntEnum
from typing import Mapping


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
    def parse(cls, value: object) -> "Level":
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

# Enterprise-specific titles outside the national five and where they sit.
DEFAULT_ENTERPRISE_LADDER: Mapping[str, Level] = {
    "学徒工": Level.五级,
    "特级技师": Level.一级,
    "首席技师": Level.一级,
}
_BELOW = {"学徒工"}
_ABOVE = {"特级技师", "首席技师"}


@dataclass(frozen=True)
class EnterpriseLadder:
    """An institution's own titles mapped to national levels (004 §二)."""

    mapping: Mapping[str, Level]

    @classmethod
    def build(cls, mapping: Mapping[str, object] | None = None) -> "EnterpriseLadder":
        merged: dict[str, Level] = dict(DEFAULT_ENTERPRISE_LADDER)
        problems = []
        for title, level in (mapping or {}).items():
            try:
                parsed = Level.parse(level)
            except ValueError as exc:
                problems.append(f"{title}: {exc}")
                continue
            if title in _BELOW and parsed != Level.五级:
                problems.append(f"{title} sits below 五级 and maps to 五级, not {parsed.display}")
            if title in _ABOVE and parsed != Level.一级:
                problems.append(f"{title} sits above 一级 and maps to 一级, not {parsed.display}")
            merged[title] = parsed
        if problems:
            raise ValueError("; ".join(problems))
        return cls(merged)

    def national_level(self, title: str) -> Level:
        if title in self.mapping:
            return self.mapping[title]
        return Level.parse(title)
