"""Process 3 — a supervision case (监督管理, 003 §四(二)(三), 004 §六; 000 §三(6); 002 §(二十二)):
a complaint is registered and triaged (受理 / 不予受理); the investigation may ask the institution to
explain itself by a working-day deadline (silence is recorded) and decides: dismiss, order rectification
(verified by an officer; failure escalates to cancellation), cancel the filing with a re-filing ban,
revoke certificates, or a credit entry. Cancellation and blacklisting take a second officer's approval
(a cancellation the provincial level's, where the profile reserves it: 003 §四(三));
a revocation takes its own. One line per step; each step idempotent, keyed by the investigation round,
because a resumed run replays from the top."""

from __future__ import annotations

import datetime as dt

from prefect import flow

from flows.steps import Decision, await_decision, budget, db, wait_for, wait_for_answer
from models.facts import SupervisionFlowFacts
from tasks.cases import supervision


@flow(name="supervision_case", persist_result=True, log_prints=True)
def supervision_case(case_id: int) -> str:
    case = _load(case_id)
    if case.status == "closed":  # closed with its outcome (a replay of a finished run)
        return case.outcome or "closed"
    if case.source == "complaint":
        triage = officer_step(case_id, case, "complaint_triage", f"supervision:{case_id}:triage")
        if triage.decision == "not_accept":
            return close(case_id, "not_accepted", triage.payload.get("reason", ""))
        accept(case_id)
    round_no = 0
    while True:
        finding = officer_step(case_id, case, "supervision_investigation",
                               f"supervision:{case_id}:investigation:{round_no}")
        outcome = act_on(case_id, case, round_no, finding)
        if outcome is not None:
            return outcome
        round_no += 1


def act_on(case_id: int, case: SupervisionFlowFacts, round_no: int, finding: Decision) -> str | None:
    """What the investigation decided; None sends the case back to the investigation's next round."""
    reason, sanction = finding.payload.get("reason", ""), finding.payload.get("sanction") or {}
    if finding.decision == "request_explanation":
        explanation_awaited(case_id, case, round_no, reason, sanction, finding.decided_by)
        return None
    if finding.decision == "dismiss":
        return close(case_id, "dismissed", reason)
    if finding.decision == "order_rectification":
        if rectified(case_id, case, round_no, reason, sanction, finding.decided_by):
            return close(case_id, "rectified", reason)
        # failed or not answered: the case escalates to the cancellation of the filing
        return sanctioned(case_id, case, round_no, "cancel_filing", {}, finding.decided_by,
                          f"责令整改未整改到位：{reason}")
    if finding.decision == "cancel_filing":
        return sanctioned(case_id, case, round_no, "cancel_filing", sanction, finding.decided_by, reason)
    if finding.decision == "credit_entry" and sanction.get("credit_kind") == "blacklist":
        return sanctioned(case_id, case, round_no, "blacklist", sanction, finding.decided_by, reason)
    if finding.decision == "credit_entry":
        credit_entry(case_id, round_no, sanction, finding.decided_by, None, reason)
        return close(case_id, "credit_entry", reason)
    if finding.decision == "revoke_certificates" and certificates_revoked(case_id, round_no, sanction,
                                                                          finding.decided_by, reason):
        return close(case_id, "revoked", reason)
    return None


def officer_step(case_id: int, case: SupervisionFlowFacts, step: str, key: str, at: str | None = None) -> Decision:
    return await_decision(key=key, case_type="supervision", case_id=case_id, step=step, role="officer",
                          jurisdiction=at or case.centre, due_working_days=budget(case, step))


def explanation_awaited(case_id: int, case: SupervisionFlowFacts, round_no: int, question: str, sanction: dict,
                        asked_by: int | None) -> None:
    """书面说明: the institution answers through the API by the deadline, or its silence is recorded."""
    asked = request_explanation(case_id, round_no, question, sanction.get("working_days"), asked_by)
    answered = wait_for_answer(
        key=f"supervision:{case_id}:explanation:{round_no}", case_type="supervision", case_id=case_id,
        purpose="书面说明期限", start=dt.date.fromisoformat(asked["requested_on"]), working_days=asked["working_days"],
        answered=lambda s: supervision.answered(s, case_id=case_id, kind="explanation", round_no=round_no),
        on_set=lambda due, _provisional: deadline_set(case_id, "explanation", round_no, due))
    if not answered:
        explanation_overdue(case_id, round_no)


def rectified(case_id: int, case: SupervisionFlowFacts, round_no: int, finding: str, sanction: dict,
              ordered_by: int | None) -> bool:
    """责令整改: the institution submits its rectification by the deadline and an officer verifies it."""
    order = order_rectification(case_id, round_no, sanction.get("items", []), sanction.get("working_days"),
                                ordered_by, finding)
    submitted = wait_for_answer(
        key=f"supervision:{case_id}:rectification:{round_no}", case_type="supervision", case_id=case_id,
        purpose="整改期限", start=dt.date.fromisoformat(order["ordered_on"]), working_days=order["working_days"],
        answered=lambda s: supervision.answered(s, case_id=case_id, kind="rectification", round_no=round_no),
        on_set=lambda due, _provisional: deadline_set(case_id, "rectification", round_no, due))
    if not submitted:
        rectification_overdue(case_id, round_no)
        return False
    verification = officer_step(case_id, case, "rectification_verification",
                                f"supervision:{case_id}:verification:{round_no}")
    rectification_verified(case_id, round_no, verification.decision, verification.decided_by)
    return verification.decision == "verified"


def sanctioned(case_id: int, case: SupervisionFlowFacts, round_no: int, sanction: str, details: dict,
               proposed_by: int | None, reason: str) -> str | None:
    """Cancellation and blacklisting: a second officer approves (four-eyes) or sends the case back."""
    propose(case_id, round_no, sanction, proposed_by, details, reason)
    approval = officer_step(case_id, case, "sanction_approval", f"supervision:{case_id}:approval:{round_no}",
                            at=case.cancellation_centre if sanction == "cancel_filing" else case.centre)
    if approval.decision == "refuse":
        approval_refused(case_id, round_no, approval.decided_by, approval.payload.get("reason", ""))
        return None
    if sanction == "cancel_filing":
        cancel_filing(case_id, round_no, approval.decided_by)
        return close(case_id, "cancelled", reason)
    credit_entry(case_id, round_no, details, proposed_by, approval.decided_by, reason)
    return close(case_id, "credit_entry", reason)


def certificates_revoked(case_id: int, round_no: int, sanction: dict, requested_by: int, reason: str) -> bool:
    """撤销证书: a revocation of its own, whose second officer approves it; refused, the case goes back."""
    request_revocation(case_id, round_no, sanction, requested_by, reason)
    outcome = wait_for(lambda s: supervision.revocation_outcome(s, case_id=case_id, round_no=round_no),
                       what=f"revocation of supervision case {case_id}")
    if outcome == "refused":
        revocation_refused(case_id, round_no)
        return False
    return True


def accept(case_id: int) -> None:
    """受理 complaint accepted."""
    with db() as session:
        supervision.accept(session, case_id=case_id)


def close(case_id: int, outcome: str, reason: str) -> str:
    """办结 case closed."""
    with db() as session:
        supervision.close(session, case_id=case_id, outcome=outcome, reason=reason)
    return outcome


def request_explanation(case_id: int, round_no: int, question: str, working_days: int | None,
                        asked_by: int | None) -> dict:
    """要求书面说明 explanation requested."""
    with db() as session:
        return supervision.request_explanation(session, case_id=case_id, round_no=round_no, question=question,
                                               working_days=working_days, asked_by=asked_by)


def deadline_set(case_id: int, kind: str, round_no: int, due: dt.date) -> None:
    """期限 deadline set."""
    with db() as session:
        supervision.set_due(session, case_id=case_id, kind=kind, round_no=round_no, due=due)


def explanation_overdue(case_id: int, round_no: int) -> None:
    """逾期未说明 explanation overdue."""
    with db() as session:
        supervision.explanation_overdue(session, case_id=case_id, round_no=round_no)


def order_rectification(case_id: int, round_no: int, items: list, working_days: int | None, ordered_by: int | None,
                        reason: str) -> dict:
    """责令整改 rectification ordered."""
    with db() as session:
        return supervision.order_rectification(session, case_id=case_id, round_no=round_no, items=items,
                                               working_days=working_days, ordered_by=ordered_by, reason=reason)


def rectification_overdue(case_id: int, round_no: int) -> None:
    """逾期未整改 rectification overdue."""
    with db() as session:
        supervision.rectification_overdue(session, case_id=case_id, round_no=round_no)


def rectification_verified(case_id: int, round_no: int, verdict: str, by: int | None) -> None:
    """整改核查 rectification verified."""
    with db() as session:
        supervision.rectification_verified(session, case_id=case_id, round_no=round_no, verdict=verdict, by=by)


def propose(case_id: int, round_no: int, sanction: str, proposed_by: int | None, details: dict, reason: str) -> None:
    """处理建议 sanction proposed."""
    with db() as session:
        supervision.propose(session, case_id=case_id, round_no=round_no, sanction=sanction, proposed_by=proposed_by,
                            details=details, reason=reason)


def approval_refused(case_id: int, round_no: int, by: int | None, reason: str) -> None:
    """复核不同意 sanction refused."""
    with db() as session:
        supervision.approval_refused(session, case_id=case_id, round_no=round_no, by=by, reason=reason)


def cancel_filing(case_id: int, round_no: int, approved_by: int | None) -> str:
    """取消备案 filing cancelled."""
    with db() as session:
        return supervision.cancel_filing(session, case_id=case_id, round_no=round_no, approved_by=approved_by)


def credit_entry(case_id: int, round_no: int, details: dict, decided_by: int | None, approved_by: int | None,
                 reason: str) -> int:
    """信用记录 credit entry."""
    with db() as session:
        return supervision.add_credit_entry(session, case_id=case_id, round_no=round_no, details=details,
                                            decided_by=decided_by, approved_by=approved_by, reason=reason)


def request_revocation(case_id: int, round_no: int, details: dict, requested_by: int, reason: str) -> int:
    """撤销证书申请 revocation requested."""
    with db() as session:
        return supervision.request_revocation(session, case_id=case_id, round_no=round_no, details=details,
                                              requested_by=requested_by, reason=reason)


def revocation_refused(case_id: int, round_no: int) -> None:
    """撤销未获同意 revocation refused."""
    with db() as session:
        supervision.revocation_refused(session, case_id=case_id, round_no=round_no)


def _load(case_id: int) -> SupervisionFlowFacts:
    with db(readonly=True) as session:
        return supervision.flow_facts(session, case_id=case_id)
