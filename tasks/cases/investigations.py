"""Objections the enterprise's own certification body investigates (004 §五(四), where the profile
says so): each finding goes to the centre's review, which confirms it or sends it back for a new
investigation. The decisions module calls `after_decision` once a task is decided."""

from __future__ import annotations

from sqlmodel import Session

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


def after_decision(session: Session, task: HumanTask) -> None:
    """The next task of an enterprise-investigated objection: the enterprise's finding goes to the
    centre's review; a review that sends it back opens the enterprise's next investigation."""
    if task.step not in ("objection_enterprise_investigation", "objection_review"):
        return
    parts = task.key.split(":")
    objection = stored(session, Objection, int(parts[1]))
    plan = stored(session, EvaluationPlan, task.case_id)
    if task.step == "objection_enterprise_investigation":
        round_no = int(parts[2]) if len(parts) == 3 else 1
        ensure_task(session, key=f"objection:{objection.id}:review:{round_no}", case_type="plan", case_id=plan.id,
                    step="objection_review", role="officer", jurisdiction=plan.handling_centre or plan.region_code,
                    due_working_days=get_profile(plan.profile_code).sla["objection_review"].budget,
                    flow_run_id=plan.flow_run_id)
    elif task.decision == "reinvestigate":
        open_enterprise_investigation(session, plan, objection, round_no=int(parts[3]) + 1)
