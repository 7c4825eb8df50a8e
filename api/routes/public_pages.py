"""Public HTML pages: complaints (投诉举报) with the lookup of their progress by receipt number, and the published
inspection results; no account, rate-limited. The home page, verification and the catalogue: front_door.py."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

from fastapi import APIRouter, Depends, Form, HTTPException, Query, Request
from fastapi.responses import HTMLResponse
from fastapi.templating import Jinja2Templates
from pydantic import ValidationError

from api.deps import SessionDep, SettingsDep
from api.errors import in_chinese
from api.pagination import CursorQuery, decode_cursor, page
from api.ratelimit import public_rate_limit
from models.schemas import ComplaintCreate
from policy.credit import is_receipt_number
from policy.profiles import get_profile
from tasks.cases import inspections, supervision
from tasks.errors import Conflict, NotFound, Problems, TooMany

TEMPLATES = Jinja2Templates(directory=str(Path(__file__).resolve().parents[2] / "templates"))
router = APIRouter(tags=["public"])


@router.get("/inspections", response_class=HTMLResponse, summary="Inspection results made public (双随机、一公开)",
            dependencies=[Depends(public_rate_limit)], responses={429: {"description": "too many requests"}})
def inspections_page(request: Request, session: SessionDep, cursor: CursorQuery = None):
    try:
        before = decode_cursor(cursor)
    except HTTPException:  # a page link typed by hand: the first page, said so (a person reads this, not a client)
        before, cursor = None, "invalid"
    rows = inspections.published(session, limit=INSPECTIONS_PER_PAGE, before=before)
    listed = page([item for _, item in rows], [key for key, _ in rows], INSPECTIONS_PER_PAGE)
    return TEMPLATES.TemplateResponse(request, "public/inspections.html", {"page": {
        "inspections": listed["items"],
        "next_href": f"/inspections?cursor={listed['next_cursor']}" if listed["next_cursor"] else None,
        "provinces": "、".join(get_profile(code).name for code in inspections.publishing_profiles()),
        "notice": "翻页链接无效，已显示最新的检查结果。" if cursor == "invalid" else None,
    }})


INSPECTIONS_PER_PAGE = 50
COMPLAINT_FIELDS = {
    "institution_id": "被投诉的评价机构",
    "certificate_number": "证书编号（22 位）",
    "text": "投诉举报的事实（至少 10 个字）",
    "contact_name": "联系人",
    "contact_phone": "联系电话（手机或区号-座机）",
}
HTML = {"content": {"text/html": {}}}


@router.get(
    "/complaints",
    response_class=HTMLResponse,
    summary="Complaint page (投诉举报), no login",
    dependencies=[Depends(public_rate_limit)],
    responses={429: {"description": "too many requests"}},
)
def complaint_page(request: Request, session: SessionDep):
    return _complaints(request, session)


@router.post(
    "/complaints",
    response_class=HTMLResponse,
    status_code=201,
    summary="The complaint page's form",
    dependencies=[Depends(public_rate_limit)],
    responses={
        200: {"description": "the same complaint is open already: its receipt", **HTML},
        400: {"description": "a body that is not a form", "content": {"application/json": {}}},
        413: {"description": "the body is larger than the limit", "content": {"application/json": {}}},
        422: {
            "description": "the page again, the problems named and what was typed kept (JSON: "
            "a form with no fields at all)",
            "content": {"text/html": {}, "application/json": {}},
        },
        429: {"description": "too many requests", "content": {"application/json": {}}},
    },
)
def complaint_form(
    request: Request,
    session: SessionDep,
    settings: SettingsDep,
    institution_id: Annotated[str, Form(max_length=20)] = "",
    certificate_number: Annotated[str, Form(max_length=40)] = "",
    text: Annotated[str, Form(max_length=10000)] = "",
    contact_name: Annotated[str, Form(max_length=200)] = "",
    contact_phone: Annotated[str, Form(max_length=50)] = "",
):
    submitted = {
        "institution_id": institution_id,
        "certificate_number": certificate_number,
        "text": text,
        "contact_name": contact_name,
        "contact_phone": contact_phone,
    }
    try:
        body = ComplaintCreate(
            institution_id=institution_id or None,
            certificate_number=certificate_number.strip().upper() or None,
            text=text,
            contact_name=contact_name,
            contact_phone=contact_phone,
        )
        case, created = supervision.file_complaint(session, body=body,
                                                   open_per_phone=settings.complaints_open_per_phone,
                                                   open_per_target=settings.complaints_open_per_target)
    except ValidationError as invalid:
        fields = [COMPLAINT_FIELDS.get(str(e["loc"][0]), str(e["loc"][0])) for e in invalid.errors()]
        return _complaints(
            request, session, 422, submitted=submitted, error="请检查：" + "、".join(dict.fromkeys(fields))
        )
    except Problems as problems:
        return _complaints(
            request,
            session,
            422,
            submitted=submitted,
            error="；".join(in_chinese(v.message) for v in problems.violations),
        )
    except (TooMany, Conflict) as refused:
        return _complaints(request, session, 429 if isinstance(refused, TooMany) else 409, submitted=submitted,
                           error=in_chinese(str(refused)))
    return _complaints(request, session, 201 if created else 200, receipt=supervision.public_view(case))


@router.get(
    "/complaints/lookup",
    response_class=HTMLResponse,
    summary="A complaint's progress by receipt number",
    dependencies=[Depends(public_rate_limit)],
    responses={404: {"description": "no such receipt number", **HTML}, 429: {"description": "too many requests"}},
)
def complaint_lookup(request: Request, session: SessionDep, receipt: Annotated[str, Query(max_length=40)] = ""):
    number = receipt.strip().upper()
    try:
        found = supervision.public_view(supervision.by_receipt(session, number)) if is_receipt_number(number) else None
    except NotFound:
        found = None
    if found is None:
        return _complaints(request, session, 404, error="没有这个受理编号，请核对后再查")
    return _complaints(request, session, lookup=found)


def _complaints(request: Request, session, status_code: int = 200, **context):
    return TEMPLATES.TemplateResponse(
        request,
        "public/complaints.html",
        {
            "page": supervision.complaint_page_view(session),
            "submitted": {},
            "error": None,
            "receipt": None,
            "lookup": None,
            **context,
        },
        status_code=status_code,
    )
