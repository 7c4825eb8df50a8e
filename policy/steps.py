"""The steps of the processes, each declared once: who takes it, what may be decided, which decisions
need a reason, whether an SLA clock watches it, on which kind of case it occurs.

Labels, decision checks, role checks, SLA steps and inbox filters all read this registry (pure data:
no framework, no database).
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Step:
    code: str
    label: str  # the policy's own term
    role: str  # who takes the step: officer | expert | supervisor | enterprise
    decisions: tuple[str, ...] = ()  # () for a step that is not decided in the inbox
    needs_reason: frozenset[str] = frozenset()
    sla: bool = True  # an SLA clock (working-day budget from the profile) watches it
    case_types: tuple[str, ...] = ("filing", "plan")


# what an investigation may conclude (each states its finding): ask the institution to explain itself,
# or decide — dismiss, order rectification, cancel the filing, revoke certificates, a credit entry
INVESTIGATION_DECISIONS = ("request_explanation", "dismiss", "order_rectification", "cancel_filing",
                           "revoke_certificates", "credit_entry")

STEPS: dict[str, Step] = {step.code: step for step in (
    Step("city_recommendation", "市人社部门推荐意见", "officer", ("recommend", "not_recommended"),
         frozenset({"not_recommended"}), case_types=("filing",)),
    Step("acceptance", "受理", "officer", ("approve", "reject", "deficient"), frozenset({"reject"}),
         case_types=("filing",)),
    Step("expert_evaluation", "专家评估", "expert", ("score",), case_types=("filing",)),
    Step("best_selection", "择优遴选", "officer", ("select", "not_selected"), frozenset({"not_selected"}),
         case_types=("filing",)),
    Step("leading_group_approval", "领导小组同意", "officer", ("approve", "reject"), frozenset({"reject"}),
         case_types=("filing",)),
    Step("cities_report", "省级中心汇总报送", "officer", ("include",), case_types=("filing",)),
    Step("pilot_plan_submission", "报送试点方案", "enterprise", sla=False, case_types=("filing",)),
    Step("pilot_plan_evaluation", "试点方案专家评估", "expert", ("pass", "fail"), frozenset({"fail"}),
         case_types=("filing",)),
    Step("ministry_refusal", "部中心复核未通过", "officer", ("resend", "reject"), frozenset({"resend", "reject"}),
         case_types=("filing",)),
    Step("objection_investigation", "公示异议调查", "officer", ("uphold", "dismiss"), frozenset({"uphold", "dismiss"})),
    # where the profile has the enterprise's own body investigate results objections (004 §五(四)):
    # its finding, then the centre's review of it
    Step("objection_enterprise_investigation", "企业工作机构调查异议", "enterprise", ("uphold", "dismiss"),
         frozenset({"uphold", "dismiss"}), case_types=("plan",)),
    Step("objection_review", "异议调查结果审核", "officer", ("confirm", "reinvestigate"), frozenset({"reinvestigate"}),
         case_types=("plan",)),
    Step("revocation_approval", "撤销证书复核（双人）", "officer", ("approve", "refuse"), frozenset({"refuse"}),
         case_types=("plan",)),
    Step("roster_review", "考生报名资格审核", "officer", ("approve", "reject"), frozenset({"reject"}),
         case_types=("plan",)),
    Step("quality_supervision", "质量督导", "supervisor", ("report",), frozenset({"report"}), case_types=("plan",)),
    Step("supervision_violation", "严重违规处理", "officer", ("void", "continue"), frozenset({"void", "continue"}),
         case_types=("plan",)),
    Step("results_review", "结果审核", "officer", ("approve", "return"), frozenset({"return"}), case_types=("plan",)),
    Step("results_submission", "报送考核成绩", "enterprise", case_types=("plan",)),
    # Process 3: a supervision case (投诉举报 / 抽查发现), investigated and decided by the institution's centre
    Step("complaint_triage", "投诉举报受理", "officer", ("accept", "not_accept"), frozenset({"not_accept"}),
         case_types=("supervision",)),
    Step("supervision_investigation", "调查核实", "officer", INVESTIGATION_DECISIONS,
         frozenset(INVESTIGATION_DECISIONS), case_types=("supervision",)),
    Step("rectification_verification", "整改核查", "officer", ("verified", "not_rectified"),
         frozenset({"verified", "not_rectified"}), case_types=("supervision",)),
    Step("sanction_approval", "处理决定复核（双人）", "officer", ("approve", "refuse"), frozenset({"refuse"}),
         case_types=("supervision",)),
    # a city's quarterly progress report (004 §六(一)), received by its provincial centre
    Step("quarterly_report_review", "季度工作进展报告审核", "officer", ("accept", "return"), frozenset({"return"}),
         sla=False, case_types=("report",)),
)}

# steps of a profile's process that no inbox decides (the system, the enterprise, an external call, a timer)
PROCESS_STEP_NAMES = {
    "publicity": "评估结果公示",
    "ministry_review": "部中心复核",
    "registration": "备案回执、证书号段、目录公布",
    "national_report": "备案企业和回执报送部中心公布",
    "plan_acceptance": "实施计划备案",
    "evaluation": "考核",
    "results_publicity": "结果公示",
    "certificate_numbering": "证书编号",
    "national_upload": "上传全国联网查询系统",
    "certificate_issuance": "颁发证书",
}
# where a case stands between the steps above (a `current_step` no profile lists): named for the statistics'
# step durations and the case pages, which read every step a case has left
CASE_STATE_NAMES = {
    "completeness_check": "材料完整性检查",
    "resubmission": "等待补正材料",
    "ministry_refused": "部中心复核未通过，待更正或驳回",
    "registered": "已备案",
    "closed": "已办结",
    "plan_filing": "实施计划报送",
    "filed": "计划已备案",
    "scheduled": "待考核",
    "results_submitted": "成绩已报送",
    "corrections": "待企业答复整改要求",
    "upload": "上传全国查询系统",
    "national_refusal": "全国联网系统退回部分证书（待企业更正、运维重报）",
    "certificates_issued": "证书已核发",
    "done": "已办结",
}
# one label per step code: the dashboard, documents, statistics, the README's table and the profiles page
STEP_NAMES = {**CASE_STATE_NAMES, **PROCESS_STEP_NAMES, **{code: step.label for code, step in STEPS.items()}}

# what a business timer waits for, by its purpose (flows.steps.wait_working_days)
TIMER_PURPOSES = {
    "publicity": "公示期满",
    "results_publicity": "结果公示期满",
    "evaluation_day": "考核开始日",
    "evaluation_end": "考核结束",
    "results_window": "成绩报送期限",
    "resubmission": "补正期限",
}
ALLOWED = {code: step.decisions for code, step in STEPS.items() if step.decisions}
NEEDS_REASON = {code: step.needs_reason for code, step in STEPS.items()}  # per step: one word, two meanings
SLA_STEPS = tuple(code for code, step in STEPS.items() if step.sla)


def label(code: str) -> str:
    return STEP_NAMES.get(code, code)
