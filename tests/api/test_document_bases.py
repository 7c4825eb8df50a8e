"""The printed documents as a centre reads them (issue 27, item 1; pdftotext of the PDF itself): a notice,
a receipt or a quarterly report cites its own province's text in that text's words, or cites nothing; none
cites another province's regulation, and nothing in quotation marks is missing from its seed."""

from __future__ import annotations

import dataclasses
import datetime as dt
import re
import shutil
import subprocess

import pytest

from core.clock import wall_now
from models.cases import DeficiencyNotice, FilingApplication, FilingOccupation, Institution
from models.db import session_scope
from policy.legal_basis import seed_text
from policy.profiles import get_profile
from policy.statistics import parse_period
from tasks.adapters import pdf
from tasks.exchange import documents
from tasks.queries import charts, reports
from tests.api.helpers import registered_institution

pytestmark = pytest.mark.skipif(not shutil.which("pdftotext"), reason="poppler-utils is installed by scripts/setup")


def _text(pdf: bytes) -> str:
    out = subprocess.run(["pdftotext", "-layout", "-", "-"], input=pdf, capture_output=True, check=True).stdout
    return "".join(out.decode().split())


def _quotations_are_the_seeds(text: str, seed: str) -> None:
    for quoted in re.findall(r"“([^”]+)”", text):
        assert quoted in "".join(seed_text(seed).split()), quoted


def _notice_pdf(api, profile_code: str, region: str = "620102", handling_centre: str = "") -> str:
    filing = FilingApplication(id=7, institution_id=1, profile_code=profile_code, region_code=region,
                               handling_centre=handling_centre, status="awaiting_resubmission",
                               form={"enterprise_name": "测试企业"}, created_at=wall_now(), updated_at=wall_now())
    notice = DeficiencyNotice(filing_id=7, round=0, items=[{"text": "缺少近两年职工教育经费使用证明"}],
                              issued_at=dt.datetime(2026, 9, 1, 9, tzinfo=dt.UTC))
    with session_scope(api.settings.database_url) as session:
        model = documents.notice_model(session, filing, notice)
    return _text(pdf.renderer().pdf("notice.html", n=model))


def test_a_gansu_notice_cites_138_section_4_2_in_its_own_words(api):  # 004 §四(二)
    text = _notice_pdf(api, "gansu")
    assert "依据：《关于推动企业全面开展技能人才评价工作的通知》（甘人社通〔2021〕138号）四(二)" in text
    assert "“确认申报资料是否符合要求，不符合条件的一次性告知”" in text
    _quotations_are_the_seeds(text, "004")


def test_a_guangdong_notice_cites_nothing_for_its_text_says_nothing_of_a_one_time_notice(api):  # 003
    text = _notice_pdf(api, "guangdong", region="440106", handling_centre="440000")
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
        text = _text(pdf.renderer().pdf("receipt.html", r=documents.receipt_model(session, filing)))
    assert "已备案企业" in text  # the receipt is rendered: the institution's name is on it
    assert "试点工作的通知" not in text and "138号" not in text and "1727号" not in text
    assert "依据：" not in text  # no citation line (the table's 评价依据 column is each occupation's own basis)


@pytest.mark.parametrize(("jurisdiction", "cited"), [("510100", None), ("620100", "甘人社通〔2021〕138号")])
def test_a_quarterly_report_cites_its_own_provinces_text_or_nothing(jurisdiction, cited):  # 004 §六(一)
    page = {"cards": []}
    from models.responses import PeriodOut, StatisticsOut

    quarter = PeriodOut(code="2026-Q4", label="2026年第四季度", start=dt.date(2026, 10, 1), end=dt.date(2026, 12, 31))
    stats = StatisticsOut.model_construct(jurisdiction=jurisdiction, period=quarter)  # what the model reads of it
    model = charts.quarterly_report_model(page, stats, "2026-12-04")
    if cited is None:
        assert model["basis"] is None
    else:
        assert cited in model["basis"]
        assert "各市州人社部门及时跟进此项工作进展情况，按季度上报省人社厅" in model["basis"]


# -- documents speak to people (issue 27, item 2) -----------------------------------------------------------


def test_a_notice_is_issued_in_the_accepting_centres_name_and_says_how_to_resubmit_in_words(api):  # 003 §二(一)
    guangdong = _notice_pdf(api, "guangdong", region="440106", handling_centre="440000")
    assert "出具单位：广东省职业技能服务指导中心" in guangdong and "440000" not in guangdong
    assert "第1次告知" in guangdong
    assert "企业接口" in guangdong and "/api/" not in guangdong and "POST" not in guangdong
    gansu = _notice_pdf(api, "gansu", region="620102", handling_centre="620100")  # 004 §四(一): the city's centre
    assert "出具单位：兰州市职业技能鉴定指导中心" in gansu and "620100" not in gansu


def test_a_notice_says_by_when_to_resubmit_only_where_the_profile_sets_a_period(api, monkeypatch):
    assert "请于" not in _notice_pdf(api, "gansu", region="620102", handling_centre="620100")  # no seed sets one
    with_period = dataclasses.replace(get_profile("gansu"), resubmission_working_days=5)
    monkeypatch.setattr(documents, "get_profile", lambda code: with_period)
    text = _notice_pdf(api, "gansu", region="620102", handling_centre="620100")
    assert "请于2026年9月8日（5个工作日）前提交补正材料" in text  # issued Tuesday 2026-09-01: five working days on


def test_a_quarterly_report_is_sent_by_the_city_centre_by_name_not_by_its_code(api):  # 004 §六(一)
    quarter = parse_period("2026-Q4")
    with session_scope(api.settings.database_url) as session:
        stats = reports.statistics(session, jurisdiction="620100", period=quarter)
    text = _text(charts.quarterly_report_pdf(stats, quarter, dt.date(2027, 1, 4)))
    assert "报送单位：兰州市职业技能鉴定指导中心" in text and "620100" not in text
