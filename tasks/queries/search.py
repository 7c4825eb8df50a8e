"""Find any case (issue 28, item 2): the dashboard's search box and case list. One query per kind — filings,
batches, supervision cases — each under the caller's visibility rule (tasks.queries.lists), merged newest
change first and paged by a keyset (last change, kind, id), so a page never repeats nor skips a case that
did not change meanwhile.

What a search term finds: a case id (`12`, `#12`), an institution's unified credit code, a certificate
number (its batch), a complaint's receipt number or a filing's receipt number, and otherwise any part of an
institution's name."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, TypeVar

from sqlalchemy import ColumnElement, and_, false, or_
from sqlmodel import Session, col, select

from models.accounts import User
from models.case_kinds import FINISHED_PLANS, InstitutionCase
from models.cases import Certificate, EvaluationPlan, FilingApplication, Institution
from models.supervision import SupervisionCase
from policy.regions import region_prefix
from tasks.people import access
from tasks.queries.lists import visible

KINDS = ("filing", "plan", "supervision")  # the merge order among cases changed at the same instant
TABLES: dict[str, type[InstitutionCase]] = {"filing": FilingApplication, "plan": EvaluationPlan,
                                           "supervision": SupervisionCase}
TABLES_WITH_STEPS: dict[str, type[FilingApplication] | type[EvaluationPlan]] = {"filing": FilingApplication,
                                                                               "plan": EvaluationPlan}
FINISHED = {"filing": ("registered", "rejected", "withdrawn"), "plan": FINISHED_PLANS, "supervision": ("closed",)}
CASE_ID = re.compile(r"^#?(\d{1,9})$")
CREDIT_CODE = re.compile(r"^[0-9A-HJ-NPQRTUWXY]{2}\d{6}[0-9A-HJ-NPQRTUWXY]{10}$")


@dataclass(frozen=True)
class CaseQuery:
    text: str = ""
    kind: str | None = None  # filing | plan | supervision
    state: str | None = None  # open | finished
    step: str | None = None  # a filing's or a batch's current step
    centre: str | None = None  # a region code: the cases of that division and below
    changed_since: dt.datetime | None = None
    changed_before: dt.datetime | None = None


@dataclass(frozen=True)
class Found:
    kind: str
    case: Any  # a FilingApplication, EvaluationPlan or SupervisionCase
    institution: Institution | None


def _matching(session: Session, kind: str, text: str):  # a SQL condition on the kind's table
    model = TABLES[kind]
    term = text.strip()
    if not term:
        return None
    found: list[ColumnElement[bool]] = []
    if number := CASE_ID.match(term):
        found.append(col(model.id) == int(number.group(1)))
    institutions = select(Institution.id).where(
        Institution.credit_code == term.upper() if CREDIT_CODE.match(term.upper()) else
        col(Institution.name).contains(term, autoescape=True)
    )
    found.append(col(model.institution_id).in_(institutions))
    if kind == "plan":
        found.append(col(model.id).in_(select(Certificate.plan_id).where(Certificate.number == term)))
    if kind in ("filing", "supervision"):
        found.append(col(FilingApplication.receipt_number if kind == "filing" else SupervisionCase.receipt_number)
                     == term)
    return or_(*found)


def _after(kind: str, model, cursor: tuple[dt.datetime, str, int] | None):
    if cursor is None:
        return None
    at, cursor_kind, cursor_id = cursor
    rank, cursor_rank = KINDS.index(kind), KINDS.index(cursor_kind)
    if rank > cursor_rank:  # after the cursor's kind in the merge order: its cases at the same instant follow
        return col(model.updated_at) <= at
    if rank < cursor_rank:  # before it: its cases at the same instant were listed already
        return col(model.updated_at) < at
    return or_(col(model.updated_at) < at, and_(col(model.updated_at) == at, col(model.id) < cursor_id))


def find_cases(session: Session, user: User, query: CaseQuery, *, after: tuple[dt.datetime, str, int] | None,
               limit: int) -> list[Found]:
    """Up to `limit` + 1 cases (one more says there is a next page), newest change first."""
    found: list[tuple[dt.datetime, int, int, Found]] = []
    for kind in KINDS:
        if query.kind and query.kind != kind:
            continue
        model = TABLES[kind]
        conditions = [visible(model, user) if kind != "supervision" else _visible_case(user)]
        if (matching := _matching(session, kind, query.text)) is not None:
            conditions.append(matching)
        if query.state:
            finished = col(model.status).in_(FINISHED[kind])
            conditions.append(finished if query.state == "finished" else ~finished)
        if query.step:
            conditions.append(col(TABLES_WITH_STEPS[kind].current_step) == query.step if kind in TABLES_WITH_STEPS
                              else false())
        if query.centre:
            conditions.append(col(model.region_code).startswith(region_prefix(query.centre) or query.centre))
        if query.changed_since:
            conditions.append(col(model.updated_at) >= query.changed_since)
        if query.changed_before:
            conditions.append(col(model.updated_at) < query.changed_before)
        if (keyset := _after(kind, model, after)) is not None:
            conditions.append(keyset)
        rows: Sequence[tuple[InstitutionCase, Institution | None]] = (
            _newest_first(session, FilingApplication, conditions, limit + 1) if kind == "filing" else
            _newest_first(session, EvaluationPlan, conditions, limit + 1) if kind == "plan" else
            _newest_first(session, SupervisionCase, conditions, limit + 1))
        found += [(case.updated_at, KINDS.index(kind), case.id, Found(kind, case, institution))
                  for case, institution in rows]
    found.sort(key=lambda row: (row[0], -row[1], row[2]), reverse=True)
    return [row[3] for row in found[: limit + 1]]


Case = TypeVar("Case", FilingApplication, EvaluationPlan, SupervisionCase)


def _newest_first(session: Session, model: type[Case], conditions: list[Any],
                  limit: int) -> Sequence[tuple[Case, Institution | None]]:
    return session.exec(
        select(model, Institution).join(Institution, col(Institution.id) == col(model.institution_id), isouter=True)
        .where(*conditions).order_by(col(model.updated_at).desc(), col(model.id).desc()).limit(limit)
    ).all()


def _visible_case(user: User):
    """Supervision cases follow the cases' rule, except that an enterprise lists none here (its complaints
    reach it through the API once accepted)."""
    if user.role == "officer":
        return col(SupervisionCase.region_code).startswith(access.jurisdiction_prefix(user))
    if user.role in ("admin", "operations"):
        return col(SupervisionCase.id) > 0
    return col(SupervisionCase.id) < 0


def cursor_of(found: Found) -> tuple[dt.datetime, str, int]:
    return found.case.updated_at, found.kind, found.case.id
