"""The documented error answers every router shares (`{"detail": ...}` with a 4xx status)."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel


class ErrorOut(BaseModel):
    detail: Any


def _doc(text: str) -> dict[str, Any]:
    return {"model": ErrorOut, "description": text}


ERRORS: dict[int | str, dict[str, Any]] = {
    400: _doc("the body is not parseable (not JSON, wrong encoding)"),
    401: _doc("missing or invalid bearer token"),
    403: _doc("your role may not do this"),
    404: _doc("unknown, or not yours to see"),
    409: _doc("conflicts with the case's state (e.g. decided already, plan too late, key reused)"),
    413: _doc("the request body is larger than the limit (CERTFLOW_MAX_BODY_BYTES)"),
    422: _doc("invalid input: every problem listed with its field (the first 50, and how many more)"),
}
PUBLIC_ERRORS = {404: _doc("no such certificate"), 422: ERRORS[422], 429: _doc("too many requests; see Retry-After")}
