"""Webhooks over HTTP and against a real local receiver: internal targets refused (SSRF) unless an admin
allows them, deliveries signed and verifiable, a receiver failing three times served on the fourth
attempt, order kept per case, an endpoint given up on after 24 hours disabled with the reason, and a
redelivery; another enterprise never reaches an endpoint or its log."""

from __future__ import annotations

import datetime as dt
import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from models.cases import FilingApplication
from policy.webhooks import verify
from tasks.exchange import webhooks
from tasks.queries import events
from tasks.records import audit
from tests.api.conftest import db
from tests.api.helpers import filing_form

T0 = dt.datetime(2026, 12, 2, 8, 0, tzinfo=dt.UTC)


class Receiver:
    """A local HTTP receiver: records each request; answers the planned statuses first, then 200."""

    def __init__(self) -> None:
        self.requests: list[dict] = []
        self.statuses: list[int] = []  # what each request was answered, in arrival order
        self.plan: list[int] = []
        self.plan_for: int | None = None  # the plan applies to this case's requests only
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:  # http.server's name
                body = self.rfile.read(int(self.headers["Content-Length"]))
                receiver.requests.append({"headers": dict(self.headers), "body": body})
                case_id = json.loads(body).get("case_id")
                planned = receiver.plan and receiver.plan_for in (None, case_id)
                status = receiver.plan.pop(0) if planned else 200
                receiver.statuses.append(status)
                self.send_response(status)
                self.end_headers()

            def log_message(self, *args) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_port}/hook"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def events(self) -> list[dict]:
        return [json.loads(r["body"]) for r in self.requests]


@pytest.fixture()
def receiver():
    made = Receiver()
    yield made
    made.server.shutdown()


@pytest.fixture(autouse=True)
def no_settling(monkeypatch):
    monkeypatch.setattr(events, "SETTLE", dt.timedelta(0))


def _endpoint(api, people, url: str, **body) -> tuple[dict, dict]:
    admin = people.make("admin")
    created = api.post("/api/v1/webhooks", json={"url": url, "allow_internal": True, **body}, headers=admin)
    assert created.status_code == 201, created.text
    return admin, created.json()


def _deliver(api, at: dt.datetime) -> dict:
    return webhooks.deliver_pass(api.settings.database_url, now=at)


def test_internal_targets_are_refused_unless_an_admin_allows_them(api, people):
    enterprise = people.make("enterprise")
    for url in ("http://127.0.0.1:8000/x", "http://localhost/x", "http://169.254.169.254/latest/meta-data",
                "http://10.0.0.7/hook", "http://[::1]/hook", "http://192.168.1.20/hook", "ftp://erp.example.com/x",
                "https://user:pw@erp.example.com/x"):
        refused = api.post("/api/v1/webhooks", json={"url": url}, headers=enterprise)
        assert refused.status_code == 422, (url, refused.text)
        assert refused.json()["detail"][0]["field"] == "url", url
    asked = api.post("/api/v1/webhooks", json={"url": "http://127.0.0.1/x", "allow_internal": True}, headers=enterprise)
    assert asked.status_code == 422 and asked.json()["detail"][0]["code"] == "webhook.allow_internal"
    unknown = api.post("/api/v1/webhooks", json={"url": "http://127.0.0.1/x", "allow_internal": True,
                                                 "events": ["filing.exploded"]}, headers=people.make("admin"))
    assert unknown.status_code == 422 and unknown.json()["detail"][0]["field"] == "events[0]"
    assert api.post("/api/v1/webhooks", json={"url": "http://127.0.0.1/x"},
                    headers=people.make("officer", jurisdiction="440000")).status_code == 403
    assert api.get("/api/v1/webhooks", headers=enterprise).json()["items"] == []


def test_deliveries_are_signed_once_each_and_a_receiver_failing_three_times_gets_the_fourth(api, people, receiver):
    admin, endpoint = _endpoint(api, people, receiver.url)
    assert len(endpoint["secret"]) > 30 and "secret" not in api.get(
        f"/api/v1/webhooks/{endpoint['id']}", headers=admin).json()
    filed = api.post("/api/v1/filings", json=filing_form(), headers=people.make("enterprise")).json()
    receiver.plan = [500, 503, 500]
    assert _deliver(api, T0)["retrying"] == 1
    assert _deliver(api, T0 + dt.timedelta(seconds=5))["delivered"] == 0  # not due before its backoff
    _deliver(api, T0 + dt.timedelta(seconds=11))
    _deliver(api, T0 + dt.timedelta(seconds=32))
    assert _deliver(api, T0 + dt.timedelta(seconds=73))["delivered"] == 1
    assert len(receiver.requests) == 4 and len({r["body"] for r in receiver.requests}) == 1
    last = receiver.requests[-1]
    timestamp = int(last["headers"]["X-Certflow-Timestamp"])
    assert verify(endpoint["secret"], timestamp, last["body"], last["headers"]["X-Certflow-Signature"], now=timestamp)
    event = json.loads(last["body"])
    assert (event["type"], event["case_id"]) == ("filing.submitted", filed["id"])
    assert last["headers"]["X-Certflow-Event-Id"] == str(event["id"])
    _deliver(api, T0 + dt.timedelta(hours=1))
    assert len(receiver.requests) == 4  # delivered once: not again
    log = api.get(f"/api/v1/webhooks/{endpoint['id']}/deliveries", headers=admin).json()["items"]
    assert [(d["status"], d["attempts"], d["last_error"]) for d in log] == [("delivered", 4, None)]


def test_a_cases_events_arrive_in_order_while_other_cases_go_on(api, people, receiver):
    _, endpoint = _endpoint(api, people, receiver.url)
    first = api.post("/api/v1/filings", json=filing_form(), headers=people.make("enterprise")).json()["id"]
    with db(api) as session:
        audit.move_case(session, session.get(FilingApplication, first), case_type="filing", status="publicity",
                        step="publicity")
    other = api.post("/api/v1/filings", json=filing_form(), headers=people.make("enterprise")).json()["id"]
    receiver.plan = [500]  # the first request fails once: cases go in parallel, so make it the first case's
    receiver.plan_for = first
    _deliver(api, T0)
    _deliver(api, T0 + dt.timedelta(seconds=11))
    _deliver(api, T0 + dt.timedelta(seconds=12))
    by_case = {}
    for answered, event in zip(receiver.statuses, receiver.events(), strict=True):
        by_case.setdefault(event["case_id"], []).append((event["type"], answered))
    assert by_case[first] == [("filing.submitted", 500), ("filing.submitted", 200),
                              ("filing.publicity_started", 200)]  # its next event waited for the retry
    assert by_case[other] == [("filing.submitted", 200)]  # the other case was not held up


def test_an_endpoint_failing_for_24_hours_is_disabled_with_the_reason_and_a_redelivery_serves_it(api, people,
                                                                                                 receiver):
    admin, endpoint = _endpoint(api, people, receiver.url)
    api.post("/api/v1/filings", json=filing_form(), headers=people.make("enterprise"))
    receiver.plan = [500] * 100
    at = T0
    for _ in range(40):
        _deliver(api, at)
        at += dt.timedelta(hours=1)
    view = api.get(f"/api/v1/webhooks/{endpoint['id']}", headers=admin).json()
    assert not view["enabled"] and "24" in view["disabled_reason"] and "HTTP 500" in view["disabled_reason"]
    delivery = api.get(f"/api/v1/webhooks/{endpoint['id']}/deliveries", headers=admin).json()["items"][0]
    assert delivery["status"] == "failed" and delivery["attempts"] >= 20
    receiver.plan = []
    assert api.patch(f"/api/v1/webhooks/{endpoint['id']}", json={"enabled": True}, headers=admin).json()["enabled"]
    again = api.post(f"/api/v1/webhooks/{endpoint['id']}/deliveries/{delivery['id']}/redeliver", headers=admin)
    assert again.status_code == 200 and again.json()["status"] == "pending"
    _deliver(api, dt.datetime.now(dt.UTC))
    assert api.get(f"/api/v1/webhooks/{endpoint['id']}/deliveries", headers=admin).json()["items"][0][
        "status"] == "delivered"


def test_an_enterprises_endpoint_carries_its_own_events_only_and_nobody_else_reaches_it(api, people, receiver,
                                                                                        monkeypatch):
    resolve = webhooks.resolve
    monkeypatch.setattr(webhooks, "resolve", lambda host: ["93.184.216.34"])  # a public address, by name
    enterprise = people.make("enterprise")
    created = api.post("/api/v1/webhooks", json={"url": "https://erp.example.com/hooks",
                                                 "events": ["filing.submitted"]}, headers=enterprise)
    assert created.status_code == 201, created.text
    endpoint = created.json()
    admin = people.make("admin")  # the centre lets this enterprise's system sit on the centre's network
    moved = api.patch(f"/api/v1/webhooks/{endpoint['id']}", json={"url": receiver.url, "allow_internal": True},
                      headers=admin)
    assert moved.status_code == 200, moved.text
    monkeypatch.setattr(webhooks, "resolve", resolve)  # the real resolver again (not undo(): SETTLE stays 0)
    mine = api.post("/api/v1/filings", json=filing_form(), headers=enterprise).json()["id"]
    api.post("/api/v1/filings", json=filing_form(), headers=people.make("enterprise"))
    _deliver(api, T0)
    assert [(e["case_id"], e["type"]) for e in receiver.events()] == [(mine, "filing.submitted")]
    rival = people.make("enterprise")
    for method, path in (("GET", ""), ("PATCH", ""), ("DELETE", ""), ("GET", "/deliveries")):
        answer = api.request(method, f"/api/v1/webhooks/{endpoint['id']}{path}", headers=rival,
                             json={"enabled": False} if method == "PATCH" else None)
        assert answer.status_code == 404, (method, path)
    assert api.delete(f"/api/v1/webhooks/{endpoint['id']}", headers=enterprise).status_code == 204
    assert api.get(f"/api/v1/webhooks/{endpoint['id']}", headers=enterprise).status_code == 404
