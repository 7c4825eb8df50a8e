"""An unrelated API write while slow work is in flight that used to hold SQLite's write lock.

1. 20 SLA escalations delivered to a webhook that takes --webhook-ms to answer each, in the tick;
2. 24 clients (distinct addresses, through a trusted proxy) logging in with unknown names without
   pause, each attempt a full scrypt check.
Meanwhile a client keeps filing applications (POST /api/v1/filings, a write); the benchmark prints
the write latencies during each phase next to an idle baseline.

Run: .venv/bin/python bench/bench_locks.py [--webhook-ms 1000] [--writes 20]
"""

from __future__ import annotations

import argparse
import datetime as dt
import http.server
import re
import threading
import time

import httpx
from harness import fresh_instance, percentile, running_api


def slow_webhook(delay: float) -> tuple[http.server.HTTPServer, str]:
    class Slow(http.server.BaseHTTPRequestHandler):
        def do_POST(self) -> None:  # http.server's name
            self.rfile.read(int(self.headers.get("Content-Length", 0)))
            time.sleep(delay)
            self.send_response(204)
            self.end_headers()

        def log_message(self, *_: object) -> None:
            pass

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Slow)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server, f"http://127.0.0.1:{server.server_address[1]}/hook"


def seed_breaches(url: str, count: int) -> None:
    from core.clock import wall_now
    from models.db import session_scope
    from models.sla import SlaBreach, SlaClock

    with session_scope(url) as session:
        for n in range(count):
            clock = SlaClock(
                case_type="filing",
                case_id=10_000 + n,
                step="acceptance",
                jurisdiction="440106",
                started_on=dt.date(2026, 9, 1),
                budget_working_days=5,
                at_risk_working_days=2,
                escalate_after_working_days=3,
                due_date=dt.date(2026, 9, 8),
                at_risk_on=dt.date(2026, 9, 4),
                breached_on=dt.date(2026, 9, 9),
                escalate_on=dt.date(2026, 9, 12),
                level="breached",
            )
            session.add(clock)
            session.flush()
            session.add(
                SlaBreach(
                    clock_id=clock.id,
                    case_type="filing",
                    case_id=10_000 + n,
                    step="acceptance",
                    jurisdiction="440106",
                    level="breached",
                    opened_on=dt.date(2026, 9, 9),
                    opened_at=wall_now(),
                    due_date=dt.date(2026, 9, 8),
                    notify="centre_lead",
                )
            )


def write_latencies(base: str, headers: dict, count: int, region_serial: list[int]) -> list[float]:
    from tests.api.helpers import filing_form

    took = []
    with httpx.Client(base_url=base, timeout=120) as client:
        for _ in range(count):
            region_serial[0] += 1
            form = filing_form()
            started = time.perf_counter()
            answer = client.post("/api/v1/filings", json=form, headers=headers(region_serial[0]))
            took.append(time.perf_counter() - started)
            assert answer.status_code == 201, answer.text
    return took


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--webhook-ms", type=int, default=1000)
    parser.add_argument("--writes", type=int, default=20)
    args = parser.parse_args()
    import os

    os.environ["CERTFLOW_TRUSTED_PROXIES"] = "127.0.0.1/32"  # the login clients come "through a proxy"
    with fresh_instance("locks") as settings:
        from tasks.people.accounts import create_user

        tokens = [create_user(settings.database_url, role="enterprise", name=f"bench-{n}")[1] for n in range(200)]

        def headers(n: int) -> dict:
            return {"Authorization": f"Bearer {tokens[n % len(tokens)]}"}

        counter = [0]
        with running_api() as base:

            def phase(name: str, background) -> None:
                stop = threading.Event()
                worker = threading.Thread(target=background, args=(stop,)) if background else None
                if worker:
                    worker.start()
                    time.sleep(0.5)  # let it get going
                took = write_latencies(base, headers, args.writes, counter)
                stop.set()
                if worker:
                    worker.join()
                print(
                    f"{name:52s} writes p50 {percentile(took, 50) * 1000:7.1f} ms  "
                    f"p99 {percentile(took, 99) * 1000:7.1f} ms  max {max(took) * 1000:7.1f} ms"
                )

            phase("idle", None)

            server, hook = slow_webhook(args.webhook_ms / 1000)
            seed_breaches(settings.database_url, 20)
            from tasks.adapters import notify
            from tasks.waits import sla

            def deliver(_: threading.Event) -> None:
                sent = sla.deliver(settings.database_url, notify.WebhookNotifier(hook, timeout=30))
                assert sent == 20, sent

            phase(f"during 20 webhook deliveries of {args.webhook_ms} ms each", deliver)
            server.shutdown()

            attempts = [0]

            def logins(stop: threading.Event) -> None:
                def one(n: int) -> None:
                    with httpx.Client(
                        base_url=base, timeout=120, headers={"X-Forwarded-For": f"198.51.100.{n}"}
                    ) as client:
                        tries = 0
                        while not stop.is_set():
                            page = client.get("/dashboard/login")
                            csrf = re.search(r'name="csrf" value="([^"]+)"', page.text).group(1)
                            client.post(
                                "/dashboard/login",
                                data={"name": f"nobody-{n}-{tries}", "password": "x" * 12, "csrf": csrf},
                            )
                            tries += 1
                        attempts[0] += tries

                threads = [threading.Thread(target=one, args=(n,)) for n in range(24)]
                for thread in threads:
                    thread.start()
                for thread in threads:
                    thread.join()

            phase("during 24 clients logging in with unknown names", logins)
            print(f"({attempts[0]} login attempts during that phase)")


if __name__ == "__main__":
    main()
