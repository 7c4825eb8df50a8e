"""本中心待办 (issue 28, item 4: the team view): an officer sees the open tasks of their centre by who holds
them — every colleague of the centre, the tasks nobody has claimed — with counts and deadlines; nothing of
another centre, and no team page for anyone but officers."""

from __future__ import annotations

import re

from tests.api.helpers import filing_form
from tests.api.test_dashboard import acceptance_task, staff


def _groups(html: str) -> dict[str, list[int]]:
    """Each group's holder → the ids of its tasks, in the order shown."""
    sections = re.findall(r'<section class="card team-group" data-holder="([^"]+)">(.*?)</section>', html, re.S)
    return {holder: [int(n) for n in re.findall(r'data-task="(\d+)"', body)] for holder, body in sections}


def test_an_officer_sees_the_centres_open_tasks_by_holder_with_the_unclaimed_ones_first(api, people):
    filings = [api.post("/api/v1/filings", json=filing_form(), headers=people.make("enterprise")).json()["id"]
               for _ in range(4)]
    me, _ = staff(api, "officer", jurisdiction="440000")
    colleague, _ = staff(api, "officer", jurisdiction="440000")
    idle, _ = staff(api, "officer", jurisdiction="440000")
    elsewhere, _ = staff(api, "officer", jurisdiction="320000")
    soon, later, mine, theirs = (acceptance_task(api, f, due=d, jurisdiction="440000")
                                 for f, d in zip(filings, (2, 6, 4, 3), strict=True))
    other_centre = acceptance_task(api, filings[0], due=1, jurisdiction="320000")
    for who in (me, colleague, idle, elsewhere):
        assert who.log_in().status_code == 303
    assert me.post(f"/dashboard/tasks/{mine}/claim", {"return_to": "/dashboard/team"}).status_code == 303
    assert colleague.post(f"/dashboard/tasks/{theirs}/claim", {"return_to": "/dashboard/team"}).status_code == 303

    page = me.get("/dashboard/team")
    assert page.status_code == 200
    groups = _groups(page.text)
    assert list(groups)[0] == "待领取" and len(groups) == 4  # the unclaimed first, then each colleague
    assert groups["待领取"] == [soon, later] and groups[f"{me.name}（本人）"] == [mine]
    assert groups[colleague.name] == [theirs] and groups[idle.name] == []  # a free hand shows too
    assert other_centre not in sum(groups.values(), [])
    assert "广东省职业技能服务指导中心" in page.text and "共 4 项" in page.text
    assert "2 项" in page.text and "手头没有待办" in page.text

    theirs_page = _groups(elsewhere.get("/dashboard/team").text)
    assert sum(theirs_page.values(), []) == [other_centre]  # another centre's team sees only its own


def test_only_officers_have_a_team_page(api):
    expert, _ = staff(api, "expert")
    assert expert.log_in().status_code == 303
    assert expert.get("/dashboard/team").status_code == 403
