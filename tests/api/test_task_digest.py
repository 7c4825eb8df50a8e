"""待办摘要 (issue 28, item 9): staff opt into a daily e-mail of their new and due-soon tasks in the dashboard;
the tick's pass sends it once a business day after the configured hour, to a real SMTP server (aiosmtpd on a
free port here, not a mock), with dates from the business clock; a refused send is tried again, never lost."""

from __future__ import annotations

import datetime as dt
import email
from email import policy

import pytest
from sqlmodel import select

from certflow.embedded import free_port
from models.accounts import User
from models.audit import AuditEvent
from models.clock import business_today
from tasks.waits import digest
from tests.api.conftest import db, move_clock
from tests.api.test_dashboard import acceptance_task, staff


class Mailbox:
    """aiosmtpd's handler: every message the server accepts, parsed."""

    def __init__(self) -> None:
        self.messages: list[email.message.EmailMessage] = []

    async def handle_DATA(self, server, session, envelope):  # noqa: N802 - aiosmtpd's hook name
        self.messages.append(email.message_from_bytes(envelope.content, policy=policy.default))
        return "250 Message accepted for delivery"


class SmtpServer:
    def __init__(self) -> None:
        self.port, self.mailbox, self._controller = free_port(), Mailbox(), None

    def start(self) -> None:
        from aiosmtpd.controller import Controller

        self._controller = Controller(self.mailbox, hostname="127.0.0.1", port=self.port)
        self._controller.start()  # returns once the server answers

    def stop(self) -> None:
        self._controller.stop()

    @property
    def mails(self) -> list[tuple[str, str, str]]:
        return [(m["To"], m["Subject"], m.get_content()) for m in self.mailbox.messages]


@pytest.fixture()
def smtp():
    server = SmtpServer()
    server.start()
    yield server
    server.stop()


def _subscribed_officer(api, address: str = "li.ming@example.cn"):
    officer, officer_id = staff(api, "officer", jurisdiction="440000")
    assert officer.log_in().status_code == 303
    saved = officer.post("/dashboard/me", {"email": address, "digest": "on"}, csrf_from="/dashboard/me")
    assert saved.status_code == 303 and saved.headers["location"] == "/dashboard/me?done=digest_saved"
    return officer, officer_id


def _next_day(api, people):
    with db(api) as session:
        today = business_today(session)
    move_clock(api, people.make("admin"), today + dt.timedelta(days=1))


def test_an_officer_opts_in_from_the_dashboard_and_a_wrong_address_is_refused_with_what_was_typed(api):
    officer, officer_id = staff(api, "officer", jurisdiction="440000")
    assert officer.log_in().status_code == 303
    page = officer.get("/dashboard/me").text
    assert "待办摘要邮件" in page and "08:00 之后" in page and "尚未配置邮件服务器" in page

    wrong = officer.post("/dashboard/me", {"email": "li.ming at example", "digest": "on"}, csrf_from="/dashboard/me")
    assert wrong.status_code == 422
    assert "电子邮箱格式不正确" in wrong.text and 'value="li.ming at example"' in wrong.text
    no_address = officer.post("/dashboard/me", {"email": "", "digest": "on"}, csrf_from="/dashboard/me")
    assert no_address.status_code == 422 and "订阅待办摘要须填写电子邮箱" in no_address.text
    with db(api) as session:
        assert (session.get(User, officer_id).email, session.get(User, officer_id).digest) == (None, False)

    saved = officer.post("/dashboard/me", {"email": " li.ming@example.cn ", "digest": "on"}, csrf_from="/dashboard/me")
    assert saved.status_code == 303
    page = officer.get(saved.headers["location"]).text
    assert "待办摘要设置已保存" in page and 'value="li.ming@example.cn"' in page and "checked" in page
    with db(api) as session:
        entry = session.exec(select(AuditEvent).where(AuditEvent.action == "digest_subscribed")).one()
        assert (entry.case_type, entry.case_id, entry.after) == ("user", officer_id,
                                                                 {"email": "li.ming@example.cn", "digest": True})


def test_the_digest_lists_new_and_due_soon_tasks_once_a_business_day(api, people, smtp):
    before = acceptance_task(api, 1, due=1)  # in the inbox before the opt-in: not new, but due tomorrow
    _, officer_id = _subscribed_officer(api)
    arrived = acceptance_task(api, 2, due=10)
    settings = api.settings.replace(smtp_host=f"127.0.0.1:{smtp.port}", base_url="https://certflow.example.cn")

    assert digest.send_due_digests(settings) == 1
    [(to, subject, text)] = smtp.mails
    with db(api) as session:
        today = business_today(session)
    assert to == "li.ming@example.cn"
    assert subject == f"[certflow] 待办摘要 {today.isoformat()}：新到 1 件，即将到期 1 件"
    new_part, due_part = text.split("新到待办（1 件）：", 1)[1].split("2 个工作日内到期或已逾期（1 件）：")
    assert f"https://certflow.example.cn/dashboard/tasks/{arrived}" in new_part and "备案 #2 受理" in new_part
    assert f"https://certflow.example.cn/dashboard/tasks/{before}" in due_part and "还剩 1 个工作日" in due_part
    assert "_" not in subject + text  # step names, never codes

    assert digest.send_due_digests(settings) == 0  # at most one a day
    later = acceptance_task(api, 3, due=10)
    _next_day(api, people)
    assert digest.send_due_digests(settings) == 1
    to, subject, text = smtp.mails[-1]
    assert f"/dashboard/tasks/{later}" in text and f"/dashboard/tasks/{arrived}" not in text  # told once
    with db(api) as session:
        assert session.get(User, officer_id).digest_sent_on == business_today(session)


def test_a_refused_send_is_tried_again_and_before_the_hour_nothing_goes(api, people, smtp):
    _, officer_id = _subscribed_officer(api)
    acceptance_task(api, 4, due=10)
    settings = api.settings.replace(smtp_host=f"127.0.0.1:{smtp.port}")

    assert digest.send_due_digests(settings.replace(digest_hour=10)) == 0  # the clock says 09:00
    smtp.stop()
    assert digest.send_due_digests(settings) == 0  # the server is down: nothing marked
    with db(api) as session:
        assert session.get(User, officer_id).digest_sent_on is None
    smtp.start()
    assert digest.send_due_digests(settings) == 1 and len(smtp.mails) == 1


def test_nothing_to_tell_sends_nothing_and_an_unsubscribed_officer_gets_nothing(api, people, smtp):
    officer, officer_id = _subscribed_officer(api)
    settings = api.settings.replace(smtp_host=f"127.0.0.1:{smtp.port}")
    assert digest.send_due_digests(settings) == 0 and smtp.mails == []

    assert officer.post("/dashboard/me", {"email": "li.ming@example.cn"}, csrf_from="/dashboard/me").status_code == 303
    acceptance_task(api, 5, due=1)
    _next_day(api, people)
    assert digest.send_due_digests(settings) == 0 and smtp.mails == []
    with db(api) as session:
        assert session.exec(select(AuditEvent).where(AuditEvent.action == "digest_unsubscribed")).one()


def test_the_settings_page_is_for_staff_with_an_inbox_only(api):
    operations, _ = staff(api, "operations")
    assert operations.log_in().status_code == 303
    assert operations.get("/dashboard/me").status_code == 403
    refused = operations.post("/dashboard/me", {"email": "ops@example.cn", "digest": "on"}, csrf_from="/dashboard/ops")
    assert refused.status_code == 403
