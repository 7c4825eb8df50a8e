"""The inbox says what is new (issue 28, item 9): how many tasks arrived since the officer last looked at it, each
marked 新; a first look counts nothing as new, and a look remembers itself."""

from __future__ import annotations

import re

import pytest

from tests.api.helpers import filing_form
from tests.api.test_dashboard import acceptance_task, staff


def _new_rows(html: str) -> list[int]:
    return [int(n) for n in re.findall(r'<tr class="[^"]*" data-task="(\d+)">\s*<td><a [^>]+>[^<]+</a> '
                                       r'<span class="badge new">新</span>', html)]


# on PostgreSQL too: a page is read in a read-only transaction, and the look is written in one of its own (written
# in the page's, it failed there at once, and on the stack's busy SQLite with "database is locked")
pytestmark = pytest.mark.postgres


def test_tasks_that_arrived_since_the_last_look_are_counted_and_marked_new_once(api, people):
    officer, _ = staff(api, "officer", jurisdiction="440000")
    assert officer.log_in().status_code == 303
    old = acceptance_task(api, _filing(api, people), jurisdiction="440000")
    first = officer.get("/dashboard/inbox").text
    assert "新到" not in first and _new_rows(first) == []  # a first look: nothing is new yet

    fresh = [acceptance_task(api, _filing(api, people), jurisdiction="440000") for _ in range(2)]
    acceptance_task(api, _filing(api, people), jurisdiction="320000")  # another centre's: not news here
    second = officer.get("/dashboard/inbox").text
    assert "自您上次查看以来，新到 <strong>2</strong> 项待办" in second
    assert sorted(_new_rows(second)) == sorted(fresh) and old not in _new_rows(second)

    third = officer.get("/dashboard/inbox").text
    assert "新到" not in third and _new_rows(third) == []  # seen now


def _filing(api, people) -> int:
    return api.post("/api/v1/filings", json=filing_form(), headers=people.make("enterprise")).json()["id"]
