"""Publicity is public (公示): what is being publicised now, and objections from anyone, without an
account. JSON under /api/v1/public, and the HTML page /publicity with its objection form; both
rate-limited per client and feeding the same investigation as an account's objection."""

from __future__ import annotations

from pathlib import Path as FilePath
from typing import Annotated, Literal

from fastapi import APIRouter, Depends, Form, Path, Query, Request
from fastapi.responses import HTMLResponse
from fastapi.templating import Jinja2Templates
from pydantic import ValidationError

from api.deps import SessionDep
from api.errors import ERRORS as API_ERRORS
from api.errors import PUBLIC_ERRORS
from api.pagination import CursorQuery, LimitQuery, decode_cursor, page
from api.ratelimit import public_rate_limit
from models.responses import ObjectionPublic, PublicityPage, PublicObjectionCreated
from models.schemas import PublicObjectionCreate
from policy.credit import OBJECTION_RECEIPT_PATTERN, is_objection_receipt
from tasks.cases import objections
from tasks.errors import Conflict, NotFound, Problems
from tasks.queries import publicity

TEMPLATES = Jinja2Templates(directory=str(FilePath(__file__).resolve().parents[2] / "templates"))
router = APIRouter(tags=["public"], dependencies=[Depends(public_rate_limit)])
ERRORS = {
    **PUBLIC_ERRORS,
    400: API_ERRORS[400],
    413: API_ERRORS[413],
    404: {"description": "no such publicity is open"},
    409: {"description": "your objection on this case is still investigated, or you raised three"},
}


HTML_ANSWERS = {
    code: {"description": text, "content": {"text/html": {}}}
    for code, text in (
        (404, "the page again: that publicity has ended or does not exist"),
        (409, "the page again: your objection on this case is still investigated, or you raised three"),
        (422, "the page again, the problems named and what was typed kept"),
    )
}
HTML_ANSWERS[429] = {**PUBLIC_ERRORS[429], "content": {"application/json": {}}}  # the limiter answers in JSON
HTML_ANSWERS[400] = {**API_ERRORS[400], "content": {"application/json": {}}}  # a body that is not a form at all
HTML_ANSWERS[422]["content"]["application/json"] = {}  # a form that is not one (no fields at all): FastAPI's own answer


@router.get(
    "/api/v1/public/publicities",
    response_model=PublicityPage,
    summary="What is in publicity now (anyone; rate-limited per client)",
    responses=ERRORS,
)
def current_publicities(
    session: SessionDep,
    kind: Annotated[
        Literal["filing", "plan"], Query(description="filing: 备案评估结果公示; plan: 认定结果公示")
    ] = "filing",
    limit: LimitQuery = 50,
    cursor: CursorQuery = None,
):
    items = publicity.current(session, kind=kind, after_id=decode_cursor(cursor), limit=limit)
    return page(items, [i.id for i in items], limit)


@router.post(
    "/api/v1/public/objections",
    response_model=PublicObjectionCreated,
    status_code=201,
    responses=ERRORS,
    summary="Object to a publicity without an account (name, phone, grounds; rate-limited)",
)
def object_without_account(body: PublicObjectionCreate, session: SessionDep):
    objection = objections.raise_public_objection(session, body=body)
    return PublicObjectionCreated(objection_id=objection.id, receipt_number=objection.receipt_number,
                                  case_type=body.case_type, case_id=body.case_id, status="under_investigation")


@router.get(
    "/api/v1/public/objections/{receipt_number}",
    response_model=ObjectionPublic,
    summary="Where an objection stands, by the receipt its objector was given (anyone; rate-limited per client)",
    responses={**PUBLIC_ERRORS, 404: {"description": "no objection has this receipt number"}},
)
def objection_by_receipt(
    receipt_number: Annotated[str, Path(pattern=OBJECTION_RECEIPT_PATTERN.pattern)], session: SessionDep
):
    return objections.public_view(session, objections.by_receipt(session, receipt_number))


@router.get(
    "/publicity",
    response_class=HTMLResponse,
    summary="Publicity page (公示), no login",
    responses={429: HTML_ANSWERS[429]},
)
def publicity_page(request: Request, session: SessionDep):
    return _page(request, session)


@router.post(
    "/publicity/objections",
    response_class=HTMLResponse,
    summary="The publicity page's objection form",
    status_code=201,
    responses=HTML_ANSWERS,
)
def publicity_objection_form(
    request: Request,
    session: SessionDep,
    case_type: Annotated[str, Form(max_length=10)],
    case_id: Annotated[str, Form(max_length=20)],
    name: Annotated[str, Form(max_length=200)] = "",
    phone: Annotated[str, Form(max_length=50)] = "",
    text: Annotated[str, Form(max_length=10000)] = "",
    candidate_id: Annotated[str, Form(max_length=20)] = "",
):
    submitted = {
        "case_type": case_type,
        "case_id": case_id,
        "name": name,
        "phone": phone,
        "text": text,
        "candidate_id": candidate_id,
    }
    try:
        body = PublicObjectionCreate(
            case_type=case_type, case_id=case_id, name=name, phone=phone, text=text, candidate_id=candidate_id or None
        )
    except ValidationError as invalid:
        problems = [FIELD_NAMES.get(str(e["loc"][0]), str(e["loc"][0])) for e in invalid.errors()]
        return _page(request, session, 422, submitted=submitted, error="请检查：" + "、".join(dict.fromkeys(problems)))
    try:
        objection = objections.raise_public_objection(session, body=body)
    except (NotFound, Conflict, Problems) as refused:
        return _page(
            request,
            session,
            404 if isinstance(refused, NotFound) else 409,
            submitted=submitted,
            error="该公示已结束或不存在" if isinstance(refused, NotFound) else str(refused),
        )
    return _page(request, session, 201, receipt=objection.receipt_number)


@router.get(
    "/publicity/objections/lookup",
    response_class=HTMLResponse,
    summary="An objection's progress by its receipt number",
    responses={404: {"description": "no such receipt number", "content": {"text/html": {}}},
               429: HTML_ANSWERS[429]},
)
def objection_lookup(request: Request, session: SessionDep, receipt: Annotated[str, Query(max_length=40)] = ""):
    number = "".join(receipt.split()).upper()
    try:
        found = objections.public_view(session, objections.by_receipt(session, number)) \
            if is_objection_receipt(number) else None
    except NotFound:
        found = None
    if found is None:
        return _page(request, session, 404, error="没有这个异议受理编号，请核对后再查", looked_up=number)
    return _page(request, session, lookup=found)


FIELD_NAMES = {
    "case_type": "公示",
    "case_id": "公示",
    "name": "姓名",
    "phone": "联系电话（手机或区号-座机）",
    "text": "异议的事实和理由（至少 5 个字）",
    "candidate_id": "考生",
}


def _page(request: Request, session, status_code: int = 200, **context):
    return TEMPLATES.TemplateResponse(
        request,
        "public/publicity.html",
        {"page": publicity.page_view(session), "submitted": {}, "error": None, "receipt": None, "lookup": None,
         "looked_up": "", **context},
        status_code=status_code,
    )
