"""Every date a person reads comes from the business clock (issue 27, item 3): on `--clock simulated` the
clock stands months before the real date, and a notice, an upload, a complaint's registration and the
statistics' "received" count all read the business day, never the machine's."""

from __future__ import annotations

import datetime as dt

from sqlmodel import select

from core.clock import CHINA
from models.cases import DeficiencyNotice, FilingApplication, Institution
from models.clock import business_today
from tasks.cases.filing import issue_deficiency_notice
from tasks.exchange import documents
from tests.api.conftest import db, move_clock
from tests.api.helpers import filing_form, registered_institution
from tests.samples import pdf

BUSINESS_DAY = dt.date(2026, 9, 15)  # the simulated clock, far from the machine's date


def _move(api, people) -> None:
    move_clock(api, people.make("admin"), BUSINESS_DAY)
    with db(api) as session:
        assert business_today(session) == BUSINESS_DAY and dt.date.today() != BUSINESS_DAY


def test_an_upload_a_filing_and_a_deficiency_notice_carry_the_business_date(api, people):
    _move(api, people)
    enterprise = people.make("enterprise")
    filing_id = api.post("/api/v1/filings", json=filing_form(), headers=enterprise).json()["id"]
    uploaded = api.post(f"/api/v1/filings/{filing_id}/materials", data={"kind": "business_licence"},
                        files={"file": ("营业执照.pdf", pdf("licence"), "application/pdf")}, headers=enterprise)
    assert uploaded.status_code == 201, uploaded.text
    assert dt.datetime.fromisoformat(uploaded.json()["uploaded_at"]).astimezone(CHINA).date() == BUSINESS_DAY
    with db(api) as session:
        filing = session.get(FilingApplication, filing_id)
        assert filing.created_at.replace(tzinfo=filing.created_at.tzinfo or dt.UTC).astimezone(CHINA).date() \
            == BUSINESS_DAY
        issue_deficiency_notice(session, filing_id=filing_id, round_no=0, officer_id=None, items=["缺少职工名册"])
    with db(api) as session:
        notice = session.exec(select(DeficiencyNotice).where(DeficiencyNotice.filing_id == filing_id)).one()
        model = documents.notice_model(session, session.get(FilingApplication, filing_id), notice)
    assert model["date"] == "2026年9月15日"


def test_a_complaints_registration_day_on_the_public_lookup_is_the_business_day(api, people):
    _move(api, people)
    assert _complaint_registered_on(api, serial=970, phone="13900001111") == BUSINESS_DAY.isoformat()


def _complaint_registered_on(api, *, serial: int, phone: str) -> str:
    """A complaint about a registered institution, filed now; the day the public lookup says it was registered."""
    with db(api) as session:
        institution_id = registered_institution(session, serial=serial)
        session.get(Institution, institution_id).registered_on = dt.date(2026, 3, 2)
    created = api.post("/api/v1/complaints", json={
        "institution_id": institution_id, "text": "该机构在认定考核中存在代考行为，考场未开启视频监控。",
        "contact_name": "王先生", "contact_phone": phone})
    assert created.status_code == 201, created.text
    return api.get(f"/api/v1/public/complaints/{created.json()['receipt_number']}").json()["registered_on"]


def test_a_filing_received_on_the_business_day_counts_in_that_days_quarter(api, people):
    _move(api, people)
    assert api.post("/api/v1/filings", json=filing_form(), headers=people.make("enterprise")).status_code == 201
    officer = people.make("officer", jurisdiction="440000")
    q3 = api.get("/api/v1/reports/statistics", params={"period": "2026-Q3"}, headers=officer).json()
    assert q3["filings"]["received"] >= 1


def test_a_day_read_off_a_stored_instant_is_chinas_day_even_before_eight_in_the_morning(api, people):
    """07:30 in China is 23:30 of the day before in UTC: a complaint registered then is registered on the
    Chinese day (a stored instant read in UTC gave the day before)."""
    admin = people.make("admin")
    early = api.post("/api/v1/admin/clock", json={"to": "2026-09-16T07:30:00+08:00"}, headers=admin)
    assert early.status_code == 200, early.text
    assert _complaint_registered_on(api, serial=971, phone="13900002222") == "2026-09-16"
