"""The waits every process is made of: a person's decision, a working-day timer, an external call.

Each wait consults our database first, so a resumed (replayed) run passes the
steps already done at once; when the answer is not there yet the run is
suspended (no process held) until the tick or the API wakes it. Pause keys are
fresh on every suspension: a spurious wake-up simply suspends again.
"""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Callable
from contextlib import AbstractContextManager
from dataclasses import dataclass
from typing import TypeVar

from prefect import get_run_logger, task
from prefect.cache_policies import NO_CACHE
from prefect.flow_runs import suspend_flow_run
from prefect.runtime import flow_run
from prefect.tasks import exponential_backoff
from sqlmodel import Session

from core import settings
from models.db import session_scope
from models.facts import FlowFacts
from policy.profiles import get_profile
from tasks.waits import human_tasks, registry, timers

T = TypeVar("T")


def budget(case: FlowFacts, step: str) -> int:
    """A step's budget in working days, from the case's province profile (its `sla` table)."""
    return get_profile(case.profile_code).sla[step].budget

# Why a step is (rarely) a Prefect task. A step that only works on our database is a plain call in its
# own transaction: it is idempotent, a replay passes it at the cost of a query, and the audit trail is its
# record — as a task run it cost Prefect API round trips and state writes on every replay of every run
# (issue 31). Two steps stay tasks, each for something only a task gives:
#   _call_registry (below)         Prefect's retries with backoff around the national system's outages
#   render_certificate_documents   the one long step (a batch's PDFs): its task run is the progress the
#                                  tick's reviver reads (engine.tick._still_progressing) for a busy run
# Their results are neither cached nor persisted (cache_policy=NO_CACHE, persist_result=False): a cached
# "not yet" would be a lie on the next replay.


def db(readonly: bool = False) -> AbstractContextManager[Session]:
    return session_scope(settings.current().database_url, readonly=readonly)


def run_id() -> str | None:
    return str(flow_run.id) if flow_run.id else None


def wait_for(condition: Callable[[Session], T | None], *, what: str,
             meanwhile: Callable[[], None] | None = None) -> T:
    """Return the condition's answer, suspending the run until it has one; `meanwhile`, a step of its own
    (idempotent), runs at every wake before the condition is read (a loop the process runs while it waits)."""
    while True:
        if meanwhile is not None:
            meanwhile()
        with db(readonly=True) as session:  # conditions only read
            answer = condition(session)
        if answer:
            return answer
        get_run_logger().info("waiting: %s", what)
        suspend_flow_run(key=f"{what}:{uuid.uuid4().hex[:12]}")


@dataclass(frozen=True)
class Decision:
    decision: str
    payload: dict
    decided_by: int  # every decision is a signed-in person's


def open_human_task(**fields) -> int:
    """The human task of a step, created once. A replay finds it in a read: no writer's turn is taken for what
    the database already has (on SQLite, one writer at a time serves every process of the instance)."""
    this_run = run_id()
    with db(readonly=True) as session:
        existing = human_tasks.get_by_key(session, fields["key"])
        if existing is not None and (this_run is None or existing.flow_run_id == this_run):
            return existing.id
    with db() as session:
        return human_tasks.ensure_task(session, flow_run_id=this_run, **fields).id


def await_decision(*, key: str, case_type: str, case_id: int, step: str, role: str, jurisdiction: str,
                   due_working_days: int, assignee_id: int | None = None) -> Decision:
    """A human step: the task is created once, the run waits for its decision."""
    open_human_task(key=key, case_type=case_type, case_id=case_id, step=step, role=role, jurisdiction=jurisdiction,
                    due_working_days=due_working_days, assignee_id=assignee_id)
    return await_decisions([key])[0]


def await_decisions(keys: list[str]) -> list[Decision]:
    """Wait until every task of `keys` is decided (a panel decides in any order)."""

    def all_decided(session: Session) -> list[Decision] | None:
        found = [human_tasks.get_by_key(session, key) for key in keys]
        decided = [Decision(t.decision, t.decision_payload or {}, t.decided_by) for t in found
                   if t is not None and t.status == "decided" and t.decision is not None and t.decided_by is not None]
        return decided if len(decided) == len(keys) else None

    return wait_for(all_decided, what=f"decision of {', '.join(keys)}")


def _ensure_timer(**fields) -> tuple[int, str, bool]:
    """A working-day timer, set once (a replay finds it)."""
    with db() as session:
        timer = timers.ensure_timer(session, flow_run_id=run_id(), **fields)
        return timer.id, timer.period_end.isoformat(), timer.provisional


def _timer_fired(timer_id: int):
    return lambda session: timers.has_fired(session, timer_id=timer_id)


def wait_working_days(*, key: str, case_type: str, case_id: int, purpose: str, start: dt.date, working_days: int,
                      start_day_counts: bool = False, on_set: Callable[[dt.date, bool], None] | None = None,
                      meanwhile: Callable[[], None] | None = None) -> None:
    """A period of N working days from `start`; the run continues the day after its last day."""
    timer_id, period_end, provisional = _ensure_timer(key=key, case_type=case_type, case_id=case_id, purpose=purpose,
                                                      start=start, working_days=working_days,
                                                      start_day_counts=start_day_counts)
    if on_set is not None:
        on_set(dt.date.fromisoformat(period_end), provisional)
    wait_for(_timer_fired(timer_id), what=f"timer {key}", meanwhile=meanwhile)


def wait_for_answer(*, key: str, case_type: str, case_id: int, purpose: str, start: dt.date, working_days: int,
                    answered: Callable[[Session], bool], on_set: Callable[[dt.date, bool], None] | None = None) -> bool:
    """An answer awaited for N working days from `start`: True once it is in, False when the period ends
    first (the run continues the day after its last day either way)."""
    timer_id, period_end, provisional = _ensure_timer(key=key, case_type=case_type, case_id=case_id, purpose=purpose,
                                                      start=start, working_days=working_days)
    if on_set is not None:
        on_set(dt.date.fromisoformat(period_end), provisional)
    fired = _timer_fired(timer_id)
    outcome = wait_for(lambda session: "answered" if answered(session) else ("late" if fired(session) else None),
                       what=f"answer or timer {key}")
    return outcome == "answered"


def wait_until(*, key: str, case_type: str, case_id: int, purpose: str, day: dt.date) -> None:
    timer_id, _, _ = _ensure_timer(key=key, case_type=case_type, case_id=case_id, purpose=purpose,
                                   start=day, until=day)
    wait_for(_timer_fired(timer_id), what=f"timer {key}")


def _only_when_unavailable(_task, _task_run, state) -> bool:
    """Retry an I/O failure; never retry a refusal (a 4xx would be refused again)."""
    try:
        state.result()
    except registry.RegistryUnavailable:
        return True
    except Exception:  # noqa: BLE001
        return False
    return False


def national_key(purpose: str, qualifier: str, *parts: object) -> str:
    """An idempotency key the national system can tell apart from other instances' (our ids repeat
    across provinces): qualified by something unique nationally — an institution's certificate
    segment, a certificate number, an enterprise's credit code."""
    return ":".join([purpose, qualifier, *map(str, parts)])


@task(name="call the national system", retries=4, retry_delay_seconds=exponential_backoff(backoff_factor=1),
      retry_jitter_factor=0.2, retry_condition_fn=_only_when_unavailable, cache_policy=NO_CACHE,
      persist_result=False)
def _call_registry(path: str, key: str, payload: dict) -> dict:
    with db() as session:
        done = registry.previous_response(session, key)
    if done is not None:
        return done
    return registry.send(path, key, payload)


def call_external(*, kind: str, path: str, key: str, payload: dict, case_type: str, case_id: int) -> dict:
    """An external call with retries and backoff; out of retries it becomes an incident that
    operations can retry, and the run waits for that instead of failing."""
    while True:
        try:
            response = _call_registry(path, key, payload)
        except (registry.RegistryUnavailable, registry.RegistryRefused) as exc:
            with db() as session:
                registry.open_incident(session, kind=kind, case_type=case_type, case_id=case_id, error=str(exc),
                                       flow_run_id=run_id())
            get_run_logger().warning("%s out of retries: %s — incident opened", kind, exc)
            wait_for(lambda s: registry.incident_retry_requested(s, kind=kind, case_type=case_type, case_id=case_id),
                     what=f"incident retry {kind}")
            continue
        with db() as session:
            registry.record_success(session, key=key, kind=kind, case_type=case_type, case_id=case_id,
                                    response=response)
        return response
