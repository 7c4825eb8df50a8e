"""Prometheus metrics: HTTP requests and latencies, open tasks by step, cases by status, engine queues, incidents
by kind, webhook endpoints by state, the leading tick's heartbeat. deploy/prometheus/ scrapes and alerts on them,
deploy/grafana/ charts them (tests/api/test_monitoring.py holds both to the names exported here).

With several API worker processes, PROMETHEUS_MULTIPROC_DIR (set by `certflow up`) makes every
worker's counters add up in one scrape.
"""

from __future__ import annotations

import datetime as dt
import os
import time

from fastapi import Request, Response
from prometheus_client import CONTENT_TYPE_LATEST, CollectorRegistry, Counter, Histogram, generate_latest, multiprocess
from prometheus_client.core import GaugeMetricFamily
from sqlmodel import Session, func, select

from core.clock import wall_now
from models.case_kinds import PROCESSES
from models.clock import business_today
from models.integration import WebhookEndpoint
from models.sla import SlaBreach, SlaClock
from models.workflow import HumanTask, Incident, OutboxMessage, TickHeartbeat, Timer, Wakeup
from tasks.waits.calendar import load_calendar

REQUESTS = Counter("certflow_http_requests_total", "HTTP requests", ["method", "route", "status"])
TIME_TO_DECISION = Histogram("certflow_time_to_decision_working_days",
                             "working days from a task's creation to its decision, by step", ["step"],
                             buckets=(0, 1, 2, 3, 5, 10, 15, 20, 30, 60))
LATENCY = Histogram("certflow_http_request_seconds", "HTTP request latency", ["method", "route"],
                    buckets=(0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10))


async def observe(request: Request, call_next):  # middleware
    started = time.perf_counter()
    response = await call_next(request)
    route = request.scope.get("route")
    template = getattr(route, "path", "unmatched")
    REQUESTS.labels(request.method, template, str(response.status_code)).inc()
    LATENCY.labels(request.method, template).observe(time.perf_counter() - started)
    return response


def observe_decision(session: Session, task: HumanTask) -> None:
    days = max(0, load_calendar(session).count_between(task.created_on, business_today(session)))
    TIME_TO_DECISION.labels(task.step).observe(days)


def _gauges(session: Session) -> list[GaugeMetricFamily]:
    tasks = GaugeMetricFamily("certflow_open_tasks", "open human tasks by step", labels=["step"])
    for step, count in session.exec(
        select(HumanTask.step, func.count()).where(HumanTask.status.in_(("open", "claimed"))).group_by(HumanTask.step)
    ).all():
        tasks.add_metric([step], count)
    cases = GaugeMetricFamily("certflow_cases", "cases by process and status", labels=["process", "status"])
    for process in PROCESSES.values():
        table = process.table
        for status, count in session.exec(select(table.status, func.count()).group_by(table.status)).all():
            cases.add_metric([process.flow, status], count)
    queues = GaugeMetricFamily("certflow_engine_queue", "engine work waiting", labels=["queue"])
    queues.add_metric(
        ["outbox_undispatched"],
        session.exec(
            select(func.count()).select_from(OutboxMessage).where(OutboxMessage.dispatched_at.is_(None))
        ).one(),
    )
    queues.add_metric(
        ["wakeups_undelivered"],
        session.exec(select(func.count()).select_from(Wakeup).where(Wakeup.delivered_at.is_(None))).one(),
    )
    queues.add_metric(
        ["timers_pending"], session.exec(select(func.count()).select_from(Timer).where(Timer.status == "pending")).one()
    )
    queues.add_metric(
        ["incidents_open"],
        session.exec(select(func.count()).select_from(Incident).where(Incident.status != "resolved")).one(),
    )

    breaches = GaugeMetricFamily(
        "certflow_sla_open", "open SLA levels by step (at_risk counts running clocks)", labels=["step", "level"]
    )
    for step, level, count in session.exec(
        select(SlaBreach.step, SlaBreach.level, func.count())
        .where(SlaBreach.closed_at.is_(None), SlaBreach.level != "at_risk")
        .group_by(SlaBreach.step, SlaBreach.level)
    ).all():
        breaches.add_metric([step, level], count)
    for step, count in session.exec(
        select(SlaClock.step, func.count())
        .where(SlaClock.status == "running", SlaClock.level == "at_risk")
        .group_by(SlaClock.step)
    ).all():
        breaches.add_metric([step, "at_risk"], count)
    incidents = GaugeMetricFamily("certflow_incidents_open", "incidents not resolved, by kind (external calls out of "
                                  "retries, runs lost, certificates refused)", labels=["kind"])
    for kind, count in session.exec(select(Incident.kind, func.count()).where(Incident.status != "resolved")
                                    .group_by(Incident.kind)).all():
        incidents.add_metric([kind], count)
    endpoints = GaugeMetricFamily("certflow_webhook_endpoints", "webhook endpoints by state", labels=["state"])
    for enabled, count in session.exec(select(WebhookEndpoint.enabled, func.count())
                                       .group_by(WebhookEndpoint.enabled)).all():
        endpoints.add_metric(["enabled" if enabled else "disabled"], count)
    found = [tasks, cases, queues, breaches, incidents, endpoints]
    heartbeat = session.get(TickHeartbeat, 1)
    if heartbeat is not None:  # none before a tick first led on this database
        age = GaugeMetricFamily("certflow_tick_heartbeat_age_seconds", "seconds since the leading tick's last pass")
        beat_at = heartbeat.beat_at if heartbeat.beat_at.tzinfo else heartbeat.beat_at.replace(tzinfo=dt.UTC)
        age.add_metric([], max(0.0, (wall_now() - beat_at).total_seconds()))
        found.append(age)
    return found


class _Snapshot:
    def __init__(self, session: Session) -> None:
        self.session = session

    def collect(self):
        yield from _gauges(self.session)


def render(session: Session) -> Response:
    registry = CollectorRegistry()
    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        multiprocess.MultiProcessCollector(registry)
    else:
        from prometheus_client import REGISTRY

        registry = REGISTRY
    output = generate_latest(registry) + generate_latest(_one_off(session))
    return Response(output, media_type=CONTENT_TYPE_LATEST)


def _one_off(session: Session) -> CollectorRegistry:
    registry = CollectorRegistry()
    registry.register(_Snapshot(session))
    return registry
