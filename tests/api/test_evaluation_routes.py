"""Evaluation routes (issue 27, item 7; 004 §三(二)(三)): where a profile opens them, a candidate passes by
direct recognition (直接认定) or a competition result (竞赛晋升) on its evidence instead of scored parts;
a province whose text opens no such route refuses it naming the field, and nothing is kept."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlmodel import select

from core.clock import wall_now
from models.cases import Candidate, EvaluationPlan, Score
from models.db import session_scope
from tasks.queries import publicity
from tests.api.helpers import person, registered_institution


@pytest.fixture()
def awaiting_results(api, people):
    """A plan of three candidates waiting for its results, in the region given; returns (headers, plan, ids)."""
    def make(region: str, profile: str):
        owner = people.make("enterprise")
        with session_scope(api.settings.database_url) as session:
            institution_id = registered_institution(session, region=region, serial=people.id_of(owner))
            from models.accounts import User

            session.get(User, people.id_of(owner)).institution_id = institution_id
            now = wall_now()
            plan = EvaluationPlan(institution_id=institution_id, region_code=region, profile_code=profile,
                                  occupation_code="6-18-01-01", evaluation_start=dt.date(2026, 8, 20),
                                  evaluation_end=dt.date(2026, 8, 20), filed_on=dt.date(2026, 8, 1), staff={},
                                  status="awaiting_results", current_step="results_submission",
                                  created_at=now, updated_at=now)
            session.add(plan)
            session.flush()
            ids = []
            for n in range(3):
                candidate = Candidate(plan_id=plan.id, name=f"考生{n}", id_number=person(930 + n + people.id_of(owner)),
                                      relation="employee", level=3)
                session.add(candidate)
                session.flush()
                ids.append(candidate.id)
            return owner, plan.id, ids
    return make


DIRECT = {"route": "direct_recognition",
          "evidence": {"basis": "解决车间主轴加工精度难题，带徒 5 人", "award": "甘肃省技术能手", "years": 12}}
COMPETITION = {"route": "competition",
               "evidence": {"basis": "省级职业技能竞赛获奖", "competition": "2026年甘肃省职业技能大赛车工项目",
                            "rank": 2}}


def test_gansu_takes_direct_recognition_and_a_competition_on_their_evidence_beside_scored_parts(api, awaiting_results):
    owner, plan_id, ids = awaiting_results("620102", "gansu")  # 004 §三(二) 直接认定, §三(三) 竞赛晋升
    answer = api.post(f"/api/v1/plans/{plan_id}/results", headers=owner, json={"scores": [
        {"candidate_id": ids[0], **DIRECT}, {"candidate_id": ids[1], **COMPETITION},
        {"candidate_id": ids[2], "theory": 72, "practical": 58}]})
    assert answer.status_code == 201, answer.text
    scores = {c["id"]: c["score"] for c in answer.json()["candidates"]}
    assert (scores[ids[0]]["route"], scores[ids[0]]["passed"]) == ("direct_recognition", True)
    assert scores[ids[0]]["evidence"]["award"] == "甘肃省技术能手"
    assert (scores[ids[1]]["route"], scores[ids[1]]["evidence"]["rank"]) == ("competition", 2)
    assert (scores[ids[2]]["route"], scores[ids[2]]["passed"]) == ("scored", False)  # a part below 60
    with session_scope(api.settings.database_url, readonly=True) as session:
        score = session.exec(select(Score).where(Score.candidate_id == ids[1])).one()
        assert publicity._result(score) == "合格（竞赛晋升）"  # the public reads how the candidate passed


@pytest.mark.parametrize(("entry", "field"), [
    ({**DIRECT, "theory": 80}, "scores[0].route"),  # a route other than the parts carries no parts
    ({"route": "direct_recognition", "evidence": {"basis": "业绩突出的技术骨干"}}, "scores[0].evidence.award"),
    ({"route": "competition", "evidence": {"basis": "省级竞赛获奖"}}, "scores[0].evidence.rank"),
    ({"route": "competition"}, "scores[0].evidence.basis"),
])
def test_a_route_without_its_evidence_is_refused_naming_the_field_and_nothing_is_kept(api, awaiting_results,
                                                                                       entry, field):
    owner, plan_id, ids = awaiting_results("620102", "gansu")
    scores = [{"candidate_id": ids[0], **entry}, *({"candidate_id": i, "practical": 80} for i in ids[1:])]
    answer = api.post(f"/api/v1/plans/{plan_id}/results", headers=owner, json={"scores": scores})
    assert answer.status_code == 422, answer.text
    assert field in {p["field"] for p in answer.json()["detail"]}
    with session_scope(api.settings.database_url, readonly=True) as session:
        assert session.exec(select(Score).where(Score.candidate_id.in_(ids))).all() == []


def test_guangdong_opens_no_route_but_the_scored_parts(api, awaiting_results):  # 003 names none
    owner, plan_id, ids = awaiting_results("440106", "guangdong")
    scores = [{"candidate_id": ids[0], **DIRECT}, *({"candidate_id": i, "practical": 80} for i in ids[1:])]
    answer = api.post(f"/api/v1/plans/{plan_id}/results", headers=owner, json={"scores": scores})
    assert answer.status_code == 422 and "scores[0].route" in answer.text and "直接认定" in answer.text


NORM = {"kind": "enterprise_norm", "title": "数控车工企业评价规范（2026版）", "adjustments": "",
        "not_below_national_standard": True}


def test_an_enterprises_own_norm_is_filed_with_its_occupation_shown_to_the_experts_and_on_the_receipt(api, people):
    """004 §二, 003 §一(四): 无相应国家职业技能标准的，企业可…自主开发制定企业评价规范 — filed with the occupation and
    its levels (the text as material `evaluation_norm`); the experts read it where they score, the receipt
    names it as the occupation's basis."""
    from api.dashboard import pages
    from models.cases import FilingApplication, Institution
    from tasks.exchange import documents
    from tests.api.helpers import MATERIALS, filing_form

    enterprise = people.make("enterprise")
    form = filing_form(occupations=[{"code": "6-18-01-01", "levels": [3, 4], "norm": NORM}],
                       materials=[{"kind": k} for k in (*MATERIALS, "evaluation_norm")])
    created = api.post("/api/v1/filings", json=form, headers=enterprise)
    assert created.status_code == 201, created.text
    with session_scope(api.settings.database_url) as session:
        filing = session.get(FilingApplication, created.json()["id"])
        facts = dict(pages.application_facts(session, "filing", filing))
        assert "企业评价规范《数控车工企业评价规范（2026版）》" in facts["申请评价的职业（工种）"]
        filing.receipt_number = "BA442026009999"
        institution = session.get(Institution, filing.institution_id)
        institution.registered_on = dt.date(2026, 9, 30)
        session.flush()
        occupations = documents.receipt_model(session, filing)["occupations"]
    assert occupations[0]["basis"] == "《数控车工企业评价规范（2026版）》（企业评价规范）"


def test_a_norm_without_its_text_goes_to_the_one_time_notice_not_a_refusal(api, people):
    from tests.api.helpers import filing_form

    enterprise = people.make("enterprise")
    form = filing_form(occupations=[{"code": "6-18-01-01", "levels": [3, 4], "norm": NORM}])
    created = api.post("/api/v1/filings", json=form, headers=enterprise)
    assert created.status_code == 201, created.text  # correctable: the officer's notice asks for it
