"""Where things live and how the instance runs; read from the environment once."""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path


def default_data_dir() -> Path:
    configured = os.environ.get("CERTFLOW_DATA_DIR")
    if configured:
        return Path(configured).expanduser().resolve()
    return (Path.home() / ".certflow").resolve()


def _int(name: str, default: int, low: int, high: int) -> int:
    raw = os.environ.get(name)
    if raw is None or raw == "":
        return default
    try:
        value = int(raw)
    except ValueError:
        raise ValueError(f"{name} must be a whole number, not {raw!r}") from None
    if not low <= value <= high:
        raise ValueError(f"{name} must be between {low} and {high}, not {value}")
    return value


@dataclass(frozen=True)
class Settings:
    data_dir: Path
    database_url: str
    clock: str  # "real" | "simulated"
    base_url: str
    max_body_bytes: int = 4 * 1024 * 1024  # a 5,000-candidate plan is about 1 MB
    trusted_proxies: tuple[str, ...] = ()  # client addresses whose X-Forwarded-For is believed
    metrics_token: str = ""  # a bearer token for Prometheus (besides operations/admin tokens)
    token_days_enterprise: int = 365  # enterprises' systems: a year
    token_days_staff: int = 90  # officers, experts, supervisors, operations, admin
    holder_link_days: int = 30

    @classmethod
    def from_env(cls, data_dir: Path | str | None = None) -> "Settings":
        folder = Path(data_dir).expanduser().resolve() if data_dir else default_data_dir()
        url = os.environ.get("CERTFLOW_DATABASE_URL") or f"sqlite:///{folder / 'certflow.db'}"
        clock = os.environ.get("CERTFLOW_CLOCK", "real")
        if clock not in ("real", "simulated"):
            raise ValueError(f"CERTFLOW_CLOCK must be 'real' or 'simulated', not {clock!r}")
        base = os.environ.get("CERTFLOW_BASE_URL", "http://127.0.0.1:8000")
        proxies = tuple(p.strip() for p in os.environ.get("CERTFLOW_TRUSTED_PROXIES", "").split(",") if p.strip())
        return cls(folder, url, clock, base.rstrip("/"),
                   max_body_bytes=_int("CERTFLOW_MAX_BODY_BYTES", 4 * 1024 * 1024, 1024, 1024**3),
                   trusted_proxies=proxies, metrics_token=os.environ.get("CERTFLOW_METRICS_TOKEN", ""),
                   token_days_enterprise=_int("CERTFLOW_TOKEN_DAYS_ENTERPRISE", 365, 1, 3650),
                   token_days_staff=_int("CERTFLOW_TOKEN_DAYS_STAFF", 90, 1, 3650),
                   holder_link_days=_int("CERTFLOW_HOLDER_LINK_DAYS", 30, 1, 3650))
