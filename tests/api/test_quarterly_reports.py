"""The quarterly progress report (004 §六(一)): a city's centre sends a finished quarter to its province,
where it is a task in the provincial officers' inbox; returned with a reason, it is sent again as the next
round; accepted, it is final. Other provinces and other cities see nothing of it."""

from __future__ import annotations

import datetime as dt
import hashlib

from tests.api.conftest import move_clock
from tests.api.test_dashboard import csrf_of, staff

# Plain inserts and lookups behind a PDF render (the figures' SQL runs on PostgreSQL in test_reports.py).


def _inbox(api, officer) -> list[dict]:
    return [t for t in api.get("/api/v1/tasks", headers=officer).json()["items"]
            if t["step"] == "quarterly_report_review"]


def test_a_city_sends_a_quarter_the_province_returns_it_then_accepts_the_next_round(api, people):
    admin = people.make("admin")
    city, province = people.make("officer", jurisdiction="440100"), people.make("officer", jurisdiction="440000")
    early = api.post("/api/v1/reports/quarterly/submissions", json={"period": "2026-Q3"}, headers=city)
    assert early.status_code == 422 and "2026-09-30" in early.text  # the quarter has not ended yet
    move_clock(api, admin, dt.date(2026, 10, 9))
    sent = api.post("/api/v1/reports/quarterly/submissions", json={"period": "2026-Q3", "note": "首报"}, headers=city)
    assert sent.status_code == 201, sent.text
    report = sent.json()
    assert (report["status"], report["round"], report["province"]) == ("submitted", 1, "440000")  # numbered from 1
    assert report["figures"]["period"]["code"] == "2026-Q3" and report["figures"]["jurisdiction"] == "440100"
    again = api.post("/api/v1/reports/quarterly/submissions", json={"period": "2026-Q3"}, headers=city)
    assert again.json()["id"] == report["id"]  # the same quarter waiting for review: the same report
    pdf = api.get(report["pdf"], headers=province)
    assert pdf.content.startswith(b"%PDF") and hashlib.sha256(pdf.content).hexdigest() == report["pdf_sha256"]

    assert _inbox(api, people.make("officer", jurisdiction="320000")) == []  # another province
    assert api.get(f"/api/v1/reports/quarterly/submissions/{report['id']}",
                   headers=people.make("officer", jurisdiction="440300")).status_code == 404  # another city
    (task,) = _inbox(api, province)
    assert (task["case_type"], task["case_id"]) == ("report", report["id"])
    assert api.post(f"/api/v1/tasks/{task['id']}/claim", headers=province).status_code == 200
    unreasoned = api.post(f"/api/v1/tasks/{task['id']}/decision", json={"decision": "return"}, headers=province)
    assert unreasoned.status_code == 422
    returned = api.post(f"/api/v1/tasks/{task['id']}/decision", headers=province,
                        json={"decision": "return", "reason": "请补充第三季度投诉办理情况说明"})
    assert returned.status_code == 200, returned.text
    read = api.get(f"/api/v1/reports/quarterly/submissions/{report['id']}", headers=city).json()
    assert read["status"] == "returned" and read["reason"] == "请补充第三季度投诉办理情况说明"

    second = api.post("/api/v1/reports/quarterly/submissions", headers=city,
                      json={"period": "2026-Q3", "note": "已补充投诉办理情况"}).json()
    assert second["round"] == 2 and second["id"] != report["id"]
    (task,) = _inbox(api, province)
    api.post(f"/api/v1/tasks/{task['id']}/claim", headers=province)
    assert (
        api.post(f"/api/v1/tasks/{task['id']}/decision", json={"decision": "accept"}, headers=province).status_code
        == 200
    )
    listed = api.get("/api/v1/reports/quarterly/submissions", params={"period": "2026-Q3"}, headers=province).json()
    assert [(r["round"], r["status"]) for r in listed["items"]] == [(2, "accepted"), (1, "returned")]
    final = api.post("/api/v1/reports/quarterly/submissions", json={"period": "2026-Q3"}, headers=city)
    assert final.status_code == 409  # accepted: nothing more to send


def test_only_a_citys_centre_sends_a_report_and_only_of_a_quarter(api, people):
    move_clock(api, people.make("admin"), dt.date(2026, 10, 9))
    province = people.make("officer", jurisdiction="440000")
    assert (
        api.post("/api/v1/reports/quarterly/submissions", json={"period": "2026-Q3"}, headers=province).status_code
        == 409
    )
    city = people.make("officer", jurisdiction="440100")
    for period in ("2026-09", "2026", "2026-Q9"):
        assert (
            api.post("/api/v1/reports/quarterly/submissions", json={"period": period}, headers=city).status_code == 422
        ), period
    assert (
        api.post(
            "/api/v1/reports/quarterly/submissions", json={"period": "2026-Q3"}, headers=people.make("enterprise")
        ).status_code
        == 403
    )


def test_in_the_dashboard_the_city_sends_the_report_and_the_province_accepts_it_from_its_inbox(api, people):
    move_clock(api, people.make("admin"), dt.date(2026, 10, 9))
    city, _ = staff(api, "officer", jurisdiction="440100")
    city.log_in()
    page = city.get("/dashboard/reports?period=2026-Q3&jurisdiction=440100")
    assert "未报送" in page.text and "报送省级中心" in page.text
    sent = city.client.post(
        "/dashboard/reports/submit", data={"csrf": csrf_of(page.text), "period": "2026-Q3", "note": "按期报送"}
    )
    assert sent.status_code == 303 and "report_submitted" in sent.headers["location"]
    assert "已报送，待省级中心审核" in city.get(sent.headers["location"]).text

    province, _ = staff(api, "officer", jurisdiction="440000")
    province.log_in()
    inbox = province.get("/dashboard/inbox").text
    assert "季度工作进展报告审核" in inbox and "440100 · 2026-Q3" in inbox
    (task,) = _inbox(api, people.make("officer", jurisdiction="440000"))
    task_page = province.get(f"/dashboard/tasks/{task['id']}").text
    assert "报送单位" in task_page and "按期报送" in task_page
    province.post(f"/dashboard/tasks/{task['id']}/claim", csrf_from=f"/dashboard/tasks/{task['id']}")
    decided = province.post(
        f"/dashboard/tasks/{task['id']}/decision", {"decision": "accept"}, csrf_from=f"/dashboard/tasks/{task['id']}"
    )
    assert decided.status_code == 303 and decided.headers["location"].startswith(
        "/dashboard/reports?period=2026-Q3&jurisdiction=440100"
    ), decided.headers
    assert "省级中心已接收" in province.get(decided.headers["location"]).text
    report_id = task["case_id"]
    assert province.get(f"/dashboard/reports/submissions/{report_id}.pdf").content.startswith(b"%PDF")
    other_city, _ = staff(api, "officer", jurisdiction="440300")
    other_city.log_in()
    assert other_city.get(f"/dashboard/reports/submissions/{report_id}.pdf").status_code == 404


def test_an_officer_bound_to_an_institution_reviews_a_quarterly_report_without_an_error(api, people):
    """A quarterly report has no institution: the own-institution check must not read one (it answered 500)."""
    from models.accounts import User
    from models.db import session_scope
    from tests.api.helpers import registered_institution

    admin = people.make("admin")
    city, province = people.make("officer", jurisdiction="440100"), people.make("officer", jurisdiction="440000")
    with session_scope(api.settings.database_url) as session:
        session.get(User, people.id_of(province)).institution_id = registered_institution(session, serial=77)
    move_clock(api, admin, dt.date(2026, 10, 9))
    assert api.post("/api/v1/reports/quarterly/submissions", json={"period": "2026-Q3"}, headers=city).status_code \
        == 201
    (task,) = _inbox(api, province)
    assert api.post(f"/api/v1/tasks/{task['id']}/claim", headers=province).status_code == 200
    decided = api.post(f"/api/v1/tasks/{task['id']}/decision", json={"decision": "accept"}, headers=province)
    assert decided.status_code == 200, decided.text
