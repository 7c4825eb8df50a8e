"""PDF documents: certificates (owner institution, officers, or the holder's signed link),
filing receipts and deficiency notices (the filing's enterprise and officers)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Header, HTTPException, Path, Query, Response
from fastapi.responses import FileResponse

from api.deps import Id, SessionDep, SettingsDep, current_user_optional
from api.errors import ERRORS
from api.routes.certificates import find_certificate
from tasks import access, documents

router = APIRouter(prefix="/api/v1", tags=["documents"], responses=ERRORS)
PDF = {200: {"content": {"application/pdf": {}}, "description": "the PDF"}}


@router.get("/certificates/{number}.pdf", summary="A certificate as PDF (rendered once, then cached)", responses=PDF,
            response_class=FileResponse)
def certificate_pdf(number: str, session: SessionDep, settings: SettingsDep,
                    token: Annotated[str | None, Query(max_length=64, description="the holder's signed link")] = None,
                    authorization: Annotated[str | None, Header()] = None):
    certificate = find_certificate(session, number)
    if token is not None:
        if not documents.holder_token_valid(settings.data_dir, number, token):
            raise HTTPException(404, "no such certificate")
    else:
        user = current_user_optional(session, settings, authorization)
        if user is None:
            raise HTTPException(401, "sign in, or use the holder's link", headers={"WWW-Authenticate": "Bearer"})
        access.visible_plan(session, user, certificate.plan_id)  # 404 unless owner institution or officer
    path = documents.certificate_pdf(session, number=number, data_dir=settings.data_dir, base_url=settings.base_url)
    return FileResponse(path, media_type="application/pdf", filename=f"{number}.pdf")


@router.get("/certificates/{number}/holder-link", summary="The holder's signed download link (owner or officer)")
def holder_link(number: str, session: SessionDep, settings: SettingsDep,
                authorization: Annotated[str | None, Header()] = None):
    user = current_user_optional(session, settings, authorization)
    certificate = find_certificate(session, number)
    if user is None:
        raise HTTPException(404, "no such certificate")
    access.visible_plan(session, user, certificate.plan_id)
    token = documents.holder_token(settings.data_dir, number)
    return {"url": f"{settings.base_url}/api/v1/certificates/{number}.pdf?token={token}"}


@router.get("/filings/{filing_id}/receipt.pdf", summary="备案回执", responses=PDF, response_class=Response)
def receipt(filing_id: Id, session: SessionDep, settings: SettingsDep,
            authorization: Annotated[str | None, Header()] = None):
    user = current_user_optional(session, settings, authorization)
    if user is None:
        raise HTTPException(401, "missing bearer token", headers={"WWW-Authenticate": "Bearer"})
    filing = access.visible_filing(session, user, filing_id)
    return Response(documents.receipt_pdf(session, filing), media_type="application/pdf",
                    headers={"Content-Disposition": f'attachment; filename="receipt-{filing_id}.pdf"'})


@router.get("/filings/{filing_id}/notices/{round_no}.pdf", summary="一次性告知书 of one round", responses=PDF,
            response_class=Response)
def notice(filing_id: Id, round_no: Annotated[int, Path(ge=0, le=1000)], session: SessionDep,
           settings: SettingsDep, authorization: Annotated[str | None, Header()] = None):
    user = current_user_optional(session, settings, authorization)
    if user is None:
        raise HTTPException(401, "missing bearer token", headers={"WWW-Authenticate": "Bearer"})
    filing = access.visible_filing(session, user, filing_id)
    return Response(documents.notice_pdf(session, filing, round_no), media_type="application/pdf",
                    headers={"Content-Disposition": f'attachment; filename="notice-{filing_id}-{round_no}.pdf"'})
