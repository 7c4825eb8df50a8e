"""Shared fixtures. Heavy harnesses (Prefect) are imported inside their fixtures, never here."""

from __future__ import annotations

import pytest


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
