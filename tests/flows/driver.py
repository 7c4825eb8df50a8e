"""Drive the embedded instance over HTTP like the enterprises and officers would."""

from __future__ import annotations

import datetime as dt
import time
from typing import Any

import httpx

from certflow.demo import ASPECTS, MATERIALS, Demo
from models.db import session_scope
from policy.identity import resident_id_check_char
from tasks.accounts import create_user
from tasks.calendar import load_calendar

_used = set()
EXPERTS: dict[str, str] = {}  # every test's experts: the panel is drawn from all of them


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
    def __init__(self, stack, prefix: str) -> None:  # noqa: ANN001
        self.stack = stack
        self.url = stack.settings.database_url
        self.prefix = prefix
        tokens = {"admin": self._token("admin"), "enterprise": self._token("enterprise"),
                  "officer": self._token("officer", jurisdiction="440000"),
                  "officer_js": self._token("officer", jurisdiction="320000"),
                  "public": self._token("operations"), "operations": self._token("operations"), **EXPERTS}
        with session_scope(self.url) as session:
            calendar = load_calendar(session)
        super().__init__(stack.api_url, tokens, stack.prefect_url, calendar, out=lambda *_: None)

    def _token(self, role: str, **kwargs: Any) -> str:
        name = f"{self.prefix}-{role}-{kwargs.get('jurisdiction', '')}-{time.monotonic_ns()}"
        return create_user(self.url, role=role, name=name, **kwargs)[1]

    def add_experts(self, count: int = 3) -> None:
        for _ in range(count):
            user, token = create_user(self.url, role="expert", name=f"{self.prefix}-expert-{time.monotonic_ns()}")
            self.tokens[f"expert{user.id}"] = EXPERTS[f"expert{user.id}"] = token

    def filing_form(self, region: str = "440106", missing: tuple[str, ...] = ()) -> dict:
        return {
            "enterprise_name": f"{self.prefix} 测试企业", "credit_code": credit_code(region), "region_code": region,
            "registered_address": "测试路1号", "registered_capital_wan": 1000, "business_scope": "制造",
            "ownership": "private", "employees": 500, "contact_name": "联系人", "contact_phone": "13800138000",
            "occupations": [{"code": "6-18-01-01", "levels": [3, 4, 5]}],
            "materials": [{"kind": k} for k in MATERIALS if k not in missing],
        }

    def file(self, **kwargs: Any) -> int:
        return self.call("enterprise", "POST", "/api/v1/filings", json=self.filing_form(**kwargs))["id"]

    def open_tasks(self, who: str, step: str, case_id: int) -> list[dict]:
        return self.wait(f"open {step}", lambda: [t for t in self.task(who, step, case_id)
                                                  if t["status"] in ("open", "claimed")])

    def score_panel(self, filing_id: int, score: float) -> None:
        tasks = self.wait("panel", lambda: self._expert_tasks(filing_id))
        for task in tasks:
            self.decide(f"expert{task['assignee_id']}", task, decision="score", scores={a: score for a in ASPECTS})

    def wait_status(self, kind: str, case_id: int, *statuses: str, timeout: float = 120) -> dict:
        read = self.filing_status if kind == "filing" else self.plan_status
        return self.wait(f"{kind} {case_id} in {statuses}", lambda: (s := read(case_id))["status"] in statuses and s,
                         timeout)

    def register(self, region: str = "440106") -> dict:
        """A filing driven straight to registration."""
        self.add_experts()
        fid = self.file(region=region)
        self.decide("officer" if region.startswith("44") else "officer_js", self.open_tasks(
            "officer" if region.startswith("44") else "officer_js", "acceptance", fid)[0], decision="approve")
        self.score_panel(fid, 80)
        self.wait_status("filing", fid, "publicity")
        self.pass_timer("filing", fid, "publicity")
        return self.wait_status("filing", fid, "registered")

    def plan_body(self, start: dt.date, candidates: int = 4, offset: int = 0) -> dict:
        return {"occupation_code": "6-18-01-01", "evaluation_start": start.isoformat(),
                "evaluation_end": start.isoformat(), "site": "实训中心",
                "candidates": [{"name": f"学员{i}", "id_number": person(offset + i), "relation": "employee",
                                "level": 4} for i in range(candidates)],
                "proctors": ["监考"], "evaluators": ["考评"], "quality_supervisors": ["督导"]}

    def sim(self, **config: Any) -> dict:
        return httpx.post(f"{self.stack.sim_url}/_config", json=config, timeout=10).json()


def registered_institution(driver: Driver, region: str) -> int:
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
        segment = next_institution_segment("Y", profile.province_code, counter.last_serial)
        counter.last_serial = segment.serial
        session.add(counter)
        institution = Institution(name=f"{driver.prefix} 已备案企业", credit_code=credit_code(region), region_code=region,
                                  profile_code=profile.code, segment=str(segment), status="registered",
                                  registered_on=today, created_at=wall_now())
        session.add(institution)
        session.flush()
        session.add(InstitutionOccupation(institution_id=institution.id, occupation_code="6-18-01-01", levels="345"))
        enterprise = session.exec(select(User).where(User.name.like(f"{driver.prefix}-enterprise-%"))).first()
        enterprise.institution_id = institution.id
        session.add(enterprise)
        return institution.id
