"""`certflow calendar …` as an administrator or a script would run it."""

import os
import subprocess
import sys

import pytest

from tests.cli.helpers import certflow


@pytest.fixture(scope="module")
def folder(tmp_path_factory):
    return tmp_path_factory.mktemp("cli-data")


def test_add_prints_the_working_day_after_the_national_day_block(folder):
    result = certflow("calendar", "add", "2026-09-30", "1", data_dir=folder)
    assert (result.returncode, result.stdout) == (0, "2026-10-08\n")


def test_the_module_runs_as_a_program_with_its_output_and_exit_status(folder):
    """The one real process of this folder (tests.cli.helpers calls the same entry in-process)."""
    env = {**os.environ, "CERTFLOW_DATA_DIR": str(folder)}
    ran = subprocess.run([sys.executable, "-m", "certflow.cli", "calendar", "add", "2026-09-30", "1"],
                         capture_output=True, text=True, env=env, timeout=120)
    assert (ran.returncode, ran.stdout) == (0, "2026-10-08\n")
    misused = subprocess.run([sys.executable, "-m", "certflow.cli", "calendar", "add", "2026-02-30", "1"],
                             capture_output=True, text=True, env=env, timeout=120)
    assert misused.returncode == 2 and "2026-02-30" in misused.stderr and not misused.stdout


def test_a_computation_reaching_an_unofficial_year_ends_in_provisional(folder):
    result = certflow("calendar", "add", "2026-12-30", "5", data_dir=folder)
    assert result.returncode == 0
    assert result.stdout.rstrip("\n").endswith(" provisional")


def test_before_counts_backwards(folder):
    assert certflow("calendar", "before", "2026-10-19", "10", data_dir=folder).stdout == "2026-09-29\n"


@pytest.mark.parametrize("args,fragment", [
    (("calendar", "before", "2026-13-01", "3"), "2026-13-01"),
    (("calendar", "add", "2026-02-30", "1"), "2026-02-30"),
    (("calendar", "add", "2026-09-30", "-1"), "must not be negative"),
    (("calendar", "add", "2026-09-30", "three"), "'three'"),
])
def test_wrong_input_exits_two_naming_the_problem(folder, args, fragment):
    result = certflow(*args, data_dir=folder)
    assert result.returncode == 2
    assert fragment in result.stderr
    assert "Traceback" not in result.stderr


def test_importing_a_year_makes_it_official_and_a_bad_file_changes_nothing(folder, tmp_path):
    bad = tmp_path / "2027-bad.csv"
    bad.write_text("date,kind,name\n2027-01-01,holiday,元旦\n2027-02-31,holiday,春节\n", encoding="utf-8")
    result = certflow("calendar", "import", str(bad), data_dir=folder)
    assert result.returncode == 2 and "line 3" in result.stderr and "nothing was imported" in result.stderr
    assert certflow("calendar", "add", "2026-12-30", "5", data_dir=folder).stdout.endswith("provisional\n")

    good = tmp_path / "2027.yaml"
    good.write_text("year: 2027\nholidays:\n  - 2027-01-01\n  - {from: 2027-02-05, to: 2027-02-11}\n"
                    "makeup_workdays:\n  - 2027-02-20\n", encoding="utf-8")
    result = certflow("calendar", "import", str(good), data_dir=folder)
    assert result.returncode == 0, result.stderr
    assert certflow("calendar", "add", "2026-12-30", "5", data_dir=folder).stdout == "2027-01-07\n"


def test_an_unreadable_file_is_a_clear_error(folder, tmp_path):
    result = certflow("calendar", "import", str(tmp_path / "missing.yaml"), data_dir=folder)
    assert result.returncode == 2 and "cannot read" in result.stderr


def test_occupations_import_adds_and_updates_and_refuses_a_bad_line(folder, tmp_path):
    good = tmp_path / "occupations.csv"
    good.write_text("code,name,access_type\n6-18-01-01,车工,no\n4-01-02-03,测试职业,yes\n", encoding="utf-8")
    result = certflow("occupations", "import", str(good), data_dir=folder)
    assert result.returncode == 0 and "1 added, 1 updated" in result.stdout
    bad = tmp_path / "bad.csv"
    bad.write_text("code,name\n6-18-01-01,车工\n61801-01,错\n", encoding="utf-8")
    result = certflow("occupations", "import", str(bad), data_dir=folder)
    assert result.returncode == 2 and "line 3" in result.stderr


def test_users_add_prints_a_token_once_and_refuses_an_officer_without_jurisdiction(folder):
    result = certflow(
        "users", "add", "--role", "officer", "--name", "王科长", "--jurisdiction", "440300", data_dir=folder
    )
    assert result.returncode == 0 and result.stdout.startswith("cf_")
    again = certflow(
        "users", "add", "--role", "officer", "--name", "王科长", "--jurisdiction", "440300", data_dir=folder
    )
    assert again.returncode == 2 and "exists already" in again.stderr
    result = certflow("users", "add", "--role", "officer", "--name", "无辖区", data_dir=folder)
    assert result.returncode == 2 and "--jurisdiction" in result.stderr
    result = certflow(
        "users", "add", "--role", "officer", "--name", "错辖区", "--jurisdiction", "4403", data_dir=folder
    )
    assert result.returncode == 2 and "4403" in result.stderr
