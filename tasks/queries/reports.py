"""The centres' statistics for a jurisdiction and a period (month, quarter, year): filings by outcome, how
long each step took in working days, batches, candidates and pass rates by occupation and level,
certificates issued and revoked, late results, SLA breaches by step, complaints by outcome.

Each figure is one set-based query (a quarterly report over 100,000 cases must not read them one by one);
what the quarterly report (PDF), the dashboard's charts and the workbook show is built from this one dict."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict

from sqlalchemy import and_, case, func, true
from sqlalchemy import select as sa_select
from sqlmodel import Session, col, select

from core.clock import CHINA, china_date
from models import responses as out
from models.accounts import User
from models.audit import AuditEvent
from models.cases import Candidate, Certificate, EvaluationPlan, FilingApplication, Score
from models.catalogue import OccupationRecord
from models.clock import business_today
from models.sla import SlaBreach
from models.supervision import SupervisionCase
from policy.levels import Level
from policy.profiles import centre_name
from policy.regions import region_prefix, within_jurisdiction
from policy.statistics import Period, median, nearest_rank, parse_period, pass_rate, period_containing
from policy.steps import STEP_NAMES
from tasks.adapters import spreadsheets
from tasks.waits.calendar import load_calendar

FILING_OUTCOMES = {
    "registered": "准予备案",
    "rejected": "不予备案",
    "withdrawn": "撤回",
    "ministry_refused": "部中心复核未通过",
}
COMPLAINT_OUTCOMES = {
    "not_accepted": "不予受理",
    "dismissed": "查无实据",
    "rectified": "责令整改",
    "cancelled": "取消备案",
    "revoked": "撤销证书",
    "credit_entry": "记入信用档案",
    None: "办理中",
}
BATCH_STATUS = {"completed": "已发证", "rejected": "未通过/作废"}


def _in_region(column, prefix: str):
    return column.startswith(prefix) if prefix else true()


def _day_bounds(period: Period) -> tuple[dt.datetime, dt.datetime]:
    """The period's instants in China time: from its first day's midnight to the next day after its last."""
    start = dt.datetime.combine(period.start, dt.time(), CHINA)
    return start, dt.datetime.combine(period.end + dt.timedelta(days=1), dt.time(), CHINA)


def statistics(session: Session, *, jurisdiction: str | None, period: Period) -> out.StatisticsOut:
    prefix = region_prefix(jurisdiction) if jurisdiction else ""
    since, until = _day_bounds(period)
    return out.StatisticsOut(
        period=out.PeriodOut(code=period.code, label=period.label, start=period.start, end=period.end),
        jurisdiction=jurisdiction or "全部",
        filings=_filings(session, prefix, since, until),
        step_durations=_step_durations(session, prefix, since, until),
        batches=_batches(session, prefix, period),
        certificates=_certificates(session, prefix, period),
        sla_breaches=_breaches(session, prefix, period),
        complaints=_complaints(session, prefix, since, until),
    )


def _filings(session: Session, prefix: str, since: dt.datetime, until: dt.datetime) -> out.FilingFigures:
    received = session.exec(
        select(func.count())
        .select_from(FilingApplication)
        .where(
            _in_region(FilingApplication.region_code, prefix),
            FilingApplication.created_at >= since,
            FilingApplication.created_at < until,
        )
    ).one()
    # decided in the period: the first time the filing reached an end — `registered` (a pilot enterprise
    # reaches it again after its pilot plan: still one decision) or `closed` (rejected, withdrawn) — fell in it
    closed = (
        select(AuditEvent.case_id)
        .where(
            AuditEvent.case_type == "filing",
            AuditEvent.action == "step_entered",
            col(AuditEvent.after)["step"].as_string().in_(("registered", "closed")),
        )
        .group_by(col(AuditEvent.case_id))
        .having(func.min(AuditEvent.business_time) >= since, func.min(AuditEvent.business_time) < until)
    )
    rows = session.exec(
        select(FilingApplication.status, func.count())
        .where(col(FilingApplication.id).in_(closed), _in_region(FilingApplication.region_code, prefix))
        .group_by(FilingApplication.status)
    ).all()
    outcomes = {status: count for status, count in rows}
    return out.FilingFigures(
        received=received,
        decided=sum(outcomes.values()),
        by_outcome=[out.CountBy(outcome=key, label=FILING_OUTCOMES.get(key, key), count=outcomes[key])
                    for key in sorted(outcomes, key=lambda k: (-outcomes[k], k))],
    )


INTAKE_ACTIONS = {"filing": "filing_submitted", "plan": "plan_filed"}  # the audit entry a case begins with


def _step_durations(session: Session, prefix: str, since: dt.datetime, until: dt.datetime) -> list[out.StepDuration]:
    """How long each step took, in working days (the start day not counted), for the steps that ended in
    the period: a step ends when its case enters the next one."""
    calendar = load_calendar(session)
    spans: dict[tuple[str, str], list[int]] = defaultdict(list)
    for case_type, table in (("filing", FilingApplication), ("plan", EvaluationPlan)):
        # cases of the region that entered a step in the period, with their whole step history up to its end
        moved = (
            select(AuditEvent.case_id)
            .where(
                AuditEvent.case_type == case_type,
                AuditEvent.action == "step_entered",
                AuditEvent.business_time >= since,
                AuditEvent.business_time < until,
            )
            .distinct()
        )
        in_region = select(col(table.id)).where(_in_region(table.region_code, prefix), col(table.id).in_(moved))
        # a case is in its first step from the business day it was filed (its intake's audit entry); its
        # created_at, a wall-clock instant that a simulated or corrected business clock leaves behind, only
        # where no intake entry exists (a case made outside the intake)
        entered: dict[int, dt.date] = {
            case_id: china_date(created)
            for case_id, created in session.execute(
                select(col(table.id), col(table.created_at)).where(col(table.id).in_(in_region))
            ).all()
        }
        entered.update(
            (case_id, china_date(filed))
            for case_id, filed in session.execute(
                select(AuditEvent.case_id, func.min(AuditEvent.business_time))
                .where(AuditEvent.case_type == case_type, AuditEvent.action == INTAKE_ACTIONS[case_type],
                       col(AuditEvent.case_id).in_(in_region))
                .group_by(col(AuditEvent.case_id))
            ).all()
        )
        rows = session.execute(
            select(AuditEvent.case_id, AuditEvent.business_time, AuditEvent.before)
            .where(
                AuditEvent.case_type == case_type,
                AuditEvent.action == "step_entered",
                AuditEvent.business_time < until,
                col(AuditEvent.case_id).in_(in_region),
            )
            .order_by(col(AuditEvent.case_id), col(AuditEvent.business_time), col(AuditEvent.id))
        ).all()
        for case_id, when, before in rows:
            day = china_date(when)
            left = (before or {}).get("step")
            started = entered.get(case_id)
            if left and started is not None and when >= since:
                spans[(case_type, left)].append(calendar.count_between(started, day))
            entered[case_id] = day
    return [out.StepDuration(case_type=case_type, step=step, step_name=STEP_NAMES.get(step, step), count=len(days),
                             median_working_days=median(days), p90_working_days=nearest_rank(days, 90))
            for (case_type, step), days in sorted(spans.items())]


def _batches(session: Session, prefix: str, period: Period) -> out.BatchFigures:
    ended = and_(
        _in_region(EvaluationPlan.region_code, prefix),
        col(EvaluationPlan.evaluation_end) >= period.start,
        col(EvaluationPlan.evaluation_end) <= period.end,
    )
    by_status = dict(
        session.exec(select(EvaluationPlan.status, func.count()).where(ended).group_by(EvaluationPlan.status)).all()
    )
    late = session.exec(
        select(func.count()).select_from(EvaluationPlan).where(ended, EvaluationPlan.results_late)
    ).one()
    rows = session.execute(  # five columns: SQLAlchemy's select (SQLModel's types four)
        sa_select(
            col(EvaluationPlan.occupation_code),
            col(Candidate.level),
            func.count(col(Candidate.id)),
            func.count(col(Score.id)),
            func.sum(case((col(Score.passed), 1), else_=0)),
        )
        .join(Candidate, col(Candidate.plan_id) == col(EvaluationPlan.id))
        .join(Score, col(Score.candidate_id) == col(Candidate.id), isouter=True)
        .where(ended)
        .group_by(col(EvaluationPlan.occupation_code), col(Candidate.level))
    ).all()
    names = (
        dict(
            session.exec(
                select(OccupationRecord.code, OccupationRecord.name).where(
                    col(OccupationRecord.code).in_({r[0] for r in rows})
                )
            ).all()
        )
        if rows
        else {}
    )
    results = [
        out.ResultsByOccupation(occupation_code=code, occupation_name=names.get(code, code), level=Level(level).display,
                                candidates=candidates, scored=scored, passed=int(passed or 0),
                                pass_rate=pass_rate(int(passed or 0), scored))
        for code, level, candidates, scored, passed in sorted(rows, key=lambda r: (r[0], -r[1]))
    ]
    scored, passed = sum(r.scored for r in results), sum(r.passed for r in results)
    return out.BatchFigures(
        evaluated=sum(by_status.values()),
        by_status=[out.StatusCount(status=k, label=BATCH_STATUS.get(k, "办理中"), count=v)
                   for k, v in sorted(by_status.items(), key=lambda kv: (-kv[1], kv[0]))],
        late_results=late,
        candidates=sum(r.candidates for r in results),
        scored=scored,
        passed=passed,
        pass_rate=pass_rate(passed, scored),
        by_occupation_and_level=results,
    )


def _certificates(session: Session, prefix: str, period: Period) -> out.CertificateFigures:
    region = select(EvaluationPlan.id).where(_in_region(EvaluationPlan.region_code, prefix))
    issued = dict(
        session.exec(
            select(Certificate.level, func.count())
            .where(
                col(Certificate.plan_id).in_(region),
                Certificate.issued_on >= period.start,
                Certificate.issued_on <= period.end,
                Certificate.status != "pending",
            )
            .group_by(col(Certificate.level))
        ).all()
    )
    revoked = session.exec(
        select(func.count())
        .select_from(Certificate)
        .where(
            col(Certificate.plan_id).in_(region),
            col(Certificate.revoked_on) >= period.start,
            col(Certificate.revoked_on) <= period.end,
        )
    ).one()
    return out.CertificateFigures(
        issued=sum(issued.values()),
        revoked=revoked,
        issued_by_level=[out.LevelCount(level=Level(level).display, count=issued[level])
                         for level in sorted(issued, reverse=True)],
    )


def _breaches(session: Session, prefix: str, period: Period) -> list[out.StepCount]:
    rows = session.exec(
        select(SlaBreach.step, func.count())
        .where(
            _in_region(SlaBreach.jurisdiction, prefix),
            SlaBreach.level == "breached",
            SlaBreach.opened_on >= period.start,
            SlaBreach.opened_on <= period.end,
        )
        .group_by(SlaBreach.step)
    ).all()
    return [out.StepCount(step=step, step_name=STEP_NAMES.get(step, step), count=count)
            for step, count in sorted(rows, key=lambda r: (-r[1], r[0]))]


def _complaints(session: Session, prefix: str, since: dt.datetime, until: dt.datetime) -> out.ComplaintFigures:
    rows = session.exec(
        select(SupervisionCase.outcome, func.count())
        .where(
            _in_region(SupervisionCase.region_code, prefix),
            SupervisionCase.source == "complaint",
            SupervisionCase.created_at >= since,
            SupervisionCase.created_at < until,
        )
        .group_by(SupervisionCase.outcome)
    ).all()
    return out.ComplaintFigures(
        received=sum(count for _, count in rows),
        by_outcome=[out.CountBy(outcome=outcome or "open", label=COMPLAINT_OUTCOMES.get(outcome, outcome) or "",
                                count=count)
                    for outcome, count in sorted(rows, key=lambda r: (-r[1], r[0] or ""))],
    )


# -- who may see which jurisdiction's figures ----------------------------------------------------------------


class OutsideJurisdiction(PermissionError):
    pass


def scope_for(user: User, jurisdiction: str | None) -> str | None:
    """The jurisdiction a report covers: an officer's own unless they name one inside it; operations and
    admins name any, or none for the whole instance."""
    if user.role in ("operations", "admin"):
        return jurisdiction
    own = user.jurisdiction or ""
    if jurisdiction is None:
        return own
    if not within_jurisdiction(jurisdiction, own):
        raise OutsideJurisdiction(f"{jurisdiction} is outside your jurisdiction {own}")
    return jurisdiction


def resolve_scope(
    session: Session, user: User, period: str | None, jurisdiction: str | None
) -> tuple[Period, str | None]:
    """The period asked for (this quarter by default) and the jurisdiction the user may see of it;
    PeriodError or OutsideJurisdiction otherwise."""
    chosen = parse_period(period) if period else period_containing(business_today(session))
    return chosen, scope_for(user, jurisdiction)


def jurisdiction_choices(session: Session, user: User) -> list[tuple[str, str]]:
    """The centre's own jurisdiction and the cities (or districts) under it that have cases."""
    own = user.jurisdiction if user.role == "officer" else None
    prefix = region_prefix(own) if own else ""
    regions = session.exec(
        select(FilingApplication.region_code).where(_in_region(FilingApplication.region_code, prefix)).distinct()
    ).all()
    level = len(prefix) + 2 if len(prefix) < 6 else 6
    below = sorted({(r[:level] + "0" * (6 - level)) for r in regions} - {own})
    return ([(own, f"{centre_name(own)}（本中心）")] if own else [("", "全部")]) + [(code, centre_name(code))
                                                                                  for code in below]


# -- the same figures as a workbook and as the quarterly report ---------------------------------------------


def workbook(stats: out.StatisticsOut) -> bytes:
    filings, batches, certificates = stats.filings, stats.batches, stats.certificates
    summary = [
        ("期间", stats.period.label),
        ("辖区", centre_name(stats.jurisdiction)),
        ("收到备案申请", filings.received),
        ("备案办结", filings.decided),
        ("评价批次", batches.evaluated),
        ("考生", batches.candidates),
        ("已评分", batches.scored),
        ("合格", batches.passed),
        ("合格率（%）", batches.pass_rate),
        ("逾期报送成绩的批次", batches.late_results),
        ("发证", certificates.issued),
        ("撤销证书", certificates.revoked),
        ("投诉举报", stats.complaints.received),
    ]
    return spreadsheets.workbook_of(
        [
            ("概况", ["项目", "数值"], summary),
            ("备案结果", ["结果", "件数"], [(r.label, r.count) for r in filings.by_outcome]),
            (
                "环节用时",
                ["案件", "环节", "件数", "中位数（工作日）", "P90（工作日）"],
                [
                    (r.case_type, r.step_name, r.count, r.median_working_days, r.p90_working_days)
                    for r in stats.step_durations
                ],
            ),
            (
                "合格率",
                ["职业编码", "职业", "等级", "考生", "已评分", "合格", "合格率（%）"],
                [
                    (
                        r.occupation_code,
                        r.occupation_name,
                        r.level,
                        r.candidates,
                        r.scored,
                        r.passed,
                        r.pass_rate,
                    )
                    for r in batches.by_occupation_and_level
                ],
            ),
            ("发证", ["等级", "本数"], [(r.level, r.count) for r in certificates.issued_by_level]),
            ("超期", ["环节", "次数"], [(r.step_name, r.count) for r in stats.sla_breaches]),
            ("投诉举报", ["结果", "件数"], [(r.label, r.count) for r in stats.complaints.by_outcome]),
        ]
    )
