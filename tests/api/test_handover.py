"""转交 (issue 28, item 4): an officer hands a task to a named colleague of the same centre — its holder, or
anyone of the centre while nobody holds it; the centre's lead (中心负责人) reassigns one a colleague holds.
The colleague receives it claimed, in their inbox; the trail says who handed it to whom and why. A colleague
who could not take the task (another centre, not an officer, an offboarded account, a separation-of-duties
rule) is refused by name, and nothing changes."""

from __future__ import annotations

from sqlmodel import select

from models.accounts import User
from models.audit import AuditEvent
from models.cases import FilingApplication
from models.workflow import HumanTask
from tasks.cases.offboarding import disable_named
from tasks.people.leads import set_lead_named
from tests.api.conftest import db
from tests.api.helpers import filing_form
from tests.api.test_dashboard import acceptance_task, staff


def _task(api, people, jurisdiction: str = "440000") -> tuple[int, int]:
    filing_id = api.post("/api/v1/filings", json=filing_form(), headers=people.make("enterprise")).json()["id"]
    return filing_id, acceptance_task(api, filing_id, jurisdiction=jurisdiction)


def test_a_claimed_task_handed_to_a_colleague_arrives_claimed_in_their_inbox_with_the_reason_kept(api, people):
    _, task_id = _task(api, people)
    holder = people.make("officer", jurisdiction="440000")
    colleague = people.make("officer", jurisdiction="440000")
    assert api.post(f"/api/v1/tasks/{task_id}/claim", headers=holder).status_code == 200

    handed = api.post(f"/api/v1/tasks/{task_id}/handover", headers=holder,
                      json={"to_user_id": people.id_of(colleague), "reason": "本人休假，转交同组办理"})
    assert handed.status_code == 200, handed.text
    assert (handed.json()["status"], handed.json()["assignee_id"]) == ("claimed", people.id_of(colleague))
    theirs = api.get("/api/v1/tasks", headers=colleague).json()["items"]
    assert [(t["id"], t["assignee_id"]) for t in theirs] == [(task_id, people.id_of(colleague))]
    with db(api) as session:
        entry = session.exec(select(AuditEvent).where(AuditEvent.action == "task_handed_over:acceptance")).one()
    assert entry.actor_id == people.id_of(holder) and entry.before == {"assignee_id": people.id_of(holder)}
    assert entry.after == {"task_id": task_id, "assignee_id": people.id_of(colleague),
                           "reason": "本人休假，转交同组办理"}

    # it is theirs now: the former holder cannot hand it on again
    again = api.post(f"/api/v1/tasks/{task_id}/handover", headers=holder,
                     json={"to_user_id": people.id_of(holder), "reason": "拿回来"})
    assert again.status_code == 409


def test_an_unclaimed_task_is_given_by_anyone_of_the_centre(api, people):
    _, task_id = _task(api, people)
    officer = people.make("officer", jurisdiction="440000")
    colleague = people.make("officer", jurisdiction="440000")
    given = api.post(f"/api/v1/tasks/{task_id}/handover", headers=officer,
                     json={"to_user_id": people.id_of(colleague), "reason": "熟悉该企业情况"})
    assert given.status_code == 200 and given.json()["assignee_id"] == people.id_of(colleague)


def test_a_colleague_who_could_not_take_the_task_is_refused_by_name_and_nothing_changes(api, people):
    filing_id, task_id = _task(api, people)
    officer = people.make("officer", jurisdiction="440000")
    elsewhere = people.make("officer", jurisdiction="320000")
    expert = people.make("expert")
    gone = people.make("officer", jurisdiction="440000")
    with db(api) as session:
        gone_name = session.get(User, people.id_of(gone)).name
    disable_named(api.settings.database_url, name=gone_name, reason="离职")
    with db(api) as session:
        institution_id = session.get(FilingApplication, filing_id).institution_id
    own = people.make("officer", jurisdiction="440000", institution_id=institution_id)  # works for the applicant
    for colleague, expected in ((elsewhere, "handover.colleague"), (expert, "handover.colleague"),
                                (gone, "handover.colleague"), (own, "separation.own_institution"),
                                (officer, "handover.colleague")):  # not to oneself
        refused = api.post(f"/api/v1/tasks/{task_id}/handover", headers=officer,
                           json={"to_user_id": people.id_of(colleague), "reason": "转交"})
        assert refused.status_code == 422, refused.text
        assert [(p["code"], p["field"]) for p in refused.json()["detail"]] == [(expected, "to_user_id"
                                                                                if expected.startswith("handover")
                                                                                else "task")]
    nobody = api.post(f"/api/v1/tasks/{task_id}/handover", headers=officer, json={"to_user_id": 999_999,
                                                                                   "reason": "转交"})
    assert nobody.status_code == 422 and nobody.json()["detail"][0]["field"] == "to_user_id"
    no_reason = api.post(f"/api/v1/tasks/{task_id}/handover", headers=officer,
                         json={"to_user_id": people.id_of(people.make("officer", jurisdiction="440000")),
                               "reason": "   "})
    assert no_reason.status_code == 422
    with db(api) as session:
        task = session.get(HumanTask, task_id)
        assert (task.status, task.assignee_id) == ("open", None)
        assert session.exec(select(AuditEvent).where(AuditEvent.action.startswith("task_handed_over"))).all() == []


def test_in_the_dashboard_the_holder_picks_a_colleague_and_the_task_is_in_the_colleagues_inbox(api, people):
    _, task_id = _task(api, people)
    holder, _ = staff(api, "officer", jurisdiction="440000")
    colleague, colleague_id = staff(api, "officer", jurisdiction="440000")
    for who in (holder, colleague):
        assert who.log_in().status_code == 303
    task_page = f"/dashboard/tasks/{task_id}"
    assert holder.post(f"{task_page}/claim", {"return_to": task_page}).status_code == 303
    form = holder.get(task_page).text
    assert "转交同事" in form and f'<option value="{colleague_id}">{colleague.name}</option>' in form

    refused = holder.post(f"{task_page}/handover", {"to_user_id": str(colleague_id), "reason": ""},
                          csrf_from=task_page)
    assert refused.status_code == 422 and '<span class="field-error">请写明转交原因</span>' in refused.text

    handed = holder.post(f"{task_page}/handover", {"to_user_id": str(colleague_id), "reason": "本人出差"},
                         csrf_from=task_page)
    assert handed.status_code == 303 and handed.headers["location"] == "/dashboard/inbox?done=handed_over"
    inbox = colleague.get("/dashboard/inbox?status=mine").text
    assert f'data-task="{task_id}"' in inbox and "已领取（本人）" in inbox
    assert "转交" in holder.get(f"/dashboard/cases/filing/{_filing_of(api, task_id)}").text  # in the timeline


def _filing_of(api, task_id: int) -> int:
    with db(api) as session:
        return session.get(HumanTask, task_id).case_id


def _name_of(api, people, headers) -> str:
    with db(api) as session:
        return session.get(User, people.id_of(headers)).name


def test_the_centres_lead_reassigns_a_task_a_colleague_holds_and_nobody_else_may(api, people):
    _, task_id = _task(api, people)
    holder = people.make("officer", jurisdiction="440000")
    colleague = people.make("officer", jurisdiction="440000")
    lead = people.make("officer", jurisdiction="440000")
    other_lead = people.make("officer", jurisdiction="320000")  # leads another province's centre
    for who in (lead, other_lead):
        assert set_lead_named(api.settings.database_url, name=_name_of(api, people, who), leads=True)
    assert api.post(f"/api/v1/tasks/{task_id}/claim", headers=holder).status_code == 200
    to_colleague = {"to_user_id": people.id_of(colleague), "reason": "经办人长期外出，改派"}

    not_a_lead = api.post(f"/api/v1/tasks/{task_id}/handover", headers=colleague, json=to_colleague)
    assert not_a_lead.status_code == 409 and "中心负责人" in not_a_lead.json()["detail"]
    elsewhere = api.post(f"/api/v1/tasks/{task_id}/handover", headers=other_lead, json=to_colleague)
    assert elsewhere.status_code in (404, 409)
    to_the_holder = api.post(f"/api/v1/tasks/{task_id}/handover", headers=lead,
                             json={"to_user_id": people.id_of(holder), "reason": "改派"})
    assert to_the_holder.status_code == 422 and to_the_holder.json()["detail"][0]["field"] == "to_user_id"
    with db(api) as session:
        assert session.get(HumanTask, task_id).assignee_id == people.id_of(holder)  # nothing changed so far

    reassigned = api.post(f"/api/v1/tasks/{task_id}/handover", headers=lead, json=to_colleague)
    assert reassigned.status_code == 200, reassigned.text
    assert [t["id"] for t in api.get("/api/v1/tasks", headers=colleague).json()["items"]] == [task_id]
    holders = api.get("/api/v1/tasks?status=claimed", headers=holder).json()["items"]
    assert all(t["assignee_id"] != people.id_of(holder) for t in holders)
    with db(api) as session:
        entry = session.exec(select(AuditEvent).where(AuditEvent.action == "task_handed_over:acceptance")).one()
        assert (entry.actor_id, entry.before, entry.after["assignee_id"]) == (
            people.id_of(lead), {"assignee_id": people.id_of(holder)}, people.id_of(colleague))
        assert session.exec(select(AuditEvent).where(AuditEvent.action == "centre_lead_set")).all() != []


def test_in_the_dashboard_the_lead_sees_reassign_on_a_colleagues_task_and_others_do_not(api, people):
    _, task_id = _task(api, people)
    holder, holder_id = staff(api, "officer", jurisdiction="440000")
    lead, _ = staff(api, "officer", jurisdiction="440000")
    bystander, _ = staff(api, "officer", jurisdiction="440000")
    set_lead_named(api.settings.database_url, name=lead.name, leads=True)
    for who in (holder, lead, bystander):
        assert who.log_in().status_code == 303
    task_page = f"/dashboard/tasks/{task_id}"
    assert holder.post(f"{task_page}/claim", {"return_to": task_page}).status_code == 303

    assert "改派" not in bystander.get(task_page).text and 'id="handover"' not in bystander.get(task_page).text
    page = lead.get(task_page).text
    assert "改派（中心负责人）" in page
    assert f'<option value="{holder_id}">' not in page  # not back to whoever holds it
    assert "<option" in page and bystander.name in page


def test_only_an_officer_leads_a_centre_and_the_cli_says_so(api, people):
    from tests.cli.helpers import certflow

    expert = people.make("expert")
    officer = people.make("officer", jurisdiction="440000")
    data_dir = api.settings.data_dir
    refused = certflow("users", "lead", "--name", _name_of(api, people, expert), data_dir=data_dir)
    assert refused.returncode != 0 and "only an officer leads a centre" in refused.stderr
    made = certflow("users", "lead", "--name", _name_of(api, people, officer), data_dir=data_dir, check=True)
    assert "leads their centre" in made.stdout
    again = certflow("users", "lead", "--name", _name_of(api, people, officer), data_dir=data_dir, check=True)
    assert "already" in again.stdout
    off = certflow("users", "lead", "--name", _name_of(api, people, officer), "--off", data_dir=data_dir, check=True)
    assert "no longer leads" in off.stdout
