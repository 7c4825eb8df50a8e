"""What a printed document may cite (issue 27, item 1): each province's own text, section and words, or
nothing. The quotations are checked against the seed texts themselves (policy/sources/), so a paraphrase in
quotation marks cannot load; a draft or a drafting note is never cited; a text past its stated validity, or a
pilot another text says has ended, is a warning."""

from __future__ import annotations

import datetime as dt
import re

import pytest

from policy.legal_basis import BasisError, parse_bases, parse_texts, quote_problem, seed_text, text_warnings
from policy.profiles import all_profiles, get_profile

DOCUMENTS = ("deficiency_notice", "filing_receipt", "rectification_order", "cancellation", "quarterly_report")


def test_every_quotation_a_profile_prints_is_the_seeds_own_words():
    for profile in all_profiles().values():
        for document, basis in profile.document_bases.items():
            if basis is not None:
                assert quote_problem(basis.seed, basis.quote) is None, (profile.code, document)


def test_a_gansu_deficiency_notice_cites_138_section_4_2_in_its_own_words():  # 004 §四(二)
    assert get_profile("gansu").basis("deficiency_notice") == (
        "《关于推动企业全面开展技能人才评价工作的通知》（甘人社通〔2021〕138号）四(二)："
        "“确认申报资料是否符合要求，不符合条件的一次性告知”")


def test_a_guangdong_receipt_cites_1727_and_its_notice_nothing_for_003_says_nothing_of_one():  # 003 §二(二)
    guangdong = get_profile("guangdong")
    assert guangdong.basis("deficiency_notice") is None
    title = "《关于在广东省开展企业职业技能等级认定试点工作的通知》"
    assert guangdong.basis("filing_receipt").startswith(f"{title}（粤人社函〔2019〕1727号）二(二)")
    assert "138号" not in " ".join(filter(None, (guangdong.basis(d) for d in DOCUMENTS)))


@pytest.mark.parametrize("code", ["jiangsu", "shenzhen", "sichuan"])
def test_a_province_whose_seed_is_a_draft_or_a_drafting_note_cites_nothing(code):  # 002, 000, 001
    assert [get_profile(code).basis(d) for d in DOCUMENTS] == [None] * len(DOCUMENTS)


def test_no_document_cites_another_provinces_text():
    numbers = {"guangdong": "粤人社函", "gansu": "甘人社通"}
    for code, profile in all_profiles().items():
        printed = " ".join(filter(None, (profile.basis(d) for d in DOCUMENTS)))
        for other, number in numbers.items():
            if other != code:
                assert number not in printed, (code, other)


def test_a_paraphrase_in_quotation_marks_refuses_to_load():
    texts = parse_texts([{"seed": "004", "title": "关于推动企业全面开展技能人才评价工作的通知",
                          "number": "甘人社通〔2021〕138号", "issued_on": "2021-04-16", "kind": "notice"}])
    bases = dict.fromkeys(DOCUMENTS)
    printed_before = "材料不齐全或不符合要求的，一次性告知需要补正的全部内容"  # what every notice quoted
    bases["deficiency_notice"] = {"seed": "004", "section": "四(二)", "quote": printed_before}
    with pytest.raises(BasisError, match="not in seed 004"):
        parse_bases(bases, texts)


def test_a_draft_is_no_basis_for_a_document():
    draft = "关于开展职业技能等级认定工作的指导意见（征求意见稿）"
    texts = parse_texts([{"seed": "002", "title": draft, "kind": "draft"}])
    bases = dict.fromkeys(DOCUMENTS)
    bases["filing_receipt"] = {"seed": "002", "section": "(十五)", "quote": "征求意见稿"}
    with pytest.raises(BasisError, match="no basis for a decision"):
        parse_bases(bases, texts)


@pytest.mark.parametrize(("today", "warned"), [
    (dt.date(2024, 4, 16), False),  # 004: 本通知自印发之日起实施，有效期3年 (印发 2021-04-16): its last day
    (dt.date(2024, 4, 17), True),
    (dt.date(2026, 12, 4), True),
])
def test_gansus_text_is_flagged_once_its_three_years_have_passed(today, warned):
    warnings = text_warnings(get_profile("gansu").source_texts, today)
    assert any("已过期" in w for w in warnings) is warned


def test_guangdongs_pilot_notice_carries_the_drafting_notes_word_that_the_pilot_ended():  # 000 §二
    [warning] = text_warnings(get_profile("guangdong").source_texts, dt.date(2026, 12, 4))
    assert "不再继续开展试点" in warning


def test_every_quotation_in_a_caution_is_in_the_seed_it_names():
    for profile in all_profiles().values():
        for text in profile.source_texts:
            for quoted in re.findall(r"“([^”]+)”", text.caution or ""):
                assert any(re.sub(r"\s+", "", quoted) in re.sub(r"\s+", "", seed_text(s))
                           for s in ("000", "001", "002", "003", "004")), (profile.code, quoted)
