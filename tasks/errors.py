"""Refusals the services raise; the API maps them to 422 / 409 / 404 / 413 / 429."""

from __future__ import annotations

from policy.eligibility import Violation


class Problems(ValueError):
    """The request breaks rules; every violation is listed (HTTP 422)."""

    def __init__(self, violations: list[Violation]) -> None:
        self.violations = violations
        super().__init__("; ".join(v.message for v in violations))


class Conflict(Exception):
    """The request does not fit the case's current state (HTTP 409)."""


class NotFound(LookupError):
    """Unknown, or not visible to this user (HTTP 404)."""


class TooLarge(ValueError):
    """An uploaded file above the instance's limit (HTTP 413)."""


class TooMany(Exception):
    """Over a count the instance allows one party (HTTP 429), e.g. open complaints from one phone number."""
