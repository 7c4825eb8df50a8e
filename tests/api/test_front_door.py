"""The public's front door: the home page leads to every public service, a typed certificate number gets one
clear answer (valid, revoked with its date, reported and awaiting the national system, unknown, malformed), and
the catalogue lists the filed institutions and the removals, in pages."""

from __future__ import annotations

import datetime as dt

import pytest

from models.cases import Institution
from tests.api.conftest import db
from tests.api.helpers import certificates_in_states, registered_institution

VALID, REVOKED, PENDING = "Y000044000904263000001", "Y000044000904263000002", "Y000044000904263000003"


def _certificates(api) -> None:
    with db(api) as session:
        certificates_in_states(session, serial=904, first_person=60,
                               states={VALID: "valid", REVOKED: "revoked", PENDING: "pending"})


def test_the_home_page_leads_to_verification_publicity_complaints_and_the_catalogue(api):
    page = api.get("/")
    assert page.status_code == 200 and "text/html" in page.headers["content-type"]
    for href in ('href="/verify"', 'href="/publicity"', 'href="/complaints"', 'href="/institutions"',
                 'href="/institutions/removals"', 'href="/inspections"', 'action="/verify"'):
        assert href in page.text, href
    assert "职业技能等级认定" in page.text


@pytest.mark.parametrize(("typed", "status", "headline"), [
    (VALID, 200, "证书有效"),
    (f"  {VALID.lower()} ", 200, "证书有效"),  # spaces and a lower-case letter forgiven
    (REVOKED, 200, "证书已于 2026-09-01 撤销"),
    (PENDING, 200, "已报送，待全国联网确认"),
    ("Y000044000904263000099", 404, "未查询到该证书"),
    ("Y00004400090426300000", 422, "证书编号格式不正确"),
    ("<script>", 422, "证书编号格式不正确"),
])
def test_a_typed_certificate_number_gets_one_clear_answer(api, typed, status, headline):
    _certificates(api)
    page = api.get("/verify", params={"number": typed})
    assert page.status_code == status
    assert f'<h2 class="verdict-headline">{headline}</h2>' in page.text
    assert "<script>" not in page.text.split("<body>", 1)[1]  # what was typed is escaped


def test_the_empty_form_asks_for_a_number_and_the_qr_landing_answers_the_same(api):
    _certificates(api)
    empty = api.get("/verify")
    assert empty.status_code == 200 and 'name="number"' in empty.text and "verdict" not in empty.text
    assert "证书已于 2026-09-01 撤销" in api.get(f"/verify/{REVOKED}").text
    assert api.get("/verify/Y000044000904263000099").status_code == 404


def test_the_public_json_says_pending_without_the_national_systems_reason(api):
    _certificates(api)
    pending = api.get(f"/api/v1/public/certificates/{PENDING}")
    assert pending.status_code == 200
    body = pending.json()
    assert (body["status"], body["status_label"], body["national_acknowledged_at"]) == (
        "pending", "已报送，待全国联网确认", None)
    assert "national_refusal" not in body and "姓名与身份证号不一致" not in pending.text
    assert "姓名与身份证号不一致" not in api.get(f"/verify/{PENDING}").text
    revoked = api.get(f"/api/v1/public/certificates/{REVOKED}").json()
    assert (revoked["status"], revoked["revoked_on"]) == ("revoked", "2026-09-01")


def test_the_catalogue_pages_list_registered_institutions_and_the_removals_apart(api):
    with db(api) as session:
        for n in range(51):
            registered_institution(session, region="440106" if n % 2 else "440303", serial=700 + n)
        removed = session.get(Institution, registered_institution(session, serial=799))
        removed.status, removed.removed_on, removed.removal_reason = "withdrawn", dt.date(2026, 6, 1), "inactivity"
        removed.name = "已退出企业"
        session.add(removed)
    first = api.get("/institutions")
    assert first.status_code == 200
    assert first.text.count("<tr><td>已备案企业</td>") == 50 and "已退出企业" not in first.text
    assert "广州市天河区" in first.text and "深圳市罗湖区" in first.text
    assert "车工（三级/高级工、四级/中级工、五级/初级工）" in first.text
    next_href = first.text.split('<a href="/institutions?cursor=', 1)[1].split('"', 1)[0]
    second = api.get(f"/institutions?cursor={next_href}")
    assert second.text.count("<tr><td>已备案企业</td>") == 1 and "下一页" not in second.text
    removals = api.get("/institutions/removals").text
    assert "已退出企业" in removals and "2026-06-01" in removals and "连续未开展评价，视同自行退出" in removals
    assert "已备案企业" not in removals
    garbled = api.get("/institutions?cursor=%%%")
    assert garbled.status_code == 200 and "翻页链接无效" in garbled.text
