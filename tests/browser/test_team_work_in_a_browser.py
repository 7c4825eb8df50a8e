"""Team work in a real browser (issue 28, item 4): an officer claims a task, hands it to a named colleague of the
centre with a reason, and the colleague finds it in their inbox as theirs; the team view says who holds it; the
centre's lead reassigns it, and it is back in the first officer's inbox."""

from __future__ import annotations

from tasks.people.leads import set_lead_named
from tests.browser.test_dashboard_in_a_browser import SICHUAN, log_in, staff
from tests.stack.driver import Driver


def test_a_task_handed_to_a_colleague_is_in_their_inbox_and_the_team_view_says_who_holds_it_and_the_lead_reassigns(
        stack, browser, opened, shots):
    driver = Driver(stack, prefix="team", region=SICHUAN)
    base = stack.api_url
    filing_id = driver.file()
    centre = driver.centre(driver.call("officer", "GET", f"/api/v1/filings/{filing_id}"), "handling")
    holder_name = staff(driver, "officer", jurisdiction=centre)
    colleague_name = staff(driver, "officer", jurisdiction=centre)
    task = driver.open_tasks(driver.officer_at(centre), "acceptance", filing_id)[0]

    holder = log_in(browser, base, holder_name, opened)
    holder.goto(f"{base}/dashboard/tasks/{task['id']}")
    holder.get_by_role("button", name="领取此待办").click()
    holder.wait_for_url(f"**/dashboard/tasks/{task['id']}?done=claimed")
    holder.get_by_label("转交给").select_option(label=colleague_name)
    holder.get_by_label("原因").fill("本人出差，转交同组办理")
    holder.get_by_role("button", name="转交", exact=True).click()
    holder.wait_for_url("**/dashboard/inbox?done=handed_over")
    assert "已转交同事办理" in holder.inner_text("body")
    assert f"已领取（{colleague_name}）" in holder.locator(f'tr[data-task="{task["id"]}"]').inner_text()

    colleague = log_in(browser, base, colleague_name, opened)
    colleague.goto(f"{base}/dashboard/inbox?status=mine")
    row = colleague.locator(f'tr[data-task="{task["id"]}"]')
    assert "受理" in row.inner_text() and "已领取（本人）" in row.inner_text()
    colleague.goto(f"{base}/dashboard/team")
    own = colleague.locator(f'section.team-group[data-holder="{colleague_name}（本人）"]')
    assert own.locator(f'tr[data-task="{task["id"]}"]').count() == 1 and "1 项" in own.locator("h2").inner_text()
    shots(colleague, "team-view-after-handover")
    colleague.goto(f"{base}/dashboard/cases/filing/{filing_id}")
    assert "转交待办" in colleague.inner_text("body")  # the case's timeline keeps the handover

    lead_name = staff(driver, "officer", jurisdiction=centre)
    set_lead_named(driver.url, name=lead_name, leads=True)
    lead = log_in(browser, base, lead_name, opened)
    lead.goto(f"{base}/dashboard/tasks/{task['id']}")
    assert "改派（中心负责人）" in lead.inner_text("body")
    lead.get_by_label("转交给").select_option(label=holder_name)
    lead.get_by_label("原因").fill("经办人请假，改派回原经办人")
    lead.get_by_role("button", name="转交", exact=True).click()
    lead.wait_for_url("**/dashboard/inbox?done=handed_over")
    holder.goto(f"{base}/dashboard/inbox?status=mine")
    assert "已领取（本人）" in holder.locator(f'tr[data-task="{task["id"]}"]').inner_text()
