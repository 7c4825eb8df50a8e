"""`certflow users …`: passwords never on the command line, tokens listed, revoked and renewed,
enterprise accounts bound to their institution by the centre."""

import pytest

from tests.cli.helpers import certflow


@pytest.fixture(scope="module")
def folder(tmp_path_factory):
    return tmp_path_factory.mktemp("users-cli")


def test_a_password_comes_from_stdin_never_from_an_argument(folder):
    made = certflow("users", "add", "--role", "officer", "--name", "cli-officer", "--jurisdiction", "440000",
                    "--password-stdin", input="long enough pw\n", data_dir=folder)
    assert made.returncode == 0 and made.stdout.startswith("cf_")
    refused = certflow("users", "add", "--role", "officer", "--name", "x", "--jurisdiction", "440000",
                       "--password", "secret123", data_dir=folder)
    assert refused.returncode == 2 and "--password" in refused.stderr
    from sqlmodel import select

    from models.accounts import User
    from models.db import session_scope
    from tasks.people.accounts import verify_password

    with session_scope(f"sqlite:///{folder / 'certflow.db'}", readonly=True) as session:
        stored = session.exec(select(User).where(User.name == "cli-officer")).one().password_hash
    assert verify_password("long enough pw", stored)


def test_tokens_are_listed_without_their_values_revoked_by_id_and_renewed(folder):
    first = certflow("users", "add", "--role", "enterprise", "--name", "erp", "--label", "ERP", data_dir=folder)
    assert first.returncode == 0
    second = certflow("users", "token", "--name", "erp", "--days", "30", "--label", "backup", data_dir=folder)
    assert second.returncode == 0 and second.stdout.startswith("cf_")
    listing = certflow("users", "tokens", "--name", "erp", data_dir=folder)
    assert listing.returncode == 0 and "ERP" in listing.stdout and "backup" in listing.stdout
    assert first.stdout.strip() not in listing.stdout and "live" in listing.stdout
    token_id = listing.stdout.splitlines()[1].split()[0]
    revoked = certflow("users", "revoke-token", "--id", token_id, data_dir=folder)
    assert revoked.returncode == 0 and f"revoked 1 token(s): {token_id}" in revoked.stdout
    assert "revoked" in certflow("users", "tokens", "--name", "erp", data_dir=folder).stdout
    assert certflow("users", "revoke-token", "--id", token_id, data_dir=folder).returncode == 2  # once only
    assert certflow("users", "revoke-token", data_dir=folder).returncode == 2  # neither --id nor --name
    assert certflow("users", "tokens", "--name", "nobody", data_dir=folder).returncode == 2


def test_binding_an_account_names_an_existing_institution_and_a_reason(folder):
    certflow("users", "add", "--role", "enterprise", "--name", "to-bind", data_dir=folder, check=True)
    missing = certflow("users", "bind", "--name", "to-bind", "--institution", "999", "--reason", "x", data_dir=folder)
    assert missing.returncode == 2 and "999" in missing.stderr
    unknown = certflow("users", "bind", "--name", "nobody", "--institution", "1", "--reason", "x", data_dir=folder)
    assert unknown.returncode == 2 and "nobody" in unknown.stderr
