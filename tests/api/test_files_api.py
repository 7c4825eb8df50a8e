"""Uploaded files: a material is typed by its content, kept under its SHA-256, never replaced (a
correction goes into the next round), refused above the size limit, and downloaded only by those who
see the case — anyone else gets 404, as for the case itself."""

import hashlib
import io
import zipfile

from sqlmodel import select

from models.cases import FilingApplication, FilingMaterial
from models.integration import CaseFile
from tests.api.conftest import db
from tests.api.helpers import evaluation_plan, filing_form, registered_institution
from tests.samples import pdf, png

PDF = pdf("business licence")
PNG = png("venue")
CORRECTED = pdf("business licence, corrected")


def _zip(names: list[str]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for name in names:
            archive.writestr(name, "<x/>")
    return buffer.getvalue()


def _upload(api, path, headers, kind="business_licence", content=PDF, name="营业执照.pdf", content_type="text/plain"):
    return api.post(path, data={"kind": kind}, files={"file": (name, content, content_type)}, headers=headers)


def _filing(api, people):
    enterprise = people.make("enterprise")
    filed = api.post("/api/v1/filings", json=filing_form(), headers=enterprise)
    assert filed.status_code == 201, filed.text
    return enterprise, filed.json()["id"]


def test_an_uploaded_material_is_typed_by_content_hashed_and_on_the_checklist(api, people):
    enterprise, filing_id = _filing(api, people)
    answer = _upload(api, f"/api/v1/filings/{filing_id}/materials", enterprise)
    assert answer.status_code == 201, answer.text
    body = answer.json()
    assert body["sha256"] == hashlib.sha256(PDF).hexdigest()
    assert body["media_type"] == "application/pdf"  # the client said text/plain: the content decides
    assert body["size"] == len(PDF) and body["round"] == 0 and body["created"] is True
    assert body["filename"].endswith(".pdf")
    with db(api) as session:
        material = session.exec(select(FilingMaterial).where(FilingMaterial.filing_id == filing_id,
                                                             FilingMaterial.kind == "business_licence")).one()
        assert material.sha256 == body["sha256"] and material.uri.endswith(f"/materials/{body['id']}")
    stored = api.settings.data_dir / "files" / body["sha256"][:2] / body["sha256"]
    assert stored.read_bytes() == PDF
    download = api.get(body["download"], headers=enterprise)
    assert download.status_code == 200 and download.content == PDF
    assert download.headers["content-type"] == "application/pdf"
    assert download.headers["x-content-sha256"] == body["sha256"]
    assert "attachment" in download.headers["content-disposition"]


def test_the_same_bytes_again_are_a_repeat_and_other_bytes_for_the_same_round_are_refused(api, people):
    enterprise, filing_id = _filing(api, people)
    path = f"/api/v1/filings/{filing_id}/materials"
    first = _upload(api, path, enterprise)
    again = _upload(api, path, enterprise)
    assert again.status_code == 200 and again.json()["id"] == first.json()["id"] and again.json()["created"] is False
    other = _upload(api, path, enterprise, content=CORRECTED)
    assert other.status_code == 409 and "next round" in other.json()["detail"]
    with db(api) as session:
        assert len(session.exec(select(CaseFile).where(CaseFile.case_id == filing_id)).all()) == 1


def test_a_correction_goes_into_the_round_of_the_deficiency_notice(api, people):
    enterprise, filing_id = _filing(api, people)
    path = f"/api/v1/filings/{filing_id}/materials"
    assert _upload(api, path, enterprise).status_code == 201
    with db(api) as session:  # the officer's notice of round 0, as the acceptance step leaves it
        filing = session.get(FilingApplication, filing_id)
        filing.status, filing.current_step, filing.deficiency_rounds = "awaiting_resubmission", "resubmission", 1
    corrected = _upload(api, path, enterprise, content=CORRECTED)
    assert corrected.status_code == 201 and corrected.json()["round"] == 1
    listed = api.get(path, headers=enterprise).json()["files"]
    assert [(f["round"], f["kind"]) for f in listed] == [(0, "business_licence"), (1, "business_licence")]
    with db(api) as session:
        filing = session.get(FilingApplication, filing_id)
        filing.status, filing.current_step = "expert_evaluation", "expert_evaluation"
    closed = _upload(api, path, enterprise, kind="hr_system")
    assert closed.status_code == 409 and "expert_evaluation" in closed.json()["detail"]


def test_content_that_is_not_an_accepted_type_is_refused_with_the_reason(api, people):
    enterprise, filing_id = _filing(api, people)
    path = f"/api/v1/filings/{filing_id}/materials"
    for content, words in ((b"MZ\x90\x00 a program", "none of"), (b"", "empty"),
                           (_zip(["readme.txt"]), "neither OFD nor XLSX"), (b"PK\x03\x04broken", "damaged")):
        answer = _upload(api, path, enterprise, content=content, name="licence.pdf", content_type="application/pdf")
        assert answer.status_code == 422, answer.text
        assert words in answer.json()["detail"][0]["message"]
    for content, words in ((b"%PDF-1.4\n<html><script>alert(document.cookie)</script></html>", "not a whole PDF"),
                           (b"%PDF-1.4\n% no objects at all\n%%EOF\n", "does not parse"),
                           (PDF + b"<html><body>appended</body></html>", "not a whole PDF"),
                           (b"\x89PNG\r\n\x1a\n" + b"<svg onload=alert(1)>" * 10, "does not decode"),
                           (b"\xff\xd8\xff\xe0 not really a jpeg", "does not decode")):
        answer = _upload(api, path, enterprise, content=content, name="licence.pdf", content_type="application/pdf")
        assert answer.status_code == 422 and answer.json()["detail"][0]["code"] == "file.structure", answer.text
        assert words in answer.json()["detail"][0]["message"]
    unknown = _upload(api, path, enterprise, kind="selfie")
    assert unknown.status_code == 422 and unknown.json()["detail"][0]["code"] == "file.kind"
    ofd = _upload(api, path, enterprise, kind="hr_system", content=_zip(["OFD.xml", "Doc_0/Document.xml"]))
    assert ofd.status_code == 201 and ofd.json()["media_type"] == "application/ofd"
    png = _upload(api, path, enterprise, kind="venue_equipment", content=PNG, name="../../etc/passwd")
    assert png.status_code == 201 and png.json()["filename"] == "passwd.png"
    missing = api.post(path, data={"kind": "hr_system"}, headers=enterprise)
    assert missing.status_code == 422
    with db(api) as session:
        assert {f.kind for f in session.exec(select(CaseFile).where(CaseFile.case_id == filing_id))} == {
            "hr_system", "venue_equipment"}


def test_a_file_above_the_limit_is_refused_with_413_and_nothing_is_kept(api, people):
    from fastapi.testclient import TestClient

    from api.app import create_app

    small = TestClient(create_app(api.settings.replace(file_max_bytes=2048)))
    enterprise, filing_id = _filing(api, people)
    big = PDF + b"0" * 4096
    answer = _upload(small, f"/api/v1/filings/{filing_id}/materials", enterprise, content=big)
    assert answer.status_code == 413 and "2048" in answer.json()["detail"]
    huge = _upload(small, f"/api/v1/filings/{filing_id}/materials", enterprise, content=PDF + b"0" * 200_000)
    assert huge.status_code == 413  # past the envelope too: the middleware refuses before anyone reads
    with db(api) as session:
        assert session.exec(select(CaseFile).where(CaseFile.case_id == filing_id)).all() == []
    assert not (api.settings.data_dir / "files" / hashlib.sha256(big).hexdigest()[:2]).exists()


def test_only_those_who_see_the_case_list_and_download_its_files(api, people):
    enterprise, filing_id = _filing(api, people)
    uploaded = _upload(api, f"/api/v1/filings/{filing_id}/materials", enterprise).json()
    outsider = people.make("enterprise")
    for who in (outsider, people.make("officer", jurisdiction="320000"), people.make("expert")):
        assert api.get(uploaded["download"], headers=who).status_code == 404
        assert api.get(f"/api/v1/filings/{filing_id}/materials", headers=who).status_code == 404
    assert _upload(api, f"/api/v1/filings/{filing_id}/materials", outsider).status_code == 404
    officer = people.make("officer", jurisdiction="440000")
    assert api.get(uploaded["download"], headers=officer).content == PDF
    assert _upload(api, f"/api/v1/filings/{filing_id}/materials", officer).status_code == 403
    other_enterprise, other_filing = _filing(api, people)
    # a file id of one case under another case's path is not found either
    assert api.get(f"/api/v1/filings/{other_filing}/materials/{uploaded['id']}",
                   headers=other_enterprise).status_code == 404
    assert api.get(f"/api/v1/filings/{filing_id}/materials/999999", headers=enterprise).status_code == 404


def test_a_plan_takes_its_evidence_until_it_is_finished(api, people):
    with db(api) as session:
        institution_id = registered_institution(session, serial=431)
        plan_id = evaluation_plan(session, institution_id).id
    enterprise = people.make("enterprise", institution_id=institution_id)
    path = f"/api/v1/plans/{plan_id}/files"
    video = _upload(api, path, enterprise, kind="video_monitoring_statement")
    assert video.status_code == 201 and video.json()["round"] == 0
    assert _upload(api, path, enterprise, kind="business_licence").status_code == 422  # a filing's kind
    assert [f["kind"] for f in api.get(path, headers=enterprise).json()["files"]] == ["video_monitoring_statement"]
    assert api.get(video.json()["download"], headers=people.make("officer", jurisdiction="440100")).content == PDF
    assert api.get(video.json()["download"], headers=people.make("enterprise")).status_code == 404
    with db(api) as session:
        from models.cases import EvaluationPlan

        session.get(EvaluationPlan, plan_id).status = "completed"
    assert _upload(api, path, enterprise, kind="site_photos", content=PNG).status_code == 409


def test_the_checklist_declared_digest_must_match_the_uploaded_file(api, people):
    enterprise = people.make("enterprise")
    form = filing_form()
    form["materials"][0]["sha256"] = "0" * 64
    filing_id = api.post("/api/v1/filings", json=form, headers=enterprise).json()["id"]
    answer = _upload(api, f"/api/v1/filings/{filing_id}/materials", enterprise, kind=form["materials"][0]["kind"])
    assert answer.status_code == 422 and answer.json()["detail"][0]["code"] == "file.sha256"
    with db(api) as session:
        assert session.exec(select(CaseFile).where(CaseFile.case_id == filing_id)).all() == []


def test_a_rectification_takes_its_proof_while_the_order_awaits_it(api, people):
    import datetime as dt

    from models.supervision import SupervisionCase

    with db(api) as session:
        institution_id = registered_institution(session, serial=432)
        now = dt.datetime.now(dt.UTC)
        case = SupervisionCase(receipt_number="TS20261202FILEPROF", source="complaint", institution_id=institution_id,
                               profile_code="guangdong", region_code="440106", centre="440100", text="投诉",
                               contact_name="举报人", contact_phone="13800138000", status="rectifying",
                               created_at=now, updated_at=now, explanations=[], rectifications=[{
                                   "round": 0, "items": ["补装视频监控"], "finding": "属实", "working_days": 20,
                                   "ordered_on": "2026-09-01", "due": None, "answers": None, "submitted_on": None,
                                   "silent": False, "verdict": None}])
        session.add(case)
        session.flush()
        case_id = case.id
    enterprise = people.make("enterprise", institution_id=institution_id)
    path = f"/api/v1/complaints/{case_id}/files"
    proof = _upload(api, path, enterprise, kind="rectification_evidence", content=PNG, name="监控.png")
    assert proof.status_code == 201, proof.text
    assert proof.json()["round"] == 1 and proof.json()["filename"] == "监控.png"  # answers order 1
    download = api.get(proof.json()["download"], headers=people.make("officer", jurisdiction="440100"))
    assert download.content == PNG and "UTF-8''%E7%9B%91%E6%8E%A7.png" in download.headers["content-disposition"]
    with db(api) as session:
        session.get(SupervisionCase, case_id).status = "closed"
    assert _upload(api, path, enterprise, kind="rectification_report").status_code == 409


def test_an_officer_previews_a_pdf_or_an_image_sandboxed_and_anything_else_stays_a_download(api, people):
    """Issue 28, item 3: PDFs and images open in the officer's browser, inline but in a sandbox of their own
    (no script, no same-origin access; nosniff), under the case's visibility; other types only download."""
    from openpyxl import Workbook

    from tests.api.test_dashboard import staff

    book, buffer = Workbook(), io.BytesIO()
    book.save(buffer)
    roster = buffer.getvalue()
    enterprise, filing_id = _filing(api, people)
    path = f"/api/v1/filings/{filing_id}/materials"
    stored = {}
    for kind, material, content, name in (("pdf", "business_licence", PDF, "营业执照.pdf"),
                                          ("png", "venue_equipment", PNG, "场地.png"),
                                          ("xlsx", "staff_roster", roster, "名册.xlsx")):
        uploaded = _upload(api, path, enterprise, kind=material, content=content, name=name)
        assert uploaded.status_code == 201, uploaded.text
        stored[kind] = uploaded.json()["id"]
    officer, _ = staff(api, "officer", jurisdiction="440000")
    assert officer.log_in().status_code == 303
    base = f"/dashboard/cases/filing/{filing_id}/files"
    page = officer.get(f"/dashboard/cases/filing/{filing_id}").text
    assert f'{base}/{stored["pdf"]}/preview' in page and f'{base}/{stored["xlsx"]}/preview' not in page
    for kind, content, media in (("pdf", PDF, "application/pdf"), ("png", PNG, "image/png")):
        shown = officer.get(f"{base}/{stored[kind]}/preview")
        assert shown.status_code == 200 and shown.content == content, kind
        assert shown.headers["content-type"].startswith(media)
        assert shown.headers["content-disposition"].startswith("inline;")
        assert shown.headers["content-security-policy"].startswith("sandbox;")
        assert shown.headers["x-content-type-options"] == "nosniff"
    refused = officer.get(f"{base}/{stored['xlsx']}/preview")
    assert refused.status_code == 409 and "请下载" in refused.text
    assert officer.get(f"{base}/{stored['xlsx']}").headers["content-disposition"].startswith("attachment;")
    outsider, _ = staff(api, "officer", jurisdiction="320000")
    outsider.log_in()
    assert outsider.get(f"{base}/{stored['pdf']}/preview").status_code == 404
    expert, _ = staff(api, "expert")
    expert.log_in()
    assert expert.get(f"{base}/{stored['pdf']}/preview").status_code == 403
