"""Lists for integrators: GET /api/v1/filings, /plans and /institutions — each caller sees what the case
rules let them see (another enterprise's items never appear), every filter holds, and the pages by last
change resume exactly after their cursor; a case changed again comes back at the end."""

import datetime as dt

import pytest
from sqlmodel import select

from core.clock import wall_now
from models.cases import EvaluationPlan, FilingApplication, Institution
from tests.api.conftest import db, move_clock
from tests.api.helpers import evaluation_plan, filing_form, registered_institution

pytestmark = pytest.mark.postgres  # on PostgreSQL too: lists, filters and cursors in SQL


def _enterprises_with_filings(api, people, count: int) -> list[tuple[dict, int]]:
    made = []
    for _ in range(count):
        enterprise = people.make("enterprise")
        filed = api.post("/api/v1/filings", json=filing_form(), headers=enterprise)
        assert filed.status_code == 201, filed.text
        made.append((enterprise, filed.json()["id"]))
    return made


def _ids(answer) -> list[int]:
    assert answer.status_code == 200, answer.text
    return [item["id"] for item in answer.json()["items"]]


def test_each_caller_lists_only_the_filings_it_may_see(api, people):
    (a, a_filing), (b, b_filing) = _enterprises_with_filings(api, people, 2)
    with db(api) as session:  # a case of another province, made directly
        institution_id = registered_institution(session, region="320102", serial=980)
        now = dt.datetime.now(dt.UTC)
        elsewhere = FilingApplication(institution_id=institution_id, profile_code="jiangsu", region_code="320102",
                                      form={"enterprise_name": "江苏企业"}, created_at=now, updated_at=now)
        session.add(elsewhere)
        session.flush()
        elsewhere_id = elsewhere.id
    assert _ids(api.get("/api/v1/filings", headers=a)) == [a_filing]
    assert _ids(api.get("/api/v1/filings", headers=b)) == [b_filing]
    assert _ids(api.get("/api/v1/filings", headers=people.make("officer", jurisdiction="440000"))) == [a_filing,
                                                                                                      b_filing]
    assert _ids(api.get("/api/v1/filings", headers=people.make("officer", jurisdiction="320000"))) == [elsewhere_id]
    assert _ids(api.get("/api/v1/filings", headers=people.make("officer", jurisdiction="440300"))) == []  # Shenzhen
    assert len(_ids(api.get("/api/v1/filings", headers=people.make("operations")))) == 3
    assert api.get("/api/v1/filings", headers=people.make("expert")).status_code == 403
    assert api.get("/api/v1/filings").status_code == 401
    institutions = api.get("/api/v1/institutions", headers=a).json()["items"]
    assert len(institutions) == 1 and institutions[0]["status"] == "applying"


def test_the_filters_narrow_the_list_and_bad_values_are_named(api, people):
    (_, first), (_, second) = _enterprises_with_filings(api, people, 2)
    officer = people.make("officer", jurisdiction="440000")
    with db(api) as session:
        row = session.get(FilingApplication, second)
        row.status, row.current_step = "expert_evaluation", "expert_evaluation"
    get = lambda **params: _ids(api.get("/api/v1/filings", params=params, headers=officer))  # noqa: E731
    assert get(status="expert_evaluation") == [second]
    assert get(step="completeness_check") == [first]
    assert get(profile="guangdong") == [first, second] and get(profile="sichuan") == []
    assert get(occupation="6-18-01-01") == [first, second] and get(occupation="4-01-02-01") == []
    later = dt.datetime.now(dt.UTC) + dt.timedelta(hours=1)
    assert get(updated_since=later.isoformat()) == [] and get(created_since="2026-01-01T00:00:00+08:00") == [
        first, second]
    for params in ({"updated_since": "2026-09-01T00:00:00"}, {"created_since": "yesterday"},
                   {"occupation": "618"}, {"status": "DROP TABLE"}, {"cursor": "bm90LWEtY3Vyc29y"}):
        answer = api.get("/api/v1/filings", params=params, headers=officer)
        assert answer.status_code == 422, (params, answer.text)


def test_pages_by_last_change_resume_exactly_after_the_cursor_and_a_changed_case_comes_back_last(api, people):
    filings = [fid for _, fid in _enterprises_with_filings(api, people, 5)]
    officer = people.make("officer", jurisdiction="440000")
    seen, cursor = [], None
    while True:
        answer = api.get("/api/v1/filings", params={"limit": 2, **({"cursor": cursor} if cursor else {})},
                         headers=officer).json()
        seen += [item["id"] for item in answer["items"]]
        cursor = answer["next_cursor"]
        if cursor is None:
            break
    assert seen == filings  # oldest change first, each once
    first_page = api.get("/api/v1/filings", params={"limit": 2}, headers=officer).json()
    with db(api) as session:
        session.get(FilingApplication, filings[0]).deficiency_rounds = 1  # any change moves its last change
    rest = api.get("/api/v1/filings", params={"limit": 50, "cursor": first_page["next_cursor"]},
                   headers=officer).json()["items"]
    assert [item["id"] for item in rest] == [*filings[2:], filings[0]]
    assert rest[-1]["updated_at"] > rest[0]["updated_at"]


def test_a_case_filed_on_a_business_clock_ahead_of_the_wall_still_syncs_in_the_order_of_its_changes(api, people):
    """`updated_at` is a change marker on the wall clock from the first write: a filing made while the business
    clock stands months ahead does not sort into the future, so a change made after it still comes after it."""
    move_clock(api, people.make("admin"), dt.date(2027, 6, 1))
    first, later = (fid for _, fid in _enterprises_with_filings(api, people, 2))
    officer = people.make("officer", jurisdiction="440000")
    page = api.get("/api/v1/filings", params={"limit": 1}, headers=officer).json()
    with db(api) as session:
        filed = session.get(FilingApplication, first)
        assert filed.created_at.date() == dt.date(2027, 6, 1)  # the business instant a person reads
        assert abs(filed.updated_at - wall_now()) < dt.timedelta(minutes=5)
        session.get(FilingApplication, later).deficiency_rounds = 1
    rest = api.get("/api/v1/filings", params={"limit": 50, "cursor": page["next_cursor"]}, headers=officer).json()
    assert page["items"][0]["id"] == first and [item["id"] for item in rest["items"]] == [later]


def test_plans_and_institutions_are_listed_to_their_enterprise_and_centre_only(api, people):
    with db(api) as session:
        mine = registered_institution(session, serial=981)
        theirs = registered_institution(session, serial=982)
        plans = [evaluation_plan(session, mine, status="completed").id, evaluation_plan(session, theirs).id]
        other_occupation = evaluation_plan(session, mine)
        other_occupation.occupation_code = "6-20-01-01"
        plans.append(other_occupation.id)
    enterprise = people.make("enterprise", institution_id=mine)
    assert _ids(api.get("/api/v1/plans", headers=enterprise)) == [plans[0], plans[2]]
    assert _ids(api.get("/api/v1/plans", params={"status": "completed"}, headers=enterprise)) == [plans[0]]
    assert _ids(api.get("/api/v1/plans", params={"occupation": "6-20-01-01"}, headers=enterprise)) == [plans[2]]
    assert _ids(api.get("/api/v1/institutions", headers=enterprise)) == [mine]
    officer = people.make("officer", jurisdiction="440100")
    assert _ids(api.get("/api/v1/plans", headers=officer)) == plans
    assert _ids(api.get("/api/v1/institutions", params={"status": "registered"}, headers=officer)) == [mine, theirs]
    assert _ids(api.get("/api/v1/plans", headers=people.make("officer", jurisdiction="320000"))) == []
    with db(api) as session:
        assert session.get(Institution, mine).updated_at is not None
        assert len(session.exec(select(EvaluationPlan)).all()) == 3
