"""Hosts without a shared disk sign holder links and device cookies with the same keys when they share
CERTFLOW_KEYS_SECRET; without it, each data folder keeps its own key files."""

import datetime as dt

import pytest

from core.settings import Settings, SettingsError
from models.cases import Certificate
from tasks.adapters.keys import server_key
from tasks.exchange import documents

SECRET = "a-shared-secret-of-the-deployment-0123456789"


def test_two_hosts_with_the_shared_secret_derive_the_same_keys_and_write_no_key_file(tmp_path):
    host_a = Settings(data_dir=tmp_path / "a", keys_secret=SECRET)
    host_b = Settings(data_dir=tmp_path / "b", keys_secret=SECRET)
    assert server_key(host_a, "holder-links") == server_key(host_b, "holder-links")
    assert server_key(host_a, "holder-links") != server_key(host_a, "devices")  # one key per name
    assert len(server_key(host_a, "devices")) == 32
    assert not (tmp_path / "a" / "secrets").exists()


def test_a_holder_link_signed_on_one_host_opens_on_another(tmp_path):
    certificate = Certificate(number="Y000044000001263000009", holder_link_version=1, status="valid")
    expires_on = dt.date(2027, 1, 31)
    token = documents.holder_token(Settings(data_dir=tmp_path / "a", keys_secret=SECRET), certificate,
                                   expires_on=expires_on)
    other = Settings(data_dir=tmp_path / "b", keys_secret=SECRET)
    assert documents.holder_token_problem(other, certificate, token, today=dt.date(2027, 1, 1)) is None
    stranger = Settings(data_dir=tmp_path / "c", keys_secret=SECRET.upper())
    assert documents.holder_token_problem(stranger, certificate, token, today=dt.date(2027, 1, 1)) == "invalid"


def test_without_the_secret_each_data_folder_keeps_its_own_key_file(tmp_path):
    host_a, host_b = Settings(data_dir=tmp_path / "a"), Settings(data_dir=tmp_path / "b")
    assert server_key(host_a, "devices") == server_key(host_a, "devices")
    assert server_key(host_a, "devices") != server_key(host_b, "devices")
    assert (tmp_path / "a" / "secrets" / "devices.key").stat().st_mode & 0o777 == 0o600


def test_a_short_shared_secret_is_refused_naming_the_variable(tmp_path):
    with pytest.raises(SettingsError, match="CERTFLOW_KEYS_SECRET"):
        Settings.from_env(data_dir=tmp_path, keys_secret="too-short")
