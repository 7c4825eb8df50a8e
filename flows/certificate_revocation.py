"""Process 3, first part — a certificate revocation (撤销证书, 004 §六(三)): the second officer's approval
(four-eyes), the certificates revoked, the national query system told (retried; an incident when out
of retries). One line per step; each step idempotent, because a resumed run replays from the top."""

from __future__ import annotations

from prefect import flow

from flows.steps import await_decision, budget, call_external, db, national_key
from models.facts import RevocationFlowFacts
from tasks.cases import revocations


@flow(name="certificate_revocation", persist_result=True, log_prints=True)
def certificate_revocation(revocation_id: int) -> str:
    case = _load(revocation_id)
    if case.status in ("refused", "notified"):
        return case.status
    approval = await_decision(key=f"revocation:{revocation_id}:approval", case_type="plan", case_id=case.plan_id,
                              step="revocation_approval", role="officer", jurisdiction=case.centre,
                              due_working_days=budget(case, "revocation_approval"))
    if approval.decision == "refuse":
        refuse(revocation_id, approval.payload.get("reason", ""))
        return "refused"
    revoked = revoke(revocation_id, approval.decided_by)
    for index, payload in enumerate(national_payloads(revocation_id)):
        call_external(
            kind="certificate_revocation",
            path="/certificates/revocations",
            key=national_key("revocation", payload["revocations"][0]["number"], revocation_id, index),
            payload=payload,
            case_type="plan",
            case_id=case.plan_id,
        )
    sent_nationally(revocation_id)
    return f"revoked: {revoked} certificates"


def refuse(revocation_id: int, reason: str) -> None:
    """不同意撤销 revocation refused."""
    with db() as session:
        revocations.refuse(session, revocation_id=revocation_id, reason=reason)


def revoke(revocation_id: int, approved_by: int | None) -> int:
    """撤销证书 certificates revoked."""
    with db() as session:
        return revocations.revoke(session, revocation_id=revocation_id, approved_by=approved_by)


def national_payloads(revocation_id: int) -> list[dict]:
    """撤销报送准备 national payloads."""
    with db(readonly=True) as session:
        return revocations.national_payloads(session, revocation_id=revocation_id)


def sent_nationally(revocation_id: int) -> None:
    """全国联网已撤销 sent nationally."""
    with db() as session:
        revocations.notified(session, revocation_id=revocation_id)


def _load(revocation_id: int) -> RevocationFlowFacts:
    with db(readonly=True) as session:
        return revocations.flow_facts(session, revocation_id=revocation_id)
