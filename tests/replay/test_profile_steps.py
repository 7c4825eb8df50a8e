"""Each profile's step order, fast: the two flows called in-process (the replay tier's Prefect API records
their runs; our tables in a fresh SQLite folder), with the suspension replaced by a recorded wait. The
test answers each wait as the people would — decides the open tasks at the centre the task names, hands
in the enterprise's pilot plan or results, or moves the simulated clock to the next timer — and calls
the flow again: a replay, as a resumed run is. Seconds per province; the same order through the API is
tests/replay/test_province_processes.py."""

from __future__ import annotations

import datetime as dt
import itertools

import pytest
from sqlmodel import select

from core.clock import CHINA
from flows.evaluation_batch import evaluation_batch
from flows.institution_filing import institution_filing
from models.accounts import User
from models.cases import (
    Candidate,
    Certificate,
    EvaluationPlan,
    FilingApplication,
    Institution,
    InstitutionOccupation,
    Objection,
)
from models.clock import business_today, set_business_now
from models.db import session_scope
from models.schemas import DecisionIn, FilingCreate, PilotPlanCreate, PlanCreate, PublicObjectionCreate, ResultsCreate
from models.workflow import ExternalSubmission, HumanTask, Incident, Timer
from policy.eligibility import EXPERT_ASPECTS
from policy.profiles import profile_for_region
from tasks.cases import batch, decisions, filing, investigations, objections
from tasks.people.accounts import create_user
from tasks.waits import human_tasks
from tasks.waits.calendar import load_calendar
from tasks.waits.timers import fire_due_timers
from tests.api.helpers import filing_form, person, plan_body
from tests.replay.engine import RecordedWait, ReplayEngine
from tests.replay.test_province_processes import REGIONS

pytestmark = pytest.mark.slow

REPORT = {"identity_checked": True, "proctoring_ok": True, "video_running": True, "scored_per_standard": True,
          "findings": [], "verdict": "no_issues"}
DECISIONS = {  # what the people decide at each step when nothing goes wrong
    "city_recommendation": {"decision": "recommend"}, "acceptance": {"decision": "approve"},
    "expert_evaluation": {"decision": "score", "scores": dict.fromkeys(EXPERT_ASPECTS, 85)},
    "best_selection": {"decision": "select"}, "leading_group_approval": {"decision": "approve"},
    "cities_report": {"decision": "include"}, "pilot_plan_evaluation": {"decision": "pass"},
    "roster_review": {"decision": "approve"}, "results_review": {"decision": "approve"},
    "quality_supervision": {"decision": "report", "reason": "现场督导未发现问题", "report": REPORT},
    "objection_investigation": {"decision": "dismiss", "reason": "经核实不属实"},
    "objection_enterprise_investigation": {"decision": "dismiss", "reason": "调取监控核实，本人参考"},
    "objection_review": {"decision": "confirm"},
}
HUMAN_FILING_STEPS = ("city_recommendation", "acceptance", "expert_evaluation", "best_selection",
                      "leading_group_approval", "cities_report", "pilot_plan_evaluation")
_names = itertools.count(1)


class Harness:
    def __init__(self, url: str, region: str, engine: ReplayEngine) -> None:
        self.url, self.region, self.engine = url, region, engine
        self.waits: list[str] = []
        self.decided: list[tuple[str, str]] = []  # (step, jurisdiction) of every task, in the order decided
        self.on_wait = lambda what: None  # a test's own act at a wait (an objection during the publicity)
        self.scripted: dict[str, list[dict]] = {}  # a step's decisions in turn, before the usual one
        self.enterprise = self.user("enterprise")
        for centre in (region[:4] + "00", region[:2] + "0000"):
            self.user("supervisor", jurisdiction=centre, card_number=f"CARD-{centre}")
        for _ in range(4):
            self.user("expert")

    def user(self, role: str, **fields) -> User:
        return create_user(self.url, role=role, name=f"inproc-{role}-{next(_names)}", **fields)[0]

    def drive(self, flow, case_id: int) -> str:  # a Prefect flow
        """Call the flow until it returns, answering each recorded wait in between (one run: one id)."""
        self.engine.current = f"inproc-{flow.name}-{case_id}"
        for _ in range(60):
            try:
                return flow(case_id)
            except RecordedWait as wait:
                what = str(wait)
                self.waits.append(what)
                self.on_wait(what)
                if not (self.decide_open_tasks(case_id, what) or self.hand_in(what, case_id) or self.pass_next_timer()):
                    raise AssertionError(f"the run waits for {what!r} and nobody here answers it "
                                         f"(incidents: {self.incidents(case_id)})") from None
        raise AssertionError(f"still waiting after 60 replays: {self.waits[-5:]}")

    def decide_open_tasks(self, case_id: int, what: str) -> bool:
        """Decide the case's open tasks; an objection's only once the run waits for its investigation, so
        that a test sees the run held by it."""
        with session_scope(self.url) as session:
            open_tasks = [t for t in session.exec(select(HumanTask).where(
                HumanTask.case_id == case_id, HumanTask.status.in_(("open", "claimed"))).order_by(HumanTask.id)).all()
                if not t.step.startswith("objection") or what == "objection investigations"]
            keys = [(t.id, t.assignee_id, t.role, t.jurisdiction) for t in open_tasks]
        for task_id, assignee_id, role, jurisdiction in keys:
            if assignee_id is None and role == "enterprise":  # a step the enterprise's own body takes
                assignee_id = self.enterprise.id
            if assignee_id is None:  # a pooled seat or a centre's task: someone of that centre takes it
                card = {"card_number": f"CARD-{jurisdiction}"} if role == "supervisor" else {}
                assignee_id = self.user(role, jurisdiction=jurisdiction, **card).id
            with session_scope(self.url) as session:
                task, user = session.get(HumanTask, task_id), session.get(User, assignee_id)
                human_tasks.claim(session, task, user_id=user.id, role=user.role)
                scripted = self.scripted.get(task.step)
                body = scripted.pop(0) if scripted else DECISIONS[task.step]
                decisions.decide(session, task=task, user=user, body=DecisionIn(**body))
                self.decided.append((task.step, task.jurisdiction))
        return bool(keys)

    def hand_in(self, what: str, case_id: int) -> bool:
        """What the enterprise provides: its pilot plan (试点方案), its results."""
        with session_scope(self.url) as session:
            enterprise = session.get(User, self.enterprise.id)
            if what.startswith("pilot plan round"):
                filing.submit_pilot_plan(session, filing_id=case_id, user=enterprise, body=PilotPlanCreate(
                    summary="试点方案：认定职业、组织机构、评价方式、质量保障和进度安排。"))
                return True
            if what.startswith("results round"):
                ids = session.exec(select(Candidate.id).where(Candidate.plan_id == case_id)).all()
                batch.submit_results(session, user=enterprise, plan_id=case_id, body=ResultsCreate(
                    scores=[{"candidate_id": i, "practical": 90} for i in ids]))
                return True
        return False

    def pass_next_timer(self) -> bool:
        """Move the simulated clock to the next pending timer's day and fire what is due (the tick's pass)."""
        with session_scope(self.url) as session:
            timer = session.exec(select(Timer).where(Timer.status == "pending").order_by(Timer.due_date)).first()
            if timer is None:
                return False
            if timer.due_date > business_today(session):
                set_business_now(session, dt.datetime.combine(timer.due_date, dt.time(9), CHINA))
            fire_due_timers(session, timer.due_date)
            return True

    def incidents(self, case_id: int) -> list[str]:
        with session_scope(self.url, readonly=True) as session:
            return [i.error for i in session.exec(select(Incident).where(Incident.case_id == case_id)).all()]

    def timers_waited(self) -> set[str]:
        with session_scope(self.url, readonly=True) as session:
            return {t.purpose for t in session.exec(select(Timer).where(Timer.status == "fired")).all()}


@pytest.fixture()
def harness(instance):
    """A fresh SQLite instance on a simulated clock (the replay tier's), calling the simulator; every
    suspension of the flows raises RecordedWait instead."""
    return lambda region: Harness(instance.settings.database_url, region, instance.engine)


def _centre(region: str, handling: str, by: str) -> str:
    return {"municipal": region[:4] + "00", "provincial": region[:2] + "0000"}.get(by, handling)


def _without_repeats(pairs: list[tuple[str, str]]) -> list[tuple[str, str]]:
    """A panel's seats decided one after another count as its step once."""
    return [p for i, p in enumerate(pairs) if i == 0 or pairs[i - 1] != p]


@pytest.mark.parametrize("profile_code", sorted(REGIONS))
def test_a_filing_takes_exactly_its_profiles_steps_in_order_in_process(harness, profile_code):
    region = REGIONS[profile_code]
    run = harness(region)
    profile = profile_for_region(region)
    with session_scope(run.url) as session:
        filed = filing.submit_filing(session, applicant=session.get(User, run.enterprise.id),
                                     form=FilingCreate(**filing_form(region_code=region)))
        filing_id, handling = filed.id, filed.handling_centre
    assert run.drive(institution_filing, filing_id) == "registered"

    expected = [(s.step, _centre(region, handling, s.by)) for s in profile.filing_steps if s.step in HUMAN_FILING_STEPS]
    assert _without_repeats(run.decided) == expected
    listed = {s.step for s in profile.filing_steps}
    assert ("publicity" in run.timers_waited()) == ("publicity" in listed)
    with session_scope(run.url) as session:
        sent = {e.kind for e in session.exec(select(ExternalSubmission)).all()}
        assert ("ministry_review" in sent) == ("ministry_review" in listed)
        institution = session.get(Institution, session.get(FilingApplication, filing_id).institution_id)
        assert institution.status == "registered" and institution.segment
        assert (institution.pilot_plan_approved_on is not None) == ("pilot_plan_evaluation" in listed)


def _registered(run: Harness, region: str, kind: str) -> int:
    """A registered institution of `kind` in `region` (past its pilot plan) for 6-18-01-01 levels 3–5,
    the harness's enterprise acting for it."""
    profile = profile_for_region(region)
    with session_scope(run.url) as session:
        institution = Institution(name="在册企业", credit_code=filing_form(region_code=region)["credit_code"],
                                  region_code=region, kind=kind, profile_code=profile.code,
                                  segment=f"{kind}0000{region[:2]}{next(_names):06d}", status="registered",
                                  registered_on=business_today(session), pilot_plan_approved_on=business_today(session),
                                  created_at=dt.datetime.now(dt.UTC))
        session.add(institution)
        session.flush()
        session.add(InstitutionOccupation(institution_id=institution.id, occupation_code="6-18-01-01", levels="345"))
        session.get(User, run.enterprise.id).institution_id = institution.id
        return institution.id


def _filed_plan(run: Harness, region: str, kind: str, institution_id: int | None = None) -> tuple[int, str]:
    """A registered institution of `kind` in `region` with a plan of three candidates, filed in time."""
    profile = profile_for_region(region)
    institution_id = institution_id or _registered(run, region, kind)
    with session_scope(run.url) as session:
        enterprise = session.get(User, run.enterprise.id)
        start = load_calendar(session).add(business_today(session), profile.plan_lead_working_days + 2).date
        body = plan_body(start, candidates=3)
        relation = profile.candidate_relations(kind)[0]  # an S organisation's candidates are its own (002 §(十八))
        for n, candidate in enumerate(body["candidates"]):
            candidate.update(id_number=person(700 + n), workplace_region=region, relation=relation)
        plan = batch.file_plan(session, user=enterprise, institution_id=institution_id, body=PlanCreate(**body))
        return plan.id, plan.handling_centre


@pytest.mark.parametrize("profile_code,kind", [*[(code, "Y") for code in sorted(REGIONS)], ("jiangsu", "S")])
def test_a_batch_takes_exactly_its_profiles_steps_in_order_in_process(harness, profile_code, kind):
    region = REGIONS[profile_code]
    run = harness(region)
    profile = profile_for_region(region)
    plan_id, handling = _filed_plan(run, region, kind)
    assert run.drive(evaluation_batch, plan_id) == "completed: 3 certificates"

    waited = run.timers_waited()
    with session_scope(run.url, readonly=True) as session:
        plan = session.get(EvaluationPlan, plan_id)
        steps = [s for s in profile.batch_steps if s.applies_to(kind)]
        expected = []
        for step in steps:
            centre = _centre(region, handling, step.by)
            if step.step == "roster_review":
                expected.append((step.step, centre))
            elif step.step == "quality_supervision" and plan.supervised:
                expected.append((step.step, batch.supervision_centre(plan)))
            elif step.step == "results_review" and ("results_review", centre) not in expected:
                expected.append((step.step, centre))
        assert run.decided == expected
        listed = {s.step for s in steps}
        assert {"evaluation_day", "evaluation_end"} <= waited
        assert ("results_publicity" in waited) == ("results_publicity" in listed)
        certificates = session.exec(select(Certificate).where(Certificate.plan_id == plan_id)).all()
        assert [c.status for c in certificates] == ["valid"] * 3  # valid once the national system acknowledged


def test_a_central_enterprise_branchs_batch_is_managed_by_guangdongs_provincial_centre_at_every_step(harness):
    """003 §四(三): 中央企业驻粤分支机构、省直属企业的评价活动由省职业技能服务指导中心直接管理 — its plan, spot
    check and first review go to 440000, not to the city centre (440100) that takes a private enterprise's."""
    region = REGIONS["guangdong"]
    run = harness(region)
    institution_id = _registered(run, region, "Y")
    with session_scope(run.url) as session:
        now = dt.datetime.now(dt.UTC)
        session.add(FilingApplication(institution_id=institution_id, profile_code="guangdong", region_code=region,
                                      handling_centre="440000", status="registered", created_at=now, updated_at=now,
                                      form={**filing_form(region_code=region), "ownership": "central_branch"}))
    plan_id, handling = _filed_plan(run, region, "Y", institution_id)
    assert handling == "440000"
    assert run.drive(evaluation_batch, plan_id) == "completed: 3 certificates"
    assert run.decided and {centre for _, centre in run.decided} == {"440000"}
    assert ("results_review", "440000") in run.decided


def _objecting_once_in_the_publicity(run, plan_id: int):
    """A member of the public objects the first time the run waits for the results publicity's timer."""
    def object_once(what: str) -> None:
        if what.startswith(f"timer plan:{plan_id}:publicity") and not run.waits[:-1].count(what):
            with session_scope(run.url) as session:
                objections.raise_public_objection(session, body=PublicObjectionCreate(
                    case_type="plan", case_id=plan_id, name="王五", phone="13900139000", text="第一名考生由他人代考"))

    return object_once


def test_in_gansu_a_results_objection_holds_the_batch_until_the_centre_confirms_the_enterprises_finding(harness):
    region = REGIONS["gansu"]
    run = harness(region)
    plan_id, handling = _filed_plan(run, region, "Y")

    run.on_wait = _objecting_once_in_the_publicity(run, plan_id)
    assert run.drive(evaluation_batch, plan_id) == "completed: 3 certificates"
    reviews = [d for d in run.decided if d[0].startswith("objection")]
    assert reviews == [("objection_enterprise_investigation", handling), ("objection_review", handling)]
    assert run.decided.index(reviews[-1]) < run.decided.index(("results_review", handling))
    assert run.waits.count("objection investigations") == 2  # held for the finding, then for the centre's review


def test_in_gansu_a_finding_the_centre_sends_back_is_investigated_again_by_the_flow_before_the_review(harness):
    region = REGIONS["gansu"]
    run = harness(region)
    plan_id, handling = _filed_plan(run, region, "Y")

    run.on_wait = _objecting_once_in_the_publicity(run, plan_id)
    run.scripted["objection_review"] = [{"decision": "reinvestigate", "reason": "请调取身份核验记录"}]
    assert run.drive(evaluation_batch, plan_id) == "completed: 3 certificates"
    steps = [step for step, _ in run.decided if step.startswith("objection")]
    assert steps == ["objection_enterprise_investigation", "objection_review"] * 2
    assert run.decided.index(("objection_review", handling), 2) < run.decided.index(("results_review", handling))
    assert run.waits.count("objection investigations") == 4  # finding, review, finding again, review
    with session_scope(run.url) as session:
        [objection] = session.exec(select(Objection).where(Objection.case_id == plan_id)).all()
        keys = [t.key for t in investigations.tasks_of(session, objection.id)]
    assert keys == [f"objection:{objection.id}", f"objection:{objection.id}:review:1",
                    f"objection:{objection.id}:2", f"objection:{objection.id}:review:2"]


def test_a_change_of_scope_runs_the_filing_steps_again_but_not_the_pilot_plan_and_keeps_the_segment(harness):
    region = REGIONS["guangdong"]
    run = harness(region)
    profile = profile_for_region(region)
    institution_id = _registered(run, region, "Y")
    with session_scope(run.url) as session:
        institution = session.get(Institution, institution_id)
        segment = institution.segment
        form = filing_form(region_code=region, credit_code=institution.credit_code, scope_change=True,
                           occupations=[{"code": "4-03-02-01", "levels": [4]}])
        filed = filing.submit_filing(session, applicant=session.get(User, run.enterprise.id),
                                     form=FilingCreate(**form))
        filing_id, handling = filed.id, filed.handling_centre
    assert run.drive(institution_filing, filing_id) == "registered"

    expected = [(s.step, _centre(region, handling, s.by)) for s in profile.filing_steps
                if s.step in HUMAN_FILING_STEPS and s.step != "pilot_plan_evaluation"]  # passed once, not again
    assert _without_repeats(run.decided) == expected
    with session_scope(run.url, readonly=True) as session:
        institution = session.get(Institution, institution_id)
        scope = {o.occupation_code: o.levels for o in session.exec(select(InstitutionOccupation).where(
            InstitutionOccupation.institution_id == institution_id)).all()}
        assert (institution.segment, institution.status) == (segment, "registered")
        assert scope == {"6-18-01-01": "345", "4-03-02-01": "4"}
