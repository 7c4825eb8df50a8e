"""Public HTML pages: certificate verification (the QR code on a certificate opens this)."""

from __future__ import annotations

from pathlib import Path

from fastapi import APIRouter, Depends, HTTPException, Request
from fastapi.responses import HTMLResponse
from fastapi.templating import Jinja2Templates

from api.deps import SessionDep
from api.ratelimit import public_rate_limit
from api.routes.certificates import verify

TEMPLATES = Jinja2Templates(directory=str(Path(__file__).resolve().parents[2] / "templates"))
router = APIRouter(tags=["public"])


@router.get("/verify/{number}", response_class=HTMLResponse, summary="Certificate verification page",
            dependencies=[Depends(public_rate_limit)], responses={404: {"description": "no such certificate"},
                                                                  429: {"description": "too many requests"}})
def verification_page(number: str, request: Request, session: SessionDep):
    try:
        certificate = verify(session, number)
        status_code = 200
    except HTTPException:
        certificate, status_code = None, 404
    return TEMPLATES.TemplateResponse(request, "public/verify.html",
                                      {"certificate": certificate, "number": number}, status_code=status_code)
