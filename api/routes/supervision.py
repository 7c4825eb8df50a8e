"""监督管理: complaints from anyone (no account needed, rate-limited), the complainant's lookup by receipt
number, the officers' case list and case, an officer's own finding, the institution's explanation and
rectification, and the credit records."""

from __future__ import annotations

from typing import Annotated, Literal

from fastapi import APIRouter, BackgroundTasks, Depends, Path, Query
from fastapi.responses import JSONResponse, Response

from api.deps import MAX_ID, Id, SessionDep, SettingsDep, UserDep, role
from api.errors import ERRORS, PUBLIC_ERRORS
from api.pagination import CursorQuery, LimitQuery, decode_cursor, page
from api.ratelimit import public_rate_limit
from engine.tick import wake_now
from models.clock import business_today
from models.responses import (
    ComplaintPublic,
    ComplaintReceipt,
    CreditEntries,
    SupervisionCaseOut,
    SupervisionCasePage,
)
from models.schemas import ComplaintCreate, ExplanationIn, FindingCreate, RectificationIn
from policy.credit import RECEIPT_PATTERN
from tasks.cases import credit, supervision
from tasks.exchange import documents

router = APIRouter(prefix="/api/v1", tags=["supervision"], responses=ERRORS)
public = APIRouter(prefix="/api/v1", tags=["public"], dependencies=[Depends(public_rate_limit)])
Officer = role("officer")
Enterprise = role("enterprise")
Supervisors = role("officer", "operations", "admin")
CaseReaders = role("officer", "enterprise", "operations", "admin")  # experts and quality supervisors never handle one
CaseStatus = Literal[tuple(supervision.STATUS_LABELS)]  # type: ignore[valid-type]


@public.post("/complaints", response_model=ComplaintReceipt,
             status_code=201, responses={**PUBLIC_ERRORS, 400: ERRORS[400], 413: ERRORS[413], 200: {
    "description": "the same complaint (same target, phone and words) is open already: its receipt number"}},
             summary="投诉举报 — about an institution, a batch or a certificate; no account needed (rate-limited)")
def file_complaint(body: ComplaintCreate, session: SessionDep, settings: SettingsDep):
    case, created = supervision.file_complaint(session, body=body, open_per_phone=settings.complaints_open_per_phone,
                                               open_per_target=settings.complaints_open_per_target)
    answer = ComplaintReceipt(receipt_number=case.receipt_number, status=supervision.public_view(case).status,
                              lookup=f"/api/v1/public/complaints/{case.receipt_number}")
    return answer if created else JSONResponse(answer.model_dump(mode="json"), status_code=200)


@public.get("/public/complaints/{receipt_number}", response_model=ComplaintPublic, responses=PUBLIC_ERRORS,
            summary="A complaint by its receipt number: where it stands and the outcome's category only")
def complaint_by_receipt(receipt_number: Annotated[str, Path(pattern=RECEIPT_PATTERN.pattern)], session: SessionDep):
    return supervision.public_view(supervision.by_receipt(session, receipt_number))


@router.get("/complaints", response_model=SupervisionCasePage,
            summary="Supervision cases in your jurisdiction (officers), or about your institution")
def list_cases(user: CaseReaders, session: SessionDep, status: CaseStatus | None = None,
               institution_id: Annotated[int | None, Query(ge=1, le=MAX_ID)] = None,
               limit: LimitQuery = 50, cursor: CursorQuery = None):
    cases = supervision.list_cases(session, user=user, status=status, institution_id=institution_id,
                                   after_id=decode_cursor(cursor), limit=limit)
    return page([supervision.case_view(session, c, user) for c in cases], [c.id for c in cases], limit)


@router.get("/complaints/{case_id}", response_model=SupervisionCaseOut,
            summary="A supervision case: the complaint, explanations, rectifications, "
                                             "decisions and the institution's credit record")
def read_case(case_id: Id, user: UserDep, session: SessionDep):
    return supervision.case_view(session, supervision.visible_case(session, user, case_id), user)


@router.get("/complaints/{case_id}/rectification/{round_no}.pdf", response_class=Response,
            responses={200: {"content": {"application/pdf": {}}, "description": "责令整改通知书"}},
            summary="The rectification order of a round (责令整改通知书), for the institution and the centre")
def rectification_order(case_id: Id, round_no: Annotated[int, Path(ge=1, le=1000)], user: UserDep,
                        session: SessionDep, settings: SettingsDep):
    case = supervision.visible_case(session, user, case_id)
    return Response(documents.supervision_pdf(session, case, "rectification", round_no, settings=settings),
                    media_type="application/pdf")


@router.get("/complaints/{case_id}/cancellation.pdf", response_class=Response,
            responses={200: {"content": {"application/pdf": {}}, "description": "取消备案决定书"}},
            summary="The decision cancelling the filing (取消备案决定书)")
def cancellation_decision(case_id: Id, user: UserDep, session: SessionDep, settings: SettingsDep):
    case = supervision.visible_case(session, user, case_id)
    return Response(documents.supervision_pdf(session, case, "cancellation", 1, settings=settings),
                    media_type="application/pdf")


@router.post("/supervision-findings", response_model=SupervisionCaseOut, status_code=201,
             summary="抽查发现 — an officer opens a supervision case on their own finding (accepted at once)")
def open_finding(body: FindingCreate, user: Officer, session: SessionDep):
    return supervision.case_view(session, supervision.open_finding(session, user=user, body=body), user)


@router.post("/complaints/{case_id}/explanation", response_model=SupervisionCaseOut,
             summary="The institution's written explanation to the investigation (书面说明), by its deadline")
def submit_explanation(case_id: Id, body: ExplanationIn, user: Enterprise, session: SessionDep,
                       settings: SettingsDep, background: BackgroundTasks):
    case = supervision.submit_explanation(session, user=user, case_id=case_id, body=body)
    background.add_task(wake_now, settings, case.flow_run_id)
    return supervision.case_view(session, case, user)


@router.post("/complaints/{case_id}/rectification", response_model=SupervisionCaseOut,
             summary="The institution's rectification (整改报告): one answer per item of the order")
def submit_rectification(case_id: Id, body: RectificationIn, user: Enterprise, session: SessionDep,
                         settings: SettingsDep, background: BackgroundTasks):
    case = supervision.submit_rectification(session, user=user, case_id=case_id, body=body)
    background.add_task(wake_now, settings, case.flow_run_id)
    return supervision.case_view(session, case, user)


@router.get("/credit-records", response_model=CreditEntries,
            summary="信用档案 — entries on an institution's credit code or on a person")
def credit_records(user: Supervisors, session: SessionDep,
                   credit_code: Annotated[str | None, Query(pattern=r"^[0-9A-Z]{18}$")] = None,
                   person_name: Annotated[str | None, Query(min_length=1, max_length=50)] = None,
                   person_user_id: Annotated[int | None, Query(ge=1, le=MAX_ID)] = None):
    today = business_today(session)
    entries = (credit.institution_entries(session, credit_code) if credit_code else []) + credit.person_entries(
        session, names=[person_name] if person_name else [], user_ids=[person_user_id] if person_user_id else [])
    return CreditEntries(items=[credit.entry_view(e, today) for e in entries])
