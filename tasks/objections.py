"""Objections during a publicity period (公示异议): each becomes an investigation task at once."""

from __future__ import annotations

from sqlmodel import Session, select

from certflow.clock import business_today, wall_now
from models.accounts import User
from models.cases import Candidate, EvaluationPlan, FilingApplication, Objection
from models.schemas import ObjectionCreate
from models.workflow import HumanTask
from policy.profiles import get_profile
from tasks import audit
from tasks.errors import Conflict, NotFound
from tasks.human_tasks import ensure_task



def raise_objection(session: Session, *, case_type: str, case_id: int, user: User, body: ObjectionCreate) -> Objection:
    case = session.get(FilingApplication if case_type == "filing" else EvaluationPlan, case_id)
    if case is None:
        raise NotFound(f"{case_type} {case_id} does not exist")
    today = business_today(session)
    if case.status != "publicity" or case.publicity_start is None or not (
            case.publicity_start <= today <= (case.publicity_end or today)):
        raise Conflict(f"{case_type} {case_id} is not in its publicity period"
                       + (f" ({case.publicity_start} – {case.publicity_end})" if case.publicity_start else ""))
    if body.candidate_id is not None:
        candidate = session.get(Candidate, body.candidate_id)
        if case_type != "plan" or candidate is None or candidate.plan_id != case_id:
            raise NotFound(f"candidate {body.candidate_id} is not in this batch")
    objection = Objection(case_type=case_type, case_id=case_id, candidate_id=body.candidate_id, raised_by=user.id,
                          text=body.text, raised_at=wall_now())
    session.add(objection)
    session.flush()
    ensure_task(session, key=f"objection:{objection.id}", case_type=case_type, case_id=case_id,
                step="objection_investigation", role="officer", jurisdiction=case.region_code,
                due_working_days=get_profile(case.profile_code).sla["objection_investigation"].budget, flow_run_id=case.flow_run_id)
    audit.record(session, case_type=case_type, case_id=case_id, action="objection_raised", actor_id=user.id,
                 actor_role=user.role, after={"objection_id": objection.id, "candidate_id": body.candidate_id})
    return objection


def _with_tasks(session: Session, case_type: str, case_id: int) -> list[tuple[Objection, HumanTask | None]]:
    objections = session.exec(select(Objection).where(Objection.case_type == case_type,
                                                      Objection.case_id == case_id)).all()
    return [(o, session.exec(select(HumanTask).where(HumanTask.key == f"objection:{o.id}")).first()) for o in objections]


def investigations_closed(session: Session, *, case_type: str, case_id: int) -> bool:
    """True when every objection of the case has a decided investigation (reads only)."""
    return all(task is not None and task.status == "decided" for _, task in _with_tasks(session, case_type, case_id))


def record_outcomes(session: Session, *, case_type: str, case_id: int) -> list[Objection]:
    """Write each investigated objection's outcome; returns the upheld ones."""
    upheld_ones = []
    for objection, task in _with_tasks(session, case_type, case_id):
        if task is not None and task.status == "decided" and objection.outcome is None:
            objection.outcome = "upheld" if task.decision == "uphold" else "dismissed"
            objection.decided_at = task.decided_at
            session.add(objection)
        if objection.outcome == "upheld":
            upheld_ones.append(objection)
    return upheld_ones
