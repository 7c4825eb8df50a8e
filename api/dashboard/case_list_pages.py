"""案件查询: the dashboard's search box and case list (issue 28, item 2). The search itself is
tasks/queries/search.py; this module turns a page of its cases into rows a person reads (kind, reference,
institution, where the case stands, centre, last change) and keeps the filters in the next page's link."""

from __future__ import annotations

import base64
import datetime as dt
from typing import Any
from urllib.parse import urlencode

from sqlmodel import Session

from api.dashboard.pages import time_text
from core.clock import CHINA
from models.accounts import User
from models.case_kinds import CASE_LABELS
from policy.profiles import centre_name
from policy.steps import STEP_NAMES
from tasks.cases.supervision import STATUS_LABELS as SUPERVISION_STATUS
from tasks.queries import search

STATES = {"open": "办理中", "finished": "已办结"}
STEP_CHOICES = sorted({"completeness_check", "city_recommendation", "acceptance", "resubmission", "expert_evaluation",
                       "best_selection", "leading_group_approval", "publicity", "ministry_review", "registered",
                       "plan_filing", "quality_supervision", "results_submission", "results_publicity",
                       "results_review", "upload", "certificates_issued"}, key=lambda code: STEP_NAMES[code])


def day_start(day: dt.date | None, *, next_day: bool = False) -> dt.datetime | None:
    """The instant a China day starts (or the next one does), in UTC as the tables keep instants."""
    if day is None:
        return None
    return dt.datetime.combine(day + dt.timedelta(days=next_day), dt.time(), tzinfo=CHINA).astimezone(dt.UTC)


class BadCursor(ValueError):
    """A `after` value this page never issued."""


def encode_cursor(cursor: tuple[dt.datetime, str, int]) -> str:
    at, kind, case_id = cursor
    at = at if at.tzinfo else at.replace(tzinfo=dt.UTC)
    return base64.urlsafe_b64encode(f"{at.isoformat()}|{kind}|{case_id}".encode()).decode().rstrip("=")


def decode_cursor(value: str | None) -> tuple[dt.datetime, str, int] | None:
    if not value:
        return None
    try:
        at, kind, case_id = base64.urlsafe_b64decode(value.encode() + b"==").decode().split("|")
        cursor = (dt.datetime.fromisoformat(at), kind, int(case_id))
    except (ValueError, UnicodeDecodeError) as exc:
        raise BadCursor(value) from exc
    if cursor[1] not in search.KINDS or cursor[0].tzinfo is None or not 0 < cursor[2] < 2**31:
        raise BadCursor(value)
    return cursor[0].astimezone(dt.UTC), cursor[1], cursor[2]


def _day(instant: dt.datetime | None, *, day_before: bool = False) -> str:
    """The China day a filter instant starts (the day before, for an exclusive end)."""
    if instant is None:
        return ""
    day = instant.astimezone(CHINA).date() - dt.timedelta(days=day_before)
    return day.isoformat()


def _row(found: search.Found) -> dict[str, Any]:
    case, kind = found.case, found.kind
    stands = SUPERVISION_STATUS.get(case.status, case.status) if kind == "supervision" else \
        STEP_NAMES.get(case.current_step, case.current_step)
    centre = (getattr(case, "handling_centre", None) or getattr(case, "centre", None) or case.region_code)
    return {
        "kind": CASE_LABELS[kind],
        "ref": f"{CASE_LABELS[kind]} #{case.id}",
        "href": f"/dashboard/cases/{kind}/{case.id}",
        "institution": found.institution.name if found.institution else "—",
        "credit_code": found.institution.credit_code if found.institution else "",
        "stands": stands,
        "finished": case.status in search.FINISHED[kind],
        "centre": centre_name(centre),
        "changed": time_text(case.updated_at),
    }


def case_list_page(session: Session, user: User, query: search.CaseQuery, *,
                   after: tuple[dt.datetime, str, int] | None, limit: int = 50) -> dict[str, Any]:
    found = search.find_cases(session, user, query, after=after, limit=limit)
    filters = {"q": query.text, "kind": query.kind or "", "state": query.state or "", "step": query.step or "",
               "centre": query.centre or "", "changed_from": _day(query.changed_since),
               "changed_to": _day(query.changed_before, day_before=True)}
    more = len(found) > limit
    return {
        "rows": [_row(f) for f in found[:limit]],
        "filters": filters,
        "kinds": [{"value": k, "label": CASE_LABELS[k], "selected": k == query.kind} for k in search.KINDS],
        "states": [{"value": k, "label": v, "selected": k == query.state} for k, v in STATES.items()],
        "steps": [{"value": s, "label": STEP_NAMES[s], "selected": s == query.step} for s in STEP_CHOICES],
        "searched": bool(query.text or query.kind or query.state or query.step or query.centre),
        "next": ("/dashboard/cases?" + urlencode({**{k: v for k, v in filters.items() if v},
                                                  "after": encode_cursor(search.cursor_of(found[limit - 1]))})
                 if more else None),
        "first_page": after is None,
    }
