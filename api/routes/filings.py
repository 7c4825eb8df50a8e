"""Institution filings (备案): enterprises file and correct, everyone signed in may object during publicity."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, BackgroundTasks, Header, Request

from api.deps import Id, SessionDep, SettingsDep, UserDep, role
from api.errors import ERRORS
from api.idempotency import idempotent
from engine.tick import wake_now
from models.responses import Dismissed, FilingOut, FilingSummary, ObjectionCreated, RoundAccepted
from models.schemas import DismissIdentical, FilingCreate, ObjectionCreate, PilotPlanCreate, ResubmissionCreate
from tasks.cases import filing as filings
from tasks.cases import objections
from tasks.people import access
from tasks.queries import views

router = APIRouter(prefix="/api/v1/filings", tags=["filings"], responses=ERRORS)
Enterprise = role("enterprise")
Officer = role("officer")
IdempotencyKey = Annotated[str | None, Header(alias="Idempotency-Key", description="repeat-safe key for this POST")]


@router.post("", response_model=FilingSummary,
             status_code=201, summary="File an institution application; starts `institution_filing`")
def create_filing(body: FilingCreate, user: Enterprise, session: SessionDep, request: Request,
                  idempotency_key: IdempotencyKey = None):
    return idempotent(session, model=FilingSummary, user=user, key=idempotency_key, path=request.url.path, body=body,
                      status_code=201,
                      create=lambda: views.filing_summary(filings.submit_filing(session, applicant=user, form=body)))


@router.get("/{filing_id}", response_model=FilingOut,
            summary="Status, current step, deadlines, deficiencies and history")
def read_filing(filing_id: Id, user: UserDep, session: SessionDep):
    return views.filing_view(session, access.visible_filing(session, user, filing_id), viewer=user)


@router.post("/{filing_id}/resubmissions", response_model=RoundAccepted,
             status_code=201, summary="Corrected materials after a deficiency notice")
def resubmit(filing_id: Id, body: ResubmissionCreate, user: Enterprise, session: SessionDep, request: Request,
             settings: SettingsDep, background: BackgroundTasks, idempotency_key: IdempotencyKey = None):
    filing = access.visible_filing(session, user, filing_id)
    background.add_task(wake_now, settings, filing.flow_run_id)
    return idempotent(
        session,
        model=RoundAccepted,
        user=user,
        key=idempotency_key,
        path=request.url.path,
        body=body,
        status_code=201,
        create=lambda: RoundAccepted(
            round=filings.resubmit(session, filing_id=filing_id, user=user, body=body).round + 1, filing_id=filing_id),
    )


@router.post(
    "/{filing_id}/pilot-plan",
    response_model=RoundAccepted,
    status_code=201,
    summary="Submit the pilot plan (试点方案) of a registered pilot enterprise, where the province has the step",
)
def submit_pilot_plan(
    filing_id: Id,
    body: PilotPlanCreate,
    user: Enterprise,
    session: SessionDep,
    request: Request,
    settings: SettingsDep,
    background: BackgroundTasks,
    idempotency_key: IdempotencyKey = None,
):
    filing = access.visible_filing(session, user, filing_id)
    background.add_task(wake_now, settings, filing.flow_run_id)
    return idempotent(
        session,
        model=RoundAccepted,
        user=user,
        key=idempotency_key,
        path=request.url.path,
        body=body,
        status_code=201,
        create=lambda: RoundAccepted(
            round=filings.submit_pilot_plan(session, filing_id=filing_id, user=user, body=body).round + 1,
            filing_id=filing_id),
    )


@router.post(
    "/{filing_id}/objections",
    response_model=ObjectionCreated,
    status_code=201,
    summary="Object during the publicity period",
)
def object_to_filing(
    filing_id: Id,
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
            session, case_type="filing", case_id=filing_id, user=user, body=body).id),
    )


@router.post(
    "/{filing_id}/objections/dismissals",
    response_model=Dismissed,
    summary="Dismiss a batch of identical objections at once (officer)",
)
def dismiss_identical_filing_objections(
    filing_id: Id,
    body: DismissIdentical,
    user: Officer,
    session: SessionDep,
    settings: SettingsDep,
    background: BackgroundTasks,
):
    filing = access.visible_filing(session, user, filing_id)
    decided = objections.dismiss_identical(
        session,
        case_type="filing",
        case_id=filing.id,
        objection_ids=body.objection_ids,
        reason=body.reason,
        officer=user,
    )
    background.add_task(wake_now, settings, filing.flow_run_id)
    return Dismissed(dismissed=[t.id for t in decided])
