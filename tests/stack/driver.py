"""Drive the embedded instance over HTTP like the enterprises and officers would."""

from __future__ import annotations

import datetime as dt
import time
from typing import Any

import httpx

from certflow.demo import ASPECTS, MATERIALS, Demo
from models.db import session_scope
from policy.identity import resident_id_check_char
from policy.profiles import profile_for_region
from tasks.people.accounts import create_user
from tasks.waits.calendar import load_calendar

_used = set()
# per database (the stack's, or each replay test's own): user ids, and so these names, repeat across databases
EXPERTS: dict[str, dict[str, str]] = {}  # every test's experts: the panel is drawn from all of them
SUPERVISORS: dict[str, dict[str, str]] = {}  # the quality supervisors on each centre's roster (made once per centre)
_rosters: set[tuple[str, str]] = set()


def credit_code(region: str = "440106") -> str:
    """A valid unified social credit code registered in `region` (a first filing's region must lie
    in the city of the code's registration authority)."""
    from policy.identity import credit_code_check_char

    for n in range(1_000_000):
        first17 = f"91{region}MA5{n:06d}"
        code = first17 + credit_code_check_char(first17)
        if code not in _used:
            _used.add(code)
            return code
    raise RuntimeError("out of test credit codes")


def person(n: int, region: str = "440106") -> str:
    first17 = f"{region}1990{(n % 12) + 1:02d}{(n % 27) + 1:02d}{n % 1000:03d}"
    return first17 + resident_id_check_char(first17)


class Driver(Demo):
    """`region`: where this driver's enterprise is registered (Guangzhou by default); `officer` is an
    officer of that province's provincial centre, `officer_at(centre)` one of any centre."""

    def __init__(self, stack, prefix: str, region: str = "440106") -> None:
        self.stack = stack
        self.url = stack.settings.database_url
        self.prefix = prefix
        self.region = region
        tokens = {"admin": self._token("admin"), "enterprise": self._token("enterprise"),
                  "officer": self._token("officer", jurisdiction=region[:2] + "0000"),
                  "officer_js": self._token("officer", jurisdiction="320000"),
                  "public": self._token("operations"), "operations": self._token("operations"),
                  **EXPERTS.setdefault(self.url, {})}
        for centre in (region[:4] + "00", region[:2] + "0000"):  # supervision rosters are never empty here
            if (self.url, centre) not in _rosters:
                user, token = create_user(self.url, role="supervisor", name=f"roster-{centre}-{time.monotonic_ns()}",
                                          jurisdiction=centre, card_number=f"CARD-{centre}")
                SUPERVISORS.setdefault(self.url, {})[f"supervisor{user.id}"] = token
                _rosters.add((self.url, centre))
        tokens.update(SUPERVISORS.get(self.url, {}))
        with session_scope(self.url) as session:
            calendar = load_calendar(session)
        super().__init__(stack.api_url, tokens, stack.prefect_url, calendar, out=lambda *_: None)

    def _token(self, role: str, **kwargs: Any) -> str:
        name = f"{self.prefix}-{role}-{kwargs.get('jurisdiction', '')}-{time.monotonic_ns()}"
        return create_user(self.url, role=role, name=name, **kwargs)[1]

    def officer_at(self, centre: str) -> str:
        """The name of a token of an officer of `centre` (made on first use)."""
        name = f"officer@{centre}"
        if name not in self.tokens:
            self.tokens[name] = self._token("officer", jurisdiction=centre)
        return name

    def add_experts(self, count: int = 3) -> None:
        for _ in range(count):
            user, token = create_user(self.url, role="expert", name=f"{self.prefix}-expert-{time.monotonic_ns()}")
            self.tokens[f"expert{user.id}"] = EXPERTS.setdefault(self.url, {})[f"expert{user.id}"] = token

    def filing_form(self, region: str | None = None, missing: tuple[str, ...] = ()) -> dict:
        region = region or self.region
        return {
            "enterprise_name": f"{self.prefix} 测试企业", "credit_code": credit_code(region), "region_code": region,
            "registered_address": "测试路1号", "registered_capital_wan": 1000, "business_scope": "制造",
            "ownership": "private", "employees": 500, "contact_name": "联系人", "contact_phone": "13800138000",
            "occupations": [{"code": "6-18-01-01", "levels": [3, 4, 5]}],
            "materials": [{"kind": k} for k in MATERIALS if k not in missing],
        }

    def file(self, *, recommend: bool = True, **kwargs: Any) -> int:
        """A filing of the driver's enterprise; where the profile opens with the city's recommendation
        (Guangdong, 003 §一(一)), the city's centre recommends it unless told not to (recommend=False)."""
        fid = self.call("enterprise", "POST", "/api/v1/filings", json=self.filing_form(**kwargs))["id"]
        first = profile_for_region(self.region).filing_steps[0]
        if recommend and first.step == "city_recommendation":
            self.filing_step(fid, first)
        return fid

    def open_tasks(self, who: str, step: str, case_id: int) -> list[dict]:
        return self.wait(f"open {step}", lambda: [t for t in self.task(who, step, case_id)
                                                  if t["status"] in ("open", "claimed")])

    def score_panel(self, filing_id: int, score: float) -> None:
        tasks = self.wait("panel", lambda: self._expert_tasks(filing_id))
        for task in tasks:
            self.decide(f"expert{task['assignee_id']}", task, decision="score", scores={a: score for a in ASPECTS})

    def report_supervision(self, plan_id: int) -> None:
        """When the batch was drawn for supervision, a roster supervisor files a report without issues (the
        review waits for it). Call it once the evaluation day has passed (the task opens then)."""
        if not self.officer_plan(plan_id)["supervision"]["supervised"]:
            return

        def probe():
            for who in [w for w in self.tokens if w.startswith("supervisor")]:
                for t in self.call(who, "GET", "/api/v1/tasks", params={"step": "quality_supervision", "limit": 200})[
                        "items"]:
                    if t["case_id"] == plan_id and t["status"] in ("open", "claimed"):
                        return who, t
            return None

        who, _ = self.wait(f"supervision of plan {plan_id}", probe)
        self.supervise(who, plan_id)

    def wait_status(self, kind: str, case_id: int, *statuses: str, timeout: float = 240) -> dict:
        read = self.filing_status if kind == "filing" else self.plan_status
        return self.wait(f"{kind} {case_id} in {statuses}", lambda: (s := read(case_id))["status"] in statuses and s,
                         timeout)

    def register(self) -> dict:
        """A filing driven straight to registration through the steps of its province's profile."""
        self.add_experts()
        fid = self.file(recommend=False)
        for step in profile_for_region(self.region).filing_steps:
            if step.step == "registration":
                break
            self.filing_step(fid, step)
        return self.wait_status("filing", fid, "registered")

    def centre(self, case: dict, by: str) -> str:
        return {"municipal": self.region[:4] + "00", "provincial": self.region[:2] + "0000"}.get(
            by, case.get("handling_centre") or "")

    def filing_step(self, fid: int, step) -> None:  # a ProcessStep
        """Take one step of a filing the way its people would, the task going to the step's centre."""
        centre = self.centre(self.call("officer", "GET", f"/api/v1/filings/{fid}"), step.by)
        if step.step == "city_recommendation":  # 003 §一(一): the city's centre recommends first
            who = self.officer_at(centre)
            self.decide(who, self.open_tasks(who, "city_recommendation", fid)[0], decision="recommend")
        elif step.step == "acceptance":
            self.decide(self.officer_at(centre), self.open_tasks(self.officer_at(centre), "acceptance", fid)[0],
                        decision="approve")
        elif step.step == "expert_evaluation":
            self.score_panel(fid, 80)
        elif step.step in ("best_selection", "leading_group_approval", "cities_report"):
            who = self.officer_at(centre)
            decision = {"best_selection": "select", "leading_group_approval": "approve"}.get(step.step, "include")
            self.decide(who, self.open_tasks(who, step.step, fid)[0], decision=decision)
        elif step.step == "publicity":
            self.wait_status("filing", fid, "publicity")
            self.pass_timer("filing", fid, "publicity")
        elif step.step == "ministry_review":
            self.wait("ministry review answered", lambda: any(
                e["action"] == "ministry_review_passed"
                for e in self.call("officer", "GET", f"/api/v1/filings/{fid}")["history"]))
        elif step.step == "registration":
            self.wait_status("filing", fid, "registered")
        elif step.step == "national_report":  # 004 §四(四): reported to the national centre for publication
            self.wait("reported to the national centre", lambda: any(
                e["action"] == "national_report_acknowledged"
                for e in self.call("officer", "GET", f"/api/v1/filings/{fid}")["history"]))
        elif step.step == "pilot_plan_evaluation":
            self.wait("pilot plan awaited", lambda: self.filing_status(fid)["current_step"] == "pilot_plan_submission")
            self.call("enterprise", "POST", f"/api/v1/filings/{fid}/pilot-plan",
                      json={"summary": "试点方案：认定职业、组织机构、评价方式、质量保障和进度安排。"})
            for task in self.wait("pilot plan panel", lambda: self._expert_tasks(fid, "pilot_plan_evaluation")):
                self.decide(f"expert{task['assignee_id']}", task, decision="pass")
            self.wait("pilot plan passed", lambda: self.filing_status(fid)["pilot_plan_approved_on"])
        else:
            raise AssertionError(f"the driver does not know the filing step {step.step}")

    def batch_to_review(self, institution_id: int, *, candidates: int, offset: int,
                        late: bool = False) -> tuple[int, list[dict]]:
        """A plan through evaluation and results (late: submitted after the results window) to its review,
        in a profile with the national practice's steps (Sichuan's)."""
        lead = profile_for_region(self.region).plan_lead_working_days
        start = self.calendar.add(self.business_today(), lead + 2).date
        pid = self.call("enterprise", "POST", f"/api/v1/institutions/{institution_id}/plans",
                        json=self.plan_body(start, candidates=candidates, offset=offset))["id"]
        self.wait("drawn", lambda: self.officer_plan(pid)["supervision"]["draw_id"])
        self.pass_timer("plan", pid, "evaluation_day")
        self.report_supervision(pid)
        self.pass_timer("plan", pid, "evaluation_end")
        status = self.wait_status("plan", pid, "awaiting_results")
        if late:
            self.advance((dt.date.fromisoformat(status["results_due"]) - self.business_today()).days + 1)
        self.call("enterprise", "POST", f"/api/v1/plans/{pid}/results",
                  json={"scores": [{"candidate_id": c["id"], "practical": 90} for c in status["candidates"]]})
        self.wait_status("plan", pid, "publicity")
        self.pass_timer("plan", pid, "results_publicity")
        return pid, status["candidates"]

    def completed_batch(self, candidates: int = 3, offset: int = 0) -> dict:
        """A batch of a registered institution of the driver's region, reviewed and driven to its certificates."""
        pid, _ = self.batch_to_review(registered_institution(self, self.region), candidates=candidates, offset=offset)
        reviewer = self.officer_at(self.officer_plan(pid)["handling_centre"])
        self.decide(reviewer, self.open_tasks(reviewer, "results_review", pid)[0], decision="approve")
        return self.wait_status("plan", pid, "completed")

    def plan_body(self, start: dt.date, candidates: int = 4, offset: int = 0, relation: str = "employee") -> dict:
        return {"occupation_code": "6-18-01-01", "evaluation_start": start.isoformat(),
                "evaluation_end": start.isoformat(), "site": "实训中心",
                "candidates": [{"name": f"学员{i}", "id_number": person(offset + i), "relation": relation,
                                "workplace_region": self.region, "years_in_occupation": 6, "level": 4}
                               for i in range(candidates)],
                "proctors": ["监考"], "evaluators": ["考评"], "quality_supervisors": ["督导"]}

    def sim(self, **config: Any) -> dict:
        return httpx.post(f"{self.stack.sim_url}/_config", json=config, timeout=10).json()


def registered_institution(driver: Driver, region: str, kind: str = "Y") -> int:
    """A registered institution made directly in the database (plan tests need one, not its filing),
    with the driver's enterprise user acting for it."""
    from sqlmodel import select

    from core.clock import wall_now
    from models.accounts import User
    from models.cases import Institution, InstitutionOccupation, SegmentCounter
    from policy.numbering import next_institution_segment
    from policy.profiles import profile_for_region

    profile = profile_for_region(region)
    today = driver.business_today()  # before the session: the API needs the database too
    with session_scope(driver.url) as session:
        counter = session.get(SegmentCounter, profile.province_code) or SegmentCounter(province=profile.province_code)
        segment = next_institution_segment(kind, profile.province_code, counter.last_serial)
        counter.last_serial = segment.serial
        session.add(counter)
        institution = Institution(
            name=f"{driver.prefix} 已备案企业",
            credit_code=credit_code(region),
            region_code=region,
            kind=kind,
            profile_code=profile.code,
            segment=str(segment),
            status="registered",
            registered_on=today,
            created_at=wall_now(),
            pilot_plan_approved_on=today,
        )
        session.add(institution)
        session.flush()
        session.add(InstitutionOccupation(institution_id=institution.id, occupation_code="6-18-01-01", levels="345"))
        enterprise = session.exec(select(User).where(User.name.like(f"{driver.prefix}-enterprise-%"))).first()
        enterprise.institution_id = institution.id
        session.add(enterprise)
        return institution.id
