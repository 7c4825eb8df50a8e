"""Keyset pagination: `limit` and an opaque `cursor`; ordering is stable (by id)."""

from __future__ import annotations

import base64
import datetime as dt
from typing import Annotated

from fastapi import Query

from api.errors import invalid
from core.clock import bounded_instant

MAX_ID = 2**63 - 1

LimitQuery = Annotated[int, Query(ge=1, le=500, description="page size")]
NOT_A_CURSOR = "翻页游标无效 / not a cursor this API issued"
CursorQuery = Annotated[str | None, Query(max_length=100, description="the `next_cursor` of the previous page")]


def decode_cursor(cursor: str | None) -> int | None:
    if not cursor:
        return None
    try:
        value = int(base64.urlsafe_b64decode(cursor.encode() + b"==").decode())
    except (ValueError, UnicodeDecodeError):
        value = -1
    if not 0 <= value <= MAX_ID:  # a row id is a database integer: anything else was not issued here
        raise invalid("cursor", NOT_A_CURSOR, "request.cursor")
    return value


def encode_cursor(last_id: int) -> str:
    return base64.urlsafe_b64encode(str(last_id).encode()).decode().rstrip("=")


def page(items: list, ids: list[int], limit: int) -> dict:
    """`items` was read with limit + 1 rows: the extra one only says there is a next page."""
    has_more = len(items) > limit
    return {"items": items[:limit], "next_cursor": encode_cursor(ids[limit - 1]) if has_more else None}


def decode_change_cursor(cursor: str | None) -> tuple[dt.datetime, int] | None:
    """A cursor of a list sorted by last change: the (updated_at, id) of the last row seen."""
    if not cursor:
        return None
    try:
        at, _, row_id = base64.urlsafe_b64decode(cursor.encode() + b"==").decode().partition("|")
        value = (dt.datetime.fromisoformat(at), int(row_id))
        if value[0].tzinfo is not None:
            bounded_instant(value[0])  # an instant this API never issued, out of any column's range
    except (ValueError, UnicodeDecodeError):
        value = None
    if value is None or value[0].tzinfo is None or not 0 <= value[1] <= MAX_ID:
        raise invalid("cursor", NOT_A_CURSOR, "request.cursor")
    return value


def change_page(items: list, keys: list[tuple[dt.datetime, int]], limit: int) -> dict:
    """Like `page`, for a list sorted by (updated_at, id): the cursor resumes after the last row."""
    has_more = len(items) > limit
    cursor = None
    if has_more:
        at, row_id = keys[limit - 1]
        at = at if at.tzinfo else at.replace(tzinfo=dt.UTC)
        cursor = base64.urlsafe_b64encode(f"{at.isoformat()}|{row_id}".encode()).decode().rstrip("=")
    return {"items": items[:limit], "next_cursor": cursor}
