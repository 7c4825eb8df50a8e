"""`certflow backup` copies the live SQLite database while it is written; `certflow restore` puts it back."""

import threading

from tests.cli.helpers import certflow


def test_a_backup_taken_while_writers_run_restores_to_a_working_instance(tmp_path):
    live, restored = tmp_path / "live", tmp_path / "restored"
    assert certflow("users", "add", "--role", "expert", "--name", "kept-expert", data_dir=live).returncode == 0
    from tasks.people.accounts import create_user

    url = f"sqlite:///{live / 'certflow.db'}"
    stop = threading.Event()

    def keep_writing() -> None:
        n = 0
        while not stop.is_set():
            create_user(url, role="expert", name=f"busy-{n}")
            n += 1

    writer = threading.Thread(target=keep_writing)
    writer.start()
    try:
        done = certflow("backup", str(tmp_path / "b.db"), data_dir=live)
    finally:
        stop.set()
        writer.join()
    assert done.returncode == 0, done.stderr
    assert certflow("backup", str(tmp_path / "b.db"), data_dir=live).returncode == 2  # never overwrites
    assert certflow("restore", str(tmp_path / "b.db"), data_dir=restored).returncode == 0
    listing = certflow("users", "tokens", "--name", "kept-expert", data_dir=restored)
    assert listing.returncode == 0 and "live" in listing.stdout
    assert certflow("restore", str(tmp_path / "b.db"), data_dir=restored).returncode == 2  # exists: --force
    assert certflow("restore", str(tmp_path / "b.db"), "--force", data_dir=restored).returncode == 0


def test_restoring_something_that_is_not_a_certflow_database_is_refused(tmp_path):
    junk = tmp_path / "junk.db"
    junk.write_bytes(b"not a database at all" * 100)
    refused = certflow("restore", str(junk), data_dir=tmp_path / "x")
    assert refused.returncode == 2 and "not" in refused.stderr
