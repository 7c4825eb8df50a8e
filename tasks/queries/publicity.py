"""What is in publicity now (公示), for everyone: filings (the enterprise and the occupations it applied
for) and evaluation results (candidates with masked ID numbers, occupation, level, result), each with
its end date and the working days left. Publicity is public by definition; nothing else is shown."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import Any, TypeVar

from sqlmodel import Session, col, select

from models import responses as out
from models.cases import Candidate, EvaluationPlan, FilingApplication, FilingOccupation, Institution, Score
from models.catalogue import OccupationRecord
from models.clock import business_today
from models.workflow import Timer
from policy.identity import mask_resident_id
from policy.levels import Level
from policy.profiles import EVALUATION_ROUTES, get_profile
from tasks.queries import views
from tasks.waits.calendar import load_calendar

KINDS = {"filing": "备案评估结果公示", "plan": "职业技能等级认定结果公示"}


def current(session: Session, *, kind: str, after_id: int | None, limit: int) -> list[out.Publicity]:
    """Publicities of `kind` open today, by id, `limit + 1` rows read (the extra one says there is more)."""
    today = business_today(session)
    if kind == "filing":
        return [_filing(session, row, today)
                for row in _open_on(session, FilingApplication, today, after_id=after_id, limit=limit)]
    return [_results(session, row, today)
            for row in _open_on(session, EvaluationPlan, today, after_id=after_id, limit=limit)]


Publicised = TypeVar("Publicised", FilingApplication, EvaluationPlan)


def _open_on(session: Session, table: type[Publicised], today: dt.date, *, after_id: int | None,
             limit: int) -> Sequence[Publicised]:
    query = select(table).where(col(table.status) == "publicity", col(table.publicity_start).is_not(None),
                                col(table.publicity_start) <= today, col(table.publicity_end) >= today)
    if after_id is not None:
        query = query.where(col(table.id) > after_id)
    return session.exec(query.order_by(col(table.id)).limit(limit + 1)).all()


def _period(session: Session, case: FilingApplication | EvaluationPlan, today: dt.date) -> out.PublicityPeriod:
    """The days left count today; the start day itself counts only where the profile says so."""
    start, end = case.publicity_start, case.publicity_end
    if start is None or end is None:
        raise ValueError(f"{case!r} has no publicity period")  # only cases in publicity are read here
    calendar = load_calendar(session)
    counted_from = today - dt.timedelta(days=1)
    if not get_profile(case.profile_code).start_day_counts:
        counted_from = max(counted_from, start)
    provisional = case.publicity_provisional if isinstance(case, FilingApplication) else False
    return out.PublicityPeriod(start=start, end=end, working_days_left=calendar.count_between(counted_from, end),
                               provisional=provisional, explanation=_how_counted(session, case))


def _how_counted(session: Session, case: FilingApplication | EvaluationPlan) -> str | None:
    """How the period's end was reached (its working days, the days skipped by name), from the timer the process
    set — the reader asking "why the 12th?" gets the count, not only the date."""
    case_type = "filing" if isinstance(case, FilingApplication) else "plan"
    purpose = "publicity" if case_type == "filing" else "results_publicity"
    timer = session.exec(select(Timer).where(Timer.case_type == case_type, Timer.case_id == case.id,
                                             Timer.purpose == purpose).order_by(col(Timer.id).desc())).first()
    told = views.timer_deadline_explanation(timer, views.Today(session)) if timer is not None else None
    return told.text if told else None


def _result(score: Score) -> str:
    """合格 / 不合格; a pass by a route other than the parts says which (the public may object to it)."""
    if not score.passed:
        return "不合格"
    return "合格" if score.route == "scored" else f"合格（{EVALUATION_ROUTES.get(score.route, score.route)}）"


def _occupation_names(session: Session, codes: set[str]) -> dict[str, str]:
    rows = session.exec(select(OccupationRecord).where(col(OccupationRecord.code).in_(codes))).all() if codes else []
    return {o.code: o.name for o in rows}


def _filing(session: Session, filing: FilingApplication, today: dt.date) -> out.Publicity:
    occupations = session.exec(select(FilingOccupation).where(FilingOccupation.filing_id == filing.id)).all()
    names = _occupation_names(session, {o.occupation_code for o in occupations})
    return out.Publicity(
        kind="filing", kind_name=KINDS["filing"], id=filing.id, enterprise_name=filing.form.get("enterprise_name"),
        region_code=filing.region_code,
        occupations=[out.ScopeOccupation(code=o.occupation_code, name=names.get(o.occupation_code, o.occupation_code),
                                         levels=[Level(int(d)).display for d in o.levels]) for o in occupations],
        publicity=_period(session, filing, today))



def _results(session: Session, plan: EvaluationPlan, today: dt.date) -> out.Publicity:
    institution = session.get(Institution, plan.institution_id)
    rows = session.exec(select(Candidate, Score).join(Score, col(Score.candidate_id) == col(Candidate.id))
                        .where(col(Candidate.plan_id) == plan.id).order_by(col(Candidate.id))).all()
    names = _occupation_names(session, {plan.occupation_code})
    return out.Publicity(
        kind="plan", kind_name=KINDS["plan"], id=plan.id, institution_name=institution.name if institution else None,
        region_code=plan.region_code,
        occupation=out.OccupationName(code=plan.occupation_code,
                                      name=names.get(plan.occupation_code, plan.occupation_code)),
        evaluation_start=plan.evaluation_start, evaluation_end=plan.evaluation_end,
        candidates=[out.PublicityCandidate(id=c.id, name=c.name, id_number=mask_resident_id(c.id_number),
                                           level=Level(c.level).display, result=_result(s)) for c, s in rows],
        publicity=_period(session, plan, today))



def page_view(session: Session, *, limit: int = 50) -> dict[str, Any]:
    """The public page: both kinds, first `limit` of each (the JSON list pages through the rest)."""
    sections = []
    for kind, name in KINDS.items():
        items = current(session, kind=kind, after_id=None, limit=limit)
        sections.append({"kind": kind, "name": name, "publicities": items[:limit], "more": len(items) > limit})
    return {"today": business_today(session).isoformat(), "sections": sections}
