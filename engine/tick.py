"""The tick: starts queued runs, fires due timers, delivers wake-ups, revives crashed runs.

APScheduler runs these inside `certflow up`; at scale the same functions run as a
scheduled Prefect deployment. Each pass is bounded and safe to run concurrently
with itself being skipped (max one instance per job).
"""

from __future__ import annotations

import datetime as dt
import logging
import os
import socket
import time

from sqlalchemy import exists, or_
from sqlmodel import Session, col, select

from core.clock import wall_now
from core.settings import Settings
from engine import workflow
from engine.leader import Leadership
from engine.nudge import nudge
from models.case_kinds import PROCESSES
from models.cases import Revocation
from models.clock import business_today
from models.db import session_scope
from models.workflow import OutboxMessage, TickHeartbeat, Wakeup
from tasks.exchange import webhooks
from tasks.records import evidence
from tasks.waits import digest, inactivity, registry, sla
from tasks.waits.timers import fire_due_timers

log = logging.getLogger("certflow.tick")
REVIVE_LIMIT = 3


def stale_after(settings: Settings) -> dt.timedelta:
    """A run RUNNING (or PENDING) this long without a state change has lost its process (steps take
    seconds, retries at most about a minute, a runner starts a claimed run within seconds)."""
    return dt.timedelta(seconds=settings.stale_run_seconds)


def retry_delay(failures: int) -> dt.timedelta:
    """How long a run start waits after its `failures`-th failed attempt: 0.5 s, doubling, at most 30 s —
    a Prefect server back from a restart is used within 30 s, a start refused for good is tried twice a
    minute, not on every pass."""
    return dt.timedelta(seconds=min(0.5 * 2 ** max(failures - 1, 0), 30.0))


def dispatch_outbox(settings: Settings, *, limit: int = 50, max_seconds: float = 5.0) -> int:
    """Start the queued flow runs at the rate the Prefect server takes; a failed start (a 503, a server
    gone) leaves the row for a later pass, after retry_delay()."""
    started = 0
    deadline = time.monotonic() + max_seconds
    with session_scope(settings.database_url, readonly=True) as session:
        due = or_(col(OutboxMessage.retry_after).is_(None), col(OutboxMessage.retry_after) <= wall_now())
        pending = session.exec(
            select(OutboxMessage).where(col(OutboxMessage.dispatched_at).is_(None), due)
            .order_by(col(OutboxMessage.id)).limit(limit)
        ).all()
    for message in pending:
        if time.monotonic() > deadline:
            break
        try:
            run_id = workflow.start_run(
                settings.prefect_api_url, message.kind, message.parameters, idempotency_key=f"outbox-{message.id}"
            )
        except workflow.PrefectBusy as exc:
            _note_failure(settings, message.id, str(exc))
            time.sleep(0.2)  # back off: the server is saturated
            continue
        except Exception as exc:  # a bad row must not stop the others
            log.exception("starting %s for case %s failed", message.kind, message.case_id)
            _note_failure(settings, message.id, f"{type(exc).__name__}: {exc}")
            continue
        with session_scope(settings.database_url) as session:
            row = session.get(OutboxMessage, message.id)
            row.dispatched_at, row.flow_run_id, row.attempts = wall_now(), run_id, row.attempts + 1
            session.add(row)
            case = session.get(PROCESSES[message.kind].table, message.case_id)
            if case is not None:
                case.flow_run_id = run_id
                session.add(case)
        started += 1
    if started:
        nudge(settings)  # once per pass: a nudge per start would have the runners poll without pause
    return started


def _note_failure(settings: Settings, message_id: int, error: str) -> None:
    with session_scope(settings.database_url) as session:
        row = session.get(OutboxMessage, message_id)
        failures = row.attempts + 1  # a row is dispatched once: every attempt before that failed
        row.attempts, row.last_error = failures, error[:500]
        row.retry_after = wall_now() + retry_delay(failures)
        session.add(row)


def fire_timers(settings: Settings) -> int:
    with session_scope(settings.database_url) as session:
        return len(fire_due_timers(session, business_today(session)))


def deliver_webhooks(settings: Settings) -> dict[str, int]:
    """Queue new events for the webhook endpoints and post the due deliveries (never inside a transaction)."""
    return webhooks.deliver_pass(settings.database_url)


def scan_sla(settings: Settings, notifier=None) -> int:
    """The SLA pass (the `sla_scan` deployment runs the same function at scale)."""
    return sla.scan_and_deliver(settings, notifier)


_inactivity_scanned_on: dict[str, dt.date] = {}  # database → the business day last scanned by this process


def scan_inactivity(settings: Settings) -> dict[str, int] | None:
    """The inactivity pass, once per business day (the `inactivity_scan` deployment runs the same
    function at scale); a simulated clock moved forward is scanned at the next pass."""
    today, counts = inactivity.scan_today(
        settings.database_url, unless_scanned_on=_inactivity_scanned_on.get(settings.database_url)
    )
    _inactivity_scanned_on[settings.database_url] = today
    return counts


def deliver_wakeups(settings: Settings, *, limit: int = 200) -> int:
    """Resume the runs that have something new; a run not suspended yet keeps its wake-up for the next pass."""
    with session_scope(settings.database_url, readonly=True) as session:
        pending = session.exec(
            select(Wakeup).where(Wakeup.delivered_at.is_(None)).order_by(Wakeup.id).limit(limit)
        ).all()
    by_run: dict[str, list[int]] = {}
    for wakeup in pending:
        by_run.setdefault(wakeup.flow_run_id, []).append(wakeup.id)
    delivered = 0
    for run_id, ids in by_run.items():
        try:
            outcome = workflow.resume(settings.prefect_api_url, run_id)
        except workflow.PrefectBusy:
            break
        except Exception as exc:  # noqa: BLE001
            outcome, error = "waiting", f"{type(exc).__name__}: {exc}"
        else:
            error = None
        with session_scope(settings.database_url) as session:
            for wakeup in session.exec(select(Wakeup).where(Wakeup.id.in_(ids))).all():
                wakeup.attempts += 1
                if outcome in ("resumed", "finished"):
                    wakeup.delivered_at = wall_now()
                    delivered += 1
                wakeup.last_error = error
                session.add(wakeup)
    if delivered:
        nudge(settings)
    return delivered


HEARTBEAT_SECONDS = 5


def beat(settings: Settings) -> None:
    """The leader's heartbeat: operations alert when it grows old (deploy/prometheus/alerts.yml)."""
    with session_scope(settings.database_url) as session:
        heartbeat = session.get(TickHeartbeat, 1) or TickHeartbeat(id=1, leader="", beat_at=wall_now())
        heartbeat.leader, heartbeat.beat_at = f"{socket.gethostname()}:{os.getpid()}"[:200], wall_now()
        session.add(heartbeat)


def anchor_audit_trail(settings: Settings) -> bool:
    """The day's anchor of the audit trail's global chain (once a day; later ticks find it made)."""
    with session_scope(settings.database_url) as session:
        return evidence.make_anchor(session) is not None


def wake_now(settings: Settings, flow_run_id: str | None) -> None:
    """Fast path after a decision: try to resume at once; the tick retries whatever this misses."""
    if not flow_run_id or not settings.prefect_api_url:
        return  # no server configured (tests of the API alone): the tick delivers it when there is one

    try:
        # only the wake-ups committed before this resume are answered by it: one committed while the
        # resumed run is already running (a second decision) must stay for the tick, or the run,
        # suspending again, would never hear of it
        with session_scope(settings.database_url, readonly=True) as session:
            answered = list(
                session.exec(
                    select(Wakeup.id).where(Wakeup.flow_run_id == flow_run_id, Wakeup.delivered_at.is_(None))
                ).all()
            )
        if answered and workflow.resume(settings.prefect_api_url, flow_run_id) in ("resumed", "finished"):
            nudge(settings)  # the resumed run is found now, not at the runner's next poll
            with session_scope(settings.database_url) as session:
                for wakeup in session.exec(select(Wakeup).where(Wakeup.id.in_(answered))).all():
                    wakeup.delivered_at, wakeup.attempts = wall_now(), wakeup.attempts + 1
                    session.add(wakeup)
    except Exception as exc:  # noqa: BLE001 - the tick will deliver it
        log.info("immediate resume of %s deferred: %s", flow_run_id, exc)


def revive_crashed_runs(settings: Settings) -> int:
    """A run that crashed or was cancelled by an infrastructure stop (not by a business outcome) is
    started again: every step is idempotent, so the new run continues where the old one stood."""
    revived = 0
    with session_scope(settings.database_url, readonly=True) as session:
        active = _active_runs(session)
    if not active:
        return 0
    try:
        states = workflow.run_states(settings.prefect_api_url, [run for run, _, _ in active])
    except Exception as exc:  # noqa: BLE001
        log.info("revive check skipped: %s", exc)
        return 0
    now = dt.datetime.now(dt.UTC)
    for run_id, kind, case_id in active:
        state, since = states.get(run_id, (None, now))
        # RUNNING without progress: its process is gone. PENDING that long: the runner that claimed it
        # (state "Submitting") died before starting it, and no other runner will take a claimed run.
        if (
            state in ("RUNNING", "PENDING")
            and now - since > stale_after(settings)
            and not _still_progressing(settings, run_id, state, now)
        ):
            log.warning(
                "run %s of %s %s has been %s since %s: its process is gone", run_id, kind, case_id, state, since
            )
            try:
                workflow.mark_crashed(settings.prefect_api_url, run_id, "no progress: the process running it is gone")
            except Exception as exc:  # noqa: BLE001
                log.info("could not mark %s crashed: %s", run_id, exc)
                continue
            state = "CRASHED"
        if state not in ("CRASHED", "CANCELLED", "FAILED"):
            continue
        with session_scope(settings.database_url) as session:
            if not _still_current(session, kind, case_id, run_id):
                continue  # started again since `active` was read (seen: one crash revived twice, two live runs)
            revivals = session.exec(
                select(OutboxMessage).where(OutboxMessage.kind == kind, OutboxMessage.case_id == case_id)
            ).all()
            case_type, case_ref = _incident_case(session, kind, case_id)
            if len(revivals) > REVIVE_LIMIT:
                # a run that keeps dying is not started again by itself: operations are told, and their retry
                # starts it once more (never left waiting with nobody knowing)
                if not registry.incident_retry_requested(session, kind="run_lost", case_type=case_type,
                                                         case_id=case_ref):
                    registry.ensure_incident(session, kind="run_lost", case_type=case_type, case_id=case_ref,
                                             flow_run_id=run_id, error=f"{kind} {case_id}: run {run_id} is {state} "
                                             f"after {len(revivals) - 1} restarts; started again only by an operator")
                    continue
                registry.resolve_incidents(session, kind="run_lost", case_type=case_type, case_id=case_ref)
            log.warning("reviving %s %s: run %s is %s", kind, case_id, run_id, state)
            session.add(PROCESSES[kind].start(case_id, wall_now()))
            revived += 1
    return revived


def _incident_case(session: Session, kind: str, case_id: int) -> tuple[str, int]:
    """The case an incident of this run is shown on (a revocation's: its batch's page)."""
    if kind == "certificate_revocation":
        return "plan", session.get(Revocation, case_id).plan_id
    return PROCESSES[kind].case_type, case_id


def _still_progressing(settings: Settings, run_id: str, state: str, now: dt.datetime) -> bool:
    """A RUNNING run whose steps (task runs) changed state within the stale window is alive: only its
    own state stood still. (Without this a loaded machine's slow replays were declared dead, restarted
    beside themselves, and after REVIVE_LIMIT restarts the case was silently never started again.)"""
    if state != "RUNNING":
        return False
    try:
        progress = workflow.last_progress(settings.prefect_api_url, run_id)
    except Exception as exc:  # noqa: BLE001 - judged by its own state, as before
        log.info("progress of %s unknown: %s", run_id, exc)
        return False
    return progress is not None and now - progress <= stale_after(settings)


def _active_runs(session: Session) -> list[tuple[str, str, int]]:
    """The current run of every unfinished case that has no start queued, each table read in one statement
    (one snapshot: read case by case, a start dispatched between two reads looked like no start at all)."""
    active: list[tuple[str, str, int]] = []
    finished = ("registered", "rejected", "withdrawn", "completed", "refused", "notified")
    for kind, process in PROCESSES.items():
        table = process.table
        queued = exists().where(col(OutboxMessage.kind) == kind, col(OutboxMessage.case_id) == table.id,
                                col(OutboxMessage.dispatched_at).is_(None))
        for case_id, run_id in session.exec(
            select(table.id, table.flow_run_id).where(
                col(table.flow_run_id).is_not(None), col(table.status).not_in(finished), ~queued)
        ).all():
            active.append((run_id, kind, case_id))
    return active


def _still_current(session: Session, kind: str, case_id: int, run_id: str) -> bool:
    """In the reviving transaction: the run judged dead is still the case's run, with no start queued. The
    case row is locked, so a second reviver (a standby about to lead) waits and then finds the new start."""
    table = PROCESSES[kind].table
    current = session.exec(select(table.flow_run_id).where(table.id == case_id).with_for_update()).first()
    queued = session.exec(select(OutboxMessage.id).where(
        OutboxMessage.kind == kind, OutboxMessage.case_id == case_id, col(OutboxMessage.dispatched_at).is_(None))
    ).first()
    return current == run_id and queued is None


def start_scheduler(settings: Settings):
    """APScheduler jobs of the embedded mode and of `certflow serve tick`. Several tick processes may
    run; only the one holding the leadership does the passes (engine/leader.py says why)."""
    from apscheduler.schedulers.background import BackgroundScheduler

    leadership = Leadership(settings.database_url)

    # a pass still running when the next is due is simply skipped: not worth a warning each time
    logging.getLogger("apscheduler.scheduler").setLevel(logging.ERROR)
    logging.getLogger("apscheduler.executors.default").setLevel(logging.WARNING)

    scheduler = BackgroundScheduler(job_defaults={"coalesce": True, "max_instances": 1, "misfire_grace_time": 30})

    def guarded(name, fn):
        def run():
            try:
                if not leadership.held():
                    return  # another tick leads; this one stands by
                fn(settings)
            except Exception:  # the next pass tries again
                log.exception("tick job %s failed", name)

        return run

    scheduler.add_job(guarded("dispatch", dispatch_outbox), "interval", seconds=0.5, id="dispatch")
    scheduler.add_job(guarded("timers", fire_timers), "interval", seconds=1, id="timers")
    scheduler.add_job(guarded("wakeups", deliver_wakeups), "interval", seconds=0.5, id="wakeups")
    scheduler.add_job(guarded("sla", scan_sla), "interval", seconds=settings.sla_scan_seconds, id="sla")
    scheduler.add_job(
        guarded("inactivity", scan_inactivity), "interval", seconds=settings.sla_scan_seconds, id="inactivity"
    )
    scheduler.add_job(guarded("webhooks", deliver_webhooks), "interval", seconds=1, id="webhooks")
    scheduler.add_job(
        guarded("audit_anchor", anchor_audit_trail), "interval", seconds=settings.sla_scan_seconds, id="audit_anchor"
    )
    scheduler.add_job(guarded("digest", digest.send_due_digests), "interval", seconds=60, id="digest")
    scheduler.add_job(guarded("heartbeat", beat), "interval", seconds=HEARTBEAT_SECONDS, id="heartbeat")
    scheduler.add_job(guarded("revive", revive_crashed_runs), "interval", seconds=settings.revive_seconds, id="revive")
    scheduler.start()
    scheduler.certflow_leadership = leadership
    return scheduler


def stop_scheduler(scheduler) -> None:
    """Stop the passes, then hand the leadership on (a standby tick takes over at its next pass)."""
    scheduler.shutdown(wait=True)
    scheduler.certflow_leadership.release()
