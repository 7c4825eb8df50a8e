"""Every task's due date explains itself in the API and on the task page: the step's period and where it is
written, the day it counts from, the days it skips by name and the make-up days it counts; a clock that was
paused says the date moved."""

from __future__ import annotations

import datetime as dt

from core.clock import wall_now
from models.cases import FilingApplication
from models.workflow import HumanTask
from tasks.waits.human_tasks import ensure_task
from tests.api.conftest import db, move_clock
from tests.api.helpers import filing_form, registered_institution
from tests.api.test_dashboard import staff


def _acceptance_task(api, key: str) -> int:
    with db(api) as session:
        institution_id = registered_institution(session, serial=hash(key) % 900 + 50)
        now = wall_now()
        filing = FilingApplication(institution_id=institution_id, profile_code="guangdong", region_code="440106",
                                   handling_centre="440100", form=filing_form(),
                                   status="in_acceptance", current_step="acceptance", created_at=now, updated_at=now)
        session.add(filing)
        session.flush()
        return ensure_task(session, key=key, case_type="filing", case_id=filing.id, step="acceptance",
                           role="officer", jurisdiction="440100", due_working_days=5, flow_run_id=None).id


def test_a_tasks_due_date_says_how_it_was_counted(api, people):
    officer = people.make("officer", jurisdiction="440100")
    task = api.get(f"/api/v1/tasks/{_acceptance_task(api, 'why:1')}", headers=officer).json()
    told = task["due_explanation"]
    assert (told["start"], told["working_days"], told["due"], task["due_date"]) == (
        "2026-09-01", 5, "2026-09-08", "2026-09-08")
    assert told["rule"] == "受理：5 个工作日" and told["source"] == "本地设置"  # Guangdong's own setting
    assert told["skipped"] == [{"first": "2026-09-05", "last": "2026-09-06", "reason": "周六、周日"}]
    assert told["text"].startswith("受理：5 个工作日（本地设置）。自 2026年9月1日（周二）（当日不计）之后第 5 个工作日")
    assert told["paused"] is False and told["estimated_years"] == []


def test_a_count_across_the_national_day_names_it_and_a_paused_clock_says_the_date_moved(api, people):
    officer, admin = people.make("officer", jurisdiction="440100"), people.make("admin")
    move_clock(api, admin, dt.date(2026, 9, 29))
    task_id = _acceptance_task(api, "why:2")
    told = api.get(f"/api/v1/tasks/{task_id}", headers=officer).json()["due_explanation"]
    assert "国庆节" in {s["reason"] for s in told["skipped"]} and "国庆节" in told["text"]
    for day in told["makeup_working_days"]:
        assert dt.date.fromisoformat(day).weekday() >= 5
    with db(api) as session:  # the step waited on the applicant for three working days
        row = session.get(HumanTask, task_id)
        row.due_date = row.due_date + dt.timedelta(days=3)
        session.add(row)
    paused = api.get(f"/api/v1/tasks/{task_id}", headers=officer).json()
    assert paused["due_explanation"]["paused"] is True
    assert f"截止日期相应顺延至 {paused['due_date']}" in paused["due_explanation"]["text"]
    browser, _ = staff(api, "officer", jurisdiction="440100")
    browser.log_in()
    page = browser.get(f"/dashboard/tasks/{task_id}").text
    assert "期限怎么算" in page and "国庆节" in page and "顺延" in page


def test_a_timers_period_and_a_tasks_due_date_explain_themselves_on_the_case_and_in_its_api(api, people):
    from tasks.waits.timers import ensure_timer

    task_id = _acceptance_task(api, "why:case")
    with db(api) as session:
        filing_id = session.get(HumanTask, task_id).case_id
        ensure_timer(session, key=f"why:publicity:{filing_id}", case_type="filing", case_id=filing_id,
                     purpose="publicity", start=dt.date(2026, 9, 29), working_days=5)
    officer = people.make("officer", jurisdiction="440100")
    timer = api.get(f"/api/v1/filings/{filing_id}", headers=officer).json()["timers"][0]
    told = timer["due_explanation"]
    assert (told["start"], told["working_days"], told["due"], timer["period_end"]) == (
        "2026-09-29", 5, "2026-10-12", "2026-10-12")  # five working days around the National Day holiday
    assert told["rule"] == "公示期满：5 个工作日" and any("国庆" in s["reason"] for s in told["skipped"])
    assert told["text"].endswith(f"期满次日（{timer['fires_on']}）流程继续。")

    page, _ = staff(api, "officer", jurisdiction="440100")
    assert page.log_in().status_code == 303
    html = page.get(f"/dashboard/cases/filing/{filing_id}").text
    deadlines = html.split("<h2>后续期限</h2>", 1)[1].split("</section>", 1)[0]
    assert deadlines.count("期限怎么算") == 2  # the task's and the publicity's
    assert "受理：5 个工作日（本地设置）" in deadlines and "公示期满：5 个工作日" in deadlines
