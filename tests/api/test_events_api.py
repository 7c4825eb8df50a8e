"""The event feed (GET /api/v1/events): the caller's case events in the trail's order with stable ids,
resumed exactly after a cursor; another enterprise's events never appear, and what the applicant must
not know yet (the supervision draw) stays with the centre."""

import datetime as dt

import pytest

from models.accounts import User
from models.cases import FilingApplication
from tasks.queries import events
from tasks.records import audit
from tests.api.conftest import db
from tests.api.helpers import evaluation_plan, filing_form, registered_institution

pytestmark = pytest.mark.postgres  # on PostgreSQL too: the feed's cursor and settle window


@pytest.fixture(autouse=True)
def no_settling(monkeypatch):
    """The feed's settle window (PostgreSQL) is tested on its own below; here events show at once."""
    monkeypatch.setattr(events, "SETTLE", dt.timedelta(0))


def _feed(api, headers, **params) -> dict:
    answer = api.get("/api/v1/events", params=params, headers=headers)
    assert answer.status_code == 200, answer.text
    return answer.json()


def _filing_through_publicity(api, people) -> tuple[dict, int]:
    enterprise = people.make("enterprise")
    fid = api.post("/api/v1/filings", json=filing_form(), headers=enterprise).json()["id"]
    with db(api) as session:
        filing = session.get(FilingApplication, fid)
        for status, step in (("in_acceptance", "acceptance"), ("expert_evaluation", "expert_evaluation"),
                             ("publicity", "publicity"), ("registered", "registered")):
            audit.move_case(session, filing, case_type="filing", status=status, step=step)
    return enterprise, fid


def test_an_enterprise_is_told_its_filings_events_in_order_and_nobody_elses(api, people):
    enterprise, fid = _filing_through_publicity(api, people)
    rival, rival_fid = _filing_through_publicity(api, people)
    mine = _feed(api, enterprise)
    assert [(e["type"], e["case_id"]) for e in mine["items"]] == [
        ("filing.submitted", fid), ("filing.publicity_started", fid), ("filing.registered", fid)]
    assert mine["items"][1]["data"] == {"status": "publicity", "step": "publicity"}
    ids = [e["id"] for e in mine["items"]]
    assert ids == sorted(ids) and not mine["has_more"]
    theirs = _feed(api, rival)["items"]
    assert {e["case_id"] for e in theirs} == {rival_fid}
    assert {e["case_id"] for e in _feed(api, people.make("officer", jurisdiction="440000"))["items"]} == {
        fid,
        rival_fid,
    }
    assert _feed(api, people.make("officer", jurisdiction="320000"))["items"] == []
    assert api.get("/api/v1/events", headers=people.make("expert")).status_code == 403
    assert api.get("/api/v1/events").status_code == 401


def test_the_feed_resumes_exactly_after_its_cursor_and_a_quiet_feed_keeps_its_place(api, people):
    enterprise, fid = _filing_through_publicity(api, people)
    everything = [e["id"] for e in _feed(api, enterprise)["items"]]
    seen, cursor = [], None
    for _ in range(10):
        page = _feed(api, enterprise, limit=1, **({"after": cursor} if cursor else {}))
        seen += [e["id"] for e in page["items"]]
        cursor = page["next_cursor"]
        if not page["has_more"] and not page["items"]:
            break
    assert seen == everything
    quiet = _feed(api, enterprise, after=cursor)
    assert quiet["items"] == [] and quiet["next_cursor"] == cursor
    with db(api) as session:  # something new happens: the same cursor now yields just that
        audit.move_case(
            session, session.get(FilingApplication, fid), case_type="filing", status="rejected", step="closed"
        )
    fresh = _feed(api, enterprise, after=cursor)["items"]
    assert [e["type"] for e in fresh] == ["filing.rejected"]
    only = _feed(api, enterprise, type=["filing.registered"])["items"]
    assert [e["type"] for e in only] == ["filing.registered"]
    for params in ({"after": "bm9wZQ"}, {"type": "filing.exploded"}, {"limit": 0}):
        assert api.get("/api/v1/events", params=params, headers=enterprise).status_code == 422, params


def test_the_supervision_draw_is_the_centres_news_the_enterprise_hears_of_the_check_afterwards(api, people):
    with db(api) as session:
        institution_id = registered_institution(session, serial=985)
        plan = evaluation_plan(session, institution_id, status="filed")
        audit.move_case(session, plan, case_type="plan", status="scheduled", step="quality_supervision")
        audit.record(session, case_type="plan", case_id=plan.id, action="supervision_drawn", after={"supervised": True})
        audit.record(
            session, case_type="plan", case_id=plan.id, action="supervision_reported", after={"verdict": "no_issues"}
        )
        plan_id = plan.id
    enterprise = people.make("enterprise", institution_id=institution_id)
    assert [e["type"] for e in _feed(api, enterprise)["items"]] == ["plan.accepted", "plan.supervised"]
    assert _feed(api, enterprise)["items"][1]["data"] == {"verdict": "no_issues"}
    centre = [
        e["type"] for e in _feed(api, people.make("officer", jurisdiction="440100"))["items"] if e["case_id"] == plan_id
    ]
    assert centre == ["plan.accepted", "plan.supervision_drawn", "plan.supervised"]


def test_on_postgresql_the_feed_stays_behind_the_present_so_a_late_commit_is_not_skipped(api, people, monkeypatch):
    enterprise, _ = _filing_through_publicity(api, people)
    monkeypatch.setattr(events, "SETTLE", dt.timedelta(hours=1))
    with db(api) as session:
        user = session.get(User, people.id_of(enterprise))
        held, cursor, _ = events.feed(session, user, after_id=0, limit=50, settle=True)
        assert held == [] and cursor == 0  # nothing older than the window yet: the cursor does not move
        shown, _, _ = events.feed(session, user, after_id=0, limit=50, settle=False)
        assert len(shown) == 3
