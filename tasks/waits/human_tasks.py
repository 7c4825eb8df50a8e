"""Human tasks: created by the flows, claimed and decided by people, with optimistic locking."""

from __future__ import annotations

from typing import Any

from sqlalchemy import CursorResult, update
from sqlmodel import Session, col, select

from core.clock import wall_now
from models.clock import business_instant, business_today
from models.db import insert_once
from models.workflow import HumanTask, Wakeup
from tasks.records import audit
from tasks.waits import sla
from tasks.waits.calendar import load_calendar

OPEN_STATES = ("open", "claimed")


class TaskConflict(Exception):
    """The task is not in a state that allows this (already decided, claimed by another, …)."""


def ensure_task(session: Session, *, key: str, case_type: str, case_id: int, step: str, role: str,
                jurisdiction: str, due_working_days: int, flow_run_id: str | None,
                assignee_id: int | None = None, start_day_counts: bool = False, drawn: bool = False) -> HumanTask:
    """The task with this key, created on first call (a replayed flow finds the same task).
    `drawn`: the seat was filled (or left vacant) by a random draw; it never goes to a pool."""
    existing = session.exec(select(HumanTask).where(HumanTask.key == key)).first()
    if existing is not None:
        if flow_run_id and existing.flow_run_id != flow_run_id:
            existing.flow_run_id = flow_run_id
            session.add(existing)
        return existing
    today = business_today(session)
    due = load_calendar(session).add(today, due_working_days, start_day_counts=start_day_counts)
    task = HumanTask(
        key=key,
        case_type=case_type,
        case_id=case_id,
        step=step,
        role=role,
        jurisdiction=jurisdiction,
        assignee_id=assignee_id,
        status="claimed" if assignee_id else "open",
        created_on=today,
        assignment="drawn" if drawn or assignee_id else "pool",
        start_day_counts=start_day_counts,
        due_working_days=due_working_days,
        due_date=due.date,
        due_provisional=due.provisional,
        flow_run_id=flow_run_id,
        created_at=wall_now(),
    )
    task, inserted = insert_once(
        session, task, lambda: session.exec(select(HumanTask).where(HumanTask.key == key)).one()
    )
    if not inserted:  # created concurrently by another replay: use that one
        return task
    clock = sla.start_or_resume(
        session,
        case_type=case_type,
        case_id=case_id,
        step=step,
        jurisdiction=jurisdiction,
        start_day_counts=start_day_counts,
    )
    if clock is not None:  # the step's budget, pauses included, is the task's deadline
        task.due_date, task.due_provisional = clock.due_date, clock.provisional
        due = type(due)(clock.due_date, clock.provisional)
        session.add(task)
    audit.record(
        session,
        case_type=case_type,
        case_id=case_id,
        action=f"task_created:{step}",
        after={
            "task_id": task.id,
            "role": role,
            "due_date": due.date.isoformat(),
            "due_provisional": due.provisional,
            "assignee_id": assignee_id,
        },
    )
    return task


def _guarded_update(session: Session, task: HumanTask, allowed_from: tuple[str, ...], **values: Any) -> None:
    result = session.execute(
        update(HumanTask)
        .where(col(HumanTask.id) == task.id, col(HumanTask.version) == task.version,
               col(HumanTask.status).in_(allowed_from))
        .values(version=task.version + 1, **values)
    )
    if not isinstance(result, CursorResult) or result.rowcount != 1:  # an UPDATE answers a cursor's row count
        session.refresh(task)
        raise TaskConflict(f"task {task.id} is {task.status} (changed meanwhile); nothing was changed")
    session.refresh(task)


def claim(session: Session, task: HumanTask, *, user_id: int, role: str) -> HumanTask:
    if task.status == "claimed" and task.assignee_id == user_id:
        return task  # claiming twice is harmless
    if task.status != "open":
        raise TaskConflict(
            f"task {task.id} is {task.status}" + (" by someone else" if task.status == "claimed" else "")
        )
    _guarded_update(session, task, ("open",), status="claimed", assignee_id=user_id)
    audit.record(
        session,
        case_type=task.case_type,
        case_id=task.case_id,
        action=f"task_claimed:{task.step}",
        actor_id=user_id,
        actor_role=role,
        after={"task_id": task.id},
    )
    return task


def release(session: Session, task: HumanTask, *, user_id: int, role: str) -> HumanTask:
    """Give a claimed task back to its pool (a drawn seat is given back through seats.give_back,
    which draws it again)."""
    if task.status != "claimed" or task.assignee_id != user_id:
        raise TaskConflict(f"task {task.id} is not claimed by you")
    _guarded_update(session, task, ("claimed",), status="open", assignee_id=None)
    audit.record(
        session,
        case_type=task.case_type,
        case_id=task.case_id,
        action=f"task_released:{task.step}",
        actor_id=user_id,
        actor_role=role,
        after={"task_id": task.id},
    )
    return task


def give_to(session: Session, task: HumanTask, *, assignee_id: int, by_id: int, by_role: str,
            reason: str) -> HumanTask:
    """Hand the task, open or claimed, to a named person, claimed (the checks are tasks.cases.handover's)."""
    before = task.assignee_id
    _guarded_update(session, task, ("open", "claimed"), status="claimed", assignee_id=assignee_id)
    audit.record(session, case_type=task.case_type, case_id=task.case_id, action=f"task_handed_over:{task.step}",
                 actor_id=by_id, actor_role=by_role, before={"assignee_id": before},
                 after={"task_id": task.id, "assignee_id": assignee_id, "reason": reason})
    return task


def assign(session: Session, task: HumanTask, *, assignee_id: int) -> HumanTask:
    """Put a drawn seat with the person the draw named."""
    _guarded_update(session, task, ("open",), status="claimed", assignee_id=assignee_id)
    audit.record(
        session,
        case_type=task.case_type,
        case_id=task.case_id,
        action=f"task_assigned:{task.step}",
        after={"task_id": task.id, "assignee_id": assignee_id},
    )
    return task


def decide(
    session: Session,
    task: HumanTask,
    *,
    decision: str,
    payload: dict[str, Any],
    user_id: int,
    role: str,
    expected_version: int | None = None,
) -> HumanTask:
    """Record the decision once; a second decision (or a stale version) raises TaskConflict."""
    if task.status not in OPEN_STATES:
        raise TaskConflict(
            f"task {task.id} is already {task.status}; a decision was taken on "
            f"{task.decided_at.isoformat() if task.decided_at else 'an earlier date'}"
        )
    if expected_version is not None and expected_version != task.version:
        raise TaskConflict(
            f"task {task.id} changed since you loaded it (version {task.version}, not {expected_version})"
        )
    before = {"status": task.status}
    _guarded_update(
        session,
        task,
        OPEN_STATES,
        status="decided",
        decision=decision,
        decision_payload=payload,
        decided_by=user_id,
        decided_at=business_instant(session),
        assignee_id=task.assignee_id or user_id,
    )
    audit.record(
        session,
        case_type=task.case_type,
        case_id=task.case_id,
        action=f"task_decided:{task.step}",
        actor_id=user_id,
        actor_role=role,
        before=before,
        after={"task_id": task.id, "decision": decision, **({"payload": payload} if payload else {})},
    )
    sla.after_decision(session, task, decision)
    if task.flow_run_id:
        wake(session, task.flow_run_id, reason=f"task {task.id} decided")
    return task


def cancel_open_tasks(session: Session, *, case_type: str, case_id: int, reason: str) -> int:
    tasks = session.exec(
        select(HumanTask).where(
            HumanTask.case_type == case_type, HumanTask.case_id == case_id, col(HumanTask.status).in_(OPEN_STATES)
        )
    ).all()
    for task in tasks:
        task.status, task.decision, task.version = "cancelled", reason, task.version + 1
        session.add(task)
    sla.complete_case(session, case_type=case_type, case_id=case_id)
    return len(tasks)


def wake(session: Session, flow_run_id: str, *, reason: str) -> None:
    session.add(Wakeup(flow_run_id=flow_run_id, reason=reason, created_at=wall_now()))


def get_by_key(session: Session, key: str) -> HumanTask | None:
    return session.exec(select(HumanTask).where(HumanTask.key == key)).first()
