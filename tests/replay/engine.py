"""The runner and the tick, in-process: the replay tier's engine.

On the real stack a flow run is suspended at each wait and resumed by the tick or the API; its body
then runs again from the top (a replay), passing what the database says is done. Here the same flow
functions are called in-process on the session's test Prefect API: a suspension becomes a recorded
wait (`RecordedWait`), and `step()` does one pass of the tick — starts queued runs, fires the timers
due on the business clock, delivers wake-ups by calling the woken run's flow again, scans inactivity.
A run keeps one id across its replays, as a resumed run does, so tasks, timers and wake-ups name it.

What this cannot prove — the suspension itself, the runner, the tick's processes, revival after a
crash — is what the stack tier keeps (tests/stack, tests/browser).
"""

from __future__ import annotations

import dataclasses
import importlib
import sys
import uuid
from typing import Any

from sqlmodel import select

from core.clock import wall_now
from models.case_kinds import PROCESSES
from models.clock import business_today
from models.db import session_scope
from models.workflow import OutboxMessage, Wakeup
from tasks.waits import inactivity
from tasks.waits.timers import fire_due_timers

_RUNS = uuid.UUID("5f1c2a0e-3d5b-4c1e-9a43-2f0c9a7e6b10")  # the namespace of replay run ids


class RecordedWait(Exception):
    """What the run would have been suspended for (the wait's own words, without the fresh suffix)."""


@dataclasses.dataclass
class Run:
    kind: str
    parameters: dict[str, Any]
    state: str = "SCHEDULED"  # PAUSED at a recorded wait, COMPLETED once the flow returned
    waits: list[str] = dataclasses.field(default_factory=list)
    result: Any = None


class ReplayEngine:
    def __init__(self, database_url: str) -> None:
        self.url = database_url
        self.runs: dict[str, Run] = {}
        self.current: str | None = None  # the run whose body is executing
        self._inactivity_scanned_on = None

    # -- what the flows see ------------------------------------------------------------------

    def run_id(self) -> str | None:
        return self.current

    @staticmethod
    def suspend(*, key: str, **_: Any) -> None:
        raise RecordedWait(key.rsplit(":", 1)[0])

    # -- the runner ----------------------------------------------------------------------------

    @staticmethod
    def flow(kind: str):
        """The process's flow: each deployment's flow is `flows.<kind>.<kind>` (prefect.yaml)."""
        return getattr(importlib.import_module(f"flows.{kind}"), kind)

    def replay(self, run_id: str) -> None:
        """Run the flow's body from the top, as a resumed run does, until it returns or waits."""
        run = self.runs[run_id]
        self.current, run.state = run_id, "RUNNING"
        try:
            run.result = self.flow(run.kind)(**run.parameters)
        except RecordedWait as wait:
            run.state = "PAUSED"
            run.waits.append(str(wait))
        except BaseException:
            run.state = "FAILED"
            raise
        else:
            run.state = "COMPLETED"
        finally:
            self.current = None

    def state_of(self, run_id: str) -> str:
        return self.runs[run_id].state

    def waiting(self) -> dict[str, str]:
        """Each paused run's last wait, for a failure's message."""
        return {f"{r.kind} {r.parameters}": r.waits[-1] for r in self.runs.values() if r.state == "PAUSED"}

    # -- the tick ------------------------------------------------------------------------------

    def start_queued_runs(self) -> int:
        with session_scope(self.url) as session:
            queued = session.exec(select(OutboxMessage).where(OutboxMessage.dispatched_at.is_(None))
                                  .order_by(OutboxMessage.id)).all()
            started = []
            for message in queued:
                run_id = str(uuid.uuid5(_RUNS, f"{self.url}/{message.id}"))
                self.runs[run_id] = Run(message.kind, dict(message.parameters))
                message.dispatched_at, message.flow_run_id, message.attempts = wall_now(), run_id, message.attempts + 1
                session.add(message)
                case = session.get(PROCESSES[message.kind].table, message.case_id)
                if case is not None:
                    case.flow_run_id = run_id
                    session.add(case)
                started.append(run_id)
        for run_id in started:
            self.replay(run_id)
        return len(started)

    def fire_timers(self) -> int:
        with session_scope(self.url) as session:
            return len(fire_due_timers(session, business_today(session)))

    def deliver_wakeups(self) -> int:
        """Each woken run replays once, whatever number of wake-ups it has (as one resume answers them all)."""
        with session_scope(self.url) as session:
            pending = session.exec(select(Wakeup).where(Wakeup.delivered_at.is_(None)).order_by(Wakeup.id)).all()
            woken = list(dict.fromkeys(w.flow_run_id for w in pending))
            for wakeup in pending:
                wakeup.delivered_at, wakeup.attempts = wall_now(), wakeup.attempts + 1
                session.add(wakeup)
        unknown = [run_id for run_id in woken if run_id not in self.runs]
        if unknown:  # a wake-up for a run this engine did not start: a flow read an id that is not the run's
            raise AssertionError(f"wake-ups for runs the engine never started: {unknown}")
        replayed = 0
        for run_id in woken:
            if self.runs[run_id].state == "PAUSED":
                self.replay(run_id)
                replayed += 1
        return replayed

    def scan_inactivity(self) -> int:
        today, counts = inactivity.scan_today(self.url, unless_scanned_on=self._inactivity_scanned_on)
        self._inactivity_scanned_on = today
        return sum((counts or {}).values())

    def step(self) -> bool:
        """One pass of the tick; False when nothing moved (every run waits for a person or the clock)."""
        moved = self.start_queued_runs() + self.fire_timers() + self.deliver_wakeups() + self.scan_inactivity()
        return moved > 0

    def settle(self, limit: int = 200) -> None:
        for _ in range(limit):
            if not self.step():
                return
        raise AssertionError(f"the processes did not settle in {limit} passes")


def install(engine: ReplayEngine, monkeypatch) -> None:
    """Point the flows at the engine: its run ids, its recorded suspension, retries without their delay
    (the number of tries is what the tests pin; the backoff is Prefect's)."""
    import flows.steps as steps

    for kind in PROCESSES:  # every flow module imported, so each one's own `run_id` is replaced
        ReplayEngine.flow(kind)
    original = steps.run_id
    for name, module in list(sys.modules.items()):
        if (name == "flows" or name.startswith("flows.")) and getattr(module, "run_id", None) is original:
            monkeypatch.setattr(module, "run_id", engine.run_id)
    monkeypatch.setattr(steps, "suspend_flow_run", engine.suspend)
    monkeypatch.setattr(steps, "_call_registry", steps._call_registry.with_options(retry_delay_seconds=0))
