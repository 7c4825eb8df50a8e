"""Security round 3 (issue 25, items 3–6): webhook targets judged by the address they really reach and
posted to the address that was checked, with the receiver's body never kept; an admin's approval of an
internal target lapses when the owner changes the URL; revoking every token of an account, or disabling
it, stops its webhooks; and staff can be offboarded — disabled (no login, no API, sessions ended, claims
given back, audited), enabled again, their password reset."""

from __future__ import annotations

import subprocess
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from sqlmodel import select

from models.accounts import User
from models.audit import AuditEvent
from models.workflow import HumanTask
from tasks.exchange import webhooks
from tasks.people.accounts import create_user, revoke_token
from tests.api.conftest import db
from tests.api.helpers import filing_form
from tests.api.test_dashboard import PASSWORD, acceptance_task, staff
from tests.cli.helpers import certflow

ROOT = __import__("pathlib").Path(__file__).resolve().parents[2]


@pytest.fixture()
def filing_id(api, people):
    return api.post("/api/v1/filings", json=filing_form(), headers=people.make("enterprise")).json()["id"]


@pytest.mark.parametrize("url", ["http://100.64.0.1/hook", "http://100.100.100.200/latest/meta-data",
                                 "http://[2002:7f00:1::]/hook", "http://[64:ff9b::a9fe:a9fe]/hook",
                                 "http://[2001::1]/hook"])
def test_shared_6to4_and_nat64_addresses_of_internal_hosts_are_refused_as_targets(api, people, url):
    refused = api.post("/api/v1/webhooks", json={"url": url}, headers=people.make("enterprise"))
    assert refused.status_code == 422, refused.text
    assert refused.json()["detail"][0]["field"] == "url"


class _Recorder:
    def __init__(self, status: int = 200, body: bytes = b"") -> None:
        self.seen: list[dict] = []
        recorder = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:  # http.server's name
                self.rfile.read(int(self.headers["Content-Length"]))
                recorder.seen.append({"host": self.headers["Host"], "path": self.path})
                self.send_response(status)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, *args) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        threading.Thread(target=self.server.serve_forever, daemon=True).start()


def test_a_delivery_goes_to_the_address_that_was_checked_with_the_hosts_name_and_keeps_no_reply_body():
    recorder = _Recorder(status=500, body=b"<html>internal admin page: secret=hunter2</html>")
    port = recorder.server.server_port
    answers = iter([["127.0.0.1"], ["10.9.9.9"]])  # a rebinding name: checked once, never resolved again
    job = {"url": f"http://erp.example.test:{port}/hook", "allow_internal": True, "secret": "s",
           "event": {"id": 1, "type": "filing.submitted"}}
    try:
        import httpx

        with httpx.Client(timeout=5) as client:
            status, error = webhooks.post(job, client=client, resolver=lambda host: next(answers))
    finally:
        recorder.server.shutdown()
    assert recorder.seen == [{"host": f"erp.example.test:{port}", "path": "/hook"}]
    assert (status, error) == (500, "HTTP 500 Internal Server Error")


def test_an_admins_approval_of_an_internal_target_lapses_when_the_owner_changes_the_url(api, people):
    enterprise = people.make("enterprise")
    created = api.post("/api/v1/webhooks", json={"url": "https://93.184.216.34/hook"}, headers=enterprise).json()
    admin = people.make("admin")
    approved = api.patch(f"/api/v1/webhooks/{created['id']}", json={"url": "http://10.0.0.7/hook",
                                                                     "allow_internal": True}, headers=admin)
    assert approved.status_code == 200 and approved.json()["allow_internal"] is True
    moved = api.patch(f"/api/v1/webhooks/{created['id']}", json={"url": "http://10.0.0.8/admin"}, headers=enterprise)
    assert moved.status_code == 422 and moved.json()["detail"][0]["field"] == "url"
    kept = api.get(f"/api/v1/webhooks/{created['id']}", headers=enterprise).json()
    assert kept["url"] == "http://10.0.0.7/hook" and kept["allow_internal"] is True
    public = api.patch(f"/api/v1/webhooks/{created['id']}", json={"url": "https://93.184.216.35/hook"},
                       headers=enterprise)
    assert public.status_code == 200 and public.json()["allow_internal"] is False


def test_revoking_every_token_of_an_account_stops_its_webhooks_until_it_has_a_live_token_again(api, people):
    enterprise = people.make("enterprise")
    name = _name_of(api, people, enterprise)
    endpoint = api.post("/api/v1/webhooks", json={"url": "https://93.184.216.34/hook"}, headers=enterprise).json()
    revoke_token(api.settings.database_url, name=name)
    admin = people.make("admin")
    shown = api.get(f"/api/v1/webhooks/{endpoint['id']}", headers=admin).json()
    assert shown["enabled"] is False and "revoked" in shown["disabled_reason"]
    again = api.patch(f"/api/v1/webhooks/{endpoint['id']}", json={"enabled": True}, headers=admin)
    assert again.status_code == 422 and again.json()["detail"][0]["code"] == "webhook.no_credential"
    from tasks.people.accounts import issue_token

    _, token = issue_token(api.settings.database_url, name=name)
    back = api.patch(f"/api/v1/webhooks/{endpoint['id']}", json={"enabled": True},
                     headers={"Authorization": f"Bearer {token}"})
    assert back.status_code == 200 and back.json()["enabled"] is True


def _name_of(api, people, headers) -> str:
    with db(api) as session:
        return session.get(User, people.id_of(headers)).name


def test_a_disabled_officer_cannot_log_in_or_call_the_api_and_gives_back_the_claimed_task(api, people, filing_id):
    officer, officer_id = staff(api, "officer", jurisdiction="440000")
    assert officer.log_in().status_code == 303
    _, token = create_user(api.settings.database_url, role="admin", name=f"admin-of-{officer_id}")
    admin = {"Authorization": f"Bearer {token}"}
    from tasks.people.accounts import issue_token

    _, officer_token = issue_token(api.settings.database_url, name=officer.name)
    bearer = {"Authorization": f"Bearer {officer_token}"}
    task = acceptance_task(api, filing_id, jurisdiction="440000")
    assert api.post(f"/api/v1/tasks/{task}/claim", headers=bearer).status_code == 200
    revoke_token(api.settings.database_url, name=officer.name)
    assert officer.get("/dashboard/inbox").status_code == 200  # revoking tokens alone left the login working

    disabled = api.post(f"/api/v1/admin/users/{officer_id}/disable", json={"reason": "离职"}, headers=admin)
    assert disabled.status_code == 200, disabled.text
    assert disabled.json()["tasks_released"] == [task] and disabled.json()["sessions_ended"] == 1
    assert officer.get("/dashboard/inbox").status_code == 303  # the open session ended on the server
    assert officer.log_in().status_code != 303  # a login with the right password is refused
    assert api.get("/api/v1/tasks", headers=bearer).status_code == 401
    with db(api) as session:
        released = session.get(HumanTask, task)
        assert (released.status, released.assignee_id) == ("open", None)
        actions = session.exec(select(AuditEvent.action).where(AuditEvent.case_type == "user",
                                                              AuditEvent.case_id == officer_id)).all()
    assert "user_disabled" in actions
    twice = api.post(f"/api/v1/admin/users/{officer_id}/disable", json={"reason": "离职"}, headers=admin)
    assert twice.status_code == 200 and twice.json()["already"] is True
    assert api.post(f"/api/v1/admin/users/{officer_id}/disable", json={"reason": "x"},
                    headers=people.make("officer", jurisdiction="440000")).status_code == 403
    assert api.post("/api/v1/admin/users/999999/disable", json={"reason": "离职"}, headers=admin).status_code == 404

    enabled = api.post(f"/api/v1/admin/users/{officer_id}/enable", headers=admin)
    assert enabled.status_code == 200 and enabled.json()["already"] is False
    assert officer.log_in().status_code == 303
    assert api.get("/api/v1/tasks", headers=bearer).status_code == 401  # its old tokens stay revoked


def _cli(api, *args: str, stdin: str = "") -> subprocess.CompletedProcess:
    return certflow(*args, "--data-dir", str(api.settings.data_dir), input=stdin)


def test_the_cli_disables_enables_and_resets_a_password_ending_the_old_sessions(api):
    officer, officer_id = staff(api, "officer", jurisdiction="440000")
    assert officer.log_in().status_code == 303
    reset = _cli(api, "users", "reset-password", "--name", officer.name, "--password-stdin",
                 stdin="a new passphrase 2\n")
    assert reset.returncode == 0, reset.stderr
    assert officer.get("/dashboard/inbox").status_code == 303
    assert officer.log_in(PASSWORD).status_code != 303 and officer.log_in("a new passphrase 2").status_code == 303
    disabled = _cli(api, "users", "disable", "--name", officer.name, "--reason", "调离")
    assert disabled.returncode == 0 and "1 session(s) ended" in disabled.stdout, disabled.stderr
    assert officer.log_in("a new passphrase 2").status_code != 303
    assert _cli(api, "users", "enable", "--name", officer.name).returncode == 0
    assert officer.log_in("a new passphrase 2").status_code == 303
    unknown = _cli(api, "users", "disable", "--name", "nobody-here", "--reason", "x")
    assert unknown.returncode != 0 and "nobody-here" in unknown.stderr and "Traceback" not in unknown.stderr
