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


@dataclass(frozen=True)
class Settings:
    data_dir: Path
    database_url: str
    clock: str  # "real" | "simulated"
    base_url: str

    @classmethod
    def from_env(cls, data_dir: Path | str | None = None) -> "Settings":
        folder = Path(data_dir).expanduser().resolve() if data_dir else default_data_dir()
        url = os.environ.get("CERTFLOW_DATABASE_URL") or f"sqlite:///{folder / 'certflow.db'}"
        clock = os.environ.get("CERTFLOW_CLOCK", "real")
        if clock not in ("real", "simulated"):
            raise ValueError(f"CERTFLOW_CLOCK must be 'real' or 'simulated', not {clock!r}")
        base = os.environ.get("CERTFLOW_BASE_URL", "http://127.0.0.1:8000")
        return cls(folder, url, clock, base.rstrip("/"))
