"""Rosters and results as .xlsx: templates, imports (all or nothing; every bad row as JSON, or the
workbook itself with the problems marked) and exports."""

from __future__ import annotations

import hashlib
from typing import Annotated, Literal

from fastapi import APIRouter, File, Form, Header, Query, Request, Response, UploadFile
from fastapi.responses import JSONResponse

from api.deps import Id, SessionDep, SettingsDep, UserDep, role
from api.errors import ERRORS
from api.idempotency import idempotent
from models.responses import PlanOut
from tasks.adapters import spreadsheets
from tasks.adapters.spreadsheets import XLSX, SheetProblems
from tasks.cases import files
from tasks.exchange import sheet_exchange
from tasks.queries import views

router = APIRouter(prefix="/api/v1", tags=["spreadsheets"], responses=ERRORS)
Enterprise = role("enterprise")
Worker = role("officer", "expert", "supervisor")
ProblemsAs = Annotated[Literal["json", "xlsx"], Query(
    description="how a refused sheet's problems come back: JSON rows, or the uploaded workbook with each problem "
                "marked (red cell, comment, a 问题 column)")]
Sheet = Annotated[UploadFile, File(description="the .xlsx workbook (first sheet; the header row as the template's)")]
PLAN_FIELDS = (
    '{"occupation_code": "6-18-01-01", "evaluation_start": "2026-10-19", "evaluation_end": "2026-10-19", '
    '"site": "实训中心", "proctors": ["赵监考"], "evaluators": ["钱考评"], "quality_supervisors": ["周督导"]}'
)
XLSX_ANSWER = {200: {"content": {XLSX: {}}, "description": "an .xlsx workbook"}}
SHEET_REFUSED = {
    422: {
        "description": "invalid rows: `detail` lists {row, column, problem} (row 0: the plan itself), "
        "or, with problems=xlsx, the workbook with the problems marked"
    }
}


def xlsx_response(content: bytes, name: str) -> Response:
    """A workbook as a download (the API's and the dashboard's exports)."""
    return Response(content, media_type=XLSX, headers={"Content-Disposition": f'attachment; filename="{name}"'})


def _refused(exc: SheetProblems, problems: str) -> Response:
    # the rows already read, marked; a workbook that could not be read at all answers in JSON
    if problems == "xlsx" and exc.sheet is not None:
        return Response(
            spreadsheets.marked(exc.sheet, exc.problems),
            status_code=422,
            media_type=XLSX,
            headers={"Content-Disposition": 'attachment; filename="problems.xlsx"'},
        )
    return JSONResponse({"detail": [p.as_dict() for p in exc.problems]}, status_code=422)


@router.get(
    "/templates/roster.xlsx",
    response_class=Response,
    responses=XLSX_ANSWER,
    summary="The roster template (花名册): the plan's candidate fields with Chinese headers and an example row",
)
def roster_template(user: UserDep):
    return xlsx_response(spreadsheets.roster_template(), "roster-template.xlsx")


@router.post(
    "/institutions/{institution_id}/plans/import",
    response_model=PlanOut,
    status_code=201,
    responses=SHEET_REFUSED,
    summary="File an evaluation plan with its roster as .xlsx (multipart `plan` JSON without candidates, "
    "`roster` workbook); all or nothing",
)
def import_plan(
    institution_id: Id,
    user: Enterprise,
    session: SessionDep,
    settings: SettingsDep,
    request: Request,
    plan: Annotated[
        str,
        Form(
            max_length=200_000, description="the plan as for POST …/plans, without `candidates`", examples=[PLAN_FIELDS]
        ),
    ],
    roster: Sheet,
    problems: ProblemsAs = "json",
    idempotency_key: Annotated[str | None, Header(alias="Idempotency-Key")] = None,
):
    content = files.read_limited(roster.file, settings.file_max_bytes)
    try:
        return idempotent(
            session,
            model=PlanOut,
            user=user,
            key=idempotency_key,
            path=request.url.path,
            body={"plan": plan, "roster": hashlib.sha256(content).hexdigest()},
            status_code=201,
            create=lambda: views.plan_view(
                session,
                sheet_exchange.file_plan_with_roster(
                    session, user=user, institution_id=institution_id, plan_json=plan, roster=content
                ),
                viewer=user,
                with_history=False,
            ),
        )
    except SheetProblems as exc:
        return _refused(exc, problems)


@router.get(
    "/plans/{plan_id}/results-template.xlsx",
    response_class=Response,
    responses=XLSX_ANSWER,
    summary="The results sheet (成绩表) of a batch: its candidates, ready for their scores",
)
def results_template(plan_id: Id, user: UserDep, session: SessionDep):
    return xlsx_response(sheet_exchange.results_template(session, user, plan_id), f"results-template-{plan_id}.xlsx")


@router.post(
    "/plans/{plan_id}/results/import",
    response_model=PlanOut,
    status_code=201,
    responses=SHEET_REFUSED,
    summary="Hand in the results as .xlsx (people by ID number); all or nothing",
)
def import_results(
    plan_id: Id,
    file: Sheet,
    user: Enterprise,
    session: SessionDep,
    settings: SettingsDep,
    problems: ProblemsAs = "json",
):
    content = files.read_limited(file.file, settings.file_max_bytes)
    try:
        plan = sheet_exchange.submit_results_sheet(session, user=user, plan_id=plan_id, content=content)
    except SheetProblems as exc:
        return _refused(exc, problems)
    return views.plan_view(session, plan, viewer=user, with_history=False)


@router.get(
    "/plans/{plan_id}/roster.xlsx", response_class=Response, responses=XLSX_ANSWER, summary="A batch's roster as .xlsx"
)
def roster_export(plan_id: Id, user: UserDep, session: SessionDep):
    return xlsx_response(sheet_exchange.roster_export(session, user, plan_id), f"roster-{plan_id}.xlsx")


@router.get(
    "/plans/{plan_id}/results.xlsx",
    response_class=Response,
    responses=XLSX_ANSWER,
    summary="A batch's results as .xlsx",
)
def results_export(plan_id: Id, user: UserDep, session: SessionDep):
    return xlsx_response(sheet_exchange.results_export(session, user, plan_id), f"results-{plan_id}.xlsx")


@router.get(
    "/plans/{plan_id}/certificates.xlsx",
    response_class=Response,
    responses=XLSX_ANSWER,
    summary="A batch's certificates as .xlsx",
)
def certificates_export(plan_id: Id, user: UserDep, session: SessionDep):
    return xlsx_response(sheet_exchange.certificates_export(session, user, plan_id), f"certificates-{plan_id}.xlsx")


@router.get(
    "/inbox.xlsx",
    response_class=Response,
    responses=XLSX_ANSWER,
    summary="My inbox as .xlsx (active tasks by due date)",
)
def inbox_export(user: Worker, session: SessionDep):
    return xlsx_response(sheet_exchange.inbox_export(session, user), "inbox.xlsx")
