"""A certificate the national system refused is fixable by the enterprise (issue 27, item 8): only a refused,
unacknowledged certificate's holder can be corrected, with a valid ID number that no other candidate of the
batch holds, and a reason; the candidate and the certificate change together and the change is audited.
The whole story on a running flow (refusal → correction → retry → acknowledged) is on the replay tier:
tests/replay/test_evaluation_batch.py."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlmodel import select

from core.clock import wall_now
from models.audit import AuditEvent
from models.cases import Candidate, Certificate, EvaluationPlan
from models.db import session_scope
from tests.api.helpers import person, registered_institution


@pytest.fixture()
def refused(api, people):
    """A batch of two candidates: the first's certificate refused by the national system, the second's valid.
    Returns (owner headers, plan id, refused candidate id, valid candidate id)."""
    owner = people.make("enterprise")
    with session_scope(api.settings.database_url) as session:
        institution_id = registered_institution(session, serial=31)
        from models.accounts import User

        session.get(User, people.id_of(owner)).institution_id = institution_id
        now = wall_now()
        plan = EvaluationPlan(institution_id=institution_id, region_code="440106", profile_code="guangdong",
                              occupation_code="6-18-01-01", evaluation_start=dt.date(2026, 10, 19),
                              evaluation_end=dt.date(2026, 10, 19), filed_on=dt.date(2026, 9, 1), staff={},
                              status="uploading", current_step="national_refusal", created_at=now, updated_at=now)
        session.add(plan)
        session.flush()
        ids = []
        for n, (status, refusal) in enumerate([("pending", "holder's identity not verified"), ("valid", None)]):
            candidate = Candidate(plan_id=plan.id, name=f"考生{n}", id_number=person(900 + n), relation="employee",
                                  level=3)
            session.add(candidate)
            session.flush()
            session.add(Certificate(number=f"S4401062026030000{n + 1:04d}", serial_scope="S440106202603",
                                    serial=n + 1, candidate_id=candidate.id, plan_id=plan.id,
                                    institution_id=institution_id, holder_name=candidate.name,
                                    id_number=candidate.id_number, occupation_code="6-18-01-01",
                                    occupation_name="车工", level=3, issued_on=dt.date(2026, 11, 2), status=status,
                                    national_refusal=refusal))
            ids.append(candidate.id)
        return owner, plan.id, ids[0], ids[1]


def _patch(api, owner, plan_id, candidate_id, **body):
    return api.patch(f"/api/v1/plans/{plan_id}/candidates/{candidate_id}", headers=owner,
                     json={"reason": "身份证号录入错误", **body})


def test_the_enterprise_reads_why_the_national_system_refused_and_the_refused_one_is_not_counted_issued(api, refused):
    owner, plan_id, refused_id, _ = refused
    plan = api.get(f"/api/v1/plans/{plan_id}", headers=owner).json()
    by_id = {c["id"]: c for c in plan["candidates"]}
    assert by_id[refused_id]["national_refusal"] == "holder's identity not verified"
    assert plan["certificates_issued"] == 1


def test_a_refused_holders_id_number_is_corrected_on_the_candidate_and_the_certificate_and_audited(api, refused):
    owner, plan_id, refused_id, _ = refused
    answer = _patch(api, owner, plan_id, refused_id, id_number=person(950), name="考生甲")
    assert answer.status_code == 200, answer.text
    with session_scope(api.settings.database_url, readonly=True) as session:
        candidate = session.get(Candidate, refused_id)
        certificate = session.exec(select(Certificate).where(Certificate.candidate_id == refused_id)).one()
        entries = session.exec(select(AuditEvent).where(AuditEvent.action == "candidate_corrected",
                                                        AuditEvent.case_id == plan_id)).all()
    assert (candidate.id_number, candidate.name) == (person(950), "考生甲")
    assert (certificate.id_number, certificate.holder_name) == (person(950), "考生甲")
    assert len(entries) == 1 and entries[0].after["reason"] == "身份证号录入错误"
    assert person(950) not in str(entries[0].after) and person(900) not in str(entries[0].before)  # masked
    again = _patch(api, owner, plan_id, refused_id, id_number=person(950), name="考生甲")
    assert again.status_code == 200  # the same correction again changes nothing and records nothing
    with session_scope(api.settings.database_url, readonly=True) as session:
        assert len(session.exec(select(AuditEvent).where(AuditEvent.action == "candidate_corrected",
                                                         AuditEvent.case_id == plan_id)).all()) == 1


def test_only_a_refused_certificates_holder_can_be_corrected(api, refused):
    owner, plan_id, _, valid_id = refused
    answer = _patch(api, owner, plan_id, valid_id, id_number=person(951))
    assert answer.status_code == 409 and "退回" in answer.text


@pytest.mark.parametrize(("body", "field"), [
    ({"id_number": "440106199001010000"}, "id_number"),  # wrong check character
    ({"id_number": person(901)}, "id_number"),  # the other candidate's
    ({}, "name"),  # nothing to correct
])
def test_a_correction_with_a_bad_or_taken_id_number_is_refused_naming_the_field_and_changes_nothing(
        api, refused, body, field):
    owner, plan_id, refused_id, _ = refused
    answer = _patch(api, owner, plan_id, refused_id, **body)
    assert answer.status_code == 422, answer.text
    assert field in answer.text
    with session_scope(api.settings.database_url, readonly=True) as session:
        assert session.get(Candidate, refused_id).id_number == person(900)


def test_another_enterprise_cannot_correct_a_batchs_candidate(api, refused, people):
    _, plan_id, refused_id, _ = refused
    stranger = people.make("enterprise")
    assert _patch(api, stranger, plan_id, refused_id, id_number=person(952)).status_code == 404
