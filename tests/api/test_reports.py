"""The centres' statistics, checked against a seeded set of cases whose answers are worked out by hand:
counts, step durations in working days (median, p90; the National Day week not counted), pass rates by
occupation and level, certificates, late results, SLA breaches and complaints — for the right jurisdiction
only. The same figures as JSON, as a workbook and as the quarterly report's PDF; and the page."""

from __future__ import annotations

import datetime as dt
import io
import subprocess

import pytest
from openpyxl import load_workbook
from sqlmodel import select

from core.clock import CHINA, wall_now
from models.cases import Candidate, Certificate, FilingApplication, Score
from models.sla import SlaBreach, SlaClock
from models.supervision import SupervisionCase
from tasks.records import audit
from tests.api.conftest import db, move_clock
from tests.api.helpers import evaluation_plan, person, registered_institution
from tests.api.test_dashboard import staff

pytestmark = pytest.mark.postgres  # on PostgreSQL too: the statistics' SQL

GZ, SZ = "440106", "440305"  # a district of Guangzhou (440100), one of Shenzhen (440300)


def _at(day: dt.date) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(9), CHINA)


class Seed:
    def __init__(self, api, admin) -> None:
        self.api, self.admin = api, admin
        with db(api) as session:
            self.institutions = {GZ: registered_institution(session, region=GZ, serial=801),
                                 SZ: registered_institution(session, region=SZ, serial=802)}

    def on(self, day: dt.date) -> None:
        move_clock(self.api, self.admin, day)

    def filing(self, region: str, created: dt.date) -> int:
        with db(self.api) as session:
            filing = FilingApplication(institution_id=self.institutions[region], applicant_id=None,
                                       profile_code="guangdong", region_code=region, status="in_acceptance",
                                       current_step="acceptance", form={"enterprise_name": "甲"},
                                       created_at=_at(created), updated_at=_at(created))
            session.add(filing)
            session.flush()
            return filing.id

    def move(self, filing_id: int, status: str, step: str) -> None:
        with db(self.api) as session:
            audit.move_case(session, session.get(FilingApplication, filing_id), case_type="filing", status=status,
                            step=step)

    def plan(self, region: str, ended: dt.date, status: str, candidates: list[tuple[int, bool | None]], *,
             late: bool = False, certified_on: dt.date | None = None) -> list[int]:
        with db(self.api) as session:
            plan = evaluation_plan(session, self.institutions[region], status=status, evaluated_on=ended)
            plan.region_code, plan.results_late = region, late
            numbers = []
            for n, (level, passed) in enumerate(candidates):
                candidate = Candidate(plan_id=plan.id, name=f"考生{n}", id_number=person(plan.id * 10 + n),
                                      relation="employee", level=level)
                session.add(candidate)
                session.flush()
                if passed is not None:
                    session.add(Score(candidate_id=candidate.id, theory=80 if passed else 40, passed=passed,
                                      submitted_at=wall_now()))
                if passed and certified_on:
                    number = f"Y0000{region[:2]}{800000 + plan.id:06d}26{level}{n + 1:06d}"
                    session.add(Certificate(number=number, serial_scope=number[:16], serial=n + 1,
                                            candidate_id=candidate.id, plan_id=plan.id,
                                            institution_id=self.institutions[region], holder_name=candidate.name,
                                            id_number=candidate.id_number, occupation_code="6-18-01-01",
                                            occupation_name="车工", level=level, issued_on=certified_on))
                    numbers.append(number)
            return numbers

    def breach(self, centre: str, step: str, opened: dt.date, level: str = "breached") -> None:
        self.clocks = getattr(self, "clocks", 0) + 1
        with db(self.api) as session:
            clock = SlaClock(
                case_type="filing",
                case_id=1,
                step=step,
                round=self.clocks,
                jurisdiction=centre,
                started_on=opened,
                budget_working_days=5,
                at_risk_working_days=1,
                escalate_after_working_days=5,
                due_date=opened,
                at_risk_on=opened,
                breached_on=opened,
                escalate_on=opened,
            )
            session.add(clock)
            session.flush()
            session.add(
                SlaBreach(
                    clock_id=clock.id,
                    level=level,
                    case_type="filing",
                    case_id=1,
                    step=step,
                    jurisdiction=centre,
                    due_date=opened,
                    opened_on=opened,
                    opened_at=_at(opened),
                    notify="assignee",
                )
            )

    def complaint(self, region: str, created: dt.date, outcome: str | None, source: str = "complaint") -> None:
        with db(self.api) as session:
            n = len(session.exec(select(SupervisionCase.id)).all())
            session.add(
                SupervisionCase(
                    receipt_number=f"TS20261101SEED{n:04d}",
                    source=source,
                    institution_id=self.institutions[region],
                    profile_code="guangdong",
                    region_code=region,
                    centre=region[:4] + "00",
                    text="投诉",
                    contact_name="甲",
                    contact_phone="13800138000",
                    status="closed" if outcome else "investigating",
                    outcome=outcome,
                    created_at=_at(created),
                    updated_at=_at(created),
                )
            )


@pytest.fixture()
def seeded(api, people):
    """Q4 2026 in Guangzhou, with Shenzhen's cases and Q3's beside it (which the Guangzhou figures leave out)."""
    seed = Seed(api, people.make("admin"))
    seed.on(dt.date(2026, 9, 30))
    f2 = seed.filing(GZ, dt.date(2026, 9, 30))  # received in Q3
    seed.on(dt.date(2026, 10, 9))
    seed.move(f2, "expert_evaluation", "expert_evaluation")  # acceptance: 10-08, 10-09 = 2 (National Day off)
    seed.on(dt.date(2026, 11, 2))
    f1, f4 = seed.filing(GZ, dt.date(2026, 11, 2)), seed.filing(SZ, dt.date(2026, 11, 2))
    seed.on(dt.date(2026, 11, 4))
    seed.move(f1, "expert_evaluation", "expert_evaluation")  # acceptance: 2
    seed.move(f4, "rejected", "closed")  # Shenzhen
    seed.on(dt.date(2026, 11, 11))
    seed.move(f1, "registered", "registered")  # expert evaluation: 11-05 … 11-11 = 5
    seed.on(dt.date(2026, 11, 13))
    seed.move(f2, "rejected", "closed")  # expert evaluation: 10-10 (make-up Saturday) + 25 = 26
    seed.on(dt.date(2026, 11, 16))
    f3 = seed.filing(GZ, dt.date(2026, 11, 16))
    seed.on(dt.date(2026, 11, 17))
    seed.move(f3, "expert_evaluation", "expert_evaluation")  # acceptance: 1; still running

    seed.plan(GZ, dt.date(2026, 9, 20), "completed", [(4, True)])  # Q3
    issued = seed.plan(
        GZ,
        dt.date(2026, 11, 20),
        "completed",
        [(4, True), (4, True), (4, False), (3, True)],
        certified_on=dt.date(2026, 11, 25),
    )
    seed.plan(GZ, dt.date(2026, 12, 10), "awaiting_results", [(4, None), (4, None)], late=True)
    seed.plan(SZ, dt.date(2026, 11, 20), "completed", [(4, True)], certified_on=dt.date(2026, 11, 25))
    with db(api) as session:
        revoked = session.exec(select(Certificate).where(Certificate.number == issued[0])).one()
        revoked.status, revoked.revoked_on = "revoked", dt.date(2026, 12, 1)
    seed.plan(GZ, dt.date(2026, 11, 21), "completed", [(5, True)], certified_on=dt.date(2026, 11, 27))
    with db(api) as session:  # a certificate the national system has not acknowledged is not issued yet
        session.exec(select(Certificate).where(Certificate.level == 5)).one().status = "pending"

    for step, day in (
        ("acceptance", dt.date(2026, 11, 10)),
        ("acceptance", dt.date(2026, 11, 12)),
        ("expert_evaluation", dt.date(2026, 12, 1)),
    ):
        seed.breach("440100", step, day)
    seed.breach("440100", "acceptance", dt.date(2026, 11, 10), level="at_risk")
    seed.breach("440300", "acceptance", dt.date(2026, 11, 10))
    for outcome in ("dismissed", "dismissed", None):
        seed.complaint(GZ, dt.date(2026, 11, 3), outcome)
    seed.complaint(GZ, dt.date(2026, 11, 3), "rectified", source="finding")  # an officer's own finding
    seed.complaint(SZ, dt.date(2026, 11, 3), "dismissed")
    return seed


def test_a_quarters_figures_for_a_city_match_the_cases_worked_out_by_hand(api, people, seeded):
    guangzhou = people.make("officer", jurisdiction="440100")
    stats = api.get("/api/v1/reports/statistics", params={"period": "2026-Q4"}, headers=guangzhou).json()
    assert stats["period"] == {"code": "2026-Q4", "label": "2026年第四季度", "start": "2026-10-01", "end": "2026-12-31"}
    assert stats["jurisdiction"] == "440100"
    assert stats["filings"]["received"] == 2 and stats["filings"]["decided"] == 2
    assert {r["outcome"]: r["count"] for r in stats["filings"]["by_outcome"]} == {"registered": 1, "rejected": 1}
    durations = {
        (r["case_type"], r["step"]): (r["count"], r["median_working_days"], r["p90_working_days"])
        for r in stats["step_durations"]
    }
    assert durations == {("filing", "acceptance"): (3, 2.0, 2), ("filing", "expert_evaluation"): (2, 15.5, 26)}
    batches = stats["batches"]
    assert (
        batches["evaluated"],
        batches["late_results"],
        batches["candidates"],
        batches["scored"],
        batches["passed"],
        batches["pass_rate"],
    ) == (3, 1, 7, 5, 4, 80.0)
    assert [
        (r["level"], r["candidates"], r["scored"], r["passed"], r["pass_rate"])
        for r in batches["by_occupation_and_level"]
    ] == [("五级/初级工", 1, 1, 1, 100.0), ("四级/中级工", 5, 3, 2, 66.7), ("三级/高级工", 1, 1, 1, 100.0)]
    assert stats["certificates"] == {
        "issued": 3,
        "revoked": 1,
        "issued_by_level": [{"level": "四级/中级工", "count": 2}, {"level": "三级/高级工", "count": 1}],
    }
    assert stats["sla_breaches"] == [
        {"step": "acceptance", "step_name": "受理", "count": 2},
        {"step": "expert_evaluation", "step_name": "专家评估", "count": 1},
    ]
    assert stats["complaints"]["received"] == 3
    assert {r["outcome"]: r["count"] for r in stats["complaints"]["by_outcome"]} == {"dismissed": 2, "open": 1}

    province = api.get(
        "/api/v1/reports/statistics",
        params={"period": "2026-Q4"},
        headers=people.make("officer", jurisdiction="440000"),
    ).json()
    assert province["filings"]["received"] == 3 and province["filings"]["decided"] == 3  # Shenzhen's too
    assert province["complaints"]["received"] == 4
    month = api.get("/api/v1/reports/statistics", params={"period": "2026-10"}, headers=guangzhou).json()
    assert month["filings"]["received"] == 0 and month["step_durations"][0]["median_working_days"] == 2.0


def test_the_workbook_and_the_quarterly_pdf_carry_the_same_figures(api, people, seeded, tmp_path):
    guangzhou = people.make("officer", jurisdiction="440100")
    sheet = api.get("/api/v1/reports/statistics.xlsx", params={"period": "2026-Q4"}, headers=guangzhou)
    assert sheet.status_code == 200
    book = load_workbook(io.BytesIO(sheet.content))
    summary = {row[0]: row[1] for row in book["概况"].iter_rows(min_row=2, values_only=True)}
    assert summary["合格率（%）"] == 80.0 and summary["发证"] == 3 and summary["撤销证书"] == 1
    assert [r for r in book["环节用时"].iter_rows(min_row=2, values_only=True)] == [
        ("filing", "受理", 3, 2.0, 2),
        ("filing", "专家评估", 2, 15.5, 26),
    ]
    pdf = api.get("/api/v1/reports/quarterly.pdf", params={"period": "2026-Q4"}, headers=guangzhou)
    assert pdf.status_code == 200 and pdf.content.startswith(b"%PDF")
    (tmp_path / "r.pdf").write_bytes(pdf.content)
    text = subprocess.run(["pdftotext", str(tmp_path / "r.pdf"), "-"], capture_output=True, text=True).stdout
    assert "职业技能等级认定工作进展情况报告" in text and "2026年第四季度" in text and "15.5" in text and "80%" in text


def test_a_report_outside_your_jurisdiction_or_of_no_period_is_refused(api, people):
    shenzhen = people.make("officer", jurisdiction="440300")
    assert api.get("/api/v1/reports/statistics", params={"jurisdiction": "440100"}, headers=shenzhen).status_code == 403
    assert api.get("/api/v1/reports/statistics", params={"jurisdiction": "440305"}, headers=shenzhen).status_code == 200
    for period in ("2026-Q5", "2026-13", "26", "1999"):
        answer = api.get("/api/v1/reports/statistics", params={"period": period}, headers=shenzhen)
        assert answer.status_code == 422 and "period" in answer.text, period
    assert api.get("/api/v1/reports/statistics", headers=people.make("enterprise")).status_code == 403
    everything = api.get("/api/v1/reports/statistics", headers=people.make("operations")).json()
    assert everything["jurisdiction"] == "全部"


def test_the_statistics_page_shows_the_cards_and_charts_and_downloads_for_the_officer(api, people, seeded):
    officer, _ = staff(api, "officer", jurisdiction="440100")
    officer.log_in()
    page = officer.get("/dashboard/reports?period=2026-Q4")
    assert page.status_code == 200
    assert "合格率：按职业与等级" in page.text and "80%" in page.text and 'class="bar-fill"' in page.text
    assert officer.get("/dashboard/reports/quarterly.pdf?period=2026-Q4").content.startswith(b"%PDF")
    assert officer.get("/dashboard/reports/statistics.xlsx?period=2026-Q4").status_code == 200
    assert officer.get("/dashboard/reports?jurisdiction=440300").status_code == 403


def test_a_steps_duration_counts_from_the_business_day_the_case_was_filed_not_its_wall_clock_creation(api, people):
    """On a simulated (or corrected) business clock the row's created_at, a wall-clock instant, is another day
    than the filing's: the first step's duration runs from the filing's own audit entry, never negative."""
    seed = Seed(api, people.make("admin"))
    seed.on(dt.date(2026, 10, 12))
    filing_id = seed.filing(GZ, dt.date(2026, 12, 20))  # created_at: a wall clock far ahead of the business day
    with db(api) as session:
        audit.record(session, case_type="filing", case_id=filing_id, action="filing_submitted")
    seed.on(dt.date(2026, 10, 14))
    seed.move(filing_id, "expert_evaluation", "expert_evaluation")
    guangzhou = people.make("officer", jurisdiction="440100")
    stats = api.get("/api/v1/reports/statistics", params={"period": "2026-10"}, headers=guangzhou).json()
    assert [(r["step"], r["median_working_days"]) for r in stats["step_durations"]] == [("acceptance", 2.0)]
