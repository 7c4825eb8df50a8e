"""Webhook deliveries: 1,000 events posted to a local receiver (deliveries/s, through the tick's delivery
pass), and the API's write latency (p50/p99 of POST /api/v1/complaints) while they run against a
receiver that takes `--receiver-ms` per request — compared with the same writes when nothing is delivered.

Run: .venv/bin/python bench/bench_webhooks.py [--events 1000 --receiver-ms 50 --writes 200]
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from harness import fresh_instance, percentile


def receiver(delay: float) -> tuple[ThreadingHTTPServer, list[int]]:
    seen: list[int] = []

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:  # http.server's name
            body = self.rfile.read(int(self.headers["Content-Length"]))
            time.sleep(delay)
            seen.append(json.loads(body)["id"])
            self.send_response(200)
            self.end_headers()

        def log_message(self, *args) -> None:
            pass

    ThreadingHTTPServer.request_queue_size = 128  # 16 delivery threads connect at once
    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server, seen


def seed(url: str, count: int, endpoint_url: str) -> int:
    from sqlalchemy import insert

    from models.accounts import User
    from models.audit import AuditEvent
    from models.db import get_engine, session_scope
    from models.integration import WebhookEndpoint
    from tests.api.helpers import registered_institution

    now = dt.datetime.now(dt.UTC)
    with session_scope(url) as session:
        admin = User(name="基准管理员", role="admin", created_at=now)
        session.add(admin)
        session.flush()
        institution_id = registered_institution(session, serial=990)
        session.add(WebhookEndpoint(owner_id=admin.id, url=endpoint_url, secret="bench", allow_internal=True,
                                    created_at=now, updated_at=now))
        admin_id = admin.id
    with get_engine(url).begin() as connection:  # 1,000 events over 100 cases (10 each, delivered in order)
        connection.execute(insert(AuditEvent), [
            {"case_type": "institution", "case_id": institution_id if n % 100 == 0 else 10_000 + n % 100,
             "action": "inactivity_warning", "actor_role": "system", "business_time": now, "wall_time": now,
             "after": {"withdrawal_on": "2028-09-11"}} for n in range(count)])
    return admin_id


def writes(client, count: int, label: str) -> list[float]:
    body = {"institution_id": 1, "contact_name": "基准", "contact_phone": "13800138000"}
    timings = []
    for n in range(count):
        started = time.perf_counter()
        answer = client.post(
            "/api/v1/complaints", json={**body, "text": f"基准投诉（{label}）第 {n} 条，核查考场监控情况。"}
        )
        timings.append((time.perf_counter() - started) * 1000)
        assert answer.status_code == 201, answer.text
    return timings


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--events", type=int, default=1000)
    parser.add_argument("--receiver-ms", type=float, default=50)
    parser.add_argument("--writes", type=int, default=200)
    args = parser.parse_args()
    with fresh_instance("webhooks") as settings:
        from fastapi.testclient import TestClient
        from sqlmodel import func, select

        from api.app import create_app
        from api.ratelimit import SharedTokenBucket
        from models.db import session_scope
        from models.integration import WebhookDelivery, WebhookEndpoint
        from tasks.exchange import webhooks
        from tasks.queries import events

        events.SETTLE = dt.timedelta(0)
        fast, seen = receiver(0)
        seed(settings.database_url, args.events, f"http://127.0.0.1:{fast.server_port}/hook")
        admin_view = {"events": "institution.withdrawal_warning"}  # the feed's type of the seeded events
        started = time.perf_counter()
        passes = 0
        while len(set(seen)) < args.events and passes < 10_000:
            counts = webhooks.deliver_pass(settings.database_url, workers=16, limit=200)
            passes += 1
            if counts["retrying"]:
                with session_scope(settings.database_url, readonly=True) as session:
                    errors = session.exec(
                        select(WebhookDelivery.last_error).where(
                            WebhookDelivery.status == "pending", WebhookDelivery.attempts > 0
                        )
                    ).all()
                print(f"pass {passes}: {counts['retrying']} to retry: {sorted(set(errors))[:3]}")
        elapsed = time.perf_counter() - started
        print(
            f"{len(set(seen))} of {args.events} events delivered to a local receiver in {elapsed:.2f} s "
            f"({len(set(seen)) / elapsed:.0f} deliveries/s, {passes} passes, {admin_view['events']})"
        )
        with session_scope(settings.database_url, readonly=True) as session:
            doubled = len(seen) - len(set(seen))
            delivered = session.exec(
                select(func.count()).select_from(WebhookDelivery).where(WebhookDelivery.status == "delivered")
            ).one()
        print(f"deliveries recorded delivered: {delivered}; delivered twice: {doubled}")
        fast.shutdown()

        app = create_app(settings)
        app.state.public_limit = SharedTokenBucket(per_minute=10**7, burst=10**7)  # the writes, not the limiter
        client = TestClient(app)
        quiet = writes(client, args.writes, "quiet")
        slow, slow_seen = receiver(args.receiver_ms / 1000)
        with session_scope(settings.database_url) as session:
            endpoint = session.exec(select(WebhookEndpoint)).one()
            endpoint.url, endpoint.cursor = f"http://127.0.0.1:{slow.server_port}/hook", 0
            for delivery in session.exec(select(WebhookDelivery)).all():
                session.delete(delivery)
        stop = threading.Event()

        def deliver_loop() -> None:
            while not stop.is_set():
                webhooks.deliver_pass(settings.database_url, workers=16, limit=200)

        loop = threading.Thread(target=deliver_loop)
        loop.start()
        busy = writes(client, args.writes, "busy")
        stop.set()
        loop.join()
        slow.shutdown()
        print(
            f"API writes (POST /api/v1/complaints, {args.writes} each, SQLite): with no deliveries p50 "
            f"{percentile(quiet, 50):.1f} ms p99 {percentile(quiet, 99):.1f} ms; while deliveries run against a "
            f"{args.receiver_ms:.0f} ms receiver ({len(slow_seen)} delivered meanwhile) p50 "
            f"{percentile(busy, 50):.1f} ms p99 {percentile(busy, 99):.1f} ms"
        )


if __name__ == "__main__":
    main()
