"""`certflow demo`: the lifecycles end to end on a simulated clock, driven through the public API.

Two filings side by side, each through its own province's steps: an enterprise in Guangzhou
(one deficiency round, experts, 择优遴选, leading group, receipt, pilot plan) and one in Lanzhou
(the city accepts, experts, publicity with an objection, the province's report, the ministry
review). Then a plan of 20 candidates under the 广东 profile: results reviewed by the municipal and
then the provincial centre, certificates valid once the national system acknowledges them (one
holder is refused first and put right by operations). Last, a Jiangsu S-type organisation's session,
supervised on site as every such session is, its review waiting for the report. Every step is printed
with its business date.
"""

from __future__ import annotations

import _thread
import datetime as dt
import secrets
import sys
import threading
import time
from collections.abc import Callable
from typing import Any

import httpx

from policy.identity import resident_id_check_char

MATERIALS = ["business_licence", "hr_system", "education_fund", "evaluation_rules", "staff_roster", "venue_equipment"]
ASPECTS = ["basic_situation", "hr_system", "funding", "training_and_quality", "venue", "equipment",
           "information_system"]


class Demo:
    def __init__(self, api_url: str, tokens: dict[str, str], prefect_url: str, calendar, out=print) -> None:
        self.http = httpx.Client(base_url=api_url, timeout=30)
        self.tokens = tokens
        self.prefect_url = prefect_url
        self.out = out
        self.started = time.monotonic()
        self.calendar = calendar

    def call(self, who: str, method: str, path: str, headers: dict | None = None, **kwargs: Any) -> Any:
        headers = {"Authorization": f"Bearer {self.tokens[who]}", **(headers or {})}
        response = self.http.request(method, path, headers=headers, **kwargs)
        if response.status_code >= 400:
            raise RuntimeError(f"{method} {path} as {who}: HTTP {response.status_code} {response.text[:500]}")
        return response.json()

    def say(self, text: str) -> None:
        today = self.call("admin", "GET", "/api/v1/admin/clock")["business_now"][:10]
        self.out(f"[{today} | +{time.monotonic() - self.started:5.1f}s] {text}")

    def wait(self, what: str, probe: Callable[[], Any], timeout: float = 240) -> Any:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            found = probe()
            if found:
                return found
            time.sleep(0.3)
        raise TimeoutError(f"waited {timeout:.0f} s for: {what}")

    def task(self, who: str, step: str, case_id: int, count: int = 1) -> list[dict]:
        def probe():
            items = self.call(who, "GET", "/api/v1/tasks", params={"step": step, "limit": 200})["items"]
            mine = [t for t in items if t["case_id"] == case_id]
            return mine if len(mine) >= count else None

        return self.wait(f"{step} task for {who}", probe)

    def decide(self, who: str, task: dict, **decision: Any) -> None:
        self.call(who, "POST", f"/api/v1/tasks/{task['id']}/claim")
        self.call(who, "POST", f"/api/v1/tasks/{task['id']}/decision", json=decision)

    def advance(self, days: int) -> None:
        self.call("admin", "POST", "/api/v1/admin/clock", json={"advance_days": days})

    def pass_timer(self, kind: str, case_id: int, purpose: str, who: str = "enterprise") -> None:
        """Move the business clock to the day the case's pending timer fires (`who` reads the case)."""
        path = f"/api/v1/{ {'filing': 'filings', 'plan': 'plans', 'supervision': 'complaints'}[kind]}/{case_id}"
        timer = self.wait(f"{purpose} timer", lambda: [t for t in self.call(who, "GET", path)["timers"]
                                                       if t["purpose"] == purpose and t["status"] == "pending"])[0]
        days = (dt.date.fromisoformat(timer["fires_on"]) - self.business_today()).days
        if days > 0:
            self.advance(days)

    def business_today(self) -> dt.date:
        return dt.date.fromisoformat(self.call("admin", "GET", "/api/v1/admin/clock")["business_now"][:10])

    def filing_status(self, filing_id: int) -> dict:
        return self.call("enterprise", "GET", f"/api/v1/filings/{filing_id}")

    def plan_status(self, plan_id: int) -> dict:
        return self.call("enterprise", "GET", f"/api/v1/plans/{plan_id}")

    def officer_plan(self, plan_id: int) -> dict:
        """The centre's view of a plan (the supervision draw, who was drawn)."""
        return self.call("officer", "GET", f"/api/v1/plans/{plan_id}")

    def run_state(self, run_id: str) -> str:
        return httpx.get(f"{self.prefect_url}/api/flow_runs/{run_id}", timeout=10).json()["state"]["type"]

    # -- the story ----------------------------------------------------------

    def _form(self, name: str, credit_code: str, region: str, **changes: Any) -> dict:
        return {
            "enterprise_name": name, "credit_code": credit_code, "region_code": region,
            "registered_address": "示范路1号", "registered_capital_wan": 5000, "business_scope": "精密机械加工",
            "ownership": "private", "employees": 860, "skilled_staff": 420, "training_fund_wan": [120, 135],
            "contact_name": "陈经理", "contact_phone": "13800138000", "institution_kind": "Y",
            "occupations": [{"code": "6-18-01-01", "levels": [3, 4, 5], "basis": "国家职业技能标准 车工(2018年版)"}],
            "materials": [{"kind": k, "title": k} for k in MATERIALS], **changes,
        }

    def _score(self, fid: int) -> None:
        for n, task in enumerate(self.wait("panel", lambda: self._expert_tasks(fid))):
            self.decide(f"expert{task['assignee_id']}", task, decision="score", scores={a: 78 + n for a in ASPECTS})

    def institution_filing(self) -> dict:
        """广东 (003 §二): the provincial centre accepts (one deficiency round), experts evaluate, the best are
        selected (择优遴选), the leading group approves, the receipt and segment follow; then the pilot
        plan (试点方案) passes the experts. No publicity, no ministry review in Guangdong's text."""
        form = self._form("广州市示范精密机械有限公司", "91440106MA5C00001Y", "440106",
                          materials=[{"kind": k, "title": k} for k in MATERIALS if k != "venue_equipment"])
        filing = self.call(
            "enterprise", "POST", "/api/v1/filings", json=form, headers={"Idempotency-Key": "demo-filing"}
        )
        fid = filing["id"]
        self.say(
            f"广东 备案申请 filing #{fid} to the provincial centre {filing['handling_centre']} "
            f"(venue/equipment evidence missing)"
        )
        self.decide("officer_gz", self.task("officer_gz", "city_recommendation", fid)[0], decision="recommend")
        self.say("广东 市人社部门推荐意见 the Guangzhou centre recommends the enterprise (003 §一(一))")
        acceptance = self.task("officer", "acceptance", fid)[0]
        self.decide(
            "officer",
            acceptance,
            decision="deficient",
            deficiencies=["缺少场地、设备设施及视频监控证明", "考评人员名册缺少资格证书编号"],
        )
        self.say("广东 受理 one-time deficiency notice (一次性告知)")
        self.wait("deficiency notice", lambda: self.filing_status(fid)["status"] == "awaiting_resubmission")
        self.advance(2)
        self.call(
            "enterprise",
            "POST",
            f"/api/v1/filings/{fid}/resubmissions",
            json={
                "materials": [
                    {"kind": "venue_equipment", "title": "场地设备及监控照片"},
                    {"kind": "staff_roster", "title": "考评人员名册(补正)"},
                ],
                "note": "已补正",
            },
        )
        acceptance = self.wait(
            "round-2 acceptance",
            lambda: [t for t in self.task("officer", "acceptance", fid) if t["status"] in ("open", "claimed")],
        )[0]
        self.decide("officer", acceptance, decision="approve")
        self.say("广东 补正 resubmitted; 受理 approved; the expert panel is drawn")
        self._score(fid)
        self.say("广东 专家评估 three experts scored (mean ≥ 60: pass)")
        self.decide("officer", self.task("officer", "best_selection", fid)[0], decision="select")
        self.say("广东 择优遴选 selected among the passing applicants")
        self.decide(
            "officer",
            self.task("officer", "leading_group_approval", fid)[0],
            decision="approve",
            reason="试点工作领导小组第3次会议同意",
        )
        status = self.wait("registration", lambda: (s := self.filing_status(fid))["status"] == "registered" and s)
        self.say(f"广东 领导小组同意 → 备案回执 {status['receipt_number']}, segment {status['segment']}")
        self.wait("pilot plan awaited", lambda: self.filing_status(fid)["current_step"] == "pilot_plan_submission")
        self.call(
            "enterprise",
            "POST",
            f"/api/v1/filings/{fid}/pilot-plan",
            json={
                "summary": "试点方案：车工三至五级；评价机构与质量督导安排；理论+实操考核；"
                "视频监控全程留痕；2026年度实施计划。"
            },
        )
        for task in self.wait("pilot plan panel", lambda: self._expert_tasks(fid, "pilot_plan_evaluation")):
            self.decide(f"expert{task['assignee_id']}", task, decision="pass")
        status = self.wait("pilot plan", lambda: (s := self.filing_status(fid))["pilot_plan_approved_on"] and s)
        self.say("广东 试点方案 the pilot plan passed the experts: the enterprise may now file evaluation plans")
        return status

    def gansu_filing(self) -> dict:
        """甘肃 (004 §四): the municipal centre accepts and evaluates, the result is publicised (an objection,
        dismissed), the provincial centre collects the cities' lists for the ministry review, receipt after it."""
        form = self._form("兰州示范装备制造有限公司", "91620102MA5C0000X1", "620102")
        filing = self.call(
            "enterprise_gs", "POST", "/api/v1/filings", json=form, headers={"Idempotency-Key": "demo-gs"}
        )
        fid = filing["id"]
        self.say(f"甘肃 备案申请 filing #{fid} to the municipal centre {filing['handling_centre']} (属地管理)")
        self.decide("officer_lz", self.task("officer_lz", "acceptance", fid)[0], decision="approve")
        self.say("甘肃 受理 the municipal centre accepts")
        self._score(fid)
        self.say("甘肃 专家评估 three experts scored")
        self.wait(
            "publicity", lambda: self.call("officer_gs", "GET", f"/api/v1/filings/{fid}")["status"] == "publicity"
        )
        self.call(
            "public",
            "POST",
            f"/api/v1/filings/{fid}/objections",
            json={"text": "该企业场地面积不足，请核查。", "contact": "13900139000"},
        )
        investigation = self.task("officer_lz", "objection_investigation", fid)[0]
        self.decide("officer_lz", investigation, decision="dismiss", reason="现场核查场地面积符合要求，异议不成立")
        self.say("甘肃 公示 an objection during publicity, investigated by the city and dismissed")
        self.pass_timer("filing", fid, "publicity", who="officer_gs")
        self.decide("officer_gs", self.task("officer_gs", "cities_report", fid)[0], decision="include")
        self.say("甘肃 汇总 the provincial centre includes it in the list for the ministry review (部中心复核)")
        status = self.wait(
            "registration",
            lambda: (s := self.call("officer_gs", "GET", f"/api/v1/filings/{fid}"))["status"] == "registered" and s,
        )
        self.say(
            f"甘肃 备案公布 after the ministry review: receipt {status['receipt_number']}, segment {status['segment']}"
        )
        return status

    def _expert_tasks(self, filing_id: int, step: str = "expert_evaluation") -> list[dict] | None:
        found = []
        for who in [w for w in self.tokens if w.startswith("expert")]:
            items = self.call(who, "GET", "/api/v1/tasks", params={"step": step})["items"]
            found += [
                t for t in items if t["case_id"] == filing_id and t not in found and t["status"] in ("open", "claimed")
            ]
        unique = {t["id"]: t for t in found}
        return list(unique.values()) if len(unique) >= 3 else None

    def evaluation_batch(self, institution_id: int, sim_url: str | None = None) -> dict:
        """广东 batch: plan to the municipal centre, results reviewed by the city, then the province (003 §二(四)(五));
        certificates valid only once the national system acknowledges them (one holder refused first)."""
        today = self.business_today()
        start = self.calendar.add(today, 15).date  # a working day, comfortably past the 10-day lead
        candidates = []
        for i in range(20):
            first17 = f"440106{1985 + i % 15}{(i % 12) + 1:02d}{(i % 27) + 1:02d}{100 + i:03d}"
            candidates.append(
                {
                    "name": f"学员{i + 1:02d}",
                    "id_number": first17 + resident_id_check_char(first17),
                    "relation": "employee",
                    "level": [3, 4, 5][i % 3],
                    "workplace_region": "440106",
                    "social_insurance_region": "440106",
                    "years_in_occupation": 12,
                }
            )
        plan = self.call(
            "enterprise",
            "POST",
            f"/api/v1/institutions/{institution_id}/plans",
            json={
                "occupation_code": "6-18-01-01",
                "evaluation_start": start.isoformat(),
                "evaluation_end": start.isoformat(),
                "site": "本企业技能实训中心",
                "training_summary": "岗位培训 120 学时",
                "candidates": candidates,
                "proctors": ["监考甲", "监考乙"],
                "evaluators": ["考评甲", "考评乙", "考评丙"],
                "quality_supervisors": ["督导甲"],
            },
            headers={"Idempotency-Key": "demo-plan"},
        )
        pid = plan["id"]
        self.say(
            f"实施计划备案 plan #{pid} filed for {start} with 20 candidates to the municipal centre "
            f"{self.officer_plan(pid)['handling_centre']} (广东: ≥10 working days ahead)"
        )
        self.wait("scheduled", lambda: self.officer_plan(pid)["supervision"]["supervised"] is not None)
        sup = self.officer_plan(pid)["supervision"]  # the enterprise is shown nothing of the draw beforehand
        self.say(
            f"质量督导 random draw (draw #{sup['draw_id']}, secret seed): "
            f"{'supervised' if sup['supervised'] else 'not picked'}"
        )
        self.advance((start - today).days)
        self.say("考核 evaluation day: the batch is examined")
        if sup["supervised"]:
            self.supervise("supervisor", pid)
        self.pass_timer("plan", pid, "evaluation_end")
        self.wait("results window", lambda: self.plan_status(pid)["status"] == "awaiting_results")
        self.say("成绩报送期 the evaluation has ended: the results window opens")
        self.advance(2)
        status = self.plan_status(pid)
        scores = [
            {"candidate_id": c["id"], "theory": 55 if n in (4, 11) else 82, "practical": 88}
            for n, c in enumerate(status["candidates"])
        ]
        refused_holder = candidates[0]["id_number"]
        if sim_url:  # the national system will refuse one holder's data at first
            httpx.post(f"{sim_url}/_config", json={"refuse_id_numbers": [refused_holder]}, timeout=10)
        self.call("enterprise", "POST", f"/api/v1/plans/{pid}/results", json={"scores": scores})
        self.say(f"成绩报送 results submitted (due {status['results_due']}): 18 of 20 passed")
        self.decide("officer_gz", self.task("officer_gz", "results_review", pid)[0], decision="approve")
        self.say("结果审核 the municipal centre (地市鉴定中心) reviewed the results")
        self.decide("officer", self.task("officer", "results_review", pid)[0], decision="approve")
        self.say("结果审核 the provincial centre reviewed them: certificates are numbered and uploaded")
        if sim_url:
            incident = self.wait(
                "refusal",
                lambda: [
                    i
                    for i in self.call("operations", "GET", f"/api/v1/plans/{pid}")["incidents"]
                    if i["kind"] == "certificate_refusal" and i["status"] == "open"
                ],
                120,
            )[0]
            pending = [
                c
                for c in self.call("enterprise", "GET", "/api/v1/certificates", params={"plan_id": pid, "limit": 100})[
                    "items"
                ]
                if c["status"] == "pending"
            ]
            answer = self.http.get(f"/api/v1/public/certificates/{pending[0]['number']}").json()["status_label"]
            self.say(
                f"全国联网 one holder refused by the national system: certificate {pending[0]['number']} is "
                f"pending, public verification says 「{answer}」; operations put it right and retry"
            )
            httpx.post(f"{sim_url}/_config", json={"refuse_id_numbers": []}, timeout=10)
            self.call("operations", "POST", f"/api/v1/incidents/{incident['id']}/retry")
        status = self.wait("certificates", lambda: (s := self.plan_status(pid))["status"] == "completed" and s, 180)
        self.say(f"颁发证书 {status['certificates_issued']} certificates valid after the national acknowledgement")
        return status

    def supervise(self, who: str, pid: int) -> None:
        task = self.task(who, "quality_supervision", pid)[0]
        self.decide(
            who,
            task,
            decision="report",
            reason="考场秩序良好，身份核验、监考、视频监控和评分均符合要求",
            report={
                "identity_checked": True,
                "proctoring_ok": True,
                "video_running": True,
                "scored_per_standard": True,
                "findings": [],
                "verdict": "no_issues",
            },
        )
        self.say("质量督导 the supervisor on site filed the report: no issues")

    def jiangsu_s_type_batch(self) -> dict:
        """江苏 (002 §(十八)): a training-evaluation organisation (S-type) is supervised at every session; the
        plan goes 15 working days ahead. Its filing runs Jiangsu's (local) steps first."""
        form = self._form("南京示范职业培训评价中心", "91320102MA5C000016", "320102", institution_kind="S")
        fid = self.call("enterprise_js", "POST", "/api/v1/filings", json=form, headers={"Idempotency-Key": "demo-js"})[
            "id"
        ]
        self.decide("officer_js", self.task("officer_js", "acceptance", fid)[0], decision="approve")
        self._score(fid)
        self.wait(
            "publicity", lambda: self.call("officer_js", "GET", f"/api/v1/filings/{fid}")["status"] == "publicity"
        )
        self.pass_timer("filing", fid, "publicity", who="officer_js")
        filing = self.wait(
            "registration",
            lambda: (f := self.call("officer_js", "GET", f"/api/v1/filings/{fid}"))["status"] == "registered" and f,
        )
        self.say(f"江苏 S-type organisation registered (segment {filing['segment']})")
        start = self.calendar.add(self.business_today(), 17).date
        candidates = []
        for i in range(4):
            first17 = f"320102{1990 + i}{i + 1:02d}{i + 10:02d}{200 + i:03d}"
            candidates.append(
                {
                    "name": f"社会考生{i + 1}",
                    "id_number": first17 + resident_id_check_char(first17),
                    "relation": "public",  # 社会化鉴定的申报人员: an S-type organisation's candidates (002 §(十八))
                    "level": 4,
                    "years_in_occupation": 5,
                }
            )
        pid = self.call(
            "enterprise_js",
            "POST",
            f"/api/v1/institutions/{filing['institution_id']}/plans",
            json={
                "occupation_code": "6-18-01-01",
                "evaluation_start": start.isoformat(),
                "evaluation_end": start.isoformat(),
                "site": "培训评价中心考场",
                "candidates": candidates,
                "proctors": ["监考甲"],
                "evaluators": ["考评甲"],
                "quality_supervisors": ["督导甲"],
            },
            headers={"Idempotency-Key": "demo-js-plan"},
        )["id"]
        self.decide("officer_js", self.task("officer_js", "roster_review", pid)[0], decision="approve")
        self.say(f"江苏 考生报名资格审核: the centre approved the roster of plan #{pid}")
        self.wait("drawn", lambda: self.call("officer_js", "GET", f"/api/v1/plans/{pid}")["supervision"]["draw_id"])
        self.say(f"江苏 plan #{pid} filed for {start} (15 working days ahead): supervised, as every S-type session")
        self.pass_timer("plan", pid, "evaluation_day", who="officer_js")
        self.supervise("supervisor_js", pid)
        self.pass_timer("plan", pid, "evaluation_end", who="officer_js")
        self.wait(
            "results window",
            lambda: self.call("enterprise_js", "GET", f"/api/v1/plans/{pid}")["status"] == "awaiting_results",
        )
        status = self.call("enterprise_js", "GET", f"/api/v1/plans/{pid}")
        self.call(
            "enterprise_js",
            "POST",
            f"/api/v1/plans/{pid}/results",
            json={"scores": [{"candidate_id": c["id"], "theory": 80, "practical": 85} for c in status["candidates"]]},
        )
        self.wait("publicity", lambda: self.call("officer_js", "GET", f"/api/v1/plans/{pid}")["status"] == "publicity")
        self.pass_timer("plan", pid, "results_publicity", who="officer_js")
        self.decide("officer_js", self.task("officer_js", "results_review", pid)[0], decision="approve")
        status = self.wait(
            "certificates",
            lambda: (p := self.call("enterprise_js", "GET", f"/api/v1/plans/{pid}"))["status"] == "completed" and p,
            180,
        )
        self.say(f"江苏 the review waited for the report; {status['certificates_issued']} certificates valid")
        return status

    def complaint_ending_in_revocation(self, plan_id: int, number: str) -> dict:
        """投诉举报 → 撤销 (003 §四(二), 004 §六(三)): someone without an account complains that a certificate
        was obtained by a stand-in; the centre accepts it, asks the institution to explain itself by a
        working-day deadline, finds the complaint justified and revokes the certificate, which a second
        officer approves; verification says so at once, the national system is told, and the complainant
        sees the outcome by the receipt number."""
        filed = self.http.post(
            "/api/v1/complaints",
            json={
                "certificate_number": number,
                "text": "该证书持证人的实操考核系他人代考，请核查。",
                "contact_name": "匿名群众",
                "contact_phone": "13900000000",
            },
        ).json()
        receipt = filed["receipt_number"]
        self.say(f"投诉 registered without an account: receipt {receipt}")
        case = self.wait(
            "the case",
            lambda: [
                c
                for c in self.call("officer_gz", "GET", "/api/v1/complaints")["items"]
                if c["receipt_number"] == receipt
            ],
        )[0]
        self.decide("officer_gz", self.task("officer_gz", "complaint_triage", case["id"])[0], decision="accept")
        first = self.task("officer_gz", "supervision_investigation", case["id"])[0]
        self.decide(
            "officer_gz", first, decision="request_explanation", reason="请说明该持证人实操考核的身份核验和监控记录"
        )
        path = f"/api/v1/complaints/{case['id']}"
        asked = self.wait(
            "the explanation's deadline",
            lambda: (
                (c := self.call("enterprise", "GET", path))["status"] == "awaiting_explanation"
                and c["explanations"][0]["due"]
                and c
            ),
        )
        self.say(
            f"调查 the institution is asked to explain itself by {asked['explanations'][0]['due']} "
            f"({asked['explanations'][0]['working_days']} working days)"
        )
        self.call(
            "enterprise", "POST", f"{path}/explanation", json={"text": "经查，该考场视频监控当日故障，无法核实身份。"}
        )
        second = self.wait(
            "the next round",
            lambda: [
                t for t in self.task("officer_gz", "supervision_investigation", case["id"]) if t["id"] != first["id"]
            ],
        )[0]
        self.decide(
            "officer_gz",
            second,
            decision="revoke_certificates",
            reason="代考属实",
            sanction={"category": "fraud", "certificate_numbers": [number]},
        )
        self.say(f"撤销 decided by the investigating officer for {number}; a second officer reviews it (双人复核)")
        self.decide("officer_gz2", self.task("officer_gz2", "revocation_approval", plan_id)[0], decision="approve")
        closed = self.wait(
            "the case closed", lambda: (c := self.call("officer_gz", "GET", path))["status"] == "closed" and c
        )
        revocation_path = f"/api/v1/revocations/{closed['actions'][-1]['revocation_id']}"
        revocation = self.wait(
            "revocation sent",
            lambda: (r := self.call("officer_gz", "GET", revocation_path))["status"] == "notified" and r,
        )
        verified = self.call("public", "GET", f"/api/v1/public/certificates/{number}")
        outcome = self.http.get(f"/api/v1/public/complaints/{receipt}").json()
        self.say(
            f"撤销 {number}: verification answers {verified['status_label']} since {revocation['revoked_on']}; "
            f"the national system has been told; the complainant reads “{outcome['status']} · "
            f"{outcome['outcome_label']}”"
        )
        return revocation

    def inactivity_withdrawal(self, institution_id: int, who: str) -> dict:
        """甘肃 (004 §六(三)): two years without an evaluation count as withdrawal. The clock runs two years
        on; the daily scan warns the institution first, then withdraws it from the catalogue."""
        path = f"/api/v1/institutions/{institution_id}"
        clock = self.call(who, "GET", path)["inactivity"]
        self.say(
            f"退出 clock: active since {clock['active_since']}, warning on {clock['warning_on']}, "
            f"withdrawal on {clock['withdrawal_on']}"
        )
        self.advance((dt.date.fromisoformat(clock["warning_on"]) - self.business_today()).days)
        self.wait("the warning", lambda: self.call(who, "GET", path)["inactivity"]["warned_on"])
        self.say("提醒 the institution is warned of its coming withdrawal (its API view shows the date)")
        self.advance((dt.date.fromisoformat(clock["withdrawal_on"]) - self.business_today()).days)
        view = self.wait("the withdrawal", lambda: (v := self.call(who, "GET", path))["status"] == "withdrawn" and v)
        removals = self.call("public", "GET", "/api/v1/public/institutions/removals", params={"limit": 500})["items"]
        removal = next(r for r in removals if r["id"] == institution_id)
        self.say(
            f"退出 {view['name']} 视同自行退出 on {view['inactivity']['removed_on']} (no evaluation for two "
            f"years): out of the catalogue — published as “{removal['reason_label']}”"
        )
        return view

    def steps_taken(self, who: str, fid: int) -> str:
        history = self.call(who, "GET", f"/api/v1/filings/{fid}")["history"]
        steps = [(e.get("after") or {}).get("step") for e in history if e["action"] == "step_entered"]
        return " → ".join(dict.fromkeys(s for s in steps if s not in ("resubmission", "closed")))


def run_demo(settings, *, keep: bool = False, stopping: threading.Event | None = None) -> int:
    """A fresh folder under the data folder, on a simulated clock; our tables on the settings' database
    when one was named (--database-url, CERTFLOW_DATABASE_URL), else SQLite in that folder. With `keep`
    the instance stays up afterwards (until `stopping` is set or Ctrl-C) with a login for every role
    printed, so a newcomer opens the dashboard on cases in every state."""
    from certflow.embedded import Stack

    folder = settings.data_dir / f"demo-{dt.datetime.now():%Y%m%d-%H%M%S}"
    settings = settings.replace(data_dir=folder, clock="simulated")  # a default SQLite URL follows the folder
    stack = Stack(settings, api_port=0)
    t0 = time.monotonic()
    try:
        stack.start(progress=lambda text: print(f"[setup] {text}"))
        stack.watch(lambda *_: _thread.interrupt_main())  # a process of the stack died: the demo stops, says which
        tokens = _demo_users(settings)
        from models.db import session_scope
        from tasks.waits.calendar import load_calendar

        with session_scope(settings.database_url) as session:
            calendar = load_calendar(session)
        demo = Demo(stack.api_url, tokens, stack.prefect_url, calendar)
        filing = demo.institution_filing()
        gansu = demo.gansu_filing()
        print(f"广东 filing steps: {demo.steps_taken('officer', filing['id'])}")
        print(f"甘肃 filing steps: {demo.steps_taken('officer_gs', gansu['id'])}")
        plan = demo.evaluation_batch(filing["institution_id"], sim_url=stack.sim_url)
        jiangsu = demo.jiangsu_s_type_batch()
        states = {
            name: demo.wait(f"{name} run completed", lambda r=run: demo.run_state(r) == "COMPLETED" and "COMPLETED", 60)
            for name, run in (
                ("institution_filing 广东", filing["flow_run_id"]),
                ("institution_filing 甘肃", gansu["flow_run_id"]),
                ("evaluation_batch 广东", plan["flow_run_id"]),
                ("evaluation_batch 江苏", jiangsu["flow_run_id"]),
            )
        }
        numbers = [c["certificate_number"] for c in plan["candidates"] if c["certificate_number"]]
        print(f"certificates: {numbers[0]} … {numbers[-1]} ({len(numbers)})")
        verified = httpx.get(f"{stack.api_url}/api/v1/public/certificates/{numbers[0]}", timeout=10).json()
        print(
            f"public verification of {numbers[0]}: {verified['holder_name']} {verified['id_number']} "
            f"{verified['occupation_name']} {verified['level']} — {verified['status']}"
        )
        for name, state in states.items():
            print(f"Prefect: {name} run {state}")
        demo.complaint_ending_in_revocation(plan["id"], numbers[-1])
        demo.inactivity_withdrawal(gansu["institution_id"], "enterprise_gs")
        from models.db import session_scope as documents_session
        from tasks.adapters import filestore
        from tasks.exchange import documents

        with documents_session(settings.database_url, readonly=True) as session:
            rendered = documents.render_batch(
                session, plan_id=plan["id"], settings=settings, base_url=stack.api_url, combined=True
            )
        print(f"certificate PDFs in {filestore.documents_for(settings).where} (print file {rendered['combined']})")
        print(f"demo finished in {time.monotonic() - t0:.0f} s; data folder {folder}")
        if keep:
            _stay_up(stack, folder, stopping or threading.Event())
        return 0
    except KeyboardInterrupt:
        if (died := stack.dead_child()) is None:
            raise  # Ctrl-C (or SIGTERM): stopped on the way out
        name, code, log = died
        print(f"demo failed: {name} stopped on its own (exit code {code}) — see {log}", file=sys.stderr)
        return 1
    except Exception as exc:  # noqa: BLE001 - the demo reports and fails
        print(f"demo failed: {exc}", file=sys.stderr)
        print(f"logs: {stack.logs}", file=sys.stderr)
        return 1
    finally:
        stack.stop()


def _stay_up(stack, folder, stopping: threading.Event) -> None:
    """Keep the demo's instance running and give each of its people a dashboard password, printed once."""
    from sqlmodel import select

    from models.accounts import User
    from models.db import session_scope
    from tasks.people.accounts import DASHBOARD_ROLES, hash_password

    logins = []
    with session_scope(stack.settings.database_url) as session:
        for user in session.exec(select(User).where(User.role.in_(DASHBOARD_ROLES)).order_by(User.id)):
            password = secrets.token_urlsafe(9)
            user.password_hash = hash_password(password)
            session.add(user)
            logins.append((user.name, password, user.role, user.jurisdiction or "—"))
    print(f"the demo's instance stays up: dashboard {stack.api_url}/dashboard, public pages {stack.api_url}/, "
          f"API explorer {stack.api_url}/docs")
    print("logins (each password shown only this once):")
    for name, password, role, centre in logins:
        print(f"  {name:<16} {password:<14} {role:<11} {centre}")
    print(f"move its clock: .venv/bin/certflow clock advance 7 --data-dir {folder}")
    print("Ctrl-C stops it.", flush=True)
    while not stopping.wait(0.5):
        pass


def _demo_users(settings) -> dict[str, str]:
    from tasks.people.accounts import create_user

    url = settings.database_url
    tokens = {
        "enterprise": create_user(url, role="enterprise", name="企业经办人")[1],
        "enterprise_gs": create_user(url, role="enterprise", name="甘肃企业经办人")[1],
        "officer": create_user(url, role="officer", name="广东省中心审核员", jurisdiction="440000")[1],
        "officer_gz": create_user(url, role="officer", name="广州市鉴定中心审核员", jurisdiction="440100")[1],
        "officer_gz2": create_user(url, role="officer", name="广州市鉴定中心复核员", jurisdiction="440100")[1],
        "officer_gs": create_user(url, role="officer", name="甘肃省级中心审核员", jurisdiction="620000")[1],
        "officer_lz": create_user(url, role="officer", name="兰州市级中心审核员", jurisdiction="620100")[1],
        "supervisor": create_user(url, role="supervisor", name="广州质量督导员", jurisdiction="440100")[1],
        "supervisor_js": create_user(
            url, role="supervisor", name="江苏质量督导员", jurisdiction="320000", card_number="JS-DD-0001"
        )[1],
        "enterprise_js": create_user(url, role="enterprise", name="江苏机构经办人")[1],
        "officer_js": create_user(url, role="officer", name="江苏省中心审核员", jurisdiction="320000")[1],
        "admin": create_user(url, role="admin", name="管理员")[1],
        "operations": create_user(url, role="operations", name="运维值班")[1],
        "public": create_user(url, role="operations", name="公众代表")[1],
    }
    for n in range(3):
        user, token = create_user(url, role="expert", name=f"专家{n + 1}")
        tokens[f"expert{user.id}"] = token
    return tokens
