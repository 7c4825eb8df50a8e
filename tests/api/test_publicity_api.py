"""Publicity is public: what is publicised now (no login), and objections from people without an account
that reach the same investigation as an account's objection."""

import datetime as dt
import itertools

from sqlmodel import select

from core.clock import wall_now
from models.cases import Candidate, EvaluationPlan, FilingApplication, FilingOccupation, Objection, Score
from models.workflow import HumanTask
from tests.api.conftest import People, db, move_clock
from tests.api.helpers import person, registered_institution

TODAY = dt.date(2026, 9, 1)  # the simulated clock's first day (a Tuesday)
END = dt.date(2026, 9, 8)  # five working days after the start day: 2, 3, 4, 7 and 8 September
_serials = itertools.count(1)


def _filing_in_publicity(api, name="公示中的企业", start=TODAY, end=END) -> int:
    with db(api) as session:
        institution_id = registered_institution(session, region="620102", serial=next(_serials))
        now = wall_now()
        filing = FilingApplication(institution_id=institution_id, profile_code="gansu", region_code="620102",
                                   handling_centre="620100", form={"enterprise_name": name}, status="publicity",
                                   current_step="publicity", publicity_start=start, publicity_end=end,
                                   created_at=now, updated_at=now)
        session.add(filing)
        session.flush()
        session.add(FilingOccupation(filing_id=filing.id, occupation_code="6-18-01-01", levels="345"))
        return filing.id


def _results_in_publicity(api) -> tuple[int, list[int]]:
    with db(api) as session:
        institution_id = registered_institution(session, region="620102", serial=next(_serials))
        now = wall_now()
        plan = EvaluationPlan(institution_id=institution_id, region_code="620102", handling_centre="620100",
                              profile_code="gansu", occupation_code="6-18-01-01", evaluation_start=TODAY,
                              evaluation_end=TODAY, filed_on=TODAY, staff={}, status="publicity",
                              current_step="results_publicity", publicity_start=TODAY, publicity_end=END,
                              created_at=now, updated_at=now)
        session.add(plan)
        session.flush()
        ids = []
        for n, passed in enumerate((True, False)):
            candidate = Candidate(plan_id=plan.id, name=f"考生{n}", id_number=person(n), relation="employee", level=4)
            session.add(candidate)
            session.flush()
            session.add(Score(candidate_id=candidate.id, practical=90 if passed else 40, passed=passed,
                              submitted_at=now))
            ids.append(candidate.id)
        return plan.id, ids


def test_current_publicities_are_listed_without_login_with_their_end_and_working_days_left(api):
    fid = _filing_in_publicity(api)
    _filing_in_publicity(api, name="已结束的公示", start=dt.date(2026, 8, 20), end=dt.date(2026, 8, 27))
    pid, _ = _results_in_publicity(api)
    filings = api.get("/api/v1/public/publicities", params={"kind": "filing"}).json()["items"]
    assert [f["id"] for f in filings] == [fid]  # an ended publicity is not listed
    assert filings[0]["enterprise_name"] == "公示中的企业"
    assert filings[0]["occupations"][0]["levels"] == ["三级/高级工", "四级/中级工", "五级/初级工"]
    assert filings[0]["publicity"] == {"start": "2026-09-01", "end": "2026-09-08", "working_days_left": 5,
                                       "provisional": False, "explanation": None}  # no timer set: nothing to say
    results = api.get("/api/v1/public/publicities", params={"kind": "plan"}).json()["items"]
    assert [r["id"] for r in results] == [pid]
    assert [c["result"] for c in results[0]["candidates"]] == ["合格", "不合格"]
    assert all("*" in c["id_number"] for c in results[0]["candidates"])  # masked, as on certificates
    assert "form" not in filings[0] and "staff" not in results[0]


def test_the_publicity_list_pages_with_a_cursor(api):
    ids = [_filing_in_publicity(api, name=f"企业{n}") for n in range(3)]
    first = api.get("/api/v1/public/publicities", params={"kind": "filing", "limit": 2}).json()
    second = api.get("/api/v1/public/publicities", params={"kind": "filing", "limit": 2,
                                                           "cursor": first["next_cursor"]}).json()
    assert [f["id"] for f in first["items"] + second["items"]] == ids and second["next_cursor"] is None
    assert api.get("/api/v1/public/publicities", params={"kind": "people"}).status_code == 422


def test_an_objection_without_an_account_reaches_the_investigation_of_the_handling_centre(api):
    fid = _filing_in_publicity(api)
    body = {"case_type": "filing", "case_id": fid, "name": "张三", "phone": "13800138000",
            "text": "该企业场地系临时租用，请核实。"}
    answer = api.post("/api/v1/public/objections", json=body)
    assert answer.status_code == 201, answer.text
    with db(api) as session:
        objection = session.get(Objection, answer.json()["objection_id"])
        assert (objection.raised_by, objection.objector_name, objection.contact) == (None, "张三", "13800138000")
        task = session.exec(select(HumanTask).where(HumanTask.key == f"objection:{objection.id}")).one()
        assert (task.step, task.jurisdiction, task.status) == ("objection_investigation", "620100", "open")
    again = api.post("/api/v1/public/objections", json=body)
    assert again.status_code == 409  # one open objection per person (known by the phone) and case
    other = api.post("/api/v1/public/objections", json={**body, "phone": "020-12345678", "name": "李四"})
    assert other.status_code == 201


def test_a_public_objection_with_bad_input_or_outside_a_publicity_writes_nothing(api):
    fid = _filing_in_publicity(api)
    body = {"case_type": "filing", "case_id": fid, "name": "张三", "phone": "13800138000", "text": "理由充分的异议"}
    assert api.post("/api/v1/public/objections", json={**body, "phone": "12345"}).status_code == 422
    assert api.post("/api/v1/public/objections", json={**body, "text": "短"}).status_code == 422
    assert api.post("/api/v1/public/objections", json={k: v for k, v in body.items() if k != "name"}).status_code == 422
    assert api.post("/api/v1/public/objections", json={**body, "case_id": 999999}).status_code == 404
    assert api.post("/api/v1/public/objections", json={**body, "candidate_id": 1}).status_code == 404
    ended = _filing_in_publicity(api, start=dt.date(2026, 8, 20), end=dt.date(2026, 8, 27))
    assert api.post("/api/v1/public/objections", json={**body, "case_id": ended}).status_code == 404
    with db(api) as session:
        assert session.exec(select(Objection)).all() == []
        assert session.exec(select(HumanTask).where(HumanTask.step == "objection_investigation")).all() == []


def test_a_results_objection_may_name_a_candidate_of_that_batch_only(api):
    pid, (first, _) = _results_in_publicity(api)
    body = {"case_type": "plan", "case_id": pid, "name": "王五", "phone": "13900139000", "text": "该考生由他人代考"}
    assert api.post("/api/v1/public/objections", json={**body, "candidate_id": first}).status_code == 201
    other_pid, (other_first, _) = _results_in_publicity(api)
    assert api.post("/api/v1/public/objections", json={**body, "case_id": pid, "phone": "13700137000",
                                                       "candidate_id": other_first}).status_code == 404


def test_the_publicity_page_and_its_form_work_without_login(api):
    fid = _filing_in_publicity(api)
    page = api.get("/publicity")
    assert page.status_code == 200 and "公示中的企业" in page.text and "还剩 <strong>5</strong> 个工作日" in page.text
    bad = api.post("/publicity/objections", data={"case_type": "filing", "case_id": str(fid), "name": "张三",
                                                  "phone": "123", "text": "理由充分的异议"})
    assert bad.status_code == 422 and "联系电话" in bad.text and "理由充分的异议" in bad.text  # kept for correction
    done = api.post("/publicity/objections", data={"case_type": "filing", "case_id": str(fid), "name": "张三",
                                                   "phone": "13800138000", "text": "理由充分的异议"})
    assert done.status_code == 201 and "异议已受理" in done.text
    with db(api) as session:
        assert len(session.exec(select(Objection).where(Objection.case_id == fid)).all()) == 1


def test_public_objections_are_rate_limited_per_client_on_an_injected_clock(api):
    api.app.state.public_limit.clock = lambda: 2_000_000.0  # time stands still: no refill
    codes = [api.post("/api/v1/public/objections", json={"case_type": "filing", "case_id": 1, "name": "甲",
                                                         "phone": "13800138000", "text": "重复提交的异议"}).status_code
             for _ in range(35)]
    assert codes[:30] == [404] * 30 and codes[30:] == [429] * 5


def test_the_working_days_left_count_today_but_not_the_start_day_and_skip_the_weekend(api):
    _filing_in_publicity(api)
    admin = People(api.settings.database_url).make("admin")
    left = lambda: api.get("/api/v1/public/publicities").json()["items"][0]["publicity"]["working_days_left"]  # noqa: E731
    assert left() == 5
    move_clock(api, admin, dt.date(2026, 9, 4))  # Friday: 4, 7, 8 are left
    assert left() == 3
    move_clock(api, admin, dt.date(2026, 9, 6))  # Sunday: 7 and 8
    assert left() == 2
    move_clock(api, admin, dt.date(2026, 9, 8))  # the last day
    assert left() == 1


def _bind(api, people, plan_id):
    """An enterprise account of the plan's institution."""
    from models.accounts import User

    headers = people.make("enterprise")
    with db(api) as session:
        session.get(User, people.id_of(headers)).institution_id = session.get(EvaluationPlan, plan_id).institution_id
    return headers


def _decide(api, headers, task_id, **decision):
    assert api.post(f"/api/v1/tasks/{task_id}/claim", headers=headers).status_code == 200
    answer = api.post(f"/api/v1/tasks/{task_id}/decision", json=decision, headers=headers)
    assert answer.status_code == 200, answer.text
    return answer.json()


def _batch_flow_wakes(api, plan_id):
    """What the batch's flow does at each wake while objections are investigated (the loop itself runs on the
    replay tier: tests/replay/test_profile_steps.py)."""
    from tasks.cases import investigations

    with db(api) as session:
        investigations.advance(session, plan_id=plan_id)


def _inbox(api, headers, step):
    return api.get("/api/v1/tasks", params={"step": step}, headers=headers).json()["items"]


def test_in_gansu_the_enterprises_own_body_investigates_a_results_objection_and_the_centre_reviews_its_finding(
        api, people):
    from tasks.cases.objections import investigations_closed, record_outcomes

    pid, (first, _) = _results_in_publicity(api)
    enterprise, city = _bind(api, people, pid), people.make("officer", jurisdiction="620100")
    body = {"case_type": "plan", "case_id": pid, "name": "王五", "phone": "13900139000", "text": "该考生由他人代考"}
    objection_id = api.post("/api/v1/public/objections", json={**body, "candidate_id": first}).json()["objection_id"]
    assert _inbox(api, city, "objection_investigation") == []  # 004 §五(四): not the centre's to investigate
    [task] = _inbox(api, enterprise, "objection_enterprise_investigation")
    assert (task["objection_id"], task["case_id"], task["role"]) == (objection_id, pid, "enterprise")
    seen = api.get(f"/api/v1/plans/{pid}", headers=enterprise).json()["objections"]
    assert [(o["id"], o["text"], o["investigated_by"]) for o in seen] == [(objection_id, body["text"], "enterprise")]
    assert "contact" not in seen[0]  # the objector's phone stays with the centre
    missing = api.post(f"/api/v1/tasks/{task['id']}/claim", headers=enterprise)
    assert api.post(f"/api/v1/tasks/{task['id']}/decision", json={"decision": "dismiss"},
                    headers=enterprise).status_code == 422  # a finding needs its reason
    assert missing.status_code == 200
    _decide(api, enterprise, task["id"], decision="dismiss", reason="监控录像显示本人参考")
    assert _inbox(api, city, "objection_review") == []  # the batch's flow opens the review when it wakes
    _batch_flow_wakes(api, pid)
    _batch_flow_wakes(api, pid)  # a replay opens nothing twice
    [review] = _inbox(api, city, "objection_review")
    from tests.api.test_dashboard import staff

    reviewer, _ = staff(api, "officer", jurisdiction="620100")
    reviewer.log_in()
    page = reviewer.get(f"/dashboard/tasks/{review['id']}").text  # the centre reviews what it can read
    assert body["text"] in page and "企业工作机构调查异议：异议不成立——监控录像显示本人参考" in page
    _decide(api, city, review["id"], decision="reinvestigate", reason="请调取身份核验记录")
    _batch_flow_wakes(api, pid)
    with db(api) as session:
        assert not investigations_closed(session, case_type="plan", case_id=pid)
    [again] = _inbox(api, enterprise, "objection_enterprise_investigation")
    assert again["id"] != task["id"]
    _decide(api, enterprise, again["id"], decision="uphold", reason="身份核验记录缺失，认定代考属实")
    _batch_flow_wakes(api, pid)
    [second_review] = _inbox(api, city, "objection_review")
    _decide(api, city, second_review["id"], decision="confirm")
    with db(api) as session:
        assert investigations_closed(session, case_type="plan", case_id=pid)
        assert [o.id for o in record_outcomes(session, case_type="plan", case_id=pid)] == [objection_id]
        assert session.get(Objection, objection_id).outcome == "upheld"  # the confirmed (second) finding


def test_objections_the_enterprise_investigates_are_not_dismissed_in_bulk_by_the_centre(api, people):
    pid, _ = _results_in_publicity(api)
    body = {"case_type": "plan", "case_id": pid, "name": "王五", "phone": "13900139000",
            "text": "该批次成绩有误，请核实"}
    raised = api.post("/api/v1/public/objections", json=body)
    assert raised.status_code == 201, raised.text
    objection_id = raised.json()["objection_id"]
    city = people.make("officer", jurisdiction="620100")
    answer = api.post(
        f"/api/v1/plans/{pid}/objections/dismissals",
        headers=city,
        json={"objection_ids": [objection_id], "reason": "重复异议"},
    )
    assert answer.status_code == 409 and "企业工作机构" in answer.json()["detail"]


def test_an_objector_follows_the_objection_by_its_receipt_and_sees_no_one_elses_data(api, people):
    fid = _filing_in_publicity(api)
    city = people.make("officer", jurisdiction="620100")
    body = {"case_type": "filing", "case_id": fid, "name": "张三", "phone": "13800138000",
            "text": "该企业场地不符合条件"}
    created = api.post("/api/v1/public/objections", json=body).json()
    receipt = created["receipt_number"]
    assert receipt.startswith("YY20260901") and len(receipt) == 18
    followed = api.get(f"/api/v1/public/objections/{receipt}")
    assert followed.status_code == 200
    assert followed.json() == {"receipt_number": receipt, "publicity": "备案评估结果公示：公示中的企业",
                               "raised_on": "2026-09-01", "status": "已受理，调查核实中", "closed": False,
                               "outcome": None, "outcome_label": None}
    assert "13800138000" not in followed.text and "场地" not in followed.text and "张三" not in followed.text

    [task] = _inbox(api, city, "objection_investigation")
    _decide(api, city, task["id"], decision="dismiss", reason="现场核查场地符合条件")
    closed = api.get(f"/api/v1/public/objections/{receipt}").json()
    assert (closed["status"], closed["closed"], closed["outcome"], closed["outcome_label"]) == (
        "调查结束", True, "dismissed", "异议不成立")
    assert "现场核查" not in api.get(f"/api/v1/public/objections/{receipt}").text  # the finding stays inside

    assert api.get("/api/v1/public/objections/YY20260901ABCDEFGH").status_code == 404
    assert api.get("/api/v1/public/objections/TS20260901ABCDEFGH").status_code == 422  # a complaint's receipt
    page = api.post("/publicity/objections", data={**body, "case_id": str(fid), "phone": "13900139000"})
    assert page.status_code == 201
    second = page.text.split('<strong class="receipt-number">', 1)[1].split("<", 1)[0]
    assert second.startswith("YY") and second != receipt
    looked_up = api.get("/publicity/objections/lookup", params={"receipt": f" {second.lower()} "})
    assert looked_up.status_code == 200 and '<dd class="lookup-status">已受理，调查核实中</dd>' in looked_up.text
    missing = api.get("/publicity/objections/lookup", params={"receipt": "YY20260901ABCDEFGH"})
    assert missing.status_code == 404 and "没有这个异议受理编号" in missing.text


def test_a_publicitys_end_says_how_it_was_counted_in_the_json_and_on_the_page(api):
    from tasks.waits.timers import ensure_timer

    fid = _filing_in_publicity(api)
    with db(api) as session:  # the timer the process sets when the publicity starts
        ensure_timer(session, key=f"filing:{fid}:publicity", case_type="filing", case_id=fid, purpose="publicity",
                     start=TODAY, working_days=5)
    told = api.get("/api/v1/public/publicities", params={"kind": "filing"}).json()["items"][0]["publicity"]
    assert told["explanation"].startswith("公示期满：5 个工作日。自 2026年9月1日（周二）")
    assert "周六、周日" in told["explanation"] and told["explanation"].endswith("期满次日（2026-09-09）流程继续。")
    page = api.get("/publicity").text
    assert "公示期怎么算" in page and "公示期满：5 个工作日" in page

