"""The printed documents as a centre reads them (issue 27, item 1; pdftotext of the PDF itself): a notice,
a receipt or a quarterly report cites its own province's text in that text's words, or cites nothing; none
cites another province's regulation, and nothing in quotation marks is missing from its seed."""

from __future__ import annotations

import datetime as dt
import re
import shutil
import subprocess

import pytest

from core.clock import wall_now
from models.cases import DeficiencyNotice, FilingApplication, FilingOccupation, Institution
from models.db import session_scope
from policy.legal_basis import seed_text
from tasks import documents, report_pages
from tests.api.helpers import registered_institution

pytestmark = pytest.mark.skipif(not shutil.which("pdftotext"), reason="poppler-utils is installed by scripts/setup")


def _text(pdf: bytes) -> str:
    out = subprocess.run(["pdftotext", "-layout", "-", "-"], input=pdf, capture_output=True, check=True).stdout
    return "".join(out.decode().split())


def _quotations_are_the_seeds(text: str, seed: str) -> None:
    for quoted in re.findall(r"“([^”]+)”", text):
        assert quoted in "".join(seed_text(seed).split()), quoted


def _notice_pdf(profile_code: str) -> str:
    filing = FilingApplication(id=7, institution_id=1, profile_code=profile_code, region_code="620102",
                               status="awaiting_resubmission", form={"enterprise_name": "测试企业"},
                               created_at=wall_now(), updated_at=wall_now())
    notice = DeficiencyNotice(filing_id=7, round=0, items=[{"text": "缺少近两年职工教育经费使用证明"}],
                              issued_at=dt.datetime(2026, 9, 1, 9, tzinfo=dt.UTC))
    return _text(documents.renderer().pdf("notice.html", n=documents.notice_model(filing, notice)))


def test_a_gansu_notice_cites_138_section_4_2_in_its_own_words():  # 004 §四(二)
    text = _notice_pdf("gansu")
    assert "依据：《关于推动企业全面开展技能人才评价工作的通知》（甘人社通〔2021〕138号）四(二)" in text
    assert "“确认申报资料是否符合要求，不符合条件的一次性告知”" in text
    _quotations_are_the_seeds(text, "004")


def test_a_guangdong_notice_cites_nothing_for_its_text_says_nothing_of_a_one_time_notice():  # 003
    text = _notice_pdf("guangdong")
    assert "138号" not in text and "依据" not in text and "“" not in text


def test_a_jiangsu_receipt_cites_no_pilot_notice_and_no_other_provinces_text(api):  # 002 is a draft for comment
    with session_scope(api.settings.database_url) as session:
        institution_id = registered_institution(session, region="320106", serial=27)
        institution = session.get(Institution, institution_id)
        institution.registered_on = dt.date(2026, 9, 1)
        filing = FilingApplication(institution_id=institution_id, profile_code="jiangsu", region_code="320106",
                                   status="registered", form={"enterprise_name": "江苏测试企业"},
                                   receipt_number="苏备 2026-0001", created_at=wall_now(), updated_at=wall_now())
        session.add(filing)
        session.flush()
        session.add(FilingOccupation(filing_id=filing.id, occupation_code="6-18-01-01", levels="34"))
        session.flush()
        text = _text(documents.renderer().pdf("receipt.html", r=documents.receipt_model(session, filing)))
    assert "已备案企业" in text  # the receipt is rendered: the institution's name is on it
    assert "试点工作的通知" not in text and "138号" not in text and "1727号" not in text and "依据" not in text


@pytest.mark.parametrize(("jurisdiction", "cited"), [("510100", None), ("620100", "甘人社通〔2021〕138号")])
def test_a_quarterly_report_cites_its_own_provinces_text_or_nothing(jurisdiction, cited):  # 004 §六(一)
    page = {"cards": []}
    stats = {"jurisdiction": jurisdiction, "period": {"start": "2026-10-01", "end": "2026-12-31"}}
    model = report_pages.quarterly_report_model(page, stats, "2026-12-04")
    if cited is None:
        assert model["basis"] is None
    else:
        assert cited in model["basis"]
        assert "各市州人社部门及时跟进此项工作进展情况，按季度上报省人社厅" in model["basis"]
