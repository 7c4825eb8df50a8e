"""The task page's view-model and its decision form: what the officer reads before deciding, the form's
fields parsed back, refusals placed by field."""


from __future__ import annotations

from typing import Any

from sqlmodel import Session

from api.dashboard import evidence_pages, supervision_pages
from api.dashboard.case_pages import uploaded_files
from api.dashboard.evidence_pages import REPORT_CHECKS, VERDICTS
from api.dashboard.pages import (
    DECISION_NAMES,
    DEFICIENCY_OTHER_HINT,
    _task_row,
    application_facts,
    case_labels,
    names_of,
    time_text,
)
from api.dashboard.profile_pages import VALUE_NAMES
from models.accounts import User
from models.case_kinds import case_row
from models.cases import (
    Objection,
)
from models.schemas import REVOCATION_CATEGORIES, DecisionIn, DismissIdentical
from models.workflow import HumanTask
from policy.eligibility import EXPERT_ASPECTS, FILING_MATERIALS
from policy.steps import ALLOWED, NEEDS_REASON, STEP_NAMES
from tasks.cases import filing as filings
from tasks.cases import handover, quarterly
from tasks.cases.investigations import tasks_of
from tasks.cases.objections import identical_open
from tasks.cases.revocations import revocation_of_task
from tasks.queries import views

# -- the decision form ---------------------------------------------------------------


def task_page(
    session: Session,
    user: User,
    task: HumanTask,
    *,
    errors: dict[str, list[str]] | None = None,
    submitted: dict[str, Any] | None = None,
    refusal: list[str] | None = None,
    barred: bool = False,
) -> dict[str, Any]:
    """The task and its decision form; `refusal` explains an action not taken, `barred` (separation of
    duties) hides the buttons that would only be refused again."""
    today = views.Today(session)
    label = case_labels(session, [task]).get((task.case_type, task.case_id), {"href": "#", "title": "", "ref": ""})
    names = names_of(session, {task.assignee_id, task.decided_by})
    row = _task_row(task, user, label, today, names)
    row["due_explanation"] = views.task_deadline_explanation(task, today).text  # "why this date?"
    submitted = submitted or {}
    allowed = ALLOWED.get(task.step, ())
    # a step with one possible decision (expert scoring, the supervision report) has it chosen already
    decision = submitted.get("decision") or (allowed[0] if len(allowed) == 1 else "")
    form: dict[str, Any] = {
        "step": task.step,
        "decisions": [
            {
                "value": d,
                "label": supervision_pages.STEP_DECISION_NAMES.get((task.step, d), DECISION_NAMES[d]),
                "checked": d == decision,
            }
            for d in allowed
        ],
        "reason": submitted.get("reason", ""),
        "reason_label": {
            "expert_evaluation": "评估意见",
            "quality_supervision": "督导报告",
            "supervision_investigation": "调查结论与理由（必填）",
        }.get(task.step, "理由（退回、不予受理、异议处理时必填）"),
        "reason_required_for": sorted(NEEDS_REASON.get(task.step, ())),
        "version": task.version,
    }
    if task.step == "acceptance":
        findings = _acceptance_findings(session, task)
        chosen = submitted.get("checklist")
        form["checklist"] = [
            {
                "value": key,
                "label": f"{text}：缺失或不符合要求",
                "checked": (key in chosen) if chosen is not None else key in findings,
            }
            for key, text in FILING_MATERIALS.items()
        ]
        form["machine_findings"] = list(findings.values())
        form["other_deficiencies"] = submitted.get("other_deficiencies", "")
        form["other_hint"] = DEFICIENCY_OTHER_HINT
    if task.step == "quality_supervision":
        report = submitted.get("report") or {}
        form["report"] = {
            "checks": [
                {"key": key, "label": label, "checked": bool(report.get(key))} for key, label in REPORT_CHECKS.items()
            ],
            "findings": "\n".join(report.get("findings", [])),
            "verdicts": [
                {"value": v, "label": label, "checked": report.get("verdict") == v} for v, label in VERDICTS.items()
            ],
            "corrections": "\n".join(report.get("corrections", [])),
        }
    if task.step == "supervision_investigation":
        form["sanction"] = supervision_pages.sanction_form(submitted)
    if task.step == "expert_evaluation":
        scores = submitted.get("scores", {})
        form["aspects"] = [{"key": k, "label": v, "value": scores.get(k, "")} for k, v in EXPERT_ASPECTS.items()]
    decided = None
    if task.status == "decided":
        decided = {
            "decision": DECISION_NAMES.get(task.decision or "", task.decision),
            "by": names.get(task.decided_by, "—"),
            "at": time_text(task.decided_at),
            "payload": task.decision_payload or {},
        }
    actionable = task.status == "claimed" and task.assignee_id == user.id and not barred
    identical = None
    if task.step == "objection_investigation" and task.status in ("open", "claimed") and user.role == "officer":
        text, ids = identical_open(session, task)
        if len(ids) > 1:  # a campaign of copies: one finding dismisses them all
            identical = {"count": len(ids), "text": text, "ids": ",".join(map(str, ids))}
    case = case_row(session, task.case_type, task.case_id)
    facts = (
        []
        if case is None
        else supervision_pages.facts(session, case)
        if task.case_type == "supervision"
        else quarterly.facts(case)
        if task.case_type == "report"
        else application_facts(session, task.case_type, case)
    )
    return {
        "task": row,
        "case": label,
        "form": form,
        "errors": errors or {},
        "refusal": refusal,
        "objection": objection_under_review(session, task),
        "revocation": revocation_under_review(session, task),
        "application": facts,
        "evidence": evidence_pages.evidence(session, task),
        "files": uploaded_files(session, task.case_type, task.case_id, user.role),
        "refused_for_good": barred,
        "decided": decided,
        "actionable": actionable,
        "claim_first": task.status == "open" and not barred,
        "status": task.status,
        "identical": identical,
        "handover": _handover_form(session, task, user, errors or {}),
    }


def _handover_form(session: Session, task: HumanTask, user: User,
                   errors: dict[str, list[str]]) -> dict[str, Any] | None:
    """转交: to whom the officer may hand this task — its holder or the centre's lead, or anyone of the centre
    while nobody holds it."""
    if not handover.may_hand_over(session, task, user):
        return None
    choices = [{"id": c.id, "name": c.name} for c in handover.colleagues(session, task, user)]
    if not choices:
        return None
    return {"colleagues": choices, "errors": [m for field in ("to_user_id", "handover") for m in errors.get(field, [])],
            # the centre's lead taking a task off the colleague who holds it (改派)
            "reassign": task.status == "claimed" and task.assignee_id != user.id}


def objection_under_review(session: Session, task: HumanTask) -> dict[str, Any] | None:
    """For an objection's task: what was objected, and every finding so far (the enterprise's body
    investigating, the centre's reviews of it)."""
    if not task.key.startswith("objection:"):
        return None
    objection = session.get(Objection, int(task.key.split(":")[1]))
    if objection is None:
        return None
    earlier = [t for t in tasks_of(session, objection.id) if t.status == "decided"]
    names = names_of(session, {t.decided_by for t in earlier})
    return {
        "text": objection.text,
        "investigated_by": VALUE_NAMES[objection.investigated_by],
        "findings": [
            {
                "step": STEP_NAMES.get(t.step, t.step),
                "decision": DECISION_NAMES.get(t.decision or "", t.decision),
                "reason": (t.decision_payload or {}).get("reason", ""),
                "by": names.get(t.decided_by, "—"),
                "at": time_text(t.decided_at),
            }
            for t in earlier
        ],
    }


def revocation_under_review(session: Session, task: HumanTask) -> dict[str, Any] | None:
    """For a revocation's approval: what is to be revoked, why, and who asked (the approver must be another)."""
    revocation = revocation_of_task(session, task.key)
    if revocation is None:
        return None
    return {
        "count": len(revocation.numbers),
        "numbers": revocation.numbers[:20],
        "more": len(revocation.numbers) > 20,
        "category": REVOCATION_CATEGORIES[revocation.category],
        "reason": revocation.reason,
        "requested_by": names_of(session, {revocation.requested_by}).get(revocation.requested_by, "—"),
    }


def dismissal_from_form(ids: str, reason: str) -> tuple[Any, dict[str, list[str]]]:
    """The batch-dismissal form as a DismissIdentical, or its errors by field."""
    from pydantic import ValidationError

    try:
        return DismissIdentical(objection_ids=[int(i) for i in ids.split(",") if i.strip()], reason=reason), {}
    except ValueError as problem:  # ValidationError is a ValueError too
        if isinstance(problem, ValidationError) and any(e["loc"][:1] == ("reason",) for e in problem.errors()):
            return None, {"form": ["请填写调查结论 / the finding is required"]}
        return None, {"form": ["异议列表无效，请刷新页面 / the list of objections is not valid; reload the page"]}




def report_from_form(form) -> dict[str, Any] | None:  # the submitted form
    """The supervision report's fields, when the form has them (only the supervision task's does)."""
    if "verdict" not in form and not any(key in form for key in REPORT_CHECKS):
        return None
    lines = lambda name: [line.strip() for line in str(form.get(name, ""))[:20000].splitlines() if line.strip()]  # noqa: E731
    return {
        **{key: form.get(key) == "yes" for key in REPORT_CHECKS},
        "verdict": str(form.get("verdict", "")),
        "findings": lines("findings"),
        "corrections": lines("corrections"),
    }


def decision_from_form(submitted: dict[str, Any]) -> tuple[Any, dict[str, list[str]]]:
    """The form's fields as a DecisionIn, or the errors by field (nothing is recorded on errors)."""
    from pydantic import ValidationError

    errors: dict[str, list[str]] = {}
    if not submitted["decision"]:
        errors["decision"] = ["请选择决定 / choose a decision"]
    scores: dict[str, float] = {}
    for aspect, text in submitted["scores"].items():
        try:
            scores[aspect] = float(text)
        except ValueError:
            errors.setdefault(f"score_{aspect}", []).append("请输入 0–100 的数字 / a number 0–100")
    if errors:
        return None, errors
    sanction, sanction_errors = supervision_pages.sanction_from_fields(submitted.get("sanction_fields") or {})
    if sanction_errors:
        return None, sanction_errors
    try:
        return DecisionIn(
            decision=submitted["decision"],
            reason=submitted["reason"],
            scores=scores,
            report=submitted.get("report"),
            sanction=sanction,
            deficiencies=deficiencies_from_form(submitted["checklist"], submitted["other_deficiencies"]),
            version=int(submitted["version"]) if submitted["version"].isdigit() else None,
        ), {}
    except ValidationError as invalid:
        for error in invalid.errors():
            errors.setdefault(str(error["loc"][0]) if error["loc"] else "form", []).append(error["msg"])
        return None, errors


def field_errors(violations) -> dict[str, list[str]]:
    """Rule violations by form field; those about the task itself go on top of the form."""
    errors: dict[str, list[str]] = {}
    for violation in violations:
        field = violation.field.split(".")[0] if violation.field else "form"
        errors.setdefault("form" if field == "task" else field, []).append(violation.message)
    return errors


def _acceptance_findings(session: Session, task: HumanTask) -> dict[str, str]:
    """The machine's completeness check, keyed by material (pre-ticks the checklist)."""
    found: dict[str, str] = {}
    for item in filings.completeness_findings(session, filing_id=task.case_id):
        field = item.get("field", "")
        if field.startswith("materials."):
            found[field.split(".", 1)[1]] = item["message"]
        else:
            found[field or item.get("code", "")] = item["message"]
    return found


def deficiencies_from_form(checklist: list[str], other: str) -> list[str]:
    """The notice's items: each ticked material, then each line of free text."""
    items = [f"{FILING_MATERIALS[key]}：缺失或不符合要求，请补正" for key in checklist if key in FILING_MATERIALS]
    items += [line.strip() for line in other.splitlines() if line.strip()]
    return items
