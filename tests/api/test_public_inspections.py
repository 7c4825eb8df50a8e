"""双随机、一公开 (000 §三(六)): where a province's profile publishes inspection results, every on-site quality
supervision's result is public — institution, occupation, date, finding category and outcome — and the
supervisor's own words (which may name people) are not (issue 27, item 6)."""

from __future__ import annotations

import datetime as dt

from core.clock import wall_now
from models.cases import EvaluationPlan
from models.db import session_scope
from tasks.records import audit
from tests.api.helpers import registered_institution


def _inspected(api, region: str, profile: str, serial: int, verdict: str) -> int:
    with session_scope(api.settings.database_url) as session:
        institution_id = registered_institution(session, region=region, serial=serial)
        now = wall_now()
        plan = EvaluationPlan(institution_id=institution_id, region_code=region, profile_code=profile,
                              occupation_code="6-18-01-01", evaluation_start=dt.date(2026, 10, 19),
                              evaluation_end=dt.date(2026, 10, 19), filed_on=dt.date(2026, 9, 1), staff={},
                              status="supervised", supervision_verdict=verdict,
                              corrections=["考场未全程录像"] if verdict == "to_correct" else [],
                              created_at=now, updated_at=now)
        session.add(plan)
        session.flush()
        audit.record(session, case_type="plan", case_id=plan.id, action="supervision_reported", actor_role="supervisor",
                     after={"verdict": verdict, "findings": ["考生李四疑似替考"]})
        return plan.id


def test_shenzhens_inspection_results_are_public_and_another_provinces_are_not(api):  # 000 §三(六)
    _inspected(api, "440305", "shenzhen", 61, "to_correct")
    _inspected(api, "440106", "guangdong", 62, "no_issues")  # 003 publishes nothing of the kind
    listed = api.get("/api/v1/public/inspections").json()["items"]
    assert len(listed) == 1
    shown = listed[0]
    assert shown["region"] == "南山区（440305）" and shown["occupation"]["name"] == "车工"
    assert (shown["finding"], shown["outcome"], shown["method"]) == ("发现问题，责令整改", "整改中", "双随机抽查")
    assert shown["evaluated_on"] == "2026-10-19"
    page = api.get("/inspections")
    assert page.status_code == 200 and "发现问题，责令整改" in page.text and "深圳" in page.text
    for published in (str(listed), page.text):
        assert "李四" not in published and "替考" not in published and "录像" not in published


def test_the_inspection_list_pages_by_cursor_latest_first(api):
    first = _inspected(api, "440305", "shenzhen", 63, "no_issues")
    second = _inspected(api, "440305", "shenzhen", 64, "serious_violation")
    one = api.get("/api/v1/public/inspections", params={"limit": 1}).json()
    assert one["items"][0]["finding"] == "发现严重违规" and one["next_cursor"]
    rest = api.get("/api/v1/public/inspections", params={"limit": 1, "cursor": one["next_cursor"]}).json()
    assert rest["items"][0]["finding"] == "未发现问题" and first != second


def test_a_hand_typed_page_link_shows_the_first_page_and_says_so(api):
    _inspected(api, "440305", "shenzhen", 65, "no_issues")
    page = api.get("/inspections", params={"cursor": "0" * 40})
    assert page.status_code == 200 and "翻页链接无效" in page.text and "未发现问题" in page.text
    assert api.get("/api/v1/public/inspections", params={"cursor": "0" * 40}).status_code == 422  # a client's error
