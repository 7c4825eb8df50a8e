"""Probes of the resource, session and transport rules (SECURITY.md, items 6, 8, 10–12, 14–19):
no network call or password check under the write lock, bounded bodies and error answers, the
shared public rate limit and forwarded addresses, holder links and API tokens that end, no 500
from odd input, metrics and the clock behind tokens, clean names, cached documents, browser
headers, and a wake-up never lost to an earlier resume."""

from __future__ import annotations

import datetime as dt
import sqlite3

import pytest
from sqlmodel import select

from core.clock import wall_now
from models.accounts import ApiToken
from models.cases import Certificate, DeficiencyNotice, FilingApplication, Institution
from models.workflow import Wakeup
from tasks.people.accounts import AccountError, create_user
from tests.api.conftest import db
from tests.api.helpers import filing_form, plan_body, registered_institution
from tests.api.test_documents import NUMBER, issued  # noqa: F401  (fixture)

pytestmark = pytest.mark.postgres  # on PostgreSQL too: locks and counters


def other_connection_writes(api) -> None:
    """A write from another connection; raises 'database is locked' if someone holds the lock."""
    other = sqlite3.connect(api.settings.database_url.split("///", 1)[1], timeout=5)
    try:
        other.execute("BEGIN IMMEDIATE")
        other.execute("UPDATE business_clock SET moved_at = moved_at")
        other.commit()
    finally:
        other.close()


# -- 6. escalations are sent outside any transaction ---------------------------------------------------


@pytest.mark.sqlite_only
def test_slow_escalation_deliveries_hold_no_write_lock(api, people):
    from models.sla import SlaBreach, SlaClock
    from tasks.waits import sla

    with db(api) as session:
        for n in range(20):
            clock = SlaClock(case_type="filing", case_id=n + 1, step="acceptance", jurisdiction="440106",
                             started_on=dt.date(2026, 9, 1), budget_working_days=5, at_risk_working_days=2,
                             escalate_after_working_days=3, due_date=dt.date(2026, 9, 8),
                             at_risk_on=dt.date(2026, 9, 4), breached_on=dt.date(2026, 9, 9),
                             escalate_on=dt.date(2026, 9, 12), next_check_on=dt.date(2026, 9, 12), level="breached")
            session.add(clock)
            session.flush()
            session.add(SlaBreach(clock_id=clock.id, case_type="filing", case_id=n + 1, step="acceptance",
                                  jurisdiction="440106", level="breached", opened_on=dt.date(2026, 9, 9),
                                  opened_at=wall_now(), due_date=dt.date(2026, 9, 8), notify="centre_lead"))

    class SlowWebhook:
        """Each delivery waits on the network; meanwhile an ordinary API write must go through."""

        def __init__(self) -> None:
            self.sent = 0

        def send(self, notification: dict) -> None:
            other_connection_writes(api)
            self.sent += 1

    webhook = SlowWebhook()
    assert sla.deliver(api.settings.database_url, webhook) == 20 and webhook.sent == 20
    with db(api) as session:
        assert all(b.notified_at is not None for b in session.exec(select(SlaBreach)).all())


# -- 8. sizes -------------------------------------------------------------------------------------------------


def test_a_body_over_the_limit_is_413_and_writes_nothing(api, people):
    enterprise = people.make("enterprise")
    huge = filing_form(business_scope="经" * 100, materials=[{"kind": "hr_system", "title": "x" * 200}] * 50)
    huge["padding"] = "x" * (api.settings.max_body_bytes + 1)
    answer = api.post("/api/v1/filings", json=huge, headers=enterprise)
    assert answer.status_code == 413 and "larger than" in answer.json()["detail"]

    def chunks():
        yield b'{"enterprise_name": "'
        for _ in range(api.settings.max_body_bytes // 65536 + 2):
            yield b"x" * 65536
        yield b'"}'

    streamed = api.post("/api/v1/filings", content=chunks(), headers={**enterprise, "Content-Type": "application/json"})
    assert streamed.status_code == 413
    with db(api) as session:
        assert session.exec(select(FilingApplication)).all() == []


def test_every_list_item_and_dict_is_bounded_and_error_listings_are_capped(api, people):
    officer = people.make("officer", jurisdiction="440000")
    scores = {f"aspect{n}": 50 for n in range(5000)}
    answer = api.post("/api/v1/tasks/1/decision", json={"decision": "score", "scores": scores}, headers=officer)
    assert answer.status_code == 422 and len(answer.content) < 5000
    long_item = api.post("/api/v1/tasks/1/decision", json={"decision": "deficient", "deficiencies": ["缺" * 501]},
                         headers=officer)
    assert long_item.status_code == 422 and long_item.json()["detail"][0]["field"] == "deficiencies[0]"
    owner = people.make("enterprise")
    with db(api) as session:
        institution_id = registered_institution(session, serial=77)
        from models.accounts import User

        session.get(User, people.id_of(owner)).institution_id = institution_id
    plan = plan_body(dt.date(2026, 12, 30), candidates=1)
    plan["proctors"] = ["监" * 51]
    assert api.post(f"/api/v1/institutions/{institution_id}/plans", json=plan, headers=owner).status_code == 422
    plan = plan_body(dt.date(2026, 12, 30), candidates=1)
    plan["candidates"] = [{**plan["candidates"][0], "id_number": "11010519491231002Y"}] * 120  # every row wrong
    listed = api.post(f"/api/v1/institutions/{institution_id}/plans", json=plan, headers=owner).json()["detail"]
    assert len(listed) == 51 and listed[-1]["code"] == "problems.truncated" and listed[-1]["more"] > 0


# -- 10 and 21. forwarded addresses, the shared limiter ----------------------------------------------------


def test_x_forwarded_for_from_an_untrusted_peer_does_not_buy_a_fresh_bucket(api):
    api.app.state.public_limit.clock = lambda: 5_000.0
    codes = [api.get("/api/v1/public/certificates/Y000044000001264000009",
                     headers={"X-Forwarded-For": f"10.0.0.{n}"}).status_code for n in range(35)]
    assert codes.count(429) == 5


def test_a_trusted_proxys_forwarded_address_is_the_client(settings):
    from fastapi.testclient import TestClient

    from api.app import create_app

    app = create_app(settings.replace(trusted_proxies=("127.0.0.1/32",)))
    app.state.public_limit.clock = lambda: 9_000.0
    proxy = TestClient(app, client=("127.0.0.1", 40000))
    first = [proxy.get("/api/v1/public/certificates/Y000044000001264000009",
                       headers={"X-Forwarded-For": "198.51.100.7"}).status_code for _ in range(31)]
    assert first[-1] == 429
    other = proxy.get("/api/v1/public/certificates/Y000044000001264000009", headers={"X-Forwarded-For": "198.51.100.8"})
    assert other.status_code == 404
    # a client cannot prepend its own address in front of the proxy's entry
    spoofed = proxy.get("/api/v1/public/certificates/Y000044000001264000009",
                        headers={"X-Forwarded-For": "203.0.113.1, 198.51.100.7"})
    assert spoofed.status_code == 429


def test_two_api_processes_share_one_count(api):
    from fastapi.testclient import TestClient

    from api.app import create_app

    second = TestClient(create_app(api.settings))
    for app in (api.app, second.app):
        app.state.public_limit.clock = lambda: 7_000.0
    codes = [(api if n % 2 else second).get("/api/v1/public/certificates/Y000044000001264000009").status_code
             for n in range(40)]
    assert codes.count(404) == 30


def test_the_anonymous_pdf_check_says_nothing_about_which_numbers_exist_and_is_limited(api, issued):  # noqa: F811
    assert api.get(f"/api/v1/certificates/{NUMBER}.pdf").status_code == 401
    assert api.get("/api/v1/certificates/Y000044000001263000099.pdf").status_code == 401
    api.app.state.public_limit.clock = lambda: 3_000.0
    codes = [api.get(f"/api/v1/certificates/{NUMBER}.pdf", params={"token": "1.0.x"}).status_code for _ in range(31)]
    assert codes[:30] == [404] * 30 and codes[30] == 429


# -- 11. holder links -----------------------------------------------------------------------------------------


def test_a_holder_link_expires_and_can_be_revoked_and_stops_with_the_certificate(api, issued):  # noqa: F811
    from tasks.exchange import documents

    owner = issued[0]
    link = api.get(f"/api/v1/certificates/{NUMBER}/holder-link", headers=owner).json()
    assert dt.date.fromisoformat(link["expires_on"]) == wall_now().date() + dt.timedelta(days=30)
    token = link["url"].split("token=")[1]
    assert api.get(f"/api/v1/certificates/{NUMBER}.pdf", params={"token": token}).status_code == 200
    with db(api) as session:
        certificate = session.exec(select(Certificate).where(Certificate.number == NUMBER)).one()
        yesterday = wall_now().date() - dt.timedelta(days=1)
        stale = documents.holder_token(api.settings, certificate, expires_on=yesterday)
    expired = api.get(f"/api/v1/certificates/{NUMBER}.pdf", params={"token": stale})
    assert expired.status_code == 410 and "过期" in expired.json()["detail"]
    assert (
        api.post(
            f"/api/v1/certificates/{NUMBER}/holder-link/revoke", headers={"Authorization": "Bearer nope"}
        ).status_code
        == 401
    )
    assert api.post(f"/api/v1/certificates/{NUMBER}/holder-link/revoke", headers=owner).status_code == 200
    assert api.get(f"/api/v1/certificates/{NUMBER}.pdf", params={"token": token}).status_code == 404
    fresh = api.get(f"/api/v1/certificates/{NUMBER}/holder-link", headers=owner).json()["url"].split("token=")[1]
    with db(api) as session:
        session.exec(select(Certificate).where(Certificate.number == NUMBER)).one().status = "revoked"
    assert api.get(f"/api/v1/certificates/{NUMBER}.pdf", params={"token": fresh}).status_code == 410


# -- 12. no 500 from any input -------------------------------------------------------------------------------


def test_non_ascii_csrf_tokens_and_huge_cursors_are_4xx_not_500(api, people):
    from tests.api.test_dashboard import Browserless, staff

    officer, _ = staff(api, "officer", jurisdiction="440000")
    assert officer.log_in().status_code == 303
    forged = officer.client.post("/dashboard/logout", data={"csrf": "令牌"})
    assert forged.status_code == 403
    login = Browserless(api, "someone")
    login.client.get("/dashboard/login")
    assert login.client.post("/dashboard/login", data={"name": "x", "password": "y", "csrf": "令牌"}).status_code == 403
    import base64

    huge = base64.urlsafe_b64encode(str(2**64).encode()).decode().rstrip("=")
    worker = people.make("officer", jurisdiction="440000")
    assert api.get("/api/v1/tasks", params={"cursor": huge}, headers=worker).status_code == 422
    assert api.get("/api/v1/public/institutions", params={"cursor": huge}).status_code == 422


EXTREMES = ("9999-12-31T23:59:59-23:59", "0001-01-01T00:00:00+14:00", "9999-12-31T23:59:59+00:00")


@pytest.mark.parametrize("path", ["/api/v1/filings", "/api/v1/plans", "/api/v1/institutions"])
def test_extreme_instants_in_filters_and_forged_cursors_are_4xx_naming_the_field(api, people, path):
    import base64

    officer = people.make("officer", jurisdiction="440000")
    for name in ("created_since", "updated_since"):
        for value in EXTREMES:
            answer = api.get(path, params={name: value}, headers=officer)
            assert answer.status_code == 422 and answer.json()["detail"][0]["field"] == name, (name, value)
    for value in EXTREMES:
        forged = base64.urlsafe_b64encode(f"{value}|1".encode()).decode().rstrip("=")
        answer = api.get(path, params={"cursor": forged}, headers=officer)
        assert answer.status_code == 422 and answer.json()["detail"][0]["field"] == "cursor", value


def test_the_clock_refuses_an_extreme_date_naming_the_field(api, people):
    admin = people.make("admin")
    for value in EXTREMES:
        answer = api.post("/api/v1/admin/clock", json={"to": value}, headers=admin)
        assert answer.status_code == 422 and answer.json()["detail"][0]["field"] == "to", value


# -- 14. metrics and the clock ------------------------------------------------------------------------------------


def test_metrics_need_the_metrics_token_or_operations_and_the_clock_needs_an_admin(api, people):
    assert api.get("/metrics").status_code == 401
    assert api.get("/metrics", headers=people.make("enterprise")).status_code == 403
    assert api.get("/metrics", headers=people.make("operations")).status_code == 200
    assert api.get("/api/v1/admin/clock").status_code == 401
    assert api.get("/api/v1/admin/clock", headers=people.make("operations")).status_code == 403
    assert api.get("/api/v1/admin/clock", headers=people.make("admin")).status_code == 200

    from fastapi.testclient import TestClient

    from api.app import create_app

    scraper = TestClient(create_app(api.settings.replace(metrics_token="scrape-secret-1")))
    assert scraper.get("/metrics", headers={"Authorization": "Bearer scrape-secret-1"}).status_code == 200
    assert scraper.get("/metrics", headers={"Authorization": "Bearer scrape-secret-2"}).status_code == 401


# -- 15. names ---------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("bad", ["广州\u202e司公限有", "广州\x00示范", "广州\u200b示范", "广州\u2066示范"])
def test_control_and_format_characters_are_refused_in_names(api, people, bad):
    answer = api.post("/api/v1/filings", json=filing_form(enterprise_name=bad), headers=people.make("enterprise"))
    assert answer.status_code == 422 and answer.json()["detail"][0]["field"] == "enterprise_name"
    with pytest.raises(AccountError, match="control or format"):
        create_user(api.settings.database_url, role="officer", name=f"officer{bad}", jurisdiction="440000")


def test_names_are_stored_in_nfkc_so_look_alikes_are_one_name(api, people):
    create_user(api.settings.database_url, role="expert", name="ｅｘｐｅｒｔ　Ａ")
    with pytest.raises(AccountError, match="exists already"):
        create_user(api.settings.database_url, role="expert", name="expert A")
    filed = api.post(
        "/api/v1/filings", json=filing_form(enterprise_name="广州ＡＢＣ机械"), headers=people.make("enterprise")
    )
    with db(api) as session:
        assert session.get(Institution, filed.json()["institution_id"]).name == "广州ABC机械"


# -- 16. receipts and notices are cached --------------------------------------------------------------------------


def test_a_notice_is_rendered_once_and_served_from_the_cache_after(api, people, monkeypatch):
    from tasks.adapters import pdf

    owner = people.make("enterprise")
    filing = api.post("/api/v1/filings", json=filing_form(), headers=owner).json()
    with db(api) as session:
        session.add(
            DeficiencyNotice(filing_id=filing["id"], round=0, items=[{"text": "缺少营业执照"}], issued_at=wall_now())
        )
    renders = []
    real = pdf.Renderer.pdf
    monkeypatch.setattr(pdf.Renderer, "pdf", lambda self, *a, **k: renders.append(a) or real(self, *a, **k))
    for _ in range(3):
        answer = api.get(f"/api/v1/filings/{filing['id']}/notices/1.pdf", headers=owner)
        assert answer.status_code == 200 and answer.content.startswith(b"%PDF")
    assert len(renders) == 1
    with db(api) as session:
        notice = session.exec(select(DeficiencyNotice)).one()
        notice.items = [{"text": "缺少营业执照"}, {"text": "缺少场地证明"}]
        session.add(notice)
    api.get(f"/api/v1/filings/{filing['id']}/notices/1.pdf", headers=owner)
    assert len(renders) == 2  # a changed fact is never served stale


# -- 17. tokens -------------------------------------------------------------------------------------------------


def test_an_expired_or_revoked_token_is_refused_and_staff_tokens_live_shorter(api, people):
    from tasks.people.accounts import list_tokens, revoke_token

    user, token = create_user(api.settings.database_url, role="enterprise", name="erp-system")
    headers = {"Authorization": f"Bearer {token}"}
    assert api.get("/api/v1/public/institutions", headers=headers).status_code == 200
    officer, _ = create_user(api.settings.database_url, role="officer", name="staff-one", jurisdiction="440000")
    (enterprise_token,), (staff_token,) = (
        list_tokens(api.settings.database_url, name=n) for n in ("erp-system", "staff-one")
    )
    lifetimes = [(t.expires_at - t.created_at).days for t in (enterprise_token, staff_token)]
    assert lifetimes == [365, 90]
    with db(api) as session:
        row = session.exec(select(ApiToken).where(ApiToken.user_id == user.id)).one()
        row.expires_at = wall_now() - dt.timedelta(seconds=1)
    expired = api.post("/api/v1/filings", json=filing_form(), headers=headers)
    assert expired.status_code == 401 and "expired" in expired.json()["detail"]
    _, second = create_user(api.settings.database_url, role="enterprise", name="erp-two")
    assert revoke_token(api.settings.database_url, name="erp-two")
    assert (
        api.post("/api/v1/filings", json=filing_form(), headers={"Authorization": f"Bearer {second}"}).status_code
        == 401
    )


# -- 18. browser headers --------------------------------------------------------------------------------------------


def test_pages_and_answers_carry_the_browser_security_headers(api):
    for path in ("/dashboard/login", "/verify/Y000044000001264000009", "/api/v1/public/institutions", "/healthz"):
        headers = api.get(path).headers
        assert headers["x-content-type-options"] == "nosniff", path
        assert headers["x-frame-options"] == "DENY" and headers["referrer-policy"] == "same-origin", path
        assert "frame-ancestors 'none'" in headers["content-security-policy"], path
        assert "script-src 'self'" in headers["content-security-policy"], path


# -- 19. a wake-up committed while the run is running ---------------------------------------------------------------


def test_a_decision_that_lands_while_the_run_is_running_keeps_its_wake_up(api, monkeypatch):
    from engine import workflow
    from engine.tick import wake_now

    with db(api) as session:
        session.add(Wakeup(flow_run_id="run-1", reason="task 1 decided", created_at=wall_now()))

    def resume_then_a_second_decision_lands(api_url: str, run_id: str) -> str:
        with db(api) as session:  # the resumed run is running; another officer decides its next task
            session.add(Wakeup(flow_run_id=run_id, reason="task 2 decided", created_at=wall_now()))
        return "resumed"

    monkeypatch.setattr(workflow, "resume", resume_then_a_second_decision_lands)
    wake_now(api.settings.replace(prefect_api_url="http://127.0.0.1:9/api"), "run-1")
    with db(api) as session:
        state = {w.reason: w.delivered_at is not None for w in session.exec(select(Wakeup)).all()}
    assert state == {"task 1 decided": True, "task 2 decided": False}  # the tick delivers the second
