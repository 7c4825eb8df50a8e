"""Where the case stands (issue 28, item 5): the case page shows its province's steps for this case as a
strip — done with the date and who decided, the current one with its working-day deadline and who holds
it, the rest to come; a case that stopped shows the steps it never reached."""

from __future__ import annotations

import re

from policy.profiles import profile_for_region
from tests.replay.pages import officer_page


def _strip(html: str) -> list[tuple[str, str, str]]:
    """(state shown, step, note) of each step of the strip, in order, as the officer reads them."""
    found = re.findall(r'<li class="step-[a-z_]+[^"]*" data-state="[a-z_]+">\s*<span class="mark">([^<]+)</span>\s*'
                       r'<strong>([^<]+)</strong>\s*<span class="by">[^<]*</span>\s*(?:<span class="note">([^<]*)'
                       r'</span>)?', html)
    assert found, "the case page shows no strip of steps"
    return [(state, step, note) for state, step, note in found]


def test_a_guangdong_filing_at_best_selection_shows_what_is_done_by_whom_and_what_is_left(driver_in):
    driver = driver_in("440106")
    driver.add_experts()
    fid = driver.file()  # the city recommends first (Guangdong)
    for step in profile_for_region(driver.region).filing_steps[1:]:
        if step.step == "best_selection":
            break
        driver.filing_step(fid, step)
    driver.open_tasks(driver.officer_at("440000"), "best_selection", fid)

    strip = _strip(officer_page(driver, "440000", f"/dashboard/cases/filing/{fid}"))
    assert [(state, step) for state, step, _ in strip] == [
        ("已完成", "市人社部门推荐意见"), ("已完成", "受理"), ("已完成", "专家评估"), ("进行中", "择优遴选"),
        ("未开始", "领导小组同意"), ("未开始", "备案回执、证书号段、目录公布"), ("未开始", "试点方案专家评估")]
    today = driver.business_today()
    on_today = f"{today.year}年{today.month}月{today.day}日 · "
    accepted = strip[1][2]  # when, and the officer who decided, by name
    assert accepted.startswith(on_today + f"{driver.prefix}-officer-440000-"), accepted
    assert strip[2][2].startswith(on_today) and strip[2][2].count(f"{driver.prefix}-expert-") == 3, strip[2][2]
    assert re.fullmatch(r"办理期限 \d{4}年\d{1,2}月\d{1,2}日，剩余 \d+ 个工作日 · 待领取", strip[3][2]), strip[3][2]
    assert strip[4][2] == ""  # nothing to say of a step to come


def test_a_filing_refused_at_acceptance_shows_the_later_steps_as_never_reached(sichuan):
    driver = sichuan
    fid = driver.file()
    centre = driver.centre(driver.call("officer", "GET", f"/api/v1/filings/{fid}"), "handling")
    officer = driver.officer_at(centre)
    driver.decide(officer, driver.open_tasks(officer, "acceptance", fid)[0], decision="reject",
                  reason="申报主体不具备备案条件")
    driver.wait_status("filing", fid, "rejected")

    strip = _strip(officer_page(driver, centre, f"/dashboard/cases/filing/{fid}"))
    assert [(state, step) for state, step, _ in strip] == [
        ("已完成", "受理"), ("未进行", "专家评估"), ("未进行", "评估结果公示"), ("未进行", "部中心复核"),
        ("未进行", "备案回执、证书号段、目录公布")]
