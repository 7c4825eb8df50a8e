"""A case's electronic archive (电子档案) as one ZIP, for the centre: officers of the case's jurisdiction,
operations and admins (`certflow archive export` makes the same file; `certflow archive verify` checks it)."""

from __future__ import annotations

from fastapi import APIRouter
from fastapi.responses import Response

from api.deps import Id, SessionDep, SettingsDep, role
from api.errors import ERRORS
from models.clock import business_today
from tasks.exchange import archive

router = APIRouter(prefix="/api/v1", tags=["archives"], responses=ERRORS)
Centre = role(*archive.CENTRE_ROLES)
ZIP_ANSWER = {200: {"content": {"application/zip": {"schema": {"type": "string", "format": "binary"}}},
                    "description": "the archive; the header X-Manifest-SHA256 is its manifest's digest"}}


def _zip(content: bytes, manifest_sha256: str, name: str) -> Response:
    return Response(content, media_type="application/zip",
                    headers={"Content-Disposition": f'attachment; filename="{name}"',
                             "X-Manifest-SHA256": manifest_sha256, "Cache-Control": "private, max-age=0"})


@router.get("/filings/{filing_id}/archive", response_class=Response, responses=ZIP_ANSWER,
            summary="The filing's archive: case, timeline, documents, materials, audit entries with hashes, manifest")
def filing_archive(filing_id: Id, user: Centre, session: SessionDep, settings: SettingsDep):
    content, digest = archive.export(session, settings, user=user, case_type="filing", case_id=filing_id)
    return _zip(content, digest, archive.archive_name("filing", filing_id, business_today(session)))


@router.get("/plans/{plan_id}/archive", response_class=Response, responses=ZIP_ANSWER,
            summary="The batch's archive: case, timeline, certificates, evidence, audit entries with hashes, manifest")
def plan_archive(plan_id: Id, user: Centre, session: SessionDep, settings: SettingsDep):
    content, digest = archive.export(session, settings, user=user, case_type="plan", case_id=plan_id)
    return _zip(content, digest, archive.archive_name("plan", plan_id, business_today(session)))
