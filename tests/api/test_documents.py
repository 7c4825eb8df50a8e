"""Certificate, receipt and notice PDFs: Chinese text extractable, fonts embedded and subset, the QR
code decodes to the verification page, the full ID never printed, downloads cached and guarded."""

import datetime as dt
import shutil
import subprocess

import pytest
from sqlmodel import select

from core.clock import wall_now
from models.cases import Candidate, Certificate, DeficiencyNotice, EvaluationPlan, FilingApplication, FilingOccupation
from models.db import session_scope
from tasks.exchange import documents
from tests.api.helpers import person, registered_institution

pytestmark = pytest.mark.skipif(not shutil.which("pdftotext") or not shutil.which("zbarimg"),
                                reason="poppler-utils and zbar-tools are installed by scripts/setup")
NUMBER = "Y000044000001263000001"


def pdf_text(path) -> str:
    """The PDF's text without white space (letter-spaced titles extract as 职 业技能…)."""
    out = subprocess.run(["pdftotext", "-layout", str(path), "-"], capture_output=True, text=True, check=True).stdout
    return "".join(out.split())


@pytest.fixture()
def issued(api, people):
    """A registered institution with one issued certificate; returns (owner headers, plan id, full id number)."""
    owner = people.make("enterprise")
    with session_scope(api.settings.database_url) as session:
        institution_id = registered_institution(session, serial=1)
        from models.accounts import User

        user = session.get(User, people.id_of(owner))
        user.institution_id = institution_id
        now = wall_now()
        plan = EvaluationPlan(institution_id=institution_id, region_code="440106", profile_code="guangdong",
                              occupation_code="6-18-01-01", evaluation_start=dt.date(2026, 10, 19),
                              evaluation_end=dt.date(2026, 10, 19), filed_on=dt.date(2026, 9, 1), staff={},
                              status="completed", created_at=now, updated_at=now)
        session.add(plan)
        session.flush()
        candidate = Candidate(plan_id=plan.id, name="张三", id_number=person(7), relation="employee", level=3)
        session.add(candidate)
        session.flush()
        session.add(Certificate(number=NUMBER, serial_scope=NUMBER[:16], serial=1, candidate_id=candidate.id,
                                plan_id=plan.id, institution_id=institution_id, holder_name="张三",
                                id_number=candidate.id_number, occupation_code="6-18-01-01", occupation_name="车工",
                                level=3, issued_on=dt.date(2026, 11, 2)))
        return owner, plan.id, candidate.id_number


def test_a_certificate_pdf_carries_the_number_masked_id_code_and_chinese_level_and_never_the_full_id(api, issued,
                                                                                                      tmp_path):
    owner, _, full_id = issued
    response = api.get(f"/api/v1/certificates/{NUMBER}.pdf", headers=owner)
    assert response.status_code == 200 and response.headers["content-type"] == "application/pdf"
    path = tmp_path / "c.pdf"
    path.write_bytes(response.content)
    text = pdf_text(path)
    assert "职业技能等级证书" in text and NUMBER in text and "6-18-01-01" in text and "三级/高级工" in text
    assert full_id[:6] + "********" + full_id[-4:] in text
    assert full_id not in text


def embedded_fonts(path) -> list[str]:
    """pdffonts rows, each checked embedded and subset; returns the font names."""
    rows = subprocess.run(["pdffonts", str(path)], capture_output=True, text=True, check=True).stdout.splitlines()[2:]
    assert rows, "no fonts at all: Chinese would be boxes"
    for row in rows:
        emb, sub = row.split()[-5], row.split()[-4]
        assert (emb, sub) == ("yes", "yes"), row
    return [row.split()[0] for row in rows]


def test_every_font_is_embedded_and_subset(api, issued, tmp_path):
    path = tmp_path / "c.pdf"
    path.write_bytes(api.get(f"/api/v1/certificates/{NUMBER}.pdf", headers=issued[0]).content)
    assert [name.split("+")[1] for name in embedded_fonts(path)] == ["Certflow-Sans"]


def test_a_name_character_outside_the_common_set_falls_back_to_the_full_cjk_font_not_a_box(api, issued, tmp_path):
    with session_scope(api.settings.database_url) as session:
        session.exec(select(Certificate).where(Certificate.number == NUMBER)).one().holder_name = "王堃"
    path = tmp_path / "c.pdf"
    path.write_bytes(api.get(f"/api/v1/certificates/{NUMBER}.pdf", headers=issued[0]).content)
    assert "王堃" in pdf_text(path)
    fonts = {name.split("+")[1] for name in embedded_fonts(path)}
    assert fonts == {"Certflow-Sans", "Noto-Sans-CJK-SC"}, fonts


def test_the_qr_code_decodes_to_the_public_verification_page(api, issued, tmp_path):
    path = tmp_path / "c.pdf"
    path.write_bytes(api.get(f"/api/v1/certificates/{NUMBER}.pdf", headers=issued[0]).content)
    subprocess.run(["pdftoppm", "-png", "-r", "150", str(path), str(tmp_path / "page")], check=True)
    decoded = subprocess.run(["zbarimg", "-q", "--raw", str(tmp_path / "page-1.png")], capture_output=True,
                             text=True).stdout.strip()
    assert decoded == f"{api.settings.base_url}/verify/{NUMBER}"


def test_downloads_are_guarded_and_the_holder_link_works_without_an_account(api, people, issued):
    owner = issued[0]
    assert api.get(f"/api/v1/certificates/{NUMBER}.pdf").status_code == 401
    assert api.get(f"/api/v1/certificates/{NUMBER}.pdf", headers=people.make("enterprise")).status_code == 404
    assert api.get(f"/api/v1/certificates/{NUMBER}.pdf",
                   headers=people.make("officer", jurisdiction="440000")).status_code == 200
    link = api.get(f"/api/v1/certificates/{NUMBER}/holder-link", headers=owner).json()["url"]
    token = link.split("token=")[1]
    assert api.get(f"/api/v1/certificates/{NUMBER}.pdf", params={"token": token}).status_code == 200
    assert api.get(f"/api/v1/certificates/{NUMBER}.pdf", params={"token": "0" * 32}).status_code == 404
    assert api.get("/api/v1/certificates/Y000044000001263000009.pdf", headers=owner).status_code == 404


def test_the_second_download_comes_from_the_cache_and_a_revocation_invalidates_it(api, issued, tmp_path):
    owner = issued[0]
    api.get(f"/api/v1/certificates/{NUMBER}.pdf", headers=owner)
    folder = api.settings.data_dir / "documents"
    with session_scope(api.settings.database_url) as session:
        certificate = session.exec(select(Certificate).where(Certificate.number == NUMBER)).one()
        cached = folder / documents.cached_name(certificate)
    first_mtime = cached.stat().st_mtime_ns
    api.get(f"/api/v1/certificates/{NUMBER}.pdf", headers=owner)
    assert cached.stat().st_mtime_ns == first_mtime
    with session_scope(api.settings.database_url) as session:
        certificate = session.exec(select(Certificate).where(Certificate.number == NUMBER)).one()
        certificate.status, certificate.revoked_reason = "revoked", "test"
        certificate.revoked_on = dt.date(2026, 11, 20)
        session.add(certificate)
        revoked_path = folder / documents.cached_name(certificate)
    assert revoked_path != cached and not revoked_path.exists()
    path = tmp_path / "revoked.pdf"
    path.write_bytes(api.get(f"/api/v1/certificates/{NUMBER}.pdf", headers=owner).content)
    assert revoked_path.exists()
    assert "已撤销2026年11月20日" in pdf_text(path)  # the re-rendered PDF carries the mark


def test_bulk_rendering_skips_what_is_done_and_reports_progress_on_the_plan(api, issued):
    owner, plan_id, _ = issued
    with session_scope(api.settings.database_url, readonly=True) as session:
        result = documents.render_batch(session, plan_id=plan_id, settings=api.settings,
                                        base_url=api.settings.base_url, workers=1, combined=True)
        assert result["rendered"] == 1 and "combined" in result
        again = documents.render_batch(session, plan_id=plan_id, settings=api.settings,
                                       base_url=api.settings.base_url, workers=1)
        assert again["rendered"] == 0
    assert api.get(f"/api/v1/plans/{plan_id}", headers=owner).json()["documents"] == {"rendered": 1, "total": 1}


def test_the_receipt_and_the_deficiency_notice_render_in_chinese(api, people, tmp_path):
    owner = people.make("enterprise")
    with session_scope(api.settings.database_url) as session:
        institution_id = registered_institution(session, serial=2)
        now = wall_now()
        from models.cases import Institution

        session.get(Institution, institution_id).registered_on = dt.date(2026, 9, 20)
        filing = FilingApplication(institution_id=institution_id, applicant_id=people.id_of(owner),
                                   profile_code="guangdong", region_code="440106",
                                   form={"enterprise_name": "已备案企业"}, status="registered",
                                   receipt_number="BA442026000042", created_at=now, updated_at=now)
        session.add(filing)
        session.flush()
        session.add(FilingOccupation(filing_id=filing.id, occupation_code="6-18-01-01", levels="34"))
        session.add(DeficiencyNotice(filing_id=filing.id, round=0, items=[{"text": "缺少营业执照"},
                                                                          {"text": "缺少考评人员名册"}],
                                     issued_at=now))
        from models.accounts import User

        session.get(User, people.id_of(owner)).institution_id = institution_id
        filing_id = filing.id
    receipt = tmp_path / "r.pdf"
    receipt.write_bytes(api.get(f"/api/v1/filings/{filing_id}/receipt.pdf", headers=owner).content)
    text = pdf_text(receipt)
    assert "备案回执" in text and "BA442026000042" in text and "车工" in text and "三级/高级工" in text
    notice = tmp_path / "n.pdf"
    notice.write_bytes(api.get(f"/api/v1/filings/{filing_id}/notices/1.pdf", headers=owner).content)
    text = pdf_text(notice)
    assert "一次性告知书" in text and "缺少营业执照" in text and "缺少考评人员名册" in text
    assert "第1次告知" in text  # the first notice is number 1: on paper, in the API's list and in its URL
    assert [n["round"] for n in api.get(f"/api/v1/filings/{filing_id}", headers=owner).json()["deficiency_notices"]] \
        == [1]
    assert api.get(f"/api/v1/filings/{filing_id}/notices/0.pdf", headers=owner).status_code == 422
    assert api.get(f"/api/v1/filings/{filing_id}/notices/5.pdf", headers=owner).status_code == 404


def test_a_certificate_under_the_enterprise_ladder_shows_the_enterprise_title_beside_the_national_level(api, issued,
                                                                                                      tmp_path):
    owner, _, _ = issued
    with session_scope(api.settings.database_url) as session:
        certificate = session.exec(select(Certificate).where(Certificate.number == NUMBER)).one()
        certificate.enterprise_title = "高级工一档"
        session.add(certificate)
    path = tmp_path / "c.pdf"
    path.write_bytes(api.get(f"/api/v1/certificates/{NUMBER}.pdf", headers=owner).content)
    text = pdf_text(path)
    assert "三级/高级工" in text and "企业岗位等级" in text and "高级工一档" in text
    page = api.get(f"/verify/{NUMBER}").text
    assert "三级/高级工" in page and "高级工一档" in page
    assert api.get(f"/api/v1/public/certificates/{NUMBER}").json()["enterprise_title"] == "高级工一档"
