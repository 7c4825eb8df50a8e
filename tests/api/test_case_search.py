"""案件查询 (issue 28, item 2): an officer finds any case of their jurisdiction by an institution's name or
credit code, a case id, a certificate number or a complaint's receipt number, filters by kind, state and
step, and pages through the list newest change first without a case repeated or skipped."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlmodel import select

from core.clock import CHINA, wall_now
from models.cases import Candidate, Certificate, EvaluationPlan, FilingApplication, Institution
from models.supervision import SupervisionCase
from tasks.people.accounts import create_user
from tasks.queries import search
from tests.api.conftest import db
from tests.api.helpers import evaluation_plan, filing_form, person, registered_institution
from tests.api.test_dashboard import staff

pytestmark = pytest.mark.postgres  # on PostgreSQL too: the search's LIKE, its escapes and the keyset in SQL
NUMBER = "Y000044000001263000001"


@pytest.fixture()
def cases(api, people):
    """A Guangzhou institution with a filing, a batch holding a certificate and a complaint; a Sichuan
    filing beside them (another province's officer's)."""
    filing = api.post("/api/v1/filings", json=filing_form(enterprise_name="广州市精工机床有限公司"),
                      headers=people.make("enterprise")).json()
    with db(api) as session:
        institution_id = registered_institution(session, serial=77)
        institution = session.get(Institution, institution_id)
        institution.name = "广州市百川职业培训学校"
        plan = evaluation_plan(session, institution_id, status="completed")
        candidate = Candidate(plan_id=plan.id, name="王五", id_number=person(5), relation="employee", level=4)
        session.add(candidate)
        session.flush()
        session.add(Certificate(number=NUMBER, serial_scope=NUMBER[:16], serial=1, candidate_id=candidate.id,
                                plan_id=plan.id, institution_id=institution_id, holder_name="王五",
                                id_number=candidate.id_number, occupation_code="6-18-01-01", occupation_name="车工",
                                level=4, issued_on=dt.date(2026, 11, 2)))
        now = wall_now()
        complaint = SupervisionCase(receipt_number="TS20261205SEARCH01", source="complaint",
                                    institution_id=institution_id, profile_code="guangdong", region_code="440106",
                                    centre="440100", text="投诉", contact_name="甲", contact_phone="13800138000",
                                    status="investigating", created_at=now, updated_at=now, explanations=[],
                                    rectifications=[])
        session.add(complaint)
        session.flush()
        credit_code = institution.credit_code
        ids = {"filing": filing["id"], "plan": plan.id, "supervision": complaint.id, "credit_code": credit_code}
    sichuan = api.post("/api/v1/filings", json=filing_form(region_code="510104", enterprise_name="成都某企业"),
                       headers=people.make("enterprise"))
    assert sichuan.status_code == 201, sichuan.text
    return ids | {"sichuan": sichuan.json()["id"]}


def _refs(page: str) -> list[str]:
    import re

    return re.findall(r'href="/dashboard/cases/(\w+)/(\d+)"', page)


@pytest.mark.parametrize(("term", "found"), [
    ("精工机床", [("filing", "filing")]),
    ("百川", [("plan", "plan"), ("supervision", "supervision")]),
    (NUMBER, [("plan", "plan")]),
    ("TS20261205SEARCH01", [("supervision", "supervision")]),
    ("no such enterprise", []),
    ("100%_", []),  # LIKE's wildcards are searched for as characters
])
def test_an_officer_finds_a_case_by_name_certificate_number_or_receipt_number(api, cases, term, found):
    officer, _ = staff(api, "officer", jurisdiction="440000")
    assert officer.log_in().status_code == 303
    page = officer.get(f"/dashboard/cases?q={term}")
    assert page.status_code == 200
    assert sorted(_refs(page.text)) == sorted((kind, str(cases[key])) for kind, key in found)


def test_a_credit_code_or_a_case_id_finds_the_case_and_another_province_sees_none_of_them(api, cases):
    officer, _ = staff(api, "officer", jurisdiction="440000")
    officer.log_in()
    by_code = _refs(officer.get(f"/dashboard/cases?q={cases['credit_code']}").text)
    assert sorted(by_code) == sorted([("plan", str(cases["plan"])), ("supervision", str(cases["supervision"]))])
    assert ("filing", str(cases["filing"])) in _refs(officer.get(f"/dashboard/cases?q=%23{cases['filing']}").text)
    assert ("filing", str(cases["sichuan"])) not in _refs(officer.get("/dashboard/cases").text)
    other, _ = staff(api, "officer", jurisdiction="510000")
    other.log_in()
    assert _refs(other.get("/dashboard/cases?q=百川").text) == []
    assert _refs(other.get("/dashboard/cases").text) == [("filing", str(cases["sichuan"]))]


def test_kind_state_and_step_filters_narrow_the_list_and_bad_input_is_a_clear_error(api, cases):
    officer, _ = staff(api, "officer", jurisdiction="440000")
    officer.log_in()
    assert _refs(officer.get("/dashboard/cases?kind=supervision").text) == [("supervision", str(cases["supervision"]))]
    finished = _refs(officer.get("/dashboard/cases?state=finished").text)
    assert finished == [("plan", str(cases["plan"]))]
    at_step = _refs(officer.get("/dashboard/cases?step=completeness_check&kind=filing").text)
    assert at_step == [("filing", str(cases["filing"]))]
    with db(api) as session:  # the China days the three cases last changed on
        days = sorted(row.updated_at.astimezone(CHINA).date() for row in (
            session.get(FilingApplication, cases["filing"]), session.get(EvaluationPlan, cases["plan"]),
            session.get(SupervisionCase, cases["supervision"])))
    assert len(_refs(officer.get(f"/dashboard/cases?changed_from={days[0]}&changed_to={days[-1]}").text)) == 3
    assert _refs(officer.get(f"/dashboard/cases?changed_to={days[0] - dt.timedelta(days=1)}").text) == []
    assert _refs(officer.get(f"/dashboard/cases?changed_from={days[-1] + dt.timedelta(days=1)}").text) == []
    for bad in ("kind=nonsense", "centre=12345", "after=not-a-cursor", "step=DROP%20TABLE", "changed_from=2026-02-30",
                "changed_to=9999-12-31"):
        answer = officer.get(f"/dashboard/cases?{bad}")
        assert answer.status_code == 422 and "<title>" in answer.text, bad  # the error page, not a 500
    # the search form as a browser submits it, every empty field included (found by the browser test: a 422, then
    # a 500 on the empty dates)
    as_submitted = officer.get("/dashboard/cases?q=&kind=&state=&step=&centre=&changed_from=&changed_to=")
    assert as_submitted.status_code == 200 and len(_refs(as_submitted.text)) == 3
    expert, _ = staff(api, "expert")
    expert.log_in()
    assert expert.get("/dashboard/cases").status_code == 403


def test_pages_newest_change_first_never_repeat_nor_skip_a_case_changed_at_the_same_instant(api, people):
    for n in range(5):
        filed = api.post("/api/v1/filings", json=filing_form(enterprise_name=f"分页企业{n}"),
                         headers=people.make("enterprise"))
        assert filed.status_code == 201, filed.text
    with db(api) as session:
        same = wall_now()
        for filing in session.exec(select(FilingApplication)).all():
            filing.updated_at = same  # one instant for all: only the keyset's tie-break orders them
        institution_id = registered_institution(session, serial=78)
        plan = evaluation_plan(session, institution_id)
        plan.updated_at = same
    user, _ = create_user(api.settings.database_url, role="operations", name="search-ops")
    with db(api) as session:
        seen, after = [], None
        while True:
            found = search.find_cases(session, user, search.CaseQuery(), after=after, limit=2)
            seen += [(f.kind, f.case.id) for f in found[:2]]
            if len(found) <= 2:
                break
            after = search.cursor_of(found[1])
    assert len(seen) == len(set(seen)) >= 6
    assert seen[0][0] == "filing" and seen[-1][0] == "plan"  # at one instant: filings, then batches


def test_a_next_page_link_resumes_exactly_after_the_last_case_shown():
    from api.dashboard import case_list_pages

    last = (dt.datetime(2026, 12, 5, 6, 30, 1, 123456, tzinfo=dt.UTC), "plan", 42)
    assert case_list_pages.decode_cursor(case_list_pages.encode_cursor(last)) == last
    for forged in ("MjAyNi0xMi0wNXxwbGFufDQy", "eHx5fHo", "bm90aGluZw"):  # naive instant, garbage, no fields
        with pytest.raises(case_list_pages.BadCursor):
            case_list_pages.decode_cursor(forged)
