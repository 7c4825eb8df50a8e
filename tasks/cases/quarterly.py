"""The quarterly progress report (004 §六(一) 市州按季度向省级报送): a city's centre submits a finished
quarter's figures and PDF; the report becomes a task in its provincial centre's inbox, which accepts it or
returns it with a reason; a returned report is submitted again as the next round."""

from __future__ import annotations

from sqlmodel import Session, col, select

from core.clock import china_date
from core.settings import Settings
from models import responses as out
from models.accounts import User
from models.clock import business_instant, business_today
from models.reports import QuarterlyReport
from models.workflow import HumanTask
from policy.eligibility import Violation
from policy.regions import region_prefix
from policy.statistics import PeriodError, parse_period
from tasks.adapters import filestore
from tasks.errors import Conflict, NotFound, Problems
from tasks.queries import charts, reports
from tasks.records import audit
from tasks.waits.human_tasks import ensure_task

STATUS_LABELS = {"submitted": "已报送，待省级中心审核", "accepted": "省级中心已接收", "returned": "省级中心退回修改"}

REVIEW_WORKING_DAYS = 10  # a local setting: the province's inbox deadline for a report


def province_of(jurisdiction: str) -> str:
    return jurisdiction[:2] + "0000"


def _problem(field: str, message: str) -> Problems:
    return Problems([Violation("report.invalid", field, message)])


def submit(session: Session, settings: Settings, *, user: User, period: str, note: str = "") -> QuarterlyReport:
    """A city officer's submission of a finished quarter (idempotent: the same quarter waiting for review
    is answered with the report already sent)."""
    city = user.jurisdiction or ""
    if user.role != "officer" or len(region_prefix(city)) != 4:
        raise Conflict("季度报告由市级中心报送省级中心 / quarterly reports are sent by a city's centre")
    try:
        quarter = parse_period(period)
    except PeriodError as exc:
        raise _problem("period", str(exc)) from None
    if quarter.kind != "quarter":
        raise _problem("period", f"{period!r} is not a quarter: give it as 2026-Q3")
    today = business_today(session)
    if quarter.end >= today:
        raise _problem("period", f"{quarter.label} ends on {quarter.end.isoformat()}: report it once it has ended")
    earlier = session.exec(select(QuarterlyReport).where(QuarterlyReport.jurisdiction == city,
                                                         QuarterlyReport.period == quarter.code)
                           .order_by(col(QuarterlyReport.round).desc())).first()
    if earlier is not None and earlier.status == "submitted":
        return earlier
    if earlier is not None and earlier.status == "accepted":
        raise Conflict(f"{quarter.label} 的报告已被省级中心接收 / the province accepted this quarter's report on "
                       f"{china_date(earlier.decided_at).isoformat() if earlier.decided_at else '—'}")
    figures = reports.statistics(session, jurisdiction=city, period=quarter)
    pdf = charts.quarterly_report_pdf(figures, quarter, today)
    digest = filestore.digest(pdf)
    filestore.for_settings(settings).put(digest, pdf)
    report = QuarterlyReport(jurisdiction=city, province=province_of(city), period=quarter.code,
                             round=earlier.round + 1 if earlier else 0, figures=figures.model_dump(mode="json"),
                             pdf_sha256=digest,
                             submitted_by=user.id, submitted_at=business_instant(session), note=note.strip()[:2000])
    session.add(report)
    session.flush()
    ensure_task(session, key=f"quarterly_report:{report.id}", case_type="report", case_id=report.id,
                step="quarterly_report_review", role="officer", jurisdiction=report.province,
                due_working_days=REVIEW_WORKING_DAYS, flow_run_id=None)
    audit.record(session, case_type="report", case_id=report.id, action="quarterly_report_submitted",
                 actor_id=user.id, actor_role=user.role,
                 after={"jurisdiction": city, "period": quarter.code, "round": report.round + 1, "pdf_sha256": digest})
    return report


def record_review(session: Session, task: HumanTask) -> None:
    """The province's decision on the report's task becomes the report's status."""
    report = session.get(QuarterlyReport, task.case_id)
    if report is None or report.status != "submitted":
        return
    report.status = "accepted" if task.decision == "accept" else "returned"
    report.decided_by, report.decided_at = task.decided_by, business_instant(session)
    report.reason = (task.decision_payload or {}).get("reason")
    session.add(report)
    audit.record(session, case_type="report", case_id=report.id, action=f"quarterly_report_{report.status}",
                 actor_id=task.decided_by, actor_role="officer", after={"reason": report.reason})


def visible(session: Session, user: User, report_id: int) -> QuarterlyReport:
    """The city that sent it, the province it went to (and operations, admins)."""
    report = session.get(QuarterlyReport, report_id)
    if report is None or not _sees(user, report):
        raise NotFound(f"quarterly report {report_id} does not exist")
    return report


def _sees(user: User, report: QuarterlyReport) -> bool:
    return user.role in ("operations", "admin") or (user.role == "officer" and user.jurisdiction in (
        report.jurisdiction, report.province))


def listed(session: Session, user: User, *, period: str | None = None) -> list[QuarterlyReport]:
    query = select(QuarterlyReport).order_by(col(QuarterlyReport.id).desc()).limit(500)
    if user.role == "officer":
        query = query.where((QuarterlyReport.jurisdiction == user.jurisdiction)
                            | (QuarterlyReport.province == user.jurisdiction))
    elif user.role not in ("operations", "admin"):
        return []
    if period:
        query = query.where(QuarterlyReport.period == period)
    return list(session.exec(query))


def pdf(settings: Settings, report: QuarterlyReport) -> bytes:
    return filestore.for_settings(settings).get(report.pdf_sha256)


def pdf_headers(report: QuarterlyReport) -> dict[str, str]:
    return {"Content-Disposition": f'attachment; filename="report-{report.jurisdiction}-{report.period}-'
                                   f'{report.round + 1}.pdf"'}


def view(report: QuarterlyReport) -> out.QuarterlyReportOut:
    figures = report.figures
    return out.QuarterlyReportOut(
        id=report.id, jurisdiction=report.jurisdiction, province=report.province, period=report.period,
        period_label=figures.get("period", {}).get("label", report.period),
        round=report.round + 1,  # numbered from 1, as on the page
        status=report.status, status_label=STATUS_LABELS[report.status], submitted_by=report.submitted_by,
        submitted_at=report.submitted_at, note=report.note, decided_by=report.decided_by,
        decided_at=report.decided_at, reason=report.reason,
        pdf=f"/api/v1/reports/quarterly/submissions/{report.id}.pdf", pdf_sha256=report.pdf_sha256, figures=figures)


def latest_for(session: Session, jurisdiction: str, period: str) -> QuarterlyReport | None:
    return session.exec(select(QuarterlyReport).where(QuarterlyReport.jurisdiction == jurisdiction,
                                                      QuarterlyReport.period == period)
                        .order_by(col(QuarterlyReport.round).desc())).first()


def facts(report: QuarterlyReport) -> list[tuple[str, str]]:
    """What the province's officer reads on the task page before deciding."""
    figures = report.figures
    batches, filings = figures.get("batches", {}), figures.get("filings", {})
    return [("报送单位", report.jurisdiction), ("期间", figures.get("period", {}).get("label", report.period)),
            ("轮次", "首次报送" if report.round == 0 else f"第 {report.round + 1} 次报送"),
            ("备案：收到 / 办结", f"{filings.get('received', 0)} / {filings.get('decided', 0)}"),
            ("评价批次 / 考生", f"{batches.get('evaluated', 0)} / {batches.get('candidates', 0)}"),
            ("合格率", f"{batches.get('pass_rate')}%" if batches.get("pass_rate") is not None else "—"),
            ("发证 / 撤销", f"{figures.get('certificates', {}).get('issued', 0)} / "
                           f"{figures.get('certificates', {}).get('revoked', 0)}"),
            ("说明", report.note or "—"), ("PDF 摘要（SHA-256）", report.pdf_sha256)]

