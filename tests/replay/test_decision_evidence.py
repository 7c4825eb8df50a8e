"""An officer decides with the evidence in front of them (issue 28, item 1), read in Chromium as the officer
reads it — the visible text, before the task is claimed: each expert's scores and the applicants ranked for
择优遴选, the results and the quality supervisor's report for 结果审核, what a resubmission changed for a later
受理, the pilot plan for its experts, the objection and how to call the objector back for its investigator, the
institution, the finding and the unanswered order where a cancellation is approved. The flows run on the replay
engine; the pages come from the same app served on a loopback port. Each page is kept as
test-output/screenshots/evidence-<step>.png."""

from __future__ import annotations

import itertools
import re

import pytest
from sqlmodel import select

from models.accounts import User
from models.cases import Candidate
from models.db import session_scope
from policy.identity import mask_resident_id
from policy.profiles import profile_for_region
from tasks.cases.offboarding import reset_password_named
from tasks.people.accounts import create_user
from tests.browser.conftest import SCREENSHOTS
from tests.stack.driver import registered_institution

pytestmark = pytest.mark.browser  # Chromium: not in the developer loop
PASSWORD = "correct horse 1"
_names = itertools.count(1)


@pytest.fixture()
def read_as(browser, served, opened):
    """read_as(driver, path, shot, centre=… | name=…): the page's visible text (whitespace folded) for an officer
    of `centre` made for the purpose, or for the named user (given a password here), logged in through the form."""

    def read(driver, path: str, shot: str, *, centre: str | None = None, name: str | None = None) -> str:
        if name is None:
            name = f"evidence-officer-{centre}-{next(_names)}"
            create_user(driver.url, role="officer", name=name, password=PASSWORD, jurisdiction=centre)
        else:
            reset_password_named(driver.url, name=name, password=PASSWORD)
        page = browser.new_context(viewport={"width": 1280, "height": 900}, locale="zh-CN").new_page()
        opened.append(page)
        page.goto(f"{served}/dashboard/login")
        page.get_by_label("用户名").fill(name)
        page.get_by_label("密码").fill(PASSWORD)
        page.get_by_role("button", name="登录").click()
        page.wait_for_url("**/dashboard/inbox**")
        page.goto(served + path)
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(SCREENSHOTS / f"evidence-{shot}.png"), full_page=True)
        return re.sub(r"\s+", " ", page.inner_text("main"))

    return read


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


def test_best_selection_shows_every_experts_scores_and_ranks_the_applicants_at_the_step(driver_in, read_as):
    first = driver_in("440106")
    first.add_experts()
    second = driver_in("440106")  # knows the experts the first one added
    weaker = _to_best_selection(second, 70)
    stronger = _to_best_selection(first, 85)
    task = first.open_tasks("officer", "best_selection", stronger)[0]
    text = read_as(first, f"/dashboard/tasks/{task['id']}", "best-selection", centre="440000")
    assert "此待办尚未领取" in text  # the evidence is read before the task is claimed
    assert "专家评估" in text and "专家组平均分 85" in text and text.count(" 85 ") >= 6  # 3 experts × aspects
    ranking = text[text.index("同一环节的申请"):]
    assert f"1 {first.prefix} 测试企业（本案） 85 2 {second.prefix} 测试企业 70" in ranking, ranking[:300]
    assert weaker != stronger


def test_results_review_shows_each_candidates_scores_and_result_and_the_supervisors_report(sichuan, read_as):
    institution = registered_institution(sichuan, sichuan.region)
    pid, candidates = sichuan.batch_to_review(institution, candidates=3, offset=40)
    centre = sichuan.officer_plan(pid)["handling_centre"]
    reviewer = sichuan.officer_at(centre)
    task = sichuan.open_tasks(reviewer, "results_review", pid)[0]
    text = read_as(sichuan, f"/dashboard/tasks/{task['id']}", "results-review", centre=centre)
    assert "认定结果" in text and "考生 3 人" in text and "合格 3 人" in text and "合格率 100.0%" in text
    for candidate in candidates:
        assert candidate["name"] in text
    assert text.count(" 90 ") >= 3 and "不合格 0 人" in text
    assert "质量督导" in text
    with session_scope(sichuan.url) as session:  # identity numbers masked, never in full
        full = [c.id_number for c in session.exec(select(Candidate).where(Candidate.plan_id == pid)).all()]
    assert len(full) == 3 and not any(number in text for number in full)
    assert all(mask_resident_id(number) in text for number in full)


def test_a_later_acceptance_shows_the_notice_the_note_and_what_each_material_changed(sichuan, read_as):
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
    text = read_as(sichuan, f"/dashboard/tasks/{second['id']}", "later-acceptance", centre=centre)
    assert "第 1 次一次性告知的补正" in text
    assert "营业执照：复印件不清晰，请补正" in text and "已重新扫描营业执照" in text
    assert "已重新提交（内容已更换）" in text  # the licence, with new bytes
    assert "未补正（沿用此前提交）" in text  # the materials the notice did not ask for


def test_the_pilot_plans_experts_see_the_plan_they_evaluate(driver_in, read_as):
    driver = driver_in("440106")  # 广东: 试点方案专家评估 after registration (003 §二(三))
    fid = driver.register()["id"]
    driver.wait("pilot plan awaited", lambda: driver.filing_status(fid)["current_step"] == "pilot_plan_submission")
    summary = "试点方案：认定职业为车工，设考评组三人，理论与实操分开评价，质量督导全程参与。"
    driver.call("enterprise", "POST", f"/api/v1/filings/{fid}/pilot-plan", json={"summary": summary})
    task = driver.wait("the pilot plan's panel", lambda: driver._expert_tasks(fid, "pilot_plan_evaluation"))[0]
    with session_scope(driver.url) as session:
        expert = session.get(User, task["assignee_id"]).name
    text = read_as(driver, f"/dashboard/tasks/{task['id']}", "pilot-plan-evaluation", name=expert)
    assert "试点方案（第 1 稿）" in text and summary in text


def test_an_objections_investigator_sees_the_objection_and_how_to_call_the_objector_back(sichuan, read_as):
    sichuan.add_experts()
    fid = sichuan.file()
    sichuan.decide("officer", sichuan.open_tasks("officer", "acceptance", fid)[0], decision="approve")
    sichuan.score_panel(fid, 80)
    sichuan.wait_status("filing", fid, "publicity")
    sichuan.call("public", "POST", f"/api/v1/filings/{fid}/objections",
                 json={"text": "场地系租用，租期已满，请核实。", "contact": "13800138000"})
    sichuan.pass_timer("filing", fid, "publicity")
    task = sichuan.wait("the investigation", lambda: sichuan.open_tasks("officer", "objection_investigation", fid))[0]
    text = read_as(sichuan, f"/dashboard/tasks/{task['id']}", "objection-investigation", centre=task["jurisdiction"])
    assert "此待办尚未领取" in text
    assert "场地系租用，租期已满，请核实。" in text
    assert "联系方式（调查后回复异议人） 13800138000" in text


def test_a_cancellations_approver_sees_the_institution_the_finding_and_the_unanswered_order(driver_in, read_as):
    driver = driver_in("440106")
    institution_id = registered_institution(driver, driver.region)
    finding = "抽查发现考场未安装视频监控，考评人员未经培训。"
    case_id = driver.call("officer", "POST", "/api/v1/supervision-findings",
                          json={"institution_id": institution_id, "text": finding})["id"]
    investigation = driver.open_tasks("officer", "supervision_investigation", case_id)[0]
    driver.decide("officer", investigation, decision="order_rectification", reason="抽查问题属实",
                  sanction={"items": ["安装考场视频监控", "考评人员参加培训"], "working_days": 3})
    driver.wait("the order's deadline", lambda: driver.call(
        "officer", "GET", f"/api/v1/complaints/{case_id}")["status"] == "rectifying")
    driver.pass_timer("supervision", case_id, "整改期限", who="officer")  # the enterprise stays silent
    approval = driver.open_tasks("officer", "sanction_approval", case_id)[0]
    text = read_as(driver, f"/dashboard/tasks/{approval['id']}", "sanction-approval",
                   centre=approval["jurisdiction"])
    assert "此待办尚未领取" in text
    name = driver.call("officer", "GET", f"/api/v1/institutions/{institution_id}")["name"]
    assert f"被投诉机构 {name}" in text and finding in text
    assert "事项：安装考场视频监控；考评人员参加培训 整改情况：逾期未整改" in text
