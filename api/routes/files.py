"""Uploaded files of filings, plans and supervision cases: the institution uploads (multipart `kind`
and `file`) while its case asks for files; whoever sees the case lists and downloads them."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, File, Form, Response, UploadFile
from fastapi.responses import JSONResponse

from api.deps import Id, SessionDep, SettingsDep, UserDep, role
from api.errors import ERRORS
from models.responses import FileList, FileStored
from policy.filetypes import EXTENSIONS
from tasks.cases import files

router = APIRouter(prefix="/api/v1", tags=["files"], responses=ERRORS)
Enterprise = role("enterprise")
Kind = Annotated[str, Form(min_length=1, max_length=40, examples=["business_licence"],
                           description="what the file is: the checklist item (filings), the evidence kind (plans, "
                                       "rectifications)")]
Upload = Annotated[UploadFile, File(description="PDF, JPEG, PNG, OFD or XLSX, judged by content; at most "
                                                "CERTFLOW_FILE_MAX_BYTES")]
# the URL segment under which each case type keeps its files
PATHS = {"filing": "filings/{id}/materials", "plan": "plans/{id}/files", "supervision": "complaints/{id}/files"}
DOWNLOAD_ANSWER = {200: {"content": {media_type: {} for media_type in EXTENSIONS},
                         "description": "the file as uploaded, with its detected type"}}
UPLOAD_ANSWERS = {200: {"description": "the same bytes were already on file for this kind and round"},
                  201: {"description": "stored: its SHA-256, size and type as detected"}}


def _base(case_type: str, case_id: int) -> str:
    return "/api/v1/" + PATHS[case_type].format(id=case_id)


def _upload(case_type: str, case_id: int, kind: str, file: UploadFile, user, session, settings) -> JSONResponse:
    content = files.read_limited(file.file, settings.file_max_bytes)
    stored = files.store(session, settings, user=user, case_type=case_type, case_id=case_id, kind=kind,
                         filename=file.filename, content=content)
    body = FileStored(**dict(files.file_view(stored.file, _base(case_type, case_id))), created=stored.created)
    return JSONResponse(body.model_dump(mode="json"), status_code=201 if stored.created else 200)


def _download(case_type: str, case_id: int, file_id: int, user, session, settings) -> Response:
    record, content = files.open_file(session, settings, user, case_type, case_id, file_id)
    return Response(content, media_type=record.media_type, headers=files.download_headers(record))


@router.post("/filings/{filing_id}/materials", response_model=FileStored, status_code=201, responses=UPLOAD_ANSWERS,
             summary="Upload a material of the checklist (while filed, and for the resubmission a deficiency "
                     "notice asks for)")
def upload_filing_material(filing_id: Id, kind: Kind, file: Upload, user: Enterprise, session: SessionDep,
                           settings: SettingsDep):
    return _upload("filing", filing_id, kind, file, user, session, settings)


@router.get("/filings/{filing_id}/materials", response_model=FileList,
            summary="The filing's uploaded materials, by round")
def list_filing_materials(filing_id: Id, user: UserDep, session: SessionDep):
    return FileList(files=files.listed(session, user, "filing", filing_id, _base("filing", filing_id)))


@router.get("/filings/{filing_id}/materials/{file_id}", response_class=Response,
            responses=DOWNLOAD_ANSWER,
            summary="Download one uploaded material")
def download_filing_material(filing_id: Id, file_id: Id, user: UserDep, session: SessionDep, settings: SettingsDep):
    return _download("filing", filing_id, file_id, user, session, settings)


@router.post("/plans/{plan_id}/files", response_model=FileStored, status_code=201, responses=UPLOAD_ANSWERS,
             summary="Upload a plan's evidence: training evidence, video monitoring statement, site photos, "
                     "evaluation records")
def upload_plan_file(plan_id: Id, kind: Kind, file: Upload, user: Enterprise, session: SessionDep,
                     settings: SettingsDep):
    return _upload("plan", plan_id, kind, file, user, session, settings)


@router.get("/plans/{plan_id}/files", response_model=FileList, summary="The plan's uploaded evidence")
def list_plan_files(plan_id: Id, user: UserDep, session: SessionDep):
    return FileList(files=files.listed(session, user, "plan", plan_id, _base("plan", plan_id)))


@router.get("/plans/{plan_id}/files/{file_id}", response_class=Response,
            responses=DOWNLOAD_ANSWER,
            summary="Download one of the plan's files")
def download_plan_file(plan_id: Id, file_id: Id, user: UserDep, session: SessionDep, settings: SettingsDep):
    return _download("plan", plan_id, file_id, user, session, settings)


@router.post("/complaints/{case_id}/files", response_model=FileStored, status_code=201, responses=UPLOAD_ANSWERS,
             summary="Upload the rectification's report or evidence (while a rectification order awaits it)")
def upload_rectification_file(case_id: Id, kind: Kind, file: Upload, user: Enterprise, session: SessionDep,
                              settings: SettingsDep):
    return _upload("supervision", case_id, kind, file, user, session, settings)


@router.get("/complaints/{case_id}/files", response_model=FileList, summary="The supervision case's uploaded files")
def list_case_files(case_id: Id, user: UserDep, session: SessionDep):
    return FileList(files=files.listed(session, user, "supervision", case_id, _base("supervision", case_id)))


@router.get("/complaints/{case_id}/files/{file_id}", response_class=Response,
            responses=DOWNLOAD_ANSWER,
            summary="Download one of the supervision case's files")
def download_case_file(case_id: Id, file_id: Id, user: UserDep, session: SessionDep, settings: SettingsDep):
    return _download("supervision", case_id, file_id, user, session, settings)
