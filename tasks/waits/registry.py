"""The one adapter to the national network query system (部中心), retried, never called twice per key.

Without a real endpoint it talks to the local simulator (`certflow.simulator`),
which `certflow up` starts; CERTFLOW_REGISTRY_URL points elsewhere.
"""

from __future__ import annotations

import os
from typing import Any

import httpx
from sqlmodel import Session, select

from core import settings
from core.clock import wall_now
from models.workflow import ExternalSubmission, Incident
from tasks.errors import Conflict, NotFound
from tasks.records import audit
from tasks.waits.human_tasks import wake


class RegistryUnavailable(RuntimeError):
    """A failure worth retrying: network error, timeout or a 5xx answer."""


class RegistryRefused(RuntimeError):
    """The registry answered 4xx: retrying would not help."""


def registry_url() -> str:
    url = settings.current().registry_url
    if not url:
        raise RegistryUnavailable("CERTFLOW_REGISTRY_URL is not set (is the simulator running?)")
    return url


def previous_response(session: Session, key: str) -> dict[str, Any] | None:
    done = session.exec(select(ExternalSubmission).where(ExternalSubmission.key == key)).first()
    return done.response if done else None


_clients: dict[int, httpx.Client] = {}


def _client() -> httpx.Client:
    """One client per process, its connections and TLS context reused by every call: a client per call loaded
    the CA bundle each time (~25 ms of CPU a call, seen with py-spy in the flows' national calls). Keyed by
    process id, so a forked flow process never shares its parent's sockets."""
    client = _clients.get(os.getpid())
    if client is None:
        client = _clients[os.getpid()] = httpx.Client()
    return client


def send(path: str, key: str, payload: dict[str, Any], timeout: float = 10.0) -> dict[str, Any]:
    """POST once with an idempotency key (the registry de-duplicates on it too)."""
    try:
        response = _client().post(
            f"{registry_url()}{path}", json=payload, headers={"Idempotency-Key": key}, timeout=timeout
        )
    except httpx.HTTPError as exc:
        raise RegistryUnavailable(f"{path}: {type(exc).__name__}: {exc}") from exc
    if response.status_code >= 500:
        raise RegistryUnavailable(f"{path}: HTTP {response.status_code} {response.text[:200]}")
    if response.status_code >= 400:
        raise RegistryRefused(f"{path}: HTTP {response.status_code} {response.text[:200]}")
    return response.json()


def record_success(
    session: Session, *, key: str, kind: str, case_type: str, case_id: int, response: dict[str, Any]
) -> None:
    if previous_response(session, key) is None:
        session.add(ExternalSubmission(key=key, kind=kind, case_id=case_id, response=response, completed_at=wall_now()))
    for incident in open_incidents(session, kind=kind, case_type=case_type, case_id=case_id):
        incident.status, incident.resolved_at = "resolved", wall_now()
        session.add(incident)
    audit.record(
        session, case_type=case_type, case_id=case_id, action=f"external_call_succeeded:{kind}", after={"key": key}
    )


def ensure_incident(
    session: Session, *, kind: str, case_type: str, case_id: int, error: str, flow_run_id: str | None
) -> Incident:
    """The open incident of this call, as it is (an operator's retry stays requested), or a new one."""
    existing = open_incidents(session, kind=kind, case_type=case_type, case_id=case_id)
    return (
        existing[0]
        if existing
        else open_incident(
            session, kind=kind, case_type=case_type, case_id=case_id, error=error, flow_run_id=flow_run_id
        )
    )


def resolve_incidents(session: Session, *, kind: str, case_type: str, case_id: int) -> int:
    incidents = open_incidents(session, kind=kind, case_type=case_type, case_id=case_id)
    for incident in incidents:
        incident.status, incident.resolved_at = "resolved", wall_now()
        session.add(incident)
    return len(incidents)


def open_incidents(session: Session, *, kind: str, case_type: str, case_id: int) -> list[Incident]:
    return list(
        session.exec(
            select(Incident).where(
                Incident.kind == kind,
                Incident.case_type == case_type,
                Incident.case_id == case_id,
                Incident.status != "resolved",
            )
        ).all()
    )


def open_incident(
    session: Session, *, kind: str, case_type: str, case_id: int, error: str, flow_run_id: str | None
) -> Incident:
    """Out of retries: one open incident per call (a replay finds it), marked for operations."""
    for incident in open_incidents(session, kind=kind, case_type=case_type, case_id=case_id):
        if incident.status == "retrying":  # the operator's retry failed again
            incident.status, incident.attempts, incident.error = "open", incident.attempts + 1, error
            session.add(incident)
        return incident
    incident = Incident(
        kind=kind, case_type=case_type, case_id=case_id, error=error, flow_run_id=flow_run_id, created_at=wall_now()
    )
    session.add(incident)
    session.flush()
    audit.record(
        session,
        case_type=case_type,
        case_id=case_id,
        action=f"incident_opened:{kind}",
        after={"incident_id": incident.id, "error": error[:500]},
    )
    return incident


def retry_incident(session: Session, *, incident_id: int, user_id: int | None, role: str) -> Incident:
    incident = session.get(Incident, incident_id)
    if incident is None:
        raise NotFound(f"incident {incident_id} does not exist")
    if incident.status != "open":
        raise Conflict(f"incident {incident_id} is {incident.status}")
    incident.status = "retrying"
    session.add(incident)
    audit.record(
        session,
        case_type=incident.case_type,
        case_id=incident.case_id,
        action=f"incident_retry:{incident.kind}",
        actor_id=user_id,
        actor_role=role,
        after={"incident_id": incident_id},
    )
    if incident.flow_run_id:
        wake(session, incident.flow_run_id, reason=f"incident {incident_id} retry")
    return incident


def incident_retry_requested(session: Session, *, kind: str, case_type: str, case_id: int) -> bool:
    return any(i.status == "retrying" for i in open_incidents(session, kind=kind, case_type=case_type, case_id=case_id))
