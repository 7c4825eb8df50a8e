"""What a caller may list — an enterprise its own filings, plans and institution, an officer those of
their jurisdiction, operations and admins everything — filtered, and paged by last change (updated_at,
then id, oldest first: an enterprise's system resumes its sync after the last row it saw, and a case
that changes again comes back at the end)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy import and_, or_
from sqlmodel import Session, col, select

from models import responses as out
from models.accounts import User
from models.cases import EvaluationPlan, FilingApplication, FilingOccupation, Institution, InstitutionOccupation
from tasks.people import access
from tasks.queries.views import filing_summary


@dataclass(frozen=True)
class ListFilter:
    status: str | None = None
    step: str | None = None
    profile: str | None = None
    occupation: str | None = None
    created_since: dt.datetime | None = None
    updated_since: dt.datetime | None = None


def visible(model, user: User):  # a SQL condition
    """The one visibility rule of cases (tasks.people.access), as a condition on a list."""
    own = model.id if model is Institution else model.institution_id
    if user.role == "enterprise":
        return own == (user.institution_id or -1)
    if user.role == "officer":
        return model.region_code.startswith(access.jurisdiction_prefix(user))
    if user.role in ("admin", "operations"):
        return model.id > 0
    return model.id < 0  # nobody else lists cases


def _paged(session: Session, query, model, after: tuple[dt.datetime, int] | None, limit: int) -> list:
    if after is not None:
        at, row_id = after
        query = query.where(or_(model.updated_at > at, and_(model.updated_at == at, model.id > row_id)))
    return list(session.exec(query.order_by(model.updated_at, model.id).limit(limit + 1)).all())


def _common(query, model, f: ListFilter):
    if f.status:
        query = query.where(model.status == f.status)
    if f.profile:
        query = query.where(model.profile_code == f.profile)
    if f.created_since:
        query = query.where(model.created_at >= f.created_since)
    if f.updated_since:
        query = query.where(model.updated_at >= f.updated_since)
    return query


def filings(session: Session, user: User, f: ListFilter, after: tuple[dt.datetime, int] | None,
            limit: int) -> list[FilingApplication]:
    query = _common(select(FilingApplication).where(visible(FilingApplication, user)), FilingApplication, f)
    if f.step:
        query = query.where(FilingApplication.current_step == f.step)
    if f.occupation:
        query = query.where(col(FilingApplication.id).in_(select(FilingOccupation.filing_id).where(
            FilingOccupation.occupation_code == f.occupation)))
    return _paged(session, query, FilingApplication, after, limit)


def plans(session: Session, user: User, f: ListFilter, after: tuple[dt.datetime, int] | None,
          limit: int) -> list[EvaluationPlan]:
    query = _common(select(EvaluationPlan).where(visible(EvaluationPlan, user)), EvaluationPlan, f)
    if f.step:
        query = query.where(EvaluationPlan.current_step == f.step)
    if f.occupation:
        query = query.where(EvaluationPlan.occupation_code == f.occupation)
    return _paged(session, query, EvaluationPlan, after, limit)


def institutions(session: Session, user: User, f: ListFilter, after: tuple[dt.datetime, int] | None,
                 limit: int) -> list[Institution]:
    query = _common(select(Institution).where(visible(Institution, user)), Institution, f)
    if f.occupation:
        query = query.where(col(Institution.id).in_(select(InstitutionOccupation.institution_id).where(
            InstitutionOccupation.occupation_code == f.occupation)))
    return _paged(session, query, Institution, after, limit)


def filing_row(filing: FilingApplication) -> out.FilingRow:
    return out.FilingRow(**dict(filing_summary(filing)), updated_at=filing.updated_at)



def plan_row(plan: EvaluationPlan) -> out.PlanRow:
    return out.PlanRow(
        id=plan.id, institution_id=plan.institution_id, status=plan.status, current_step=plan.current_step,
        occupation_code=plan.occupation_code, evaluation_start=plan.evaluation_start,
        evaluation_end=plan.evaluation_end,
        region_code=plan.region_code, handling_centre=plan.handling_centre, profile=plan.profile_code,
        created_at=plan.created_at, updated_at=plan.updated_at, href=f"/api/v1/plans/{plan.id}")



def institution_row(institution: Institution) -> out.InstitutionRow:
    return out.InstitutionRow(
        id=institution.id, name=institution.name, credit_code=institution.credit_code, kind=institution.kind,
        status=institution.status, region_code=institution.region_code, segment=institution.segment,
        profile=institution.profile_code, registered_on=institution.registered_on, created_at=institution.created_at,
        updated_at=institution.updated_at, href=f"/api/v1/institutions/{institution.id}")

