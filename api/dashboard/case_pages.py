"""The case page's view-model: where the case stands, its deadlines ahead, tasks, timeline, documents, files and
notes (filings, batches and supervision cases)."""


from __future__ import annotations

from typing import Any

from sqlmodel import Session, select

from api.dashboard import supervision_pages
from api.dashboard.ops_pages import INCIDENT_KINDS, INCIDENT_STATUS
from api.dashboard.pages import (
    ACTIONS,
    CASE_STEPS,
    DECISION_NAMES,
    ROLE_NAMES,
    TASK_STATUS,
    application_facts,
    date_text,
    deadline_view,
    names_of,
    time_text,
)
from core import settings
from core.clock import china_date
from core.settings import Settings
from models.audit import AuditEvent
from models.cases import (
    EvaluationPlan,
    FilingApplication,
    FilingMaterial,
    Institution,
)
from models.responses import FilingOut, PlanOut, TaskOut, TimerOut
from models.supervision import SupervisionCase
from models.workflow import HumanTask
from policy import case_progress
from policy.credit import OUTCOMES
from policy.eligibility import FILING_MATERIALS
from policy.processes import BATCH_STEP_FUNCTIONS, FILING_STEP_FUNCTIONS
from policy.profiles import (
    centre_name,
    get_profile,
)
from policy.steps import STEP_NAMES, TIMER_PURPOSES
from tasks.cases import batch, files, notes
from tasks.cases import filing as filings
from tasks.cases.supervision import STATUS_LABELS as SUPERVISION_STATUS
from tasks.cases.supervision import numbered
from tasks.exchange import documents
from tasks.queries import views

# -- the case page ---------------------------------------------------------------------


ENGINE_ROLES = ("operations", "admin")  # Prefect's UI retries, cancels and deletes runs: not for case workers


def prefect_run_url(session: Session, flow_run_id: str | None, viewer_role: str) -> str | None:
    api = settings.of(session).prefect_api_url
    if not flow_run_id or not api or viewer_role not in ENGINE_ROLES:
        return None
    return f"{api.rstrip('/').removesuffix('/api')}/runs/flow-run/{flow_run_id}"


def _timeline(session: Session, case_type: str, case_id: int) -> list[dict[str, Any]]:
    events = session.exec(
        select(AuditEvent)
        .where(AuditEvent.case_type == case_type, AuditEvent.case_id == case_id)
        .order_by(AuditEvent.id)
    ).all()
    names = names_of(session, {e.actor_id for e in events})
    out = []
    for event in events:
        action, _, subject = event.action.partition(":")
        detail = (
            STEP_NAMES.get(subject)
            or TIMER_PURPOSES.get(subject)
            or supervision_pages.SUBJECT_LABELS.get(subject)
            or subject
        )
        after = event.after or {}
        if action == "case_moved":
            detail = SUPERVISION_STATUS.get(after.get("status", ""), after.get("status", ""))
        if action == "step_entered":
            detail = CASE_STEPS.get(after.get("step", ""), after.get("step", ""))
        if action == "task_decided":
            detail = f"{detail}：{DECISION_NAMES.get(after.get('decision', ''), after.get('decision', ''))}"
        if action == "sla_paused":
            detail = f"{detail}：{after.get('reason', '')}"
        if action == "sla_resumed":
            detail = f"{detail}：暂停 {after.get('paused_working_days')} 个工作日，期限顺延至 {after.get('due_date')}"
        if action in ("sla_at_risk", "sla_breached", "sla_escalated"):
            detail = f"{detail}，期限 {after.get('due_date', '')}"
        if action == "task_created" and after.get("due_date"):
            detail = f"{detail}，办理期限 {after['due_date']}" + ("（暂定）" if after.get("due_provisional") else "")
        out.append(
            {
                "label": ACTIONS.get(action, action),
                "detail": detail,
                "who": names.get(event.actor_id) or ROLE_NAMES.get(event.actor_role, event.actor_role),
                "role": ROLE_NAMES.get(event.actor_role, event.actor_role),
                "business_time": time_text(event.business_time),
                "wall_time": time_text(event.wall_time),
            }
        )
    return out


def _notes(session: Session, case_type: str, case_id: int) -> list[dict[str, str]]:
    """The centre's internal notes on the case (officers only: the page leaves them out for anyone else)."""
    kept = notes.notes_of(session, case_type, case_id)
    names = names_of(session, {n.author_id for n in kept})
    return [{"who": names.get(n.author_id, ""), "when": time_text(n.written_at), "text": n.text} for n in kept]


STRIP_STATES = {"done": "已完成", "current": "进行中", "to_come": "未开始", "not_reached": "未进行"}
TAKEN_BY = {"enterprise": "企业", "system": "系统"}


def where_the_case_stands(session: Session, case_type: str, case: FilingApplication | EvaluationPlan,
                          today: views.Today) -> list[dict[str, Any]]:
    """The case's steps from its province's profile (those applying to its institution's kind), each done
    (when, by whom), current (its deadline in working days) or to come — policy/case_progress.py."""
    if case_type == "filing":
        facts = filings.flow_facts(session, filing_id=case.id)
        listed, functions = get_profile(case.profile_code).filing_steps, FILING_STEP_FUNCTIONS
    else:
        facts = batch.flow_facts(session, plan_id=case.id)
        listed, functions = get_profile(case.profile_code).batch_steps, BATCH_STEP_FUNCTIONS
    steps = [s for s in listed if s.applies_to(facts.institution_kind)]
    codes = [s.step for s in steps]
    tasks = session.exec(select(HumanTask).where(HumanTask.case_type == case_type, HumanTask.case_id == case.id)
                         .order_by(HumanTask.id)).all()
    # a step the list has twice (a review at two levels) owns the tasks of its centre; any other, its step's
    of_step = [[t for t in tasks if t.step == s.step
                and (codes.count(s.step) == 1 or t.jurisdiction == facts.centres[s.by])] for s in steps]
    open_ = frozenset(i for i, mine in enumerate(of_step) if any(t.status in ("open", "claimed") for t in mine))
    unfinished = {i for i, mine in enumerate(of_step) if not mine or any(t.status != "decided" for t in mine)}
    entered = session.exec(select(AuditEvent.after).where(
        AuditEvent.case_type == case_type, AuditEvent.case_id == case.id, AuditEvent.action == "step_entered")).all()
    reached = {case_progress.profile_step(case_type, (after or {}).get("step")) for after in entered}
    ended = None
    if facts.finished:
        ended = "completed" if case.status in ("registered", "completed") else "stopped"
    marks = case_progress.states(
        len(steps), case_progress.position(codes, case_type, case.current_step, unfinished=unfinished),
        ended=ended, open_tasks=open_, furthest=max((i for i, c in enumerate(codes) if c in reached), default=0))
    names = names_of(session, {t.decided_by for t in tasks} | {t.assignee_id for t in tasks})
    strip = []
    for step, mine, state in zip(steps, of_step, marks, strict=True):
        taken_by = functions[step.step].taken_by
        mark: dict[str, Any] = {
            "label": STEP_NAMES.get(step.step, step.step),
            "by": TAKEN_BY.get(taken_by) or centre_name(facts.centres[step.by]),
            "state": state, "state_label": STRIP_STATES[state], "note": "", "tone": "",
        }
        decided = [t for t in mine if t.status == "decided" and t.decided_at is not None]
        waiting = [t for t in mine if t.status in ("open", "claimed")]
        if state == "done" and decided:
            deciders = list(dict.fromkeys(names.get(t.decided_by, "") for t in decided if t.decided_by))
            who = "、".join(deciders[:3]) + (f" 等 {len(deciders)} 人" if len(deciders) > 3 else "")
            mark["note"] = date_text(china_date(max(t.decided_at for t in decided))) + (f" · {who}" if who else "")
        elif state == "current" and waiting:
            due = min(waiting, key=lambda t: t.due_date)
            deadline = deadline_view(due.due_date, due.due_provisional, today)
            holder = names.get(due.assignee_id) if due.assignee_id else "待领取"
            mark["note"] = f"办理期限 {deadline['due_date']}，{deadline['deadline']} · {holder}"
            mark["tone"] = deadline["tone"]
        strip.append(mark)
    return strip


def _deadlines_ahead(tasks: list[TaskOut], timers: list[TimerOut], today: views.Today) -> list[dict[str, Any]]:
    ahead = []
    for task in tasks:
        if task.status in ("open", "claimed"):
            ahead.append(
                {"what": f"{task.step_name}（待办 #{task.id}）",
                 **deadline_view(task.due_date, task.provisional, today), "why": task.due_explanation.text}
            )
    for timer in timers:
        if timer.status == "pending":
            ahead.append(
                {
                    "what": TIMER_PURPOSES.get(timer.purpose, timer.purpose),
                    **deadline_view(timer.fires_on, timer.provisional, today),
                    "why": timer.due_explanation.text if timer.due_explanation else "",
                }
            )
    return sorted(ahead, key=lambda a: a["due_iso"])


def _size(size: int) -> str:
    return f"{size / (1024 * 1024):.1f} MB" if size >= 1024 * 1024 else f"{max(1, round(size / 1024))} KB"


def uploaded_files(session: Session, case_type: str, case_id: int, viewer_role: str) -> list[dict[str, Any]]:
    """The case's uploaded files, each downloaded from the dashboard (the same visibility as the case); an
    officer also previews a PDF or an image in the browser."""
    return [
        {
            "label": files.LABELS.get(f.kind, f.kind),
            "round": "首次提交" if f.round == 0 else f"第 {f.round} 轮",
            "filename": f.filename,
            "size": _size(f.size),
            "sha256": f.sha256,
            "sha_short": f.sha256[:12],
            "uploaded": time_text(f.uploaded_at),
            "href": f"/dashboard/cases/{case_type}/{case_id}/files/{f.id}",
            "preview": (f"/dashboard/cases/{case_type}/{case_id}/files/{f.id}/preview"
                        if f.media_type in files.PREVIEWABLE and viewer_role == "officer" else None),
        }
        for f in files.files_of(session, case_type, case_id)
    ]


def supervision_case_page(session: Session, case: SupervisionCase, viewer_role: str) -> dict[str, Any]:
    """A supervision case: its facts and answers, deadlines, timeline and documents (the rectification
    orders and the cancellation decision as PDFs)."""
    today = views.Today(session)
    case_tasks = views.case_tasks(session, "supervision", case.id)
    names = names_of(session, {t.assignee_id for t in case_tasks})
    documents_ = [
        {
            "label": f"责令整改通知书（第 {numbered(r['round'])} 轮）",
            "href": f"/dashboard/cases/supervision/{case.id}/rectification/{numbered(r['round'])}.pdf",
        }
        for r in case.rectifications
    ]
    if any(a.get("decision") == "cancel_filing" and a.get("credit_entry_id") for a in case.actions):
        documents_.append(
            {"label": "取消备案决定书", "href": f"/dashboard/cases/supervision/{case.id}/cancellation.pdf"}
        )
    institution = session.get(Institution, case.institution_id)
    return {
        "type": "supervision",
        "id": case.id,
        "ref": f"监督 #{case.id}",
        "title": institution.name,
        "status": SUPERVISION_STATUS[case.status] + (f"（{OUTCOMES[case.outcome]}）" if case.outcome else ""),
        "outcome_reason": case.outcome_reason,
        "timeline": _timeline(session, "supervision", case.id),
        "deadlines": _deadlines_ahead(case_tasks, views.case_timers(session, "supervision", case.id), today),
        "tasks": [
            {
                "id": t.id,
                "href": f"/dashboard/tasks/{t.id}",
                "step_name": t.step_name,
                "status": TASK_STATUS.get(t.status, t.status),
                "who": names.get(t.assignee_id, ""),
                "decision": supervision_pages.STEP_DECISION_NAMES.get(
                    (t.step, t.decision), DECISION_NAMES.get(t.decision or "", t.decision or "")
                ),
            }
            for t in case_tasks
        ],
        "prefect_url": prefect_run_url(session, case.flow_run_id, viewer_role),
        "flow_run_id": case.flow_run_id,
        "incidents": [],
        "documents": documents_,
        "materials": [],
        "notices": [],
        "facts": supervision_pages.facts(session, case),
        "institution_href": f"/dashboard/institutions/{case.institution_id}",
        "files": uploaded_files(session, "supervision", case.id, viewer_role),
    }


def case_page(
    session: Session, case_type: str, case: FilingApplication | EvaluationPlan | SupervisionCase, *, settings: Settings,
    viewer_role: str, note_refused: tuple[str, str] = ("", ""),
) -> dict[str, Any]:
    if case_type == "supervision":
        return supervision_case_page(session, case, viewer_role)
    today = views.Today(session)
    view: FilingOut | PlanOut = (
        views.filing_view(session, case, with_history=False)
        if isinstance(case, FilingApplication)
        else views.plan_view(session, case, with_history=False)
    )
    names = names_of(session, {t.assignee_id for t in view.tasks})
    tasks = [
        {
            "id": t.id,
            "href": f"/dashboard/tasks/{t.id}",
            "step_name": t.step_name,
            "status": TASK_STATUS.get(t.status, t.status),
            "who": names.get(t.assignee_id, ""),
            "decision": DECISION_NAMES.get(t.decision or "", t.decision or ""),
        }
        for t in view.tasks
    ]
    page: dict[str, Any] = {
        "type": case_type,
        "id": case.id,
        "ref": f"{'备案' if case_type == 'filing' else '批次'} #{case.id}",
        "status": CASE_STEPS.get(view.current_step or "", view.current_step or ""),
        "outcome_reason": view.outcome_reason,
        "timeline": _timeline(session, case_type, case.id),
        "deadlines": _deadlines_ahead(view.tasks, view.timers, today),
        "tasks": tasks,
        "prefect_url": prefect_run_url(session, view.flow_run_id, viewer_role),
        "flow_run_id": view.flow_run_id,
        "incidents": [
            {**i.model_dump(), "kind": INCIDENT_KINDS.get(i.kind, i.kind),
             "status": INCIDENT_STATUS.get(i.status, i.status)}
            for i in view.incidents
        ],
        "documents": [],
        "materials": [],
        "notices": [],
        "files": uploaded_files(session, case_type, case.id, viewer_role),
        "strip": where_the_case_stands(session, case_type, case, today),
        "notes": _notes(session, case_type, case.id) if viewer_role == "officer" else None,
        "note_error": note_refused[0], "note_draft": note_refused[1],  # a refused note: why, and its text
    }
    if isinstance(view, FilingOut):
        page["title"] = view.enterprise_name
        page["institution_href"] = f"/dashboard/institutions/{case.institution_id}"
        materials = session.exec(
            select(FilingMaterial)
            .where(FilingMaterial.filing_id == case.id)
            .order_by(FilingMaterial.round, FilingMaterial.id)
        ).all()
        page["materials"] = [
            {
                "label": FILING_MATERIALS.get(m.kind, m.kind),
                "round": "首次提交" if m.round == 0 else f"第 {m.round} 次补正",
                "title": m.title,
                "submitted": time_text(m.submitted_at),
            }
            for m in materials
        ]
        page["notices"] = [
            {
                "round": n.round,
                "entries": n.items,
                "issued": time_text(n.issued_at) if n.issued_at else None,
                "resubmitted": time_text(n.resubmitted_at) if n.resubmitted_at else "尚未补正",
                "href": f"/dashboard/cases/filing/{case.id}/notices/{n.round}.pdf",
            }
            for n in view.deficiency_notices
        ]
        if view.receipt_number:
            page["documents"].append(
                {
                    "label": f"备案回执 {view.receipt_number}",
                    "href": f"/dashboard/cases/filing/{case.id}/receipt.pdf",
                }
            )
        page["facts"] = [
            *application_facts(session, "filing", case),
            ("适用规则", f"{get_profile(view.profile).name}（{view.profile}）"),
            ("补正轮次", str(view.deficiency_rounds)),
            ("证书编号段", view.segment or "—"),
        ]
    else:
        institution = session.get(Institution, case.institution_id)
        page["title"] = f"{institution.name if institution else ''} · {view.occupation_code}"
        page["institution_href"] = f"/dashboard/institutions/{case.institution_id}"
        page["facts"] = [
            *application_facts(session, "plan", case),
            ("计划报送日", view.filed_on.isoformat()),
            ("成绩报送期限", view.results_due.isoformat() if view.results_due else "—"),
            ("已发证书", str(view.certificates_issued)),
            *supervision_pages.staff_credit_facts(session, case),
        ]
        page["documents"] = [
            {
                "label": f"证书 {c.certificate_number}（{c.name}）",
                "href": f"/dashboard/certificates/{c.certificate_number}.pdf",
            }
            for c in view.candidates
            if c.certificate_number
        ]
        page["sheets"] = [
            {"label": label, "href": f"/dashboard/cases/plan/{case.id}/{name}.xlsx"}
            for name, label in (
                ("roster", "花名册"),
                ("results", "成绩表"),
                ("certificates", "证书清单"),
                ("results-template", "成绩录入模板"),
            )
        ]
        if view.certificates_issued:
            done, total = documents.rendered_count(session, plan_id=case.id, settings=settings)
            page["rendered"] = f"已生成 PDF {done}/{total}"
    return page
