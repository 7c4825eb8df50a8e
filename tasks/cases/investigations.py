"""Objections the enterprise's own certification body investigates (004 §五(四), where the profile
says so): each finding goes to the centre's review, which confirms it or sends it back for a new
investigation. The batch's flow runs that loop (`advance`, at each of its wakes)."""

from __future__ import annotations

from sqlmodel import Session, col, select

from models.cases import EvaluationPlan, Objection
from models.db import stored
from models.workflow import HumanTask
from policy.profiles import get_profile
from tasks.waits.human_tasks import ensure_task


def _investigation_key(objection_id: int, round_no: int) -> str:
    return f"objection:{objection_id}" if round_no == 1 else f"objection:{objection_id}:{round_no}"


def open_enterprise_investigation(session: Session, plan: EvaluationPlan, objection: Objection, round_no: int) -> None:
    """The enterprise's certification body investigates (004 §五(四)); its task is kept in the centre's
    jurisdiction, so the deadline's SLA clock and its breaches are the centre's to watch."""
    ensure_task(session, key=_investigation_key(objection.id, round_no), case_type="plan", case_id=plan.id,
                step="objection_enterprise_investigation", role="enterprise",
                jurisdiction=plan.handling_centre or plan.region_code,
                due_working_days=get_profile(plan.profile_code).sla["objection_enterprise_investigation"].budget,
                flow_run_id=plan.flow_run_id)


def tasks_of(session: Session, objection_id: int) -> list[HumanTask]:
    """The objection's tasks in the order they were opened (investigations and reviews)."""
    return list(session.exec(select(HumanTask).where(
        (col(HumanTask.key) == f"objection:{objection_id}")
        | col(HumanTask.key).startswith(f"objection:{objection_id}:"))
        .order_by(col(HumanTask.id))).all())


def advance(session: Session, *, plan_id: int) -> None:
    """The batch's flow, at every wake while its results are publicised or investigated: each objection its
    enterprise investigates moves on once its last task is decided — a finding goes to the centre's review, a
    review that sends it back opens the enterprise's next investigation. Idempotent: a replay finds the tasks
    it opened."""
    plan = stored(session, EvaluationPlan, plan_id)
    for objection in session.exec(select(Objection).where(
            Objection.case_type == "plan", Objection.case_id == plan_id, Objection.investigated_by == "enterprise")):
        tasks = tasks_of(session, objection.id)
        if not tasks or tasks[-1].status != "decided":
            continue
        rounds = sum(1 for t in tasks if t.step == "objection_enterprise_investigation")
        if tasks[-1].step == "objection_enterprise_investigation":
            ensure_task(session, key=f"objection:{objection.id}:review:{rounds}", case_type="plan", case_id=plan.id,
                        step="objection_review", role="officer", jurisdiction=plan.handling_centre or plan.region_code,
                        due_working_days=get_profile(plan.profile_code).sla["objection_review"].budget,
                        flow_run_id=plan.flow_run_id)
        elif tasks[-1].step == "objection_review" and tasks[-1].decision == "reinvestigate":
            open_enterprise_investigation(session, plan, objection, round_no=rounds + 1)
