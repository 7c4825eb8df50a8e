"""The public's front door, no account needed: the home page (/), certificate verification by typed number or by
the QR code printed on a certificate (/verify), and the catalogue of filed institutions with its removals
(/institutions). Each page's view-model is made here; the JSON twins live in api/routes/certificates.py."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any

from fastapi import APIRouter, Depends, HTTPException, Query, Request
from fastapi.responses import HTMLResponse
from fastapi.templating import Jinja2Templates

from api.deps import SessionDep
from api.pagination import CursorQuery, decode_cursor, page
from api.ratelimit import public_rate_limit
from api.routes.certificates import verify
from policy.numbering import is_certificate_number
from policy.profiles import place_name
from tasks.queries import catalogue

TEMPLATES = Jinja2Templates(directory=str(Path(__file__).resolve().parents[2] / "templates"))
router = APIRouter(tags=["public"])
LIMITED = {"dependencies": [Depends(public_rate_limit)], "response_class": HTMLResponse}
PER_PAGE = 50

# What each answer means to the person holding the certificate or checking it
VERDICTS = {
    "valid": ("证书有效", "该证书已由全国联网查询系统确认。"),
    "revoked": ("证书已撤销", "该证书已被撤销，不再有效。"),
    "pending": ("已报送，待全国联网确认", "评价机构已报送该证书，全国联网查询系统尚未确认；确认后此处显示为有效。"),
    "not_found": ("未查询到该证书", "没有这个编号的证书。请对照证书核对编号后再查。"),
    "malformed": ("证书编号格式不正确", "证书编号共 22 位：1 个字母加 21 位数字。请对照证书核对后再查。"),
}
STATUS_OF = {"valid": 200, "revoked": 200, "pending": 200, "not_found": 404, "malformed": 422, None: 200}


@router.get("/", summary="The public home page: verify a certificate, publicity, complaints, the catalogue",
            responses={429: {"description": "too many requests"}}, **LIMITED)
def home_page(request: Request):
    return TEMPLATES.TemplateResponse(request, "public/home.html", {})


@router.get("/verify", summary="Certificate verification: a number field, and the answer for a typed number",
            responses={404: {"description": "no such certificate"}, 422: {"description": "not a certificate number"},
                       429: {"description": "too many requests"}}, **LIMITED)
def verify_form(request: Request, session: SessionDep, number: Annotated[str, Query(max_length=60)] = ""):
    return _verification(request, session, number)


@router.get("/verify/{number}", summary="Certificate verification page (the QR code on a certificate opens this)",
            responses={404: {"description": "no such certificate"}, 422: {"description": "not a certificate number"},
                       429: {"description": "too many requests"}}, **LIMITED)
def verification_page(number: str, request: Request, session: SessionDep):
    return _verification(request, session, number)


def _verification(request: Request, session, typed: str):
    view = verification_view(session, typed)
    return TEMPLATES.TemplateResponse(request, "public/verify.html", {"page": view},
                                      status_code=STATUS_OF[view["state"]])


def verification_view(session, typed: str) -> dict[str, Any]:
    """The page's answer for what was typed (spaces and case forgiven): a state, its headline and explanation,
    and the certificate's public facts when there is one."""
    number = "".join(typed.split()).upper()
    certificate = None
    if not number:
        state = None
    elif not is_certificate_number(number):
        state = "malformed"
    else:
        try:
            certificate = verify(session, number)
            state = certificate.status
        except HTTPException:
            state = "not_found"
    headline, explanation = VERDICTS.get(state or "", ("", ""))
    if state == "revoked" and certificate is not None:
        headline = f"证书已于 {certificate.revoked_on} 撤销"
    return {"number": number[:22] if state == "malformed" else number, "state": state, "headline": headline,
            "explanation": explanation, "certificate": certificate}


@router.get("/institutions", summary="The catalogue of filed evaluation institutions (备案目录), 50 a page",
            responses={429: {"description": "too many requests"}}, **LIMITED)
def catalogue_page(request: Request, session: SessionDep, cursor: CursorQuery = None):
    after, notice = _after(cursor)
    rows = catalogue.registered(session, limit=PER_PAGE, after=after)
    listed = page([entry for _, entry in rows], [key for key, _ in rows], PER_PAGE)
    entries = [{
        "name": entry.name, "region": place_name(entry.region_code), "segment": entry.segment or "—",
        "registered_on": entry.registered_on.isoformat() if entry.registered_on else "—",
        "occupations": "；".join(f"{o.name}（{'、'.join(o.levels)}）" for o in entry.occupations) or "—",
    } for _, entry in rows[:PER_PAGE]]
    return TEMPLATES.TemplateResponse(request, "public/institutions.html", {"page": {
        "title": "评价机构备案目录", "removals": False, "entries": entries, "notice": notice,
        "next_href": f"/institutions?cursor={listed['next_cursor']}" if listed["next_cursor"] else None,
    }})


@router.get("/institutions/removals", summary="Institutions removed from the catalogue (动态调整), 50 a page",
            responses={429: {"description": "too many requests"}}, **LIMITED)
def removals_page(request: Request, session: SessionDep, cursor: CursorQuery = None):
    after, notice = _after(cursor)
    rows = catalogue.removed(session, limit=PER_PAGE, after=after)
    listed = page([entry for _, entry in rows], [key for key, _ in rows], PER_PAGE)
    entries = [{"name": entry.name, "region": place_name(entry.region_code),
                "segment": entry.segment or "—", "removed_on": entry.removed_on.isoformat(),
                "reason": entry.reason_label or "—"} for _, entry in rows[:PER_PAGE]]
    return TEMPLATES.TemplateResponse(request, "public/institutions.html", {"page": {
        "title": "退出备案目录的评价机构", "removals": True, "entries": entries, "notice": notice,
        "next_href": f"/institutions/removals?cursor={listed['next_cursor']}" if listed["next_cursor"] else None,
    }})


def _after(cursor: str | None) -> tuple[int | None, str | None]:
    """A page link typed by hand is answered with the first page, said so (a person reads this, not a client)."""
    try:
        return decode_cursor(cursor), None
    except HTTPException:
        return None, "翻页链接无效，已显示第一页。"
