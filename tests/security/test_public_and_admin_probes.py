"""Security round 3 (issue 25, items 10, 12, 13): one phone number or one target cannot flood the centre
with open complaints, an IPv6 client's /64 shares one rate-limit bucket, a registered region must be a
real district or county of GB/T 2260, and roles that never handle a supervision case cannot list them."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlmodel import select

from api.clients import client_bucket
from models.cases import Institution
from models.schemas import ComplaintCreate
from models.supervision import SupervisionCase
from tasks.cases import supervision
from tasks.errors import Conflict
from tests.api.conftest import db
from tests.api.helpers import registered_institution


def _institution(api, serial: int) -> int:
    with db(api) as session:
        institution_id = registered_institution(session, serial=serial)
        session.get(Institution, institution_id).registered_on = dt.date(2026, 3, 2)
        return institution_id


def _complaint(institution_id: int, n: int, phone: str = "13900001111") -> dict:
    text = f"第 {n} 件：该机构在认定考核中存在代考行为，考场未开启视频监控。"
    return {"institution_id": institution_id, "text": text, "contact_name": "王先生", "contact_phone": phone}


def test_one_phone_number_has_at_most_five_open_complaints_and_the_sixth_is_429_with_the_reason(api):
    institution_id = _institution(api, 961)
    api.app.state.public_limit.clock = lambda: 11_000.0  # the address limit is not what is tested here
    answers = [api.post("/api/v1/complaints", json=_complaint(institution_id, n)) for n in range(6)]
    assert [a.status_code for a in answers] == [201] * 5 + [429]
    assert "5 complaints in progress" in answers[5].json()["detail"]
    assert api.post("/api/v1/complaints", json=_complaint(institution_id, 6, phone="13700002222")).status_code == 201
    with db(api) as session:
        assert len(session.exec(select(SupervisionCase).where(SupervisionCase.institution_id == institution_id))
                   .all()) == 6  # the refused one wrote nothing


def test_one_institution_has_at_most_its_limit_of_open_complaints_then_409(api):
    institution_id = _institution(api, 962)
    with db(api) as session:
        for n in range(2):
            body = ComplaintCreate(**_complaint(institution_id, n, f"1390000{n:04d}"))
            supervision.file_complaint(session, body=body, open_per_target=2)
        with pytest.raises(Conflict, match="2 complaints about this institution"):
            supervision.file_complaint(session, body=ComplaintCreate(**_complaint(institution_id, 9, "13911112222")),
                                       open_per_target=2)


@pytest.mark.parametrize(("address", "bucket"), [
    ("2001:db8:1:2:aaaa::1", "2001:db8:1:2::/64"),
    ("2001:db8:1:2:ffff:ffff:ffff:fffe", "2001:db8:1:2::/64"),
    ("198.51.100.7", "198.51.100.7"),
    ("::ffff:198.51.100.7", "198.51.100.7"),
])
def test_an_ipv6_client_is_counted_by_its_slash_64(address, bucket):
    assert client_bucket(address) == bucket


def test_addresses_of_one_ipv6_network_share_one_public_rate_limit(api):
    from fastapi.testclient import TestClient

    api.app.state.public_limit.clock = lambda: 13_000.0
    number = "Y000044000001264000009"
    codes = [TestClient(api.app, client=(f"2001:db8:7:7::{n + 1:x}", 40000))
             .get(f"/api/v1/public/certificates/{number}").status_code for n in range(31)]
    assert codes[:30] == [404] * 30 and codes[30] == 429  # 31 addresses, one /64, one bucket
    other = TestClient(api.app, client=("2001:db8:7:8::1", 40000)).get(f"/api/v1/public/certificates/{number}")
    assert other.status_code == 404


@pytest.mark.parametrize(("code", "said"), [("449999", "GB/T 2260"), ("440000", "省级"), ("440100", "下设区县")])
def test_a_registered_region_must_be_a_real_district_or_county(api, people, code, said):
    institution_id = _institution(api, 963)
    admin = people.make("admin")
    refused = api.put(f"/api/v1/admin/institutions/{institution_id}/region",
                      json={"region_code": code, "reason": "新营业执照"}, headers=admin)
    assert refused.status_code == 422 and refused.json()["detail"][0]["field"] == "region_code"
    assert said in refused.json()["detail"][0]["message"]
    moved = api.put(f"/api/v1/admin/institutions/{institution_id}/region",
                    json={"region_code": "440111", "reason": "新营业执照"}, headers=admin)
    assert moved.status_code == 200, moved.text


@pytest.mark.parametrize("role", ["expert", "supervisor"])
def test_roles_that_never_handle_a_complaint_cannot_list_them(api, people, role):
    assert api.get("/api/v1/complaints", headers=people.make(role)).status_code == 403
