"""Internal notes on a case (issue 28, item 4): officers of the centre write them on the case page, each with
who and when; they are audited (with the text's SHA-256, not the text); the applicant, the public and
anyone but officers never see them; an empty, over-long or control-character note is refused whole."""

from __future__ import annotations

import hashlib
import re

from sqlmodel import select

from models.audit import AuditEvent
from models.cases import CaseNote
from tests.api.conftest import db
from tests.api.helpers import filing_form
from tests.api.test_dashboard import staff

NOTE = "已电话联系企业：营业执照副本周一补交。\n联系人：王经理"


def _case(api, people):
    enterprise = people.make("enterprise")
    filing_id = api.post("/api/v1/filings", json=filing_form(), headers=enterprise).json()["id"]
    officer, officer_id = staff(api, "officer", jurisdiction="440000")
    assert officer.log_in().status_code == 303
    return filing_id, enterprise, officer, officer_id


def test_an_officers_note_is_kept_on_the_case_page_with_who_and_when_and_audited_by_its_hash(api, people):
    filing_id, _, officer, officer_id = _case(api, people)
    case_page = f"/dashboard/cases/filing/{filing_id}"
    assert "尚无备注" in officer.get(case_page).text

    saved = officer.post(f"{case_page}/notes", {"text": NOTE}, csrf_from=case_page)
    assert saved.status_code == 303 and saved.headers["location"].endswith(f"{case_page}?done=note_added#notes")
    page = officer.get(case_page).text
    notes = re.search(r'<section class="card case-notes" id="notes">(.*?)</section>', page, re.S).group(1)
    assert NOTE in notes and officer.name in notes  # the text as written, its line break kept
    assert "内部备注" in page  # and the timeline says a note was added

    with db(api) as session:
        stored = session.exec(select(CaseNote)).one()
        entry = session.exec(select(AuditEvent).where(AuditEvent.action == "note_added")).one()
    assert (stored.author_id, stored.case_id, stored.text) == (officer_id, filing_id, NOTE)
    assert entry.actor_id == officer_id and entry.after == {"note_id": stored.id,
                                                            "sha256": hashlib.sha256(NOTE.encode()).hexdigest()}


def test_the_applicant_the_public_and_other_roles_never_see_a_note(api, people):
    filing_id, enterprise, officer, _ = _case(api, people)
    case_page = f"/dashboard/cases/filing/{filing_id}"
    assert officer.post(f"{case_page}/notes", {"text": NOTE}, csrf_from=case_page).status_code == 303

    seen_by_applicant = api.get(f"/api/v1/filings/{filing_id}", headers=enterprise)
    assert seen_by_applicant.status_code == 200
    assert "营业执照副本周一补交" not in seen_by_applicant.text and "note_added" not in seen_by_applicant.text
    events = api.get("/api/v1/events", headers=enterprise)
    assert "营业执照副本周一补交" not in events.text and "note_added" not in events.text
    for public in ("/", "/publicity", "/institutions"):
        assert "营业执照副本周一补交" not in api.get(public).text
    operations, _ = staff(api, "operations")
    assert operations.log_in().status_code == 303
    assert "营业执照副本周一补交" not in operations.get(case_page).text  # notes are the centre officers' own
    assert operations.post(f"{case_page}/notes", {"text": "x"}, csrf_from="/dashboard/ops").status_code == 403


def test_an_empty_over_long_or_control_character_note_is_refused_with_the_text_kept_and_nothing_stored(api, people):
    filing_id, _, officer, _ = _case(api, people)
    case_page = f"/dashboard/cases/filing/{filing_id}"
    for text, reason in (("   \n ", "备注不能为空"), ("长" * 2001, "备注不能超过 2000 字（现有 2001 字）"),
                         ("正文\u202e倒序", "备注含有不可见或控制字符 U+202E")):
        refused = officer.post(f"{case_page}/notes", {"text": text}, csrf_from=case_page)
        assert refused.status_code == 422, text
        form = re.search(r'<section class="card case-notes" id="notes">(.*?)</section>', refused.text, re.S).group(1)
        assert f'<p class="field-error">{reason}</p>' in form  # in Chinese only, as the dashboard speaks
        assert text.strip()[:50] in form  # what the officer typed is still there to correct
    with db(api) as session:
        assert session.exec(select(CaseNote)).all() == []
        assert session.exec(select(AuditEvent).where(AuditEvent.action == "note_added")).all() == []
