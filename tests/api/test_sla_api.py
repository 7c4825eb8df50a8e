"""Operations over HTTP: /sla/breaches and /sla/at-risk with filters, the operations page with its
counts and an incident retry, the SLA metrics."""

from __future__ import annotations

import datetime as dt

from sqlmodel import select

from engine.tick import scan_sla
from models.db import session_scope
from models.workflow import HumanTask, Incident
from tasks.waits.human_tasks import ensure_task
from tests.api.conftest import move_clock
from tests.api.helpers import filing_form
from tests.api.test_dashboard import csrf_of, staff


class Recorder:
    def __init__(self) -> None:
        self.sent: list[dict] = []

    def send(self, notification: dict) -> None:
        self.sent.append(notification)


def late_acceptance(api, people, region: str = "440106") -> int:
    """A filing whose acceptance task was created on 2026-09-24 (due 10/9, at risk from 9/30)."""
    filing = api.post("/api/v1/filings", json=filing_form(region_code=region),
                      headers=people.make("enterprise")).json()["id"]
    with session_scope(api.settings.database_url) as session:
        ensure_task(session, key=f"sla:{filing}", case_type="filing", case_id=filing, step="acceptance",
                    role="officer", jurisdiction=region, due_working_days=5, flow_run_id=None)
    return filing


def test_breaches_and_at_risk_steps_are_listed_for_operations_with_filters(api, people):
    admin, ops = people.make("admin"), people.make("operations")
    move_clock(api, admin, dt.date(2026, 9, 24))
    guangzhou = late_acceptance(api, people, "440106")
    move_clock(api, admin, dt.date(2026, 10, 8))
    shenzhen = late_acceptance(api, people, "440305")
    move_clock(api, admin, dt.date(2026, 10, 12))
    notifier = Recorder()
    scan_sla(api.settings, notifier)
    breaches = api.get("/api/v1/sla/breaches", headers=ops).json()["items"]
    assert [(b["case_id"], b["level"], b["overdue_working_days"]) for b in breaches] == [(guangzhou, "breached", 2)]
    at_risk = api.get("/api/v1/sla/at-risk", headers=ops).json()["items"]
    assert [(c["case_id"], c["working_days_left"]) for c in at_risk] == [(shenzhen, 2)]
    assert api.get("/api/v1/sla/breaches", params={"jurisdiction": "440300"}, headers=ops).json()["items"] == []
    assert api.get("/api/v1/sla/at-risk", params={"jurisdiction": "440300"}, headers=ops).json()["items"]
    assert api.get("/api/v1/sla/breaches", params={"step": "results_review"}, headers=ops).json()["items"] == []
    assert {n["level"] for n in notifier.sent} == {"at_risk", "breached"}


def test_only_operations_see_the_sla_lists_and_bad_filters_are_422(api, people):
    assert api.get("/api/v1/sla/breaches", headers=people.make("officer", jurisdiction="440000")).status_code == 403
    assert api.get("/api/v1/sla/breaches").status_code == 401
    ops = people.make("operations")
    assert api.get("/api/v1/sla/breaches", params={"step": "lunch"}, headers=ops).status_code == 422
    assert api.get("/api/v1/sla/breaches", params={"jurisdiction": "44"}, headers=ops).status_code == 422
    assert api.get("/api/v1/sla/at-risk", params={"cursor": "!!"}, headers=ops).status_code == 422


def test_the_operations_page_counts_breaches_and_retries_an_incident(api, people):
    admin = people.make("admin")
    move_clock(api, admin, dt.date(2026, 9, 24))
    filing = late_acceptance(api, people)
    move_clock(api, admin, dt.date(2026, 10, 20))
    scan_sla(api.settings, Recorder())
    with session_scope(api.settings.database_url) as session:
        incident = Incident(kind="ministry_review", case_type="filing", case_id=filing, error="503 from the registry",
                            created_at=dt.datetime.now(dt.UTC))
        session.add(incident)
        session.flush()
        incident_id = incident.id
    operator, _ = staff(api, "operations")
    assert operator.log_in().headers["location"] == "/dashboard"
    page = operator.get("/dashboard/ops")
    assert page.status_code == 200 and "受理" in page.text and "503 from the registry" in page.text
    assert '<div class="value" id="open-breaches">1</div>' in page.text
    retried = operator.client.post(f"/dashboard/ops/incidents/{incident_id}/retry", data={"csrf": csrf_of(page.text)})
    assert retried.status_code == 303
    with session_scope(api.settings.database_url, readonly=True) as session:
        assert session.get(Incident, incident_id).status == "retrying"
    again = operator.client.post(f"/dashboard/ops/incidents/{incident_id}/retry", data={"csrf": csrf_of(page.text)})
    assert again.status_code == 409 and "retrying" in again.text
    officer, _ = staff(api, "officer", jurisdiction="440000")
    officer.log_in()
    assert officer.get("/dashboard/ops").status_code == 403


def test_metrics_show_open_sla_levels_and_time_to_decision(api, people):
    admin = people.make("admin")
    move_clock(api, admin, dt.date(2026, 9, 24))
    filing = late_acceptance(api, people)
    move_clock(api, admin, dt.date(2026, 10, 10))
    scan_sla(api.settings, Recorder())
    text = api.get("/metrics", headers=people.make("operations")).text
    assert 'certflow_sla_open{level="breached",step="acceptance"} 1.0' in text
    officer = people.make("officer", jurisdiction="440000")
    with session_scope(api.settings.database_url, readonly=True) as session:
        task_id = session.exec(select(HumanTask.id).where(HumanTask.case_id == filing)).one()
    api.post(f"/api/v1/tasks/{task_id}/claim", headers=officer)
    assert api.post(f"/api/v1/tasks/{task_id}/decision", json={"decision": "approve"},
                    headers=officer).status_code == 200
    text = api.get("/metrics", headers=people.make("operations")).text
    assert 'certflow_time_to_decision_working_days_count{step="acceptance"}' in text
    assert 'certflow_sla_open{level="breached",step="acceptance"}' not in text  # the decision closed it
