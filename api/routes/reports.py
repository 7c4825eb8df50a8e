"""The centres' statistics for a jurisdiction and a period: JSON, a workbook, and the quarterly report
(PDF) that a city sends to its province (004 §六(一)). Officers see their jurisdiction (or a part of it);
operations and admins any, or the whole instance."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, HTTPException, Query
from fastapi.responses import Response

from api.deps import Id, SessionDep, SettingsDep, role
from api.errors import ERRORS, invalid
from api.routes.sheets import XLSX_ANSWER as SHEET_ANSWER
from api.routes.sheets import xlsx_response
from models.clock import business_today
from models.responses import QuarterlyReportList, QuarterlyReportOut, StatisticsOut
from models.schemas import QuarterlyReportIn
from policy.statistics import Period, PeriodError
from tasks.cases import quarterly
from tasks.queries import charts, reports

router = APIRouter(prefix="/api/v1/reports", tags=["reports"], responses=ERRORS)
Readers = role("officer", "operations", "admin")
Officer = role("officer")
PDF_ANSWER = {200: {"content": {"application/pdf": {"schema": {"type": "string", "format": "binary"}}},
                    "description": "职业技能等级认定工作进展情况报告"}}


class Scope:
    def __init__(self, period: Period, jurisdiction: str | None) -> None:
        self.period, self.jurisdiction = period, jurisdiction


def report_scope(user: Readers, session: SessionDep,
                 period: Annotated[str | None, Query(max_length=7, description="2026 | 2026-Q3 | 2026-09 "
                                                                             "(default: this quarter)")] = None,
                 jurisdiction: Annotated[str | None, Query(pattern=r"^\d{6}$", description="a region code inside "
                                                           "yours (default: yours; operations: all)")] = None) -> Scope:
    try:
        return Scope(*reports.resolve_scope(session, user, period, jurisdiction))
    except PeriodError as exc:
        raise invalid("period", f"统计期间不正确 / {exc}", "request.period") from None
    except reports.OutsideJurisdiction as exc:
        raise HTTPException(403, str(exc)) from None


ScopeDep = Annotated[Scope, Depends(report_scope)]


@router.get("/statistics", response_model=StatisticsOut,
            summary="Figures of a jurisdiction for a month, quarter or year (durations in working days)")
def statistics(scope: ScopeDep, session: SessionDep):
    return reports.statistics(session, jurisdiction=scope.jurisdiction, period=scope.period)


@router.get("/statistics.xlsx", response_class=Response, responses=SHEET_ANSWER,
            summary="The same figures as a workbook (a sheet per table)")
def statistics_workbook(scope: ScopeDep, session: SessionDep):
    stats = reports.statistics(session, jurisdiction=scope.jurisdiction, period=scope.period)
    return xlsx_response(reports.workbook(stats), f"statistics-{scope.jurisdiction or 'all'}-{scope.period.code}.xlsx")


@router.get("/quarterly.pdf", response_class=Response, responses=PDF_ANSWER,
            summary="The progress report (工作进展情况报告) of a period as PDF, in the centre's format")
def quarterly_report(scope: ScopeDep, session: SessionDep):
    stats = reports.statistics(session, jurisdiction=scope.jurisdiction, period=scope.period)
    return Response(charts.quarterly_report_pdf(stats, scope.period, business_today(session)),
                    media_type="application/pdf",
                    headers={"Content-Disposition": f'attachment; filename="report-{scope.jurisdiction or "all"}-'
                                                    f'{scope.period.code}.pdf"'})


@router.post("/quarterly/submissions", response_model=QuarterlyReportOut, status_code=201,
             summary="A city centre sends a finished quarter's report to its province (a task in the province's inbox)")
def submit_quarterly_report(body: QuarterlyReportIn, user: Officer, session: SessionDep, settings: SettingsDep):
    return quarterly.view(quarterly.submit(session, settings, user=user, period=body.period, note=body.note))


@router.get("/quarterly/submissions", response_model=QuarterlyReportList,
            summary="Quarterly reports: those a city sent, or those its province received")
def quarterly_reports(user: Readers, session: SessionDep,
                      period: Annotated[str | None, Query(pattern=r"^\d{4}-Q[1-4]$")] = None):
    return QuarterlyReportList(items=[quarterly.view(r) for r in quarterly.listed(session, user, period=period)])


@router.get("/quarterly/submissions/{report_id}.pdf", response_class=Response, responses=PDF_ANSWER,
            summary="The quarterly report's PDF exactly as it was sent")
def quarterly_report_submission_pdf(report_id: Id, user: Readers, session: SessionDep, settings: SettingsDep):
    report = quarterly.visible(session, user, report_id)
    return Response(quarterly.pdf(settings, report), media_type="application/pdf",
                    headers=quarterly.pdf_headers(report))


@router.get("/quarterly/submissions/{report_id}", response_model=QuarterlyReportOut, summary="One quarterly report")
def quarterly_report_submission(report_id: Id, user: Readers, session: SessionDep):
    return quarterly.view(quarterly.visible(session, user, report_id))
