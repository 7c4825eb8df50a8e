"""Certificates: the owner's list, and public verification (masked ID, no hints for unknown numbers)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, HTTPException, Query
from sqlmodel import select

from api.deps import MAX_ID, Id, SessionDep, UserDep, role
from api.errors import ERRORS, PUBLIC_ERRORS
from api.pagination import CursorQuery, LimitQuery, decode_cursor, page
from api.ratelimit import public_rate_limit
from models.cases import Certificate, Institution
from models.responses import (
    CertificatePage,
    CertificatePublic,
    InspectionPage,
    InstitutionPublicPage,
    RemovalPage,
    RevocationOut,
)
from models.schemas import RevocationCreate
from policy.numbering import is_certificate_number
from tasks.cases import inspections, revocations
from tasks.people import access
from tasks.queries import catalogue, views

router = APIRouter(prefix="/api/v1", tags=["certificates"], responses=ERRORS)
Officer = role("officer")


@router.post("/revocations", response_model=RevocationOut, status_code=201,
             summary="Request the revocation of certificates of a batch (撤销证书); a second officer approves it")
def request_revocation(body: RevocationCreate, user: Officer, session: SessionDep):
    return revocations.revocation_view(revocations.request_revocation(session, user=user, body=body))


@router.get("/revocations/{revocation_id}", response_model=RevocationOut,
            summary="A revocation: its status and certificates")
def read_revocation(revocation_id: Id, user: Officer, session: SessionDep):
    return revocations.revocation_view(revocations.visible_revocation(session, user, revocation_id))


@router.get("/certificates", response_model=CertificatePage, summary="Issued certificates of a batch")
def list_certificates(user: UserDep, session: SessionDep, plan_id: Annotated[int, Query(ge=1, le=MAX_ID)],
                      limit: LimitQuery = 100, cursor: CursorQuery = None):
    plan = access.visible_plan(session, user, plan_id)
    query = select(Certificate).where(Certificate.plan_id == plan.id)
    after = decode_cursor(cursor)
    if after is not None:
        query = query.where(Certificate.id > after)
    rows = session.exec(query.order_by(Certificate.id).limit(limit + 1)).all()
    institution = session.get(Institution, plan.institution_id)
    return page([views.certificate_view(c, institution) for c in rows], [c.id for c in rows], limit)


def find_certificate(session, number: str) -> Certificate:
    """The certificate with this number; malformed and unknown numbers alike are a plain 404."""
    certificate = session.exec(select(Certificate).where(Certificate.number == number)).first() \
        if is_certificate_number(number) else None
    if certificate is None:
        raise HTTPException(404, "no such certificate")
    return certificate


def verify(session, number: str) -> CertificatePublic:
    """Public: valid, revoked (with its date) or pending — numbered and reported, not yet acknowledged by the
    national query system (its refusal reason stays with the centre)."""
    certificate = find_certificate(session, number)
    return views.certificate_public(certificate, session.get(Institution, certificate.institution_id))


@router.get("/public/certificates/{number}", response_model=CertificatePublic,
            summary="Verify a certificate: valid, revoked (with its date) or pending national acknowledgement "
                    "(anyone; rate-limited per client)",
            dependencies=[Depends(public_rate_limit)], responses=PUBLIC_ERRORS)
def public_certificate(number: str, session: SessionDep):
    return verify(session, number)


@router.get("/public/institutions/removals", response_model=RemovalPage,
            summary="Removals from the catalogue (动态调整): withdrawn and cancelled institutions, date and reason")
def public_removals(session: SessionDep, limit: LimitQuery = 100, cursor: CursorQuery = None):
    rows = catalogue.removed(session, limit=limit, after=decode_cursor(cursor))
    return page([entry for _, entry in rows], [key for key, _ in rows], limit)


@router.get("/public/inspections", response_model=InspectionPage,
            summary="Inspection results made public (双随机、一公开), latest first, where a province publishes them")
def public_inspections(session: SessionDep, limit: LimitQuery = 100, cursor: CursorQuery = None):
    rows = inspections.published(session, limit=limit, before=decode_cursor(cursor))
    return page([item for _, item in rows], [key for key, _ in rows], limit)


@router.get("/public/institutions", response_model=InstitutionPublicPage,
            summary="Catalogue of registered evaluation institutions")
def public_institutions(session: SessionDep, limit: LimitQuery = 100, cursor: CursorQuery = None):
    rows = catalogue.registered(session, limit=limit, after=decode_cursor(cursor))
    return page([entry for _, entry in rows], [key for key, _ in rows], limit)
