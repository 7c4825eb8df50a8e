"""Evaluation plans (认定实施计划) and their results."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, BackgroundTasks, Header, Request

from api.deps import Id, SessionDep, SettingsDep, UserDep, role
from api.errors import ERRORS
from api.idempotency import idempotent
from engine.tick import wake_now
from models.responses import Dismissed, DocumentsProgress, InstitutionOut, ObjectionCreated, PlanOut
from models.schemas import (
    CorrectionsAnswer,
    DismissIdentical,
    HolderCorrection,
    LadderFiling,
    ObjectionCreate,
    PlanCreate,
    ResultsCreate,
)
from tasks.cases import batch, filing, objections
from tasks.exchange import documents
from tasks.people import access
from tasks.queries import views

router = APIRouter(prefix="/api/v1", tags=["plans"], responses=ERRORS)
Enterprise = role("enterprise")
Officer = role("officer")
IdempotencyKey = Annotated[str | None, Header(alias="Idempotency-Key", description="repeat-safe key for this POST")]


@router.post("/institutions/{institution_id}/plans", response_model=PlanOut, status_code=201,
             summary="File an evaluation plan; starts `evaluation_batch`")
def file_plan(institution_id: Id, body: PlanCreate, user: Enterprise, session: SessionDep, request: Request,
              idempotency_key: IdempotencyKey = None):
    return idempotent(session, model=PlanOut, user=user, key=idempotency_key, path=request.url.path, body=body,
                      status_code=201,
                      create=lambda: views.plan_view(session, batch.file_plan(session, user=user,
                                                                              institution_id=institution_id, body=body),
                                                     viewer=user, with_history=False))


@router.get("/institutions/{institution_id}", response_model=InstitutionOut,
            summary="An institution with its filed scope")
def read_institution(institution_id: Id, user: UserDep, session: SessionDep):
    return views.institution_view(session, access.visible_institution(session, user, institution_id))


@router.put("/institutions/{institution_id}/ladder", response_model=InstitutionOut,
            summary="File the institution's own levels and their national correspondence (企业岗位等级, 004 §二)")
def file_ladder(institution_id: Id, body: LadderFiling, user: Enterprise, session: SessionDep):
    return views.institution_view(session, filing.file_ladder(session, institution_id=institution_id, body=body,
                                                              actor=user))


@router.get("/plans/{plan_id}", response_model=PlanOut,
            summary="Status, deadlines, supervision, candidates and results")
def read_plan(plan_id: Id, user: UserDep, session: SessionDep, settings: SettingsDep):
    view = views.plan_view(session, access.visible_plan(session, user, plan_id), viewer=user)
    rendered, total = documents.rendered_count(session, plan_id=plan_id, settings=settings)
    return view.model_copy(update={"documents": DocumentsProgress(rendered=rendered, total=total)})


@router.post("/plans/{plan_id}/results", response_model=PlanOut,
             status_code=201, summary="Candidates' scores (every candidate, at once)")
def submit_results(plan_id: Id, body: ResultsCreate, user: Enterprise, session: SessionDep, request: Request,
                   settings: SettingsDep, background: BackgroundTasks, idempotency_key: IdempotencyKey = None):
    plan = access.visible_plan(session, user, plan_id)
    background.add_task(wake_now, settings, plan.flow_run_id)
    return idempotent(
        session,
        model=PlanOut,
        user=user,
        key=idempotency_key,
        path=request.url.path,
        body=body,
        status_code=201,
        create=lambda: views.plan_view(
            session,
            batch.submit_results(session, user=user, plan_id=plan_id, body=body),
            viewer=user,
            with_history=False,
        ),
    )


@router.post(
    "/plans/{plan_id}/corrections",
    response_model=PlanOut,
    summary="Answer the corrections of the quality supervisor's report (整改说明)",
)
def answer_corrections(
    plan_id: Id,
    body: CorrectionsAnswer,
    user: Enterprise,
    session: SessionDep,
    settings: SettingsDep,
    background: BackgroundTasks,
):
    plan = access.visible_plan(session, user, plan_id)
    background.add_task(wake_now, settings, plan.flow_run_id)
    return views.plan_view(
        session,
        batch.answer_corrections(session, user=user, plan_id=plan_id, body=body),
        viewer=user,
        with_history=False,
    )


@router.patch(
    "/plans/{plan_id}/candidates/{candidate_id}",
    response_model=PlanOut,
    summary="Correct a holder's name or ID number after the national system refused the certificate",
)
def correct_refused_holder(plan_id: Id, candidate_id: Id, body: HolderCorrection, user: Enterprise,
                           session: SessionDep):
    access.visible_plan(session, user, plan_id)
    batch.correct_refused_holder(session, user=user, plan_id=plan_id, candidate_id=candidate_id, body=body)
    return views.plan_view(session, batch.get_plan(session, plan_id), viewer=user, with_history=False)


@router.post(
    "/plans/{plan_id}/objections",
    response_model=ObjectionCreated,
    status_code=201,
    summary="Object during the results publicity",
)
def object_to_results(
    plan_id: Id,
    body: ObjectionCreate,
    user: UserDep,
    session: SessionDep,
    request: Request,
    idempotency_key: IdempotencyKey = None,
):
    return idempotent(
        session,
        model=ObjectionCreated,
        user=user,
        key=idempotency_key,
        path=request.url.path,
        body=body,
        status_code=201,
        create=lambda: ObjectionCreated(objection_id=objections.raise_objection(
            session, case_type="plan", case_id=plan_id, user=user, body=body).id),
    )


@router.post(
    "/plans/{plan_id}/objections/dismissals",
    response_model=Dismissed,
    summary="Dismiss a batch of identical objections at once (officer)",
)
def dismiss_identical_results_objections(
    plan_id: Id,
    body: DismissIdentical,
    user: Officer,
    session: SessionDep,
    settings: SettingsDep,
    background: BackgroundTasks,
):
    plan = access.visible_plan(session, user, plan_id)
    decided = objections.dismiss_identical(
        session, case_type="plan", case_id=plan.id, objection_ids=body.objection_ids, reason=body.reason, officer=user
    )
    background.add_task(wake_now, settings, plan.flow_run_id)
    return Dismissed(dismissed=[t.id for t in decided])
