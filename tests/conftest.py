"""Shared fixtures. Heavy harnesses (Prefect) are imported inside their fixtures, never here."""

from __future__ import annotations

import os

import pytest

# A Prefect client used without a server URL would quietly start a temporary server; in tests
# that is always a mistake, so make it fail loudly instead.
os.environ.setdefault("PREFECT_SERVER_ALLOW_EPHEMERAL_MODE", "false")


@pytest.fixture()
def data_dir(tmp_path, monkeypatch):
    """A fresh, prepared data folder (SQLite), as `certflow` would make it."""
    from certflow.bootstrap import prepare
    from certflow.settings import Settings

    folder = tmp_path / "data"
    monkeypatch.setenv("CERTFLOW_DATA_DIR", str(folder))
    monkeypatch.delenv("CERTFLOW_DATABASE_URL", raising=False)
    prepare(Settings.from_env())
    return folder


@pytest.fixture()
def settings(data_dir):
    from certflow.settings import Settings

    return Settings.from_env()
