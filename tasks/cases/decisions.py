"""What a decision on each step must contain, checked before anything is recorded; what a step's own rules add
(STEP_RULES: its checks, and what its decision records in the same transaction)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from sqlmodel import Session, select

from models.accounts import User
from models.case_kinds import CASE_KINDS, InstitutionCase, case_row
from models.schemas import DecisionIn
from models.workflow import HumanTask
from policy.eligibility import EXPERT_ASPECTS, Violation, score_problems
from policy.steps import ALLOWED, NEEDS_REASON, STEP_NAMES
from tasks.cases import quarterly, revocations, supervision
from tasks.errors import Problems
from tasks.waits import human_tasks


def decision_problems(task: HumanTask, body: DecisionIn) -> list[Violation]:
    problems = []
    allowed = ALLOWED.get(task.step, ())
    if body.decision not in allowed:
        problems.append(Violation("decision.not_allowed", "decision",
                                  f"{STEP_NAMES.get(task.step, task.step)} 的决定只能是 {' / '.join(allowed)} / "
                                  f"a {task.step} decision is one of {', '.join(allowed)}"))
    if body.decision == "deficient" and not [d for d in body.deficiencies if d.strip()]:
        problems.append(Violation("decision.deficiencies_missing", "deficiencies",
                                  "一次性告知须列明全部补正事项 / list every deficiency at once"))
    if body.decision in NEEDS_REASON.get(task.step, ()) and not body.reason.strip():
        problems.append(Violation("decision.reason_missing", "reason", "请填写理由 / a reason is required"))
    if body.sanction is not None and task.step != "supervision_investigation":
        problems.append(
            Violation(
                "decision.sanction_not_here",
                "sanction",
                "只有监督调查的决定可以附处理措施 / only a supervision investigation orders a sanction",
            )
        )
    return problems


def _report_problems(session: Session, task: HumanTask, body: DecisionIn) -> list[Violation]:
    """质量督导: the on-site report, complete for its verdict."""
    if body.report is None:
        return [Violation("decision.report_missing", "report",
                          "请填写督导报告：身份核验、监考、视频监控、评分、发现的问题和结论 / the on-site report "
                          "is required")]
    if body.report.verdict == "to_correct" and not body.report.corrections:
        return [Violation("decision.corrections_missing", "report.corrections",
                          "需整改时须列明整改事项 / list what the enterprise must correct")]
    if body.report.verdict == "serious_violation" and not body.report.findings:
        return [Violation("decision.findings_missing", "report.findings",
                          "严重违规须写明发现的事实 / a serious violation states what was found")]
    return []


def _score_problems(session: Session, task: HumanTask, body: DecisionIn) -> list[Violation]:
    """专家评估: every aspect scored, within its range."""
    return [Violation("decision.scores", "scores", problem) for problem in score_problems(body.scores)]


Check = Callable[[Session, HumanTask, DecisionIn], list[Violation]]


@dataclass(frozen=True)
class StepRules:
    """What one step adds to the checks every decision passes, and what its decision records beside the task
    (in the same transaction). What happens next in the process is its flow's, not a rule's."""
    checks: tuple[Check, ...] = ()
    recorded: Callable[[Session, HumanTask], None] | None = None


STEP_RULES: dict[str, StepRules] = {
    "expert_evaluation": StepRules(checks=(_score_problems,)),
    "quality_supervision": StepRules(checks=(_report_problems,)),
    "supervision_investigation": StepRules(checks=(supervision.decision_problems,)),
    # a quarterly report has no process around it: the province's decision is the report's status
    "quarterly_report_review": StepRules(recorded=quarterly.record_review),
}


def separation_problems(session: Session, task: HumanTask, user: User) -> list[Violation]:
    """Separation of duties, as policy: nobody acts on a case they filed or on their own employer's
    case; the officer who accepted an application does not sit on its expert panel; one expert holds
    one seat of a panel."""
    problems: list[Violation] = []
    if task.role == "enterprise":  # the enterprise's own step on its own case (its body investigates, 004 §五(四))
        return problems
    case = case_row(session, task.case_type, task.case_id)
    applicant = getattr(case, "applicant_id", None)
    if applicant is not None and applicant == user.id:
        problems.append(Violation("separation.own_case", "task", "不能审批本人提交的案件 / you filed this case"))
    kind = CASE_KINDS[task.case_type]  # a quarterly report is no institution's: it is nobody's own case
    if kind.of_an_institution and user.institution_id is not None and isinstance(case, InstitutionCase) \
            and case.institution_id == user.institution_id:
        what = kind.label
        problems.append(
            Violation(
                "separation.own_institution",
                "task",
                f"不能处理本人所在机构的{what}，应当回避 / this is your own institution's case",
            )
        )
    if task.step == "revocation_approval":
        revocation = revocations.revocation_of_task(session, task.key)
        if revocation is not None and revocation.requested_by == user.id:
            problems.append(
                Violation(
                    "separation.four_eyes",
                    "task",
                    "撤销证书须由申请人以外的另一名人员复核 / a second officer approves a revocation",
                )
            )
    if task.step == "sanction_approval" and supervision.proposer_of(session, task) == user.id:
        problems.append(
            Violation(
                "separation.four_eyes",
                "task",
                "取消备案、列入黑名单须由提出处理意见以外的另一名人员复核 / a second officer approves "
                "a cancellation or a blacklisting",
            )
        )
    if task.step == "expert_evaluation":
        others = session.exec(
            select(HumanTask).where(
                HumanTask.case_type == task.case_type,
                HumanTask.case_id == task.case_id,
                HumanTask.id != task.id,
                (HumanTask.decided_by == user.id) | (HumanTask.assignee_id == user.id),
            )
        ).all()
        if any(t.step == "acceptance" for t in others):
            problems.append(
                Violation(
                    "separation.accepted_this_case",
                    "task",
                    "受理本申请的人员不得参加其专家评估 / you accepted this application",
                )
            )
        if any(t.step == "expert_evaluation" for t in others):
            problems.append(
                Violation(
                    "separation.second_seat",
                    "task",
                    "同一专家只能占专家组一个席位 / you already hold a seat on this panel",
                )
            )
    return problems


def ensure_may_act(session: Session, task: HumanTask, user: User) -> None:
    """Refuse a claim early, with the reason, rather than at the decision."""
    problems = separation_problems(session, task, user)
    if problems:
        raise Problems(problems)


def decide(session: Session, *, task: HumanTask, user: User, body: DecisionIn) -> HumanTask:
    """The same rule for the API and the dashboard: only the person holding the claim decides."""
    if task.status == "claimed" and task.assignee_id not in (None, user.id):
        raise human_tasks.TaskConflict(f"该待办已由他人领取 / task {task.id} is claimed by someone else")
    if task.status == "open":
        raise human_tasks.TaskConflict(f"请先领取此待办再作决定 / claim task {task.id} before deciding it")
    rules = STEP_RULES.get(task.step, StepRules())
    problems = decision_problems(task, body)
    for check in rules.checks:
        problems += check(session, task, body)
    problems += separation_problems(session, task, user)
    if problems:
        raise Problems(problems)
    payload: dict[str, Any] = {}
    if body.deficiencies:
        payload["deficiencies"] = [d.strip() for d in body.deficiencies if d.strip()]
    if body.scores:
        payload["scores"] = {k: float(v) for k, v in body.scores.items() if k in EXPERT_ASPECTS}
    if body.reason:
        payload["reason"] = body.reason.strip()
    if body.report is not None and task.step == "quality_supervision":
        payload["report"] = body.report.model_dump()
    if body.sanction is not None:
        payload["sanction"] = body.sanction.model_dump(mode="json", exclude_none=True)
    decided = human_tasks.decide(
        session,
        task,
        decision=body.decision,
        payload=payload,
        user_id=user.id,
        role=user.role,
        expected_version=body.version,
    )
    if rules.recorded is not None:
        rules.recorded(session, decided)
    return decided
