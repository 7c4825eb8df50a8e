"""Names and free text as they may appear in records and official documents.

A name is printed on receipts and certificates and shown as an account to officers: it is
normalised (NFKC: full-width Latin and compatibility forms become their plain form) and may
hold no control or format character — no NUL, no bidi override (U+202E prints a name reversed),
no zero-width character (a look-alike account), no private-use or unassigned code point.
Free text (reasons, objections, notices) may keep line breaks and tabs, but not the rest; it is
normalised canonically only (NFC), because compatibility folding would turn the full-width
punctuation of Chinese prose (，：（）) into ASCII.
"""

from __future__ import annotations

import unicodedata

# Cc control, Cf format (bidi controls, zero-width joiners, BOM), Cs surrogates, Co private use,
# Cn unassigned, Zl/Zp line and paragraph separators
_REFUSED_CATEGORIES = {"Cc", "Cf", "Cs", "Co", "Cn", "Zl", "Zp"}
_TEXT_ALLOWED_CONTROLS = {"\n", "\r", "\t"}


class TextProblem(ValueError):
    pass


def _refused(value: str, allowed: set[str]) -> list[str]:
    found = []
    for char in value:
        if char not in allowed and unicodedata.category(char) in _REFUSED_CATEGORIES:
            found.append(f"U+{ord(char):04X}")
    return sorted(set(found))


def clean_name(value: str) -> str:
    """The name as stored: NFKC, inner runs of spaces folded, trimmed. Raises TextProblem."""
    normal = unicodedata.normalize("NFKC", value)
    bad = _refused(normal, set())
    if bad:
        raise TextProblem(f"含有不可见或控制字符 {', '.join(bad[:5])} / contains control or format characters "
                          f"({', '.join(bad[:5])})")
    folded = " ".join(normal.split())
    if not folded:
        raise TextProblem("不能为空 / must not be empty")
    return folded


def clean_text(value: str) -> str:
    """Free text as stored: NFC, trimmed; line breaks and tabs kept. Raises TextProblem."""
    normal = unicodedata.normalize("NFC", value)
    bad = _refused(normal, _TEXT_ALLOWED_CONTROLS)
    if bad:
        raise TextProblem(f"含有不可见或控制字符 {', '.join(bad[:5])} / contains control or format characters "
                          f"({', '.join(bad[:5])})")
    return normal.strip()
