"""Lists for an enterprise's (or a centre's) own systems: the filings, plans and institutions the caller
may see, filtered, paged by last change so that a sync resumes after the last row it saw; and the feed
of their cases' events."""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Literal

from fastapi import APIRouter, Depends, Query

from api.deps import SessionDep, SettingsDep, role
from api.errors import ERRORS, invalid
from api.pagination import CursorQuery, LimitQuery, change_page, decode_change_cursor, decode_cursor, encode_cursor
from core.clock import bounded_instant
from models.responses import EventFeed, FilingPage, InstitutionPage, PlanPage
from tasks.queries import events, lists

router = APIRouter(prefix="/api/v1", tags=["lists"], responses=ERRORS)
Lister = role("enterprise", "officer", "operations", "admin")
Code = Annotated[str | None, Query(max_length=40, pattern=r"^[a-z_]+$")]


def list_filter(status: Code = None, step: Code = None, profile: Code = None,
                occupation: Annotated[str | None, Query(pattern=r"^\d-\d{2}-\d{2}-\d{2}$",
                                                        description="职业编码, e.g. 6-18-01-01")] = None,
                created_since: Annotated[dt.datetime | None, Query(description="ISO 8601 with its offset")] = None,
                updated_since: Annotated[dt.datetime | None, Query(description="ISO 8601 with its offset")] = None
                ) -> lists.ListFilter:
    for name, value in (("created_since", created_since), ("updated_since", updated_since)):
        if value is not None and value.tzinfo is None:
            raise invalid(name, "请带时区写时间 / give the time with its offset, e.g. 2026-09-01T00:00:00+08:00",
                          "request.offset_missing")
        try:
            if value is not None:
                bounded_instant(value)
        except ValueError as exc:
            raise invalid(name, f"时间超出范围 / {exc}", "request.out_of_range") from None
    return lists.ListFilter(status=status, step=step, profile=profile, occupation=occupation,
                            created_since=created_since, updated_since=updated_since)


Filter = Annotated[lists.ListFilter, Depends(list_filter)]


@router.get("/filings", response_model=FilingPage,
            summary="My filings (an enterprise), or my jurisdiction's (an officer), by last change")
def list_filings(user: Lister, session: SessionDep, f: Filter, limit: LimitQuery = 50, cursor: CursorQuery = None):
    rows = lists.filings(session, user, f, decode_change_cursor(cursor), limit)
    return change_page([lists.filing_row(r) for r in rows], [(r.updated_at, r.id) for r in rows], limit)


@router.get("/plans", response_model=PlanPage, summary="My evaluation plans, or my jurisdiction's, by last change")
def list_plans(user: Lister, session: SessionDep, f: Filter, limit: LimitQuery = 50, cursor: CursorQuery = None):
    rows = lists.plans(session, user, f, decode_change_cursor(cursor), limit)
    return change_page([lists.plan_row(r) for r in rows], [(r.updated_at, r.id) for r in rows], limit)


@router.get("/institutions", response_model=InstitutionPage,
            summary="My institution, or my jurisdiction's institutions, by last change")
def list_institutions(user: Lister, session: SessionDep, f: Filter, limit: LimitQuery = 50,
                      cursor: CursorQuery = None):
    rows = lists.institutions(session, user, f, decode_change_cursor(cursor), limit)
    return change_page([lists.institution_row(r) for r in rows], [(r.updated_at, r.id) for r in rows], limit)


EventType = Literal[tuple(events.TYPES)]  # type: ignore[valid-type]


@router.get("/events", response_model=EventFeed,
            summary="My cases' events after a cursor: an ordered, resumable feed with stable ids")
def case_events(user: Lister, session: SessionDep, settings: SettingsDep,
                after: Annotated[str | None, Query(max_length=100, description="the `next_cursor` of the last call "
                                                   "(none: from the beginning)")] = None,
                limit: Annotated[int, Query(ge=1, le=500)] = 100,
                types: Annotated[list[EventType] | None, Query(alias="type", description="only these types")] = None):
    found, cursor, more = events.feed(session, user, after_id=decode_cursor(after) or 0, limit=limit,
                                      types=set(types) if types else None,
                                      settle=settings.database_url.startswith("postgresql"))
    return EventFeed(items=found, next_cursor=encode_cursor(cursor), has_more=more)
