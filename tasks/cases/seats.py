"""Drawn seats (an expert panel's, a quality supervisor's): whoever the draw named holds the seat.

Released, a seat is drawn again among those who may hold it, never handed on and never pooled;
with nobody left to draw it stays vacant, and the centre's officer draws it when someone is."""

from __future__ import annotations

from sqlmodel import Session, col, select

from models.accounts import User
from models.case_kinds import institution_case
from models.cases import DrawRecord
from models.workflow import HumanTask
from policy import draws as draw_rules
from tasks.cases import credit, filing
from tasks.errors import Conflict
from tasks.records import audit, draws
from tasks.waits import human_tasks


def _released_before(session: Session, task: HumanTask) -> set[int]:
    rows = session.exec(select(DrawRecord).where(DrawRecord.case_type == task.case_type,
                                                 DrawRecord.case_id == task.case_id,
                                                 DrawRecord.purpose == "seat_redraw")).all()
    return {int(r.result["released_by"]) for r in rows
            if r.result.get("task_id") == task.id and r.result.get("released_by") is not None}


def candidates_for(session: Session, task: HumanTask, *, released_by: int | None) -> list[int]:
    """Who may take this seat now: the step's own rules of exclusion, minus those holding another
    seat of the case and everyone who gave this seat back."""
    excluded = _released_before(session, task) | ({released_by} if released_by else set())
    others = session.exec(select(HumanTask).where(HumanTask.case_type == task.case_type,
                                                  HumanTask.case_id == task.case_id, HumanTask.id != task.id)).all()
    excluded |= {t.assignee_id for t in others if t.step == task.step and t.assignee_id}
    if task.step == "expert_evaluation":
        excluded |= {t.decided_by for t in others if t.step == "acceptance" and t.decided_by}
        return filing.eligible_experts(session, filing_id=task.case_id, exclude=excluded)
    case = institution_case(session, task.case_type, task.case_id)
    own = case.institution_id if case is not None else None  # nobody may take a seat on their institution's case
    pool = session.exec(select(User.id).where(User.role == task.role, col(User.disabled_at).is_(None),
                                              (col(User.institution_id).is_(None))
                                              | (col(User.institution_id) != own))).all()
    return sorted(p for p in pool if p not in excluded | credit.blacklisted_user_ids(session))


def give_back(session: Session, task: HumanTask, *, user_id: int, role: str) -> HumanTask:
    """Release a claimed task: a pooled task returns to its pool; a drawn seat is drawn again (the
    person releasing it cannot hand it to anyone)."""
    human_tasks.release(session, task, user_id=user_id, role=role)
    if task.assignment == "drawn":
        redraw(session, task, released_by=user_id)
    return task


def redraw(session: Session, task: HumanTask, *, released_by: int | None, officer: User | None = None) -> int | None:
    """Draw the seat again (recorded like every draw); returns the new holder, or None (vacant)."""
    if task.assignment != "drawn" or task.status != "open" or task.assignee_id is not None:
        raise Conflict(f"task {task.id} is not a vacant drawn seat")
    eligible = candidates_for(session, task, released_by=released_by)
    seed = draw_rules.new_seed()
    chosen = draw_rules.draw_panel(seed, eligible, 1)
    draws.record(session, case_type=task.case_type, case_id=task.case_id, purpose="seat_redraw", seed=seed,
                 candidates=eligible, result={"task_id": task.id, "chosen": chosen, "released_by": released_by,
                                              "by": officer.id if officer else None})
    if not chosen:
        audit.record(session, case_type=task.case_type, case_id=task.case_id, action=f"seat_vacant:{task.step}",
                     actor_id=officer.id if officer else None, actor_role=officer.role if officer else "system",
                     after={"task_id": task.id})
        return None
    human_tasks.assign(session, task, assignee_id=chosen[0])
    return chosen[0]
