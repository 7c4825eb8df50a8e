"""The settings object: one place, read from the environment with the flags winning, clear errors."""

import pathlib

import pytest

from core.settings import Settings, SettingsError, markdown_table

README = pathlib.Path(__file__).resolve().parents[2] / "README.md"


def test_the_readme_lists_every_setting_with_its_default():
    assert markdown_table() in README.read_text(encoding="utf-8")


def test_variables_carry_the_certflow_prefix_and_a_flag_wins_over_its_variable(monkeypatch, tmp_path):
    monkeypatch.setenv("CERTFLOW_CLOCK", "simulated")
    monkeypatch.setenv("CERTFLOW_TRUSTED_PROXIES", "10.0.0.0/8, 192.168.1.1")
    monkeypatch.setenv("PREFECT_API_URL", "http://prefect:4200/api/")
    settings = Settings.from_env(tmp_path, clock="real")
    assert settings.clock == "real"
    assert settings.trusted_proxies == ("10.0.0.0/8", "192.168.1.1")
    assert settings.prefect_api_url == "http://prefect:4200/api"
    assert settings.database_url == f"sqlite:///{tmp_path.resolve() / 'certflow.db'}"


def test_a_wrong_value_names_the_variable(monkeypatch):
    monkeypatch.setenv("CERTFLOW_MAX_BODY_BYTES", "lots")
    with pytest.raises(SettingsError, match="CERTFLOW_MAX_BODY_BYTES"):
        Settings.from_env()
    monkeypatch.delenv("CERTFLOW_MAX_BODY_BYTES")
    with pytest.raises(SettingsError, match="CERTFLOW_CLOCK"):
        Settings.from_env(clock="sometimes")


def test_a_child_process_builds_the_same_settings_from_their_environment(monkeypatch, tmp_path):
    original = Settings(data_dir=tmp_path, clock="simulated", smtp_to=("a@x.cn", "b@x.cn"), runner_forkserver=False,
                        prefect_api_url="http://127.0.0.1:4200/api", stale_run_seconds=20)
    for key in list(__import__("os").environ):
        if key.startswith("CERTFLOW_") or key == "PREFECT_API_URL":
            monkeypatch.delenv(key)
    for key, value in original.environment().items():
        monkeypatch.setenv(key, value)
    assert Settings.from_env() == original


def test_replacing_the_data_folder_moves_a_default_sqlite_database_but_not_a_named_one(tmp_path):
    default = Settings(data_dir=tmp_path / "a", database_url="")
    assert default.replace(data_dir=tmp_path / "b").database_url.endswith("/b/certflow.db")
    named = Settings(data_dir=tmp_path / "a", database_url="postgresql+psycopg://u@h/db")
    assert named.replace(data_dir=tmp_path / "b").database_url == "postgresql+psycopg://u@h/db"
