"""Prometheus metrics: HTTP requests and latencies, open tasks by step, cases by status, engine queues.

With several API worker processes, PROMETHEUS_MULTIPROC_DIR (set by `certflow up`) makes every
worker's counters add up in one scrape.
"""

from __future__ import annotations

import os
import time

from fastapi import Request, Response
from prometheus_client import CONTENT_TYPE_LATEST, CollectorRegistry, Counter, Histogram, generate_latest, multiprocess
from prometheus_client.core import GaugeMetricFamily
from sqlmodel import Session, func, select

from models.cases import EvaluationPlan, FilingApplication
from models.clock import business_today
from models.sla import SlaBreach, SlaClock
from models.workflow import HumanTask, Incident, OutboxMessage, Timer, Wakeup
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
    for process, table in (("institution_filing", FilingApplication), ("evaluation_batch", EvaluationPlan)):
        for status, count in session.exec(select(table.status, func.count()).group_by(table.status)).all():
            cases.add_metric([process, status], count)
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
    return [tasks, cases, queues, breaches]


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
