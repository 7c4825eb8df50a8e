"""An officer decides with the evidence in front of them (issue 28, item 1): the task page shows, before the
task is claimed, what the decision judges — each expert's scores and the applicants ranked for 择优遴选,
the results and the quality supervisor's report for 结果审核, what a resubmission changed for a later 受理."""

from __future__ import annotations

import itertools
import re

from fastapi.testclient import TestClient
from sqlmodel import select

from models.cases import Candidate
from models.db import session_scope
from policy.identity import mask_resident_id
from policy.profiles import profile_for_region
from tasks.people.accounts import create_user
from tests.stack.driver import registered_institution

PASSWORD = "correct horse 1"
_names = itertools.count(1)


def _officer_page(driver, centre: str, path: str) -> str:
    """The page as an officer of `centre` reads it in the dashboard (logged in through the form)."""
    name = f"evidence-officer-{centre}-{next(_names)}"
    create_user(driver.url, role="officer", name=name, password=PASSWORD, jurisdiction=centre)
    browser = TestClient(driver.http.app, follow_redirects=False)
    login = browser.get("/dashboard/login").text
    csrf = re.search(r'name="csrf" value="([^"]+)"', login).group(1)
    assert browser.post("/dashboard/login", data={"name": name, "password": PASSWORD, "csrf": csrf}).status_code == 303
    page = browser.get(path)
    assert page.status_code == 200, page.text[:300]
    return page.text


def _text(html: str) -> str:
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html))


def _to_best_selection(driver, score: float) -> int:
    fid = driver.file(recommend=False)
    for step in profile_for_region(driver.region).filing_steps:
        if step.step == "best_selection":
            return fid
        if step.step == "expert_evaluation":
            driver.score_panel(fid, score)
        else:
            driver.filing_step(fid, step)
    raise AssertionError("the profile has no 择优遴选")


def test_best_selection_shows_every_experts_scores_and_ranks_the_applicants_at_the_step(driver_in):
    first = driver_in("440106")
    first.add_experts()
    second = driver_in("440106")  # knows the experts the first one added
    weaker = _to_best_selection(second, 70)
    stronger = _to_best_selection(first, 85)
    task = first.open_tasks("officer", "best_selection", stronger)[0]
    text = _text(_officer_page(first, "440000", f"/dashboard/tasks/{task['id']}"))
    assert "此待办尚未领取" in text  # the evidence is read before the task is claimed
    assert "专家评估" in text and "专家组平均分 85" in text and text.count(" 85 ") >= 6  # 3 experts × aspects
    ranking = text[text.index("同一环节的申请"):]
    assert f"1 {first.prefix} 测试企业（本案） 85 2 {second.prefix} 测试企业 70" in ranking, ranking[:300]
    assert weaker != stronger


def test_results_review_shows_each_candidates_scores_and_result_and_the_supervisors_report(sichuan):
    institution = registered_institution(sichuan, sichuan.region)
    pid, candidates = sichuan.batch_to_review(institution, candidates=3, offset=40)
    centre = sichuan.officer_plan(pid)["handling_centre"]
    reviewer = sichuan.officer_at(centre)
    task = sichuan.open_tasks(reviewer, "results_review", pid)[0]
    text = _text(_officer_page(sichuan, centre, f"/dashboard/tasks/{task['id']}"))
    assert "认定结果" in text and "考生 3 人" in text and "合格 3 人" in text and "合格率 100.0%" in text
    for candidate in candidates:
        assert candidate["name"] in text
    assert text.count(" 90 ") >= 3 and "不合格 0 人" in text
    assert "质量督导" in text
    with session_scope(sichuan.url) as session:  # identity numbers masked, never in full
        full = [c.id_number for c in session.exec(select(Candidate).where(Candidate.plan_id == pid)).all()]
    assert len(full) == 3 and not any(number in text for number in full)
    assert all(mask_resident_id(number) in text for number in full)


def test_a_later_acceptance_shows_the_notice_the_note_and_what_each_material_changed(sichuan):
    sichuan.add_experts()
    fid = sichuan.file(recommend=False)
    centre = sichuan.centre(sichuan.call("officer", "GET", f"/api/v1/filings/{fid}"), "handling")
    who = sichuan.officer_at(centre)
    first = sichuan.open_tasks(who, "acceptance", fid)[0]
    sichuan.decide(who, first, decision="deficient", deficiencies=["营业执照：复印件不清晰，请补正"])
    sichuan.wait_status("filing", fid, "awaiting_resubmission")
    sichuan.call("enterprise", "POST", f"/api/v1/filings/{fid}/resubmissions",
                 json={"materials": [{"kind": "business_licence", "title": "营业执照（清晰件）",
                                      "sha256": "b" * 64}], "note": "已重新扫描营业执照"})
    second = sichuan.open_tasks(sichuan.officer_at(centre), "acceptance", fid)[0]
    text = _text(_officer_page(sichuan, centre, f"/dashboard/tasks/{second['id']}"))
    assert "第 1 次一次性告知的补正" in text
    assert "营业执照：复印件不清晰，请补正" in text and "已重新扫描营业执照" in text
    assert "已重新提交（内容已更换）" in text  # the licence, with new bytes
    assert "未补正（沿用此前提交）" in text  # the materials the notice did not ask for
