"""A task handed to a named colleague of the same centre (转交): its holder passes a claimed task on (leave, a
colleague who knows the enterprise), an officer of the centre gives an unclaimed one to a colleague, or the
centre's lead (中心负责人, `User.leads_centre`) reassigns any of the centre's tasks, one a colleague holds too.

The colleague must be able to take the task themselves — an officer, not offboarded, whose inbox holds it —
and the separation-of-duties rules that would refuse their claim refuse the handover (decisions.
separation_problems). The task arrives claimed by the colleague; the trail records who handed it to whom
and why. Drawn seats (experts, supervisors) are never handed over: the draw named their holder.
"""

from __future__ import annotations

from sqlmodel import Session, col, select

from models.accounts import User
from models.workflow import HumanTask
from policy.eligibility import Violation
from policy.text import TextProblem, clean_text
from tasks.cases import decisions
from tasks.errors import Problems
from tasks.people import access
from tasks.waits import human_tasks
from tasks.waits.human_tasks import TaskConflict


def hand_over(session: Session, task: HumanTask, *, by: User, to_user_id: int, reason: str) -> HumanTask:
    """Give the task to the colleague, claimed; refused whole (nothing changes) with every reason."""
    if task.status not in ("open", "claimed"):
        raise TaskConflict(f"待办已{'办结' if task.status == 'decided' else '关闭'}，不能转交 / task {task.id} is "
                           f"{task.status}")
    if not may_hand_over(session, task, by):
        raise TaskConflict(f"待办由他人领取，只有领取人或本中心负责人可以转交 / task {task.id} is claimed by someone "
                           "else: only its holder or the centre's lead may hand it over")
    problems = []
    try:
        why = clean_text(reason)
    except TextProblem as problem:
        problems.append(Violation("handover.reason", "reason", f"转交原因{problem}"))
        why = ""
    if not why and not problems:
        problems.append(Violation("handover.reason", "reason", "请写明转交原因 / give the reason"))
    colleague = session.get(User, to_user_id)
    if colleague is None or colleague.id in (by.id, task.assignee_id):
        problems.append(Violation("handover.colleague", "to_user_id",
                                  "请选择本中心的另一名经办人员（不是本人，也不是现办理人） / name another officer of "
                                  "your centre (neither you nor the task's holder)"))
    elif task.role != "officer" or colleague.role != "officer" or colleague.disabled_at is not None \
            or not _in_inbox_of(session, task, colleague):
        problems.append(Violation("handover.colleague", "to_user_id",
                                  f"{colleague.name} 不能办理此待办（须为本中心在岗经办人员） / {colleague.name} "
                                  "may not take this task (an active officer of the centre holding the step)"))
    else:
        problems += decisions.separation_problems(session, task, colleague)
    if problems or colleague is None:
        raise Problems(problems)
    return human_tasks.give_to(session, task, assignee_id=colleague.id, by_id=by.id, by_role=by.role, reason=why)


def may_hand_over(session: Session, task: HumanTask, user: User) -> bool:
    """An open task: any officer of its centre; a claimed one: its holder, or the lead of its centre."""
    if user.role != "officer" or task.status not in ("open", "claimed"):
        return False
    if task.status == "open" or task.assignee_id == user.id:
        return True
    return user.leads_centre and user.disabled_at is None and _in_inbox_of(session, task, user)


def colleagues(session: Session, task: HumanTask, user: User) -> list[User]:
    """Who the task could go to: the active officers whose inbox holds it, the user and its holder left out."""
    if task.role != "officer":
        return []
    officers = session.exec(select(User).where(  # the province's officers; their inboxes decide
        User.role == "officer", col(User.disabled_at).is_(None), User.id != user.id,
        col(User.jurisdiction).startswith(task.jurisdiction[:2])).order_by(User.name)).all()
    return [o for o in officers if o.id != task.assignee_id and _in_inbox_of(session, task, o)]


def _in_inbox_of(session: Session, task: HumanTask, user: User) -> bool:
    found = session.exec(select(HumanTask.id).where(HumanTask.id == task.id, access.inbox_filter(user))).first()
    return found is not None
