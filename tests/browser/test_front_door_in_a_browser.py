"""The public front door on a phone (390 px): from the home page a person types a certificate number and reads
one clear answer — valid, revoked with its date, reported and awaiting the national system, unknown — without
sideways scrolling. The certificates are written into the stack's database as a finished batch would leave
them (the batch's own flow is proven by the stack tier)."""

from __future__ import annotations

from models.db import session_scope
from tests.api.helpers import certificates_in_states

PHONE = {"width": 390, "height": 844}
VALID, REVOKED, PENDING = "Y000044000905263000001", "Y000044000905263000002", "Y000044000905263000003"


def _finished_batch(stack) -> None:
    with session_scope(stack.settings.database_url) as session:
        certificates_in_states(session, serial=905, first_person=80,
                               states={VALID: "valid", REVOKED: "revoked", PENDING: "pending"})


def test_a_person_on_a_phone_verifies_certificates_by_typing_their_numbers(stack, browser, shots, opened):
    _finished_batch(stack)
    phone = browser.new_context(viewport=PHONE, locale="zh-CN", is_mobile=True, has_touch=True).new_page()
    opened.append(phone)
    phone.goto(f"{stack.api_url}/")
    assert phone.evaluate("document.documentElement.scrollWidth <= window.innerWidth + 1")
    for link in ("证书查询", "公示", "投诉举报", "评价机构备案目录", "退出目录的评价机构"):
        assert phone.get_by_role("link", name=link, exact=True).is_visible(), link
    shots(phone, "front-door-phone")

    seen = {}
    for number in (VALID, REVOKED, PENDING, "Y000044000905263000099"):
        phone.get_by_label("证书编号", exact=False).first.fill(number.lower() if number == VALID else number)
        phone.get_by_role("button", name="查询").click()
        phone.wait_for_load_state()
        assert phone.evaluate("document.documentElement.scrollWidth <= window.innerWidth + 1"), number
        seen[number] = phone.locator(".verdict-headline").inner_text()
        shots(phone, f"verify-phone-{number[-2:]}")
    assert seen == {VALID: "证书有效", REVOKED: "证书已于 2026-09-01 撤销", PENDING: "已报送，待全国联网确认",
                    "Y000044000905263000099": "未查询到该证书"}
    phone.goto(f"{stack.api_url}/verify/{REVOKED}")  # the QR code's landing says the same
    assert phone.locator(".verdict-headline").inner_text() == "证书已于 2026-09-01 撤销"
    assert "持证人1" in phone.inner_text("dl") and "已撤销" in phone.inner_text(".status-label")
