"""The statistics as pictures: bar charts' geometry worked out here, once, for the statistics page and the
quarterly report's PDF alike (templates compute nothing; the page's choosers are the dashboard's own).
Bars are HTML/CSS, not an image: they reflow on a phone (the label goes above its bar) and print the same
in WeasyPrint."""

from __future__ import annotations

import datetime as dt
from typing import Any

from models import responses as out
from models.case_kinds import CASE_LABELS
from policy.profiles import centre_name, profile_for_region
from policy.statistics import Period
from tasks.adapters import pdf

CASE_KINDS = CASE_LABELS


def _fmt(value: float | int | None, unit: str = "") -> str:
    if value is None:
        return "—"
    text = f"{value:.1f}".rstrip("0").rstrip(".") if isinstance(value, float) else f"{value:,}"
    return f"{text}{unit}"


def bar_chart(title: str, rows: list[tuple[str, float | int | None]], *, unit: str = "", scale_to: float | None = None,
              empty: str = "本期没有数据。") -> dict[str, Any]:
    """One horizontal bar per row, its width a share of the largest value (or of `scale_to`, e.g. 100 %)."""
    peak = scale_to or max([v for _, v in rows if v is not None] + [0]) or 1
    return {"title": title, "empty": empty if not rows else None,
            "bars": [{"label": label, "value": _fmt(value, unit),
                      "width": 0 if value is None else round(min(100.0, 100 * value / peak), 1)}
                     for label, value in rows]}


def statistics_figures(stats: out.StatisticsOut, *, period: Period) -> dict[str, Any]:
    """The period's figures as cards, charts and tables: the statistics page shows them, the quarterly
    report prints them."""
    filings, batches, certificates, complaints = (stats.filings, stats.batches, stats.certificates,
                                                  stats.complaints)
    durations = stats.step_durations
    return {
        "period": period.code,
        "period_label": period.label,
        "jurisdiction": centre_name(stats.jurisdiction),  # 全部 stays 全部
        "cards": [
            {"label": "备案申请（收到）", "value": _fmt(filings.received)},
            {"label": "备案办结", "value": _fmt(filings.decided)},
            {"label": "评价批次", "value": _fmt(batches.evaluated)},
            {"label": "考生", "value": _fmt(batches.candidates)},
            {"label": "合格率", "value": _fmt(batches.pass_rate, "%")},
            {"label": "发证", "value": _fmt(certificates.issued)},
            {"label": "撤销证书", "value": _fmt(certificates.revoked), "warn": certificates.revoked > 0},
            {"label": "逾期报送成绩", "value": _fmt(batches.late_results), "warn": batches.late_results > 0},
            {"label": "投诉举报", "value": _fmt(complaints.received)},
        ],
        "charts": [
            bar_chart("备案办结：按结果", [(r.label, r.count) for r in filings.by_outcome], unit=" 件"),
            bar_chart(
                "各环节用时：中位数（工作日）",
                [
                    (f"{CASE_KINDS.get(r.case_type, r.case_type)}·{r.step_name}", r.median_working_days)
                    for r in durations
                ],
                unit=" 日",
            ),
            bar_chart(
                "各环节用时：P90（工作日）",
                [
                    (f"{CASE_KINDS.get(r.case_type, r.case_type)}·{r.step_name}", r.p90_working_days)
                    for r in durations
                ],
                unit=" 日",
            ),
            bar_chart(
                "合格率：按职业与等级",
                [(f"{r.occupation_name} {r.level}", r.pass_rate) for r in batches.by_occupation_and_level],
                unit="%",
                scale_to=100,
            ),
            bar_chart("发证：按等级", [(r.level, r.count) for r in certificates.issued_by_level], unit=" 本"),
            bar_chart(
                "超期：按环节",
                [(r.step_name, r.count) for r in stats.sla_breaches],
                unit=" 次",
                empty="本期没有超期。",
            ),
            bar_chart("投诉举报：按结果", [(r.label, r.count) for r in complaints.by_outcome], unit=" 件"),
        ],
        "durations": [
            {
                **r.model_dump(),
                "case_kind": CASE_KINDS.get(r.case_type, r.case_type),
                "median": _fmt(r.median_working_days),
                "p90": _fmt(r.p90_working_days),
            }
            for r in durations
        ],
        "results": [{**r.model_dump(), "rate": _fmt(r.pass_rate, "%")} for r in batches.by_occupation_and_level],
    }


def quarterly_report_model(page: dict[str, Any], stats: out.StatisticsOut, generated_on: str) -> dict[str, Any]:
    """The PDF's view-model: the figures, with the cards three to a row and the period's dates."""
    cards = page["cards"]
    profile = profile_for_region(stats.jurisdiction) if str(stats.jurisdiction).isdigit() else None
    return {
        **page,
        "basis": profile.basis("quarterly_report") if profile else None,  # its province's own text, or none
        "card_rows": [cards[i : i + 3] for i in range(0, len(cards), 3)],
        "period_start": stats.period.start.isoformat(),
        "period_end": stats.period.end.isoformat(),
        "generated_on": generated_on,
    }


def quarterly_report_pdf(stats: out.StatisticsOut, period: Period, generated_on: dt.date) -> bytes:
    page = statistics_figures(stats, period=period)
    return pdf.renderer().pdf(
        "quarterly_report.html", r=quarterly_report_model(page, stats, generated_on.isoformat())
    )
