"""PDF documents: certificates (owner institution, officers, or the holder's signed link),
filing receipts and deficiency notices (the filing's enterprise and officers)."""

from __future__ import annotations

import datetime as dt
from typing import Annotated

from fastapi import APIRouter, Header, HTTPException, Path, Query, Request, Response

from api.deps import Id, SessionDep, SettingsDep, UserDep, current_user, current_user_optional
from api.errors import ERRORS
from api.ratelimit import public_rate_limit
from api.routes.certificates import find_certificate
from core.clock import wall_now
from models.responses import HolderLink, HolderLinksRevoked
from tasks.exchange import documents
from tasks.people import access

router = APIRouter(prefix="/api/v1", tags=["documents"], responses=ERRORS)
PDF = {200: {"content": {"application/pdf": {}}, "description": "the PDF"}}


@router.get("/certificates/{number}.pdf", summary="A certificate as PDF (rendered once, then cached)",
            responses={**PDF, 410: {"description": "the holder's link expired, or the certificate was revoked"},
                       429: {"description": "too many anonymous requests"}}, response_class=Response)
def certificate_pdf(number: Annotated[str, Path(max_length=40)], request: Request, session: SessionDep,
                    settings: SettingsDep,
                    token: Annotated[str | None, Query(max_length=80, description="the holder's signed link")] = None,
                    authorization: Annotated[str | None, Header()] = None):
    if token is None and not authorization:  # before any lookup: the answer says nothing about the number
        raise HTTPException(401, "sign in, or use the holder's link", headers={"WWW-Authenticate": "Bearer"})
    if token is not None:
        public_rate_limit(request)  # anonymous: limited like verification
        certificate = find_certificate(session, number)
        problem = documents.holder_token_problem(settings, certificate, token, today=wall_now().date())
        if problem == "invalid":
            raise HTTPException(404, "no such certificate")
        if problem is not None:
            raise HTTPException(410, {"expired": "此链接已过期，请向评价机构索取新链接 / this link has expired",
                                      "revoked": "该证书已撤销 / this certificate has been revoked"}[problem])
    else:
        user = current_user(session, settings, authorization)
        certificate = find_certificate(session, number)
        access.visible_plan(session, user, certificate.plan_id)  # 404 unless owner institution or officer
    return Response(documents.certificate_pdf(session, number=number, settings=settings), media_type="application/pdf",
                    headers={"Content-Disposition": f'attachment; filename="{number}.pdf"'})


@router.get("/certificates/{number}/holder-link", response_model=HolderLink,
            summary="The holder's signed download link (owner or officer)")
def holder_link(number: Annotated[str, Path(max_length=40)], user: UserDep, session: SessionDep,
                settings: SettingsDep):
    certificate = find_certificate(session, number)
    access.visible_plan(session, user, certificate.plan_id)
    documents.require_acknowledged(certificate)
    expires_on = wall_now().date() + dt.timedelta(days=settings.holder_link_days)
    token = documents.holder_token(settings, certificate, expires_on=expires_on)
    return HolderLink(url=f"{settings.base_url}/api/v1/certificates/{number}.pdf?token={token}", expires_on=expires_on)


@router.post("/certificates/{number}/holder-link/revoke", response_model=HolderLinksRevoked,
             summary="Revoke every holder link given out so far for this certificate (owner or officer)")
def revoke_holder_links(number: Annotated[str, Path(max_length=40)], user: UserDep, session: SessionDep):
    certificate = find_certificate(session, number)
    access.visible_plan(session, user, certificate.plan_id)
    revoked = documents.revoke_holder_links(session, certificate, user=user)
    return HolderLinksRevoked(number=number, holder_link_version=revoked.holder_link_version)


@router.get("/filings/{filing_id}/receipt.pdf", summary="备案回执", responses=PDF, response_class=Response)
def receipt(filing_id: Id, session: SessionDep, settings: SettingsDep,
            authorization: Annotated[str | None, Header()] = None):
    user = current_user_optional(session, settings, authorization)
    if user is None:
        raise HTTPException(401, "missing bearer token", headers={"WWW-Authenticate": "Bearer"})
    filing = access.visible_filing(session, user, filing_id)
    return Response(documents.receipt_pdf(session, filing, settings=settings), media_type="application/pdf",
                    headers={"Content-Disposition": f'attachment; filename="receipt-{filing_id}.pdf"'})


@router.get("/filings/{filing_id}/notices/{notice_number}.pdf", summary="一次性告知书 number N (1 for the first)",
            responses=PDF, response_class=Response)
def notice(filing_id: Id, notice_number: Annotated[int, Path(ge=1, le=1000)], session: SessionDep,
           settings: SettingsDep, authorization: Annotated[str | None, Header()] = None):
    user = current_user_optional(session, settings, authorization)
    if user is None:
        raise HTTPException(401, "missing bearer token", headers={"WWW-Authenticate": "Bearer"})
    filing = access.visible_filing(session, user, filing_id)
    return Response(
        documents.notice_pdf(session, filing, notice_number, settings=settings),
        media_type="application/pdf",
        headers={"Content-Disposition": f'attachment; filename="notice-{filing_id}-{notice_number}.pdf"'},
    )
