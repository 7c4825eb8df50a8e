"""The inbox: visibility by role and jurisdiction, claim, decision rules, optimistic locking, pagination."""

import pytest

from models.db import session_scope
from tasks.waits.human_tasks import ensure_task

pytestmark = pytest.mark.postgres  # on PostgreSQL too: claims under concurrency (optimistic locking)


def make_task(api, n: int, step: str = "acceptance", role: str = "officer", jurisdiction: str = "440106",
              assignee: int | None = None) -> int:
    with session_scope(api.settings.database_url) as session:
        return ensure_task(session, key=f"test:{n}:{step}", case_type="filing", case_id=n, step=step, role=role,
                           jurisdiction=jurisdiction, due_working_days=5, flow_run_id=None, assignee_id=assignee).id


def test_the_inbox_shows_only_the_tasks_of_my_role_and_jurisdiction(api, people):
    mine = make_task(api, 1, jurisdiction="440106")
    elsewhere = make_task(api, 2, jurisdiction="440305")
    expert_task = make_task(api, 3, step="expert_evaluation", role="expert")
    guangzhou = people.make("officer", jurisdiction="440100")
    ids = [t["id"] for t in api.get("/api/v1/tasks", headers=guangzhou).json()["items"]]
    assert mine in ids and elsewhere not in ids and expert_task not in ids
    provincial = people.make("officer", jurisdiction="440000")
    ids = [t["id"] for t in api.get("/api/v1/tasks", headers=provincial).json()["items"]]
    assert {mine, elsewhere} <= set(ids)
    assert api.get(f"/api/v1/tasks/{elsewhere}", headers=guangzhou).status_code == 404


def test_experts_see_the_tasks_assigned_to_them_only(api, people):
    alice, bob = people.make("expert"), people.make("expert")
    task = make_task(api, 4, step="expert_evaluation", role="expert", assignee=people.id_of(alice))
    assert api.get(f"/api/v1/tasks/{task}", headers=alice).status_code == 200
    assert api.get(f"/api/v1/tasks/{task}", headers=bob).status_code == 404


def test_an_enterprises_inbox_holds_only_the_steps_its_own_body_takes_on_its_own_batches(api, people):
    from models.accounts import User
    from tests.api.helpers import evaluation_plan, registered_institution

    owner, stranger = people.make("enterprise"), people.make("enterprise")
    with session_scope(api.settings.database_url) as session:
        plans = []
        for headers, serial in ((owner, 901), (stranger, 902)):
            institution_id = registered_institution(session, serial=serial)
            session.get(User, people.id_of(headers)).institution_id = institution_id
            plans.append(evaluation_plan(session, institution_id).id)
        made = {}
        for name, plan_id, role in (("own", plans[0], "enterprise"), ("other", plans[1], "enterprise"),
                                    ("officers", plans[0], "officer")):
            made[name] = ensure_task(session, key=f"test:inbox:{name}", case_type="plan", case_id=plan_id,
                                     step="objection_enterprise_investigation", role=role, jurisdiction="440100",
                                     due_working_days=5, flow_run_id=None).id
    ids = [t["id"] for t in api.get("/api/v1/tasks", headers=owner).json()["items"]]
    assert ids == [made["own"]]
    assert api.get(f"/api/v1/tasks/{made['other']}", headers=owner).status_code == 404
    assert api.get("/api/v1/tasks", headers=people.make("enterprise")).json()["items"] == []  # bound to no institution


def test_a_claimed_task_cannot_be_claimed_or_decided_by_another_officer(api, people):
    task = make_task(api, 5)
    first, second = people.make("officer", jurisdiction="440000"), people.make("officer", jurisdiction="440000")
    assert api.post(f"/api/v1/tasks/{task}/claim", headers=first).json()["status"] == "claimed"
    assert api.post(f"/api/v1/tasks/{task}/claim", headers=first).status_code == 200  # harmless repeat
    assert api.post(f"/api/v1/tasks/{task}/claim", headers=second).status_code == 409
    assert api.post(f"/api/v1/tasks/{task}/decision", json={"decision": "approve"}, headers=second).status_code == 409
    assert api.post(f"/api/v1/tasks/{task}/release", headers=first).json()["status"] == "open"


def test_a_decision_is_taken_once(api, people):
    task = make_task(api, 6)
    officer = people.make("officer", jurisdiction="440000")
    api.post(f"/api/v1/tasks/{task}/claim", headers=officer)
    assert api.post(f"/api/v1/tasks/{task}/decision", json={"decision": "approve"}, headers=officer).status_code == 200
    again = api.post(f"/api/v1/tasks/{task}/decision", json={"decision": "reject", "reason": "x"}, headers=officer)
    assert again.status_code == 409 and "already decided" in again.json()["detail"]


def test_a_decision_on_a_version_you_did_not_see_is_refused(api, people):
    task = make_task(api, 7)
    officer = people.make("officer", jurisdiction="440000")
    version = api.get(f"/api/v1/tasks/{task}", headers=officer).json()["version"]
    api.post(f"/api/v1/tasks/{task}/claim", headers=officer)
    stale = api.post(
        f"/api/v1/tasks/{task}/decision", json={"decision": "approve", "version": version}, headers=officer
    )
    assert stale.status_code == 409


def test_decisions_are_checked_per_step_and_every_problem_is_listed(api, people):
    officer = people.make("officer", jurisdiction="440000")
    acceptance = make_task(api, 8)
    api.post(f"/api/v1/tasks/{acceptance}/claim", headers=officer)
    response = api.post(f"/api/v1/tasks/{acceptance}/decision", json={"decision": "deficient"}, headers=officer)
    assert response.status_code == 422 and response.json()["detail"][0]["field"] == "deficiencies"
    response = api.post(f"/api/v1/tasks/{acceptance}/decision", json={"decision": "score"}, headers=officer)
    assert response.status_code == 422
    expert = people.make("expert")
    scoring = make_task(api, 9, step="expert_evaluation", role="expert", assignee=people.id_of(expert))
    response = api.post(
        f"/api/v1/tasks/{scoring}/decision", json={"decision": "score", "scores": {"venue": 120}}, headers=expert
    )
    assert response.status_code == 422 and len(response.json()["detail"]) == 7  # 6 aspects missing + 1 out of range


def test_the_inbox_pages_with_a_stable_cursor(api, people):
    created = [make_task(api, 100 + n) for n in range(7)]
    officer = people.make("officer", jurisdiction="440000")
    seen, cursor = [], None
    while True:
        params = {"limit": 3, **({"cursor": cursor} if cursor else {})}
        page = api.get("/api/v1/tasks", params=params, headers=officer).json()
        seen += [t["id"] for t in page["items"]]
        cursor = page["next_cursor"]
        if not cursor:
            break
    assert seen == sorted(created)
    assert api.get("/api/v1/tasks", params={"cursor": "garbage!"}, headers=officer).status_code == 422
    assert api.get("/api/v1/tasks", params={"limit": 0}, headers=officer).status_code == 422


def test_a_task_shows_its_deadline_in_working_days(api, people):
    task = make_task(api, 10)
    view = api.get(f"/api/v1/tasks/{task}", headers=people.make("officer", jurisdiction="440000")).json()
    assert view["working_days_left"] == 5 and view["overdue"] is False and view["step_name"] == "受理"


def test_two_officers_claiming_one_task_at_the_same_instant_on_two_api_processes_one_gets_it(api, people):
    import threading

    from fastapi.testclient import TestClient

    from api.app import create_app

    task = make_task(api, 11)
    second_process = TestClient(create_app(api.settings))  # another API instance on the same database
    officers = [people.make("officer", jurisdiction="440000") for _ in range(2)]
    barrier, answers = threading.Barrier(2), {}

    def claim(client, headers, who):
        barrier.wait()
        answers[who] = client.post(f"/api/v1/tasks/{task}/claim", headers=headers).status_code

    threads = [
        threading.Thread(target=claim, args=(client, headers, n))
        for n, (client, headers) in enumerate(zip((api, second_process), officers, strict=True))
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert sorted(answers.values()) == [200, 409]
    winner = officers[[n for n, code in answers.items() if code == 200][0]]
    loser = officers[[n for n, code in answers.items() if code == 409][0]]
    assert api.post(f"/api/v1/tasks/{task}/decision", json={"decision": "approve"}, headers=loser).status_code == 409
    assert (
        second_process.post(f"/api/v1/tasks/{task}/decision", json={"decision": "approve"}, headers=winner).status_code
        == 200
    )
