"""The inbox of officers, experts, supervisors (and of enterprises for the steps their own body takes):
list, claim, release, decide."""

from __future__ import annotations

from typing import Annotated, Literal

from fastapi import APIRouter, BackgroundTasks, Query
from sqlmodel import select

from api import metrics
from api.deps import Id, SessionDep, SettingsDep, role
from api.errors import ERRORS
from api.pagination import CursorQuery, LimitQuery, decode_cursor, page
from engine.tick import wake_now
from models.responses import TaskOut, TaskPage
from models.schemas import DecisionIn, HandoverIn
from models.workflow import HumanTask
from tasks.cases import decisions, handover, seats
from tasks.people import access
from tasks.queries import views
from tasks.waits import human_tasks

router = APIRouter(prefix="/api/v1/tasks", tags=["tasks"], responses=ERRORS)
Worker = role("officer", "expert", "supervisor", "enterprise")  # an enterprise: the steps its own body takes
Officer = role("officer")


@router.get("", response_model=TaskPage, summary="My inbox: open tasks of my roles and jurisdiction, by due date")
def inbox(user: Worker, session: SessionDep, limit: LimitQuery = 50, cursor: CursorQuery = None,
          status: Annotated[Literal["open", "claimed", "active", "decided", "all"], Query()] = "active",
          step: Annotated[str | None, Query(max_length=40)] = None):
    query = select(HumanTask).where(access.inbox_filter(user))
    if status == "active":
        query = query.where(access.ACTIVE)
    elif status != "all":
        query = query.where(HumanTask.status == status)
    if step:
        query = query.where(HumanTask.step == step)
    after = decode_cursor(cursor)
    if after is not None:
        query = query.where(HumanTask.id > after)
    rows = session.exec(query.order_by(HumanTask.id).limit(limit + 1)).all()
    today = views.Today(session)
    return page([views.task_view(session, t, today) for t in rows], [t.id for t in rows], limit)


@router.get("/{task_id}", response_model=TaskOut, summary="One task")
def read_task(task_id: Id, user: Worker, session: SessionDep):
    return views.task_view(session, access.visible_task(session, user, task_id))


@router.post("/{task_id}/claim", response_model=TaskOut,
             summary="Take the task (claiming your own claim again is harmless)")
def claim(task_id: Id, user: Worker, session: SessionDep):
    task = access.visible_task(session, user, task_id)
    decisions.ensure_may_act(session, task, user)
    return views.task_view(session, human_tasks.claim(session, task, user_id=user.id, role=user.role))


@router.post("/{task_id}/release", response_model=TaskOut,
             summary="Give a claimed task back (a drawn seat is drawn again, never pooled)")
def release(task_id: Id, user: Worker, session: SessionDep):
    task = access.visible_task(session, user, task_id)
    return views.task_view(session, seats.give_back(session, task, user_id=user.id, role=user.role))


@router.post("/{task_id}/handover", response_model=TaskOut, summary="Hand the task to a colleague of your centre "
             "(its holder, or anyone of the centre for an unclaimed one); they receive it claimed")
def hand_over(task_id: Id, body: HandoverIn, user: Officer, session: SessionDep):
    task = access.visible_task(session, user, task_id)
    return views.task_view(session, handover.hand_over(session, task, by=user, to_user_id=body.to_user_id,
                                                       reason=body.reason))


@router.post("/{task_id}/redraw", response_model=TaskOut, summary="Draw a vacant drawn seat again (the case's officer)")
def redraw(task_id: Id, user: Officer, session: SessionDep):
    task = access.visible_task_for_officer(session, user, task_id)
    seats.redraw(session, task, released_by=None, officer=user)
    return views.task_view(session, task)


@router.post("/{task_id}/decision", response_model=TaskOut,
             summary="Decide: approve, reject, deficient (with the list), score, …")
def decide(task_id: Id, body: DecisionIn, user: Worker, session: SessionDep, settings: SettingsDep,
           background: BackgroundTasks):
    task = access.visible_task(session, user, task_id)
    decided = decisions.decide(session, task=task, user=user, body=body)
    metrics.observe_decision(session, decided)
    background.add_task(wake_now, settings, decided.flow_run_id)
    return views.task_view(session, decided)
