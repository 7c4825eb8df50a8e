"""Plans, results, certificates and public verification over HTTP."""

import datetime as dt

import pytest
from sqlmodel import select

from models.cases import Candidate, Certificate, EvaluationPlan
from models.db import session_scope
from tests.api.conftest import db, move_clock
from tests.api.helpers import plan_body, registered_institution

TODAY = dt.date(2026, 9, 1)  # the simulated clock's first day


def enterprise_of(api, people, region="440106", pilot_plan_passed=True):
    headers = people.make("enterprise")
    with session_scope(api.settings.database_url) as session:
        institution_id = registered_institution(session, region=region, serial=people.id_of(headers),
                                                pilot_plan_passed=pilot_plan_passed)
        from models.accounts import User

        user = session.get(User, people.id_of(headers))
        user.institution_id = institution_id
        session.add(user)
    return headers, institution_id


def test_a_plan_in_time_is_filed_with_its_candidates(api, people):
    enterprise, institution_id = enterprise_of(api, people)
    start = dt.date(2026, 9, 21)  # 14 working days ahead under a 10-day lead
    response = api.post(f"/api/v1/institutions/{institution_id}/plans", json=plan_body(start), headers=enterprise)
    assert response.status_code == 201, response.text
    plan = response.json()
    assert plan["status"] == "filed" and len(plan["candidates"]) == 3
    assert all("*" in c["id_number"] for c in plan["candidates"])  # masked even for the owner's view


def test_a_guangdong_pilot_enterprise_files_no_plan_before_its_pilot_plan_passed_the_experts(api, people):
    enterprise, institution_id = enterprise_of(api, people, pilot_plan_passed=False)
    response = api.post(f"/api/v1/institutions/{institution_id}/plans", json=plan_body(dt.date(2026, 9, 21)),
                        headers=enterprise)
    assert response.status_code == 409 and "试点方案" in response.json()["detail"]
    with session_scope(api.settings.database_url) as session:
        assert session.exec(select(EvaluationPlan).where(EvaluationPlan.institution_id == institution_id)).all() == []
    jiangsu, js_institution = enterprise_of(api, people, region="320100", pilot_plan_passed=False)
    start = dt.date(2026, 9, 28)  # Jiangsu's 15 working days; its text has no pilot plan
    assert api.post(f"/api/v1/institutions/{js_institution}/plans", json=plan_body(start),
                    headers=jiangsu).status_code == 201


def test_a_late_plan_is_a_409_naming_the_latest_allowed_date_and_writes_nothing(api, people):
    enterprise, institution_id = enterprise_of(api, people)
    response = api.post(f"/api/v1/institutions/{institution_id}/plans", json=plan_body(dt.date(2026, 9, 10)),
                        headers=enterprise)
    assert response.status_code == 409
    assert "最迟 2026-08-27" in response.json()["detail"]  # 10 working days before 2026-09-10
    with db(api) as session:
        assert session.exec(select(EvaluationPlan)).all() == []
        assert session.exec(select(Candidate)).all() == []


def test_jiangsu_refuses_a_plan_guangdong_would_take(api, people):
    start = dt.date(2026, 9, 17)  # 12 working days after 2026-09-01
    gd, gd_id = enterprise_of(api, people, "440106")
    js, js_id = enterprise_of(api, people, "320100")
    assert api.post(f"/api/v1/institutions/{gd_id}/plans", json=plan_body(start), headers=gd).status_code == 201
    refused = api.post(f"/api/v1/institutions/{js_id}/plans", json=plan_body(start), headers=js)
    assert refused.status_code == 409 and "15" in refused.json()["detail"]


def test_candidate_problems_are_all_listed_with_their_rows(api, people):
    enterprise, institution_id = enterprise_of(api, people)
    body = plan_body(dt.date(2026, 9, 21))
    id_number = body["candidates"][1]["id_number"]
    body["candidates"][1]["id_number"] = id_number[:10] + "13" + id_number[12:]  # month 13
    body["candidates"][2]["level"] = 1
    response = api.post(f"/api/v1/institutions/{institution_id}/plans", json=body, headers=enterprise)
    assert response.status_code == 422
    fields = {p["field"] for p in response.json()["detail"]}
    assert {"candidates[1].id_number", "candidates[2].level"} <= fields


def test_another_enterprise_cannot_file_for_or_read_an_institution(api, people):
    _, institution_id = enterprise_of(api, people)
    stranger = people.make("enterprise")
    assert api.post(f"/api/v1/institutions/{institution_id}/plans", json=plan_body(dt.date(2026, 9, 21)),
                    headers=stranger).status_code == 404
    assert api.get(f"/api/v1/institutions/{institution_id}", headers=stranger).status_code == 404


def test_results_before_the_evaluation_are_a_conflict(api, people):
    enterprise, institution_id = enterprise_of(api, people)
    plan = api.post(f"/api/v1/institutions/{institution_id}/plans", json=plan_body(dt.date(2026, 9, 21)),
                    headers=enterprise).json()
    scores = [{"candidate_id": c["id"], "practical": 80} for c in plan["candidates"]]
    response = api.post(f"/api/v1/plans/{plan['id']}/results", json={"scores": scores}, headers=enterprise)
    assert response.status_code == 409


def test_public_verification_masks_the_id_and_gives_no_hint_for_unknown_numbers(api, people):
    enterprise, institution_id = enterprise_of(api, people)
    plan = api.post(f"/api/v1/institutions/{institution_id}/plans", json=plan_body(dt.date(2026, 9, 21)),
                    headers=enterprise).json()
    candidate = plan["candidates"][0]
    with session_scope(api.settings.database_url) as session:
        full_id = session.get(Candidate, candidate["id"]).id_number
        session.add(Certificate(number="Y000044000001264000001", serial_scope="Y000044000001264", serial=1,
                                candidate_id=candidate["id"], plan_id=plan["id"], institution_id=institution_id,
                                holder_name=candidate["name"], id_number=full_id, occupation_code="6-18-01-01",
                                occupation_name="车工", level=4, issued_on=dt.date(2026, 10, 30)))
    found = api.get("/api/v1/public/certificates/Y000044000001264000001")
    assert found.status_code == 200
    body = found.json()
    assert body["level"] == "四级/中级工" and body["status"] == "valid"
    assert full_id not in found.text and body["id_number"] == full_id[:6] + "********" + full_id[-4:]
    for unknown in ("Y000044000001264000002", "Y00004400000126400000", "not-a-number"):
        response = api.get(f"/api/v1/public/certificates/{unknown}")
        assert response.status_code == 404 and response.json() == {"detail": "no such certificate"}
    listed = api.get("/api/v1/certificates", params={"plan_id": plan["id"]}, headers=enterprise).json()
    assert [c["number"] for c in listed["items"]] == ["Y000044000001264000001"]
    assert api.get("/api/v1/certificates", params={"plan_id": plan["id"]},
                   headers=people.make("enterprise")).status_code == 404


def test_the_public_catalogue_lists_registered_institutions_with_their_scope(api, people):
    _, institution_id = enterprise_of(api, people)
    items = api.get("/api/v1/public/institutions").json()["items"]
    entry = next(i for i in items if i["id"] == institution_id)
    assert entry["occupations"][0]["levels"] == ["三级/高级工", "四级/中级工", "五级/初级工"]


def test_only_an_admin_moves_the_simulated_clock_and_never_backwards(api, people):
    admin = people.make("admin")
    operations = people.make("operations")
    assert api.post("/api/v1/admin/clock", json={"advance_days": 1}, headers=operations).status_code == 403
    move_clock(api, admin, dt.date(2026, 9, 10))
    back = api.post("/api/v1/admin/clock", json={"to": "2026-09-05T09:00:00+08:00"}, headers=admin)
    assert back.status_code == 409
    assert api.get("/api/v1/admin/clock", headers=admin).json()["business_now"].startswith("2026-09-10")


def test_health(api):
    assert api.get("/healthz").json() == {"status": "ok"}


def test_metrics_are_prometheus_text_with_requests_tasks_and_queues(api, people):
    api.get("/healthz")
    text = api.get("/metrics", headers=people.make("operations")).text
    assert "certflow_http_requests_total" in text
    assert 'certflow_engine_queue{queue="outbox_undispatched"}' in text
    assert "certflow_open_tasks" in text


def test_public_verification_is_rate_limited_per_client_on_an_injected_clock(api):
    api.app.state.public_limit.clock = lambda: 1_000_000.0  # time stands still: no refill, however slow the machine
    codes = [api.get("/api/v1/public/certificates/Y000044000001264000009").status_code for _ in range(40)]
    assert codes.count(404) == 30 and codes[30:] == [429] * 10
    answer = api.get("/api/v1/public/certificates/Y000044000001264000009")
    assert answer.status_code == 429 and int(answer.headers["Retry-After"]) >= 1
    api.app.state.public_limit.clock = lambda: 1_000_000.0 + 0.5  # one token is back after 0.5 s (120 a minute)
    assert api.get("/api/v1/public/certificates/Y000044000001264000009").status_code == 404


def test_anyone_reads_a_calendar_year_and_an_unofficial_year_says_provisional(api):
    official = api.get("/api/v1/calendar/2026").json()
    assert official["official"] is True
    assert {"date": "2026-10-10", "kind": "workday"} in official["days"]
    assert api.get("/api/v1/calendar/2027").json()["provisional"] is True
    assert api.get("/api/v1/calendar/3000").status_code == 422


def test_an_admin_replaces_a_year_and_a_bad_entry_is_named_without_writing(api, people):
    admin = people.make("admin")
    bad = {"holidays": ["2027-01-01", "2027-01-01"], "makeup_workdays": []}
    response = api.put("/api/v1/calendar/2027", json=bad, headers=admin)
    assert response.status_code == 422 and response.json()["detail"][0]["field"] == "holidays[1]"
    assert api.get("/api/v1/calendar/2027").json()["provisional"] is True
    weekday_makeup = {"holidays": ["2027-01-01"], "makeup_workdays": ["2027-02-17"]}
    response = api.put("/api/v1/calendar/2027", json=weekday_makeup, headers=admin)
    assert response.json()["detail"][0]["field"] == "makeup_workdays[0]"
    good = {"source": "通知", "holidays": ["2027-01-01", "2027-02-08"], "makeup_workdays": ["2027-02-20"]}
    assert api.put("/api/v1/calendar/2027", json=good, headers=admin).json()["official"] is True
    assert (
        api.put("/api/v1/calendar/2027", json=good, headers=people.make("officer", jurisdiction="440000")).status_code
        == 403
    )


def test_the_verification_page_shows_the_masked_certificate_or_says_it_is_unknown(api):
    page = api.get("/verify/Y000044000001264000099")
    assert page.status_code == 404 and "未查询到" in page.text


def _plan_row(session, institution_id, region, profile):
    from core.clock import wall_now

    plan = EvaluationPlan(
        institution_id=institution_id,
        region_code=region,
        profile_code=profile,
        handling_centre=region[:4] + "00" if profile == "gansu" else region[:2] + "0000",
        occupation_code="6-18-01-01",
        evaluation_start=dt.date(2026, 10, 19),
        evaluation_end=dt.date(2026, 10, 19),
        filed_on=TODAY,
        staff={},
        status="scheduled",
        created_at=wall_now(),
        updated_at=wall_now(),
    )
    session.add(plan)
    session.flush()
    return plan.id


def test_supervisors_come_from_the_roster_the_profile_names_with_their_card_where_required(api, people):
    from tasks.cases import batch
    from tasks.people.accounts import create_user

    url = api.settings.database_url
    carded = create_user(url, role="supervisor", name="甘肃督导甲", jurisdiction="620000", card_number="GS-0001")[0]
    create_user(url, role="supervisor", name="甘肃督导乙（无证卡）", jurisdiction="620000")
    create_user(url, role="supervisor", name="兰州督导", jurisdiction="620100", card_number="GS-0002")
    create_user(url, role="supervisor", name="江苏督导", jurisdiction="320000")
    with db(api) as session:
        gansu = [
            _plan_row(session, registered_institution(session, region="620102", serial=900 + n), "620102", "gansu")
            for n in range(12)
        ]
        jiangsu_s = registered_institution(session, region="320102", serial=950)
        from models.cases import Institution

        session.get(Institution, jiangsu_s).kind = "S"
        s_plans = [_plan_row(session, jiangsu_s, "320102", "jiangsu") for _ in range(5)]
    with db(api) as session:
        gansu_draws = [batch.draw_supervision(session, plan_id=p) for p in gansu]
        s_draws = [batch.draw_supervision(session, plan_id=p) for p in s_plans]
    # 004 §六(二): the province's roster, cardholders only; Gansu draws no supervisor (random supervision)
    assert {d.centre for d in gansu_draws} == {"620000"}
    with db(api) as session:
        from models.cases import DrawRecord

        pools = {
            tuple(r.candidates)
            for r in session.exec(
                select(DrawRecord).where(DrawRecord.purpose == "quality_supervision", DrawRecord.case_id.in_(gansu))
            ).all()
        }
    assert pools == {(carded.id,)}
    assert all(d.supervised for d in s_draws)  # 002 §(十八): S-type, a supervisor at every session
    assert {d.centre for d in s_draws} == {"320000"}


LADDER = {
    "titles": [
        {"title": "首席技师", "level": 1},
        {"title": "高级工一档", "level": "三级"},
        {"title": "学徒工", "level": 5},
    ]
}


def test_an_institution_files_its_own_levels_with_their_national_correspondence_once(api, people):
    enterprise, institution_id = enterprise_of(api, people)
    filed = api.put(f"/api/v1/institutions/{institution_id}/ladder", json=LADDER, headers=enterprise)
    assert filed.status_code == 200, filed.text
    assert filed.json()["ladder"] == [
        {"title": "学徒工", "level": "五级/初级工"},
        {"title": "高级工一档", "level": "三级/高级工"},
        {"title": "首席技师", "level": "一级/高级技师"},
    ]
    assert api.put(f"/api/v1/institutions/{institution_id}/ladder", json=LADDER, headers=enterprise).status_code == 200
    with db(api) as session:
        from models.audit import AuditEvent

        entries = session.exec(
            select(AuditEvent).where(
                AuditEvent.case_type == "institution",
                AuditEvent.case_id == institution_id,
                AuditEvent.action == "ladder_filed",
            )
        ).all()
        assert len(entries) == 1  # the same ladder filed again changes nothing


@pytest.mark.parametrize(
    "titles, problem",
    [
        ([{"title": "首席技师", "level": 3}], "首席技师 sits above 一级"),
        ([{"title": "技师", "level": 2}], "national level"),
        ([{"title": "一档", "level": 3}, {"title": "一档", "level": 4}], "重复"),
        ([{"title": "一档", "level": 9}], "must be 1–5"),
    ],
)
def test_an_impossible_ladder_is_refused_naming_the_title_and_nothing_is_kept(api, people, titles, problem):
    enterprise, institution_id = enterprise_of(api, people)
    response = api.put(f"/api/v1/institutions/{institution_id}/ladder", json={"titles": titles}, headers=enterprise)
    assert response.status_code == 422 and problem in response.text, response.text
    assert api.get(f"/api/v1/institutions/{institution_id}", headers=enterprise).json()["ladder"] == []


def test_a_candidate_is_evaluated_under_a_filed_title_that_corresponds_to_the_national_level(api, people):
    enterprise, institution_id = enterprise_of(api, people)
    api.put(f"/api/v1/institutions/{institution_id}/ladder", json=LADDER, headers=enterprise)
    body = plan_body(dt.date(2026, 9, 21), candidates=3)
    body["candidates"][0].update(level=3, enterprise_title="高级工一档")
    body["candidates"][1].update(level=4, enterprise_title="高级工一档")  # corresponds to 三级, not 四级
    body["candidates"][2].update(level=4, enterprise_title="特级技师")  # not on this institution's ladder
    refused = api.post(f"/api/v1/institutions/{institution_id}/plans", json=body, headers=enterprise)
    assert refused.status_code == 422
    problems = {(p["code"], p["field"]) for p in refused.json()["detail"]}
    assert problems == {
        ("candidate.enterprise_title_level", "candidates[1].enterprise_title"),
        ("candidate.enterprise_title_not_filed", "candidates[2].enterprise_title"),
    }
    with db(api) as session:
        assert session.exec(select(EvaluationPlan).where(EvaluationPlan.institution_id == institution_id)).all() == []
    body["candidates"] = body["candidates"][:1]
    filed = api.post(f"/api/v1/institutions/{institution_id}/plans", json=body, headers=enterprise)
    assert filed.status_code == 201, filed.text
    candidate = filed.json()["candidates"][0]
    assert (candidate["level"], candidate["enterprise_title"]) == ("三级/高级工", "高级工一档")
