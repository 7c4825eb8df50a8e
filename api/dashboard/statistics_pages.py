"""The statistics page: the period's figures (tasks/queries/charts.py draws them for the page and the
quarterly PDF alike), the period and jurisdiction choosers, and where the quarter's report to the
province stands."""

from __future__ import annotations

import datetime as dt
from typing import Any

from models.responses import StatisticsOut
from policy.regions import region_prefix
from policy.statistics import Period, period_containing
from tasks.cases.quarterly import STATUS_LABELS
from tasks.queries import charts


def statistics_page(stats: StatisticsOut, *, period: Period, periods: list[str],
                    jurisdiction_choices: list[tuple[str, str]]) -> dict[str, Any]:
    return {
        **charts.statistics_figures(stats, period=period),
        "periods": periods,
        "jurisdictions": [
            {"code": c, "label": label, "selected": c == stats.jurisdiction} for c, label in jurisdiction_choices
        ],
        "query": f"period={period.code}"
        + (f"&jurisdiction={stats.jurisdiction}" if stats.jurisdiction != "全部" else ""),
    }


def recent_periods(today: dt.date) -> list[str]:
    """This quarter and the four before it, this year and last year, for the page's chooser."""
    quarters, day = [], today
    for _ in range(5):
        quarter = period_containing(day)
        quarters.append(quarter.code)
        day = quarter.start - dt.timedelta(days=1)
    return quarters + [str(today.year), str(today.year - 1)]


def submission_view(
    report: Any,
    *,
    period: Period,
    jurisdiction: str | None,
    user: Any,
    today: dt.date,
) -> dict[str, Any] | None:
    """The quarter's report to the province: where it stands, and whether this officer may send it now."""
    if period.kind != "quarter" or not jurisdiction or len(region_prefix(jurisdiction)) != 4:
        return None  # cities report to their province
    city_officer = user.role == "officer" and user.jurisdiction == jurisdiction
    can_submit = city_officer and period.end < today and (report is None or report.status == "returned")
    return {
        "status": STATUS_LABELS[report.status] if report else "未报送",
        # the first submission is number 1, as the API says; only a later one is worth saying
        "round_label": f"第 {report.round + 1} 次报送" if report and report.round else None,
        "reason": report.reason if report else None,
        "can_submit": can_submit,
        "period": period.code,
        "pdf": f"/dashboard/reports/submissions/{report.id}.pdf" if report else None,
    }
