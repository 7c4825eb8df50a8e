"""A newcomer's commands: `users sample` and `clock` work on a folder made for trying certflow (the simulated
clock) and refuse a real-time one; the sample set is made all at once or not at all."""

from __future__ import annotations

from sqlmodel import select

from models.accounts import User
from models.db import session_scope
from tasks.people.accounts import verify_password
from tests.cli.helpers import certflow


def _users(folder) -> dict[str, User]:
    with session_scope(f"sqlite:///{folder / 'certflow.db'}", readonly=True) as session:
        return {u.name: u for u in session.exec(select(User)).all()}


def test_sample_users_and_clock_moves_are_refused_on_a_real_time_folder(tmp_path):
    for command in (("users", "sample"), ("clock", "show"), ("clock", "advance", "3")):
        refused = certflow(*command, data_dir=tmp_path)
        assert refused.returncode == 2 and "--clock simulated" in refused.stderr, command
    assert _users(tmp_path) == {}
    forced = certflow("users", "sample", "--province", "gansu", "--force", data_dir=tmp_path)
    assert forced.returncode == 0 and "gansu-supervisor" in forced.stdout


def test_a_simulated_folder_gets_one_provinces_people_once_and_its_clock_moves_only_forward(tmp_path):
    env_clock = certflow("clock", "show", data_dir=tmp_path, env={"CERTFLOW_CLOCK": "simulated"})
    assert env_clock.returncode == 0 and "business time 2026-09-01 09:00 (China), 周二" in env_clock.stdout
    made = certflow("users", "sample", "--province", "guangdong", data_dir=tmp_path)  # the folder remembers
    assert made.returncode == 0, made.stderr
    rows = {line.split()[0]: line.split() for line in made.stdout.splitlines()[2:]}
    users = _users(tmp_path)
    assert set(rows) == set(users) and len(users) == 10
    assert (users["guangdong-province"].jurisdiction, users["guangdong-city2"].jurisdiction) == ("440000", "440100")
    assert verify_password(rows["guangdong-expert2"][1], users["guangdong-expert2"].password_hash)
    assert rows["guangdong-enterprise"][1:3] == ["(API", "only)"]
    assert users["guangdong-enterprise"].password_hash is None
    again = certflow("users", "sample", data_dir=tmp_path)
    assert again.returncode == 2 and "exist already" in again.stderr and len(_users(tmp_path)) == 10
    assert certflow("users", "sample", "--province", "atlantis", data_dir=tmp_path).returncode == 2

    moved = certflow("clock", "advance", "7", data_dir=tmp_path)
    assert "business time 2026-09-08 09:00 (China), 周二" in moved.stdout
    assert "2026-10-08 09:00" in certflow("clock", "set", "2026-10-08", data_dir=tmp_path).stdout
    back = certflow("clock", "set", "2026-09-01", data_dir=tmp_path)
    assert back.returncode == 2 and "cannot go back" in back.stderr
    assert certflow("clock", "set", "2026-02-30", data_dir=tmp_path).returncode == 2
    assert "2026-10-08 09:00" in certflow("clock", "show", data_dir=tmp_path).stdout
