"""POST/GET /filings, resubmissions and objections over HTTP: validation, idempotency, who sees what."""

import datetime as dt

import pytest
from sqlmodel import select

from models.cases import FilingApplication, Institution
from models.workflow import OutboxMessage
from tests.api.conftest import db
from tests.api.helpers import filing_form

pytestmark = pytest.mark.postgres  # on PostgreSQL too: idempotent intake on unique keys


def test_filing_records_the_case_and_an_outbox_row_and_answers_at_once(api, people):
    enterprise = people.make("enterprise")
    response = api.post("/api/v1/filings", json=filing_form(), headers=enterprise)
    assert response.status_code == 201, response.text
    body = response.json()
    assert (body["status"], body["current_step"], body["profile"]) == ("submitted", "completeness_check", "guangdong")
    with db(api) as session:
        assert session.get(FilingApplication, body["id"]) is not None
        assert session.exec(select(OutboxMessage).where(OutboxMessage.case_id == body["id"])).one().kind == \
            "institution_filing"


def test_the_same_idempotency_key_and_body_returns_the_same_answer_and_no_second_filing(api, people):
    enterprise = people.make("enterprise")
    form = filing_form()
    headers = {**enterprise, "Idempotency-Key": "abc-1"}
    first = api.post("/api/v1/filings", json=form, headers=headers)
    second = api.post("/api/v1/filings", json=form, headers=headers)
    assert first.status_code == second.status_code == 201
    assert first.json() == second.json()
    assert second.headers["Idempotent-Replayed"] == "true"
    with db(api) as session:
        assert len(session.exec(select(FilingApplication)).all()) == 1


def test_the_same_key_with_another_body_is_a_conflict(api, people):
    enterprise = people.make("enterprise")
    headers = {**enterprise, "Idempotency-Key": "abc-2"}
    assert api.post("/api/v1/filings", json=filing_form(), headers=headers).status_code == 201
    response = api.post("/api/v1/filings", json=filing_form(employees=999), headers=headers)
    assert response.status_code == 409
    assert "different request" in response.json()["detail"]


def test_every_problem_of_a_bad_filing_is_listed_and_nothing_is_written(api, people):
    enterprise = people.make("enterprise")
    bad = filing_form(credit_code="91350100M000100Y44", occupations=[{"code": "4-07-05-04", "levels": [3]},
                                                                       {"code": "6-99-99-99", "levels": [7]}])
    response = api.post("/api/v1/filings", json=bad, headers=enterprise)
    assert response.status_code == 422
    fields = {problem["field"] for problem in response.json()["detail"]}
    assert {"credit_code", "occupations[0].code", "occupations[1].code", "occupations[1].levels[0]"} <= fields
    with db(api) as session:
        assert session.exec(select(FilingApplication)).all() == []
        assert session.exec(select(Institution)).all() == []


def test_shape_errors_name_the_field(api, people):
    enterprise = people.make("enterprise")
    response = api.post("/api/v1/filings", json=filing_form(employees="many", region_code="44"), headers=enterprise)
    assert response.status_code == 422
    problems = {e["field"]: e for e in response.json()["detail"]}
    assert {"employees", "region_code"} <= set(problems)
    assert problems["employees"]["code"] == "request.int_parsing"
    assert problems["employees"]["message"].startswith("应为整数 / ")


def test_malformed_json_is_a_422_not_a_500(api, people):
    enterprise = people.make("enterprise")
    response = api.post(
        "/api/v1/filings", content=b"{not json", headers={**enterprise, "Content-Type": "application/json"}
    )
    assert response.status_code == 422


def test_only_enterprises_file_and_a_missing_token_is_401(api, people):
    assert api.post("/api/v1/filings", json=filing_form()).status_code == 401
    assert api.post("/api/v1/filings", json=filing_form(), headers={"Authorization": "Bearer nope"}).status_code == 401
    officer = people.make("officer", jurisdiction="440000")
    assert api.post("/api/v1/filings", json=filing_form(), headers=officer).status_code == 403


def test_a_filing_is_seen_by_its_enterprise_and_the_officers_of_its_jurisdiction_only(api, people):
    owner, stranger = people.make("enterprise"), people.make("enterprise")
    fid = api.post("/api/v1/filings", json=filing_form(region_code="440106"), headers=owner).json()["id"]
    provincial, guangzhou = people.make("officer", jurisdiction="440000"), people.make("officer", jurisdiction="440100")
    shenzhen, jiangsu = people.make("officer", jurisdiction="440300"), people.make("officer", jurisdiction="320000")
    for allowed in (owner, provincial, guangzhou):
        assert api.get(f"/api/v1/filings/{fid}", headers=allowed).status_code == 200
    for denied in (stranger, shenzhen, jiangsu):
        assert api.get(f"/api/v1/filings/{fid}", headers=denied).status_code == 404
    assert api.get("/api/v1/filings/99999", headers=owner).status_code == 404


def test_a_second_active_filing_of_the_same_enterprise_is_a_conflict(api, people):
    enterprise = people.make("enterprise")
    form = filing_form()
    assert api.post("/api/v1/filings", json=form, headers=enterprise).status_code == 201
    response = api.post("/api/v1/filings", json=form, headers=enterprise)
    assert response.status_code == 409 and "still in progress" in response.json()["detail"]


def test_resubmitting_without_a_pending_notice_is_a_conflict(api, people):
    enterprise = people.make("enterprise")
    fid = api.post("/api/v1/filings", json=filing_form(), headers=enterprise).json()["id"]
    response = api.post(
        f"/api/v1/filings/{fid}/resubmissions", json={"materials": [{"kind": "hr_system"}]}, headers=enterprise
    )
    assert response.status_code == 409


def test_an_objection_outside_publicity_is_a_conflict_and_on_an_unknown_filing_404(api, people):
    enterprise, public = people.make("enterprise"), people.make("operations")
    fid = api.post("/api/v1/filings", json=filing_form(), headers=enterprise).json()["id"]
    assert (
        api.post(
            f"/api/v1/filings/{fid}/objections",
            json={"text": "异议内容足够长", "contact": "13800138000"},
            headers=public,
        ).status_code
        == 409
    )
    assert (
        api.post(
            "/api/v1/filings/4242/objections", json={"text": "异议内容足够长", "contact": "13800138000"}, headers=public
        ).status_code
        == 404
    )


def _filed(api, people, **changes):
    response = api.post("/api/v1/filings", json=filing_form(**changes), headers=people.make("enterprise"))
    return response


def test_the_handling_centre_follows_the_provinces_routing_and_the_form_cannot_choose_it_otherwise(api, people):
    # Gansu (004 §四(一)): the municipal centre by default; 省属 enterprises choose; central branches go to the province
    assert _filed(api, people, region_code="620102").json()["handling_centre"] == "620100"
    chose_city = _filed(api, people, region_code="620102", provincial_owned=True, handled_by="municipal")
    assert chose_city.json()["handling_centre"] == "620100"
    assert _filed(api, people, region_code="620102", provincial_owned=True).json()["handling_centre"] == "620000"
    branch = _filed(
        api, people, region_code="620102", ownership="central_branch", ministry_filed_occupations=["6-18-01-01"]
    )
    assert branch.json()["handling_centre"] == "620000"
    # Guangdong (003 §二(二)): the provincial centre handles every pilot filing; nobody chooses
    assert _filed(api, people).json()["handling_centre"] == "440000"
    refused = _filed(api, people, provincial_owned=True, handled_by="municipal")
    assert refused.status_code == 422 and "handled_by" in str(refused.json()["detail"])
    not_owned = _filed(api, people, region_code="620102", handled_by="provincial")
    assert not_owned.status_code == 422


def test_a_central_branch_in_gansu_stays_inside_the_scope_its_group_filed_with_the_ministry(api, people):
    missing = _filed(api, people, region_code="620102", ownership="central_branch")
    assert missing.status_code == 422 and "ministry_filed_occupations" in str(missing.json()["detail"])
    outside = _filed(
        api, people, region_code="620102", ownership="central_branch", ministry_filed_occupations=["4-01-01-01"]
    )
    assert outside.status_code == 422
    assert "occupations[0].code" in str(outside.json()["detail"])
    with db(api) as session:
        assert (
            session.exec(
                select(FilingApplication).where(
                    FilingApplication.region_code == "620102",
                    FilingApplication.form["ownership"].as_string() == "central_branch",
                )
            ).all()
            == []
        )


def test_a_gansu_position_mapped_to_the_nearest_occupation_is_filed_with_its_reason_and_guangdong_refuses_it(
    api, people
):
    from models.cases import FilingOccupation

    occupation = {
        "code": "6-18-01-01",
        "levels": [4],
        "position_name": "数控精密车削岗",
        "mapping_reason": "以数控车床加工精密零件，工作内容与车工相同",
    }
    filed = _filed(api, people, region_code="620102", occupations=[occupation])
    assert filed.status_code == 201, filed.text
    with db(api) as session:
        row = session.exec(select(FilingOccupation).where(FilingOccupation.filing_id == filed.json()["id"])).one()
        assert (row.position_name, row.mapping_reason) == (
            "数控精密车削岗",
            "以数控车床加工精密零件，工作内容与车工相同",
        )
    refused = _filed(api, people, occupations=[occupation])
    assert refused.status_code == 422 and "occupations[0].position_name" in refused.text


def _registered_enterprise(api, people):
    """An enterprise account bound to a registered Guangzhou institution filed for 6-18-01-01 levels 3–5."""
    from models.accounts import User
    from models.cases import Institution
    from tests.api.helpers import registered_institution

    headers = people.make("enterprise")
    with db(api) as session:
        institution_id = registered_institution(session, serial=people.id_of(headers) + 500)
        session.get(User, people.id_of(headers)).institution_id = institution_id
        institution = session.get(Institution, institution_id)
        institution.registered_on = dt.date(2026, 3, 2)
        form = filing_form(credit_code=institution.credit_code, region_code=institution.region_code)
    return headers, institution_id, form


def test_a_registered_institution_changes_its_scope_only_by_a_change_filing_that_makes_sense(api, people):
    headers, institution_id, form = _registered_enterprise(api, people)
    again = api.post("/api/v1/filings", json=form, headers=headers)
    assert again.status_code == 409 and "变更备案" in again.json()["detail"]
    change = {
        **form,
        "scope_change": True,
        "occupations": [{"code": "6-18-01-01", "levels": [3]}],
        "drop_occupations": [{"code": "4-03-02-01", "levels": [4]}],
    }
    refused = api.post("/api/v1/filings", json=change, headers=headers)
    assert refused.status_code == 422
    assert {p["code"] for p in refused.json()["detail"]} == {
        "scope_change.already_filed",
        "scope_change.drop_not_filed",
    }
    added = api.post(
        "/api/v1/filings",
        json={**change, "occupations": [{"code": "4-03-02-01", "levels": [4]}], "drop_occupations": []},
        headers=headers,
    )
    assert added.status_code == 201, added.text
    assert added.json()["status"] == "submitted"  # the additions go through the province's filing steps
    scope = api.get(f"/api/v1/institutions/{institution_id}", headers=headers).json()["occupations"]
    assert [o["code"] for o in scope] == ["6-18-01-01"]  # nothing changes before the change is registered


def test_a_change_that_only_drops_levels_holds_at_once_and_keeps_the_segment(api, people):
    headers, institution_id, form = _registered_enterprise(api, people)
    before = api.get(f"/api/v1/institutions/{institution_id}", headers=headers).json()
    dropped = api.post(
        "/api/v1/filings",
        headers=headers,
        json={
            **form,
            "scope_change": True,
            "occupations": [],
            "drop_occupations": [{"code": "6-18-01-01", "levels": [5]}],
        },
    )
    assert dropped.status_code == 201, dropped.text
    assert dropped.json()["status"] == "registered"
    after = api.get(f"/api/v1/institutions/{institution_id}", headers=headers).json()
    assert after["segment"] == before["segment"] and after["registered_on"] == "2026-03-02"
    assert after["occupations"][0]["levels"] == ["三级/高级工", "四级/中级工"]
    with db(api) as session:
        from models.audit import AuditEvent

        changed = session.exec(
            select(AuditEvent).where(
                AuditEvent.case_type == "institution",
                AuditEvent.case_id == institution_id,
                AuditEvent.action == "scope_changed",
            )
        ).one()
        assert changed.after["scope"] == {"6-18-01-01": "34"}
