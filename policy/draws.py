"""Random draws that an auditor can re-run: the result is a function of a secret seed and the
sorted candidates, nothing else. The seed is drawn with `secrets` at draw time and kept server-side;
its SHA-256 (the commitment) goes into the audit trail at once, so the seed shown to an auditor
later can be checked against what was recorded before anyone knew the result."""

from __future__ import annotations

import hashlib
import random
import secrets


def new_seed() -> str:
    return secrets.token_hex(32)


def commitment(seed: str) -> str:
    return hashlib.sha256(seed.encode()).hexdigest()


def draw_panel(seed: str, candidates: list[int], size: int) -> list[int]:
    """`size` distinct people from `candidates` (fewer when there are not enough)."""
    pool = sorted(set(candidates))
    return random.Random(seed).sample(pool, min(size, len(pool)))


def draw_supervision(seed: str, rate: float, pool: list[int]) -> tuple[bool, int | None]:
    """双随机: is the batch checked (with probability `rate`), and by which supervisor of `pool`."""
    rng = random.Random(seed)
    supervised = rng.random() < rate
    people = sorted(set(pool))
    return supervised, (rng.choice(people) if supervised and people else None)
