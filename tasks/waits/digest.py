"""The task digest (待办摘要): staff who ask for it get one e-mail a business day, after settings.digest_hour
(China time, the business clock), listing the tasks that arrived in their inbox since their last digest and the
ones due within DUE_SOON_WORKING_DAYS working days (overdue ones first). Nothing to tell, no mail.

Why a digest and not a mail per task: an officer of a provincial centre receives dozens of tasks a day; one
mail at the start of the day is read, forty are filtered away. SMTP is settings.smtp_host; without it nothing
is sent and nothing is marked. A refused send marks nothing, so the next pass tries again; a digest is marked
sent only after the server took it (at worst a mail twice after a crash between the two, never one lost).
"""

from __future__ import annotations

import datetime as dt
import logging
import re
from collections.abc import Callable
from dataclasses import dataclass, field

from sqlalchemy import func
from sqlmodel import Session, col, or_, select

from models.accounts import User
from models.case_kinds import CASE_LABELS
from models.clock import business_now
from models.db import session_scope
from models.workflow import HumanTask
from policy.eligibility import Violation
from policy.steps import label
from tasks.adapters import notify
from tasks.errors import Problems
from tasks.people import access
from tasks.records import audit
from tasks.waits.calendar import load_calendar

log = logging.getLogger("certflow.digest")

DUE_SOON_WORKING_DAYS = 2
DIGEST_ROLES = ("officer", "expert", "supervisor")  # the staff with an inbox
EMAIL = re.compile(r"^[^@\s]{1,64}@[^@\s]+\.[^@\s]+$")
MAX_LISTED = 50  # per section: the rest is a count and a link to the inbox


@dataclass
class Digest:
    user_id: int
    email: str
    name: str
    day: dt.date
    new: list[HumanTask] = field(default_factory=list)
    due_soon: list[HumanTask] = field(default_factory=list)
    new_count: int = 0
    due_count: int = 0
    newest_task_id: int | None = None


def subscribe(session: Session, user: User, *, email: str | None, digest: bool) -> User:
    """Set the address and the digest on or off; refused whole, with the field named. Turning it on starts
    from the tasks in the inbox now: the first digest lists what arrives after, and what falls due."""
    address = (email or "").strip()
    problems = []
    if user.role not in DIGEST_ROLES:
        problems.append(Violation("digest.role", "digest", "只有有待办的工作人员可以订阅待办摘要 / only staff with an "
                                                             "inbox can have a task digest"))
    if address and (len(address) > 254 or not EMAIL.match(address)):
        problems.append(Violation("digest.email", "email", "电子邮箱格式不正确 / not an e-mail address"))
    if digest and not address:
        problems.append(Violation("digest.email", "email",
                                  "订阅待办摘要须填写电子邮箱 / a digest needs an e-mail address"))
    if problems:
        raise Problems(problems)
    before = {"email": user.email, "digest": user.digest}
    if before == {"email": address or None, "digest": digest}:
        return user
    if digest and not user.digest:
        user.digest_seen_task_id = _newest_in_inbox(session, user)
    user.email, user.digest = address or None, digest
    session.add(user)
    audit.record(session, case_type="user", case_id=user.id, action="digest_subscribed" if digest else
                 "digest_unsubscribed", actor_id=user.id, actor_role=user.role, before=before,
                 after={"email": user.email, "digest": user.digest})
    return user


def _mine(user: User):
    """The inbox's active tasks that are the user's to do: held by them, or held by nobody."""
    return access.inbox_filter(user) & access.ACTIVE & or_(col(HumanTask.assignee_id).is_(None),
                                                           HumanTask.assignee_id == user.id)


def _newest_in_inbox(session: Session, user: User) -> int:
    return session.exec(select(func.max(HumanTask.id)).where(access.inbox_filter(user))).one() or 0


def due_digests(session: Session, *, digest_hour: int) -> list[Digest]:
    """The digests owed now: one per subscriber not yet served this business day, once the hour is past.
    A subscriber with nothing to be told is marked served for the day here (no mail)."""
    now = business_now(session)
    if now.hour < digest_hour:
        return []
    today = now.date()
    soon = load_calendar(session).add(today, DUE_SOON_WORKING_DAYS).date
    owed = []
    subscribers = session.exec(select(User).where(
        col(User.digest).is_(True), col(User.email).is_not(None), col(User.disabled_at).is_(None),
        col(User.role).in_(DIGEST_ROLES),
        or_(col(User.digest_sent_on).is_(None), col(User.digest_sent_on) < today)).order_by(col(User.id))).all()
    for user in subscribers:
        seen = user.digest_seen_task_id or 0
        new_rows = select(HumanTask).where(_mine(user), col(HumanTask.id) > seen)
        due_rows = select(HumanTask).where(_mine(user), col(HumanTask.id) <= seen, col(HumanTask.due_date) <= soon)
        digest = Digest(user.id, user.email or "", user.name, today,
                        new=list(session.exec(new_rows.order_by(col(HumanTask.id)).limit(MAX_LISTED))),
                        due_soon=list(session.exec(due_rows.order_by(col(HumanTask.due_date), col(HumanTask.id))
                                                   .limit(MAX_LISTED))),
                        new_count=session.exec(select(func.count()).select_from(new_rows.subquery())).one(),
                        due_count=session.exec(select(func.count()).select_from(due_rows.subquery())).one(),
                        newest_task_id=_newest_in_inbox(session, user))
        if digest.new_count or digest.due_count:
            owed.append(digest)
        else:
            _mark_sent(session, digest)
    return owed


def _mark_sent(session: Session, digest: Digest) -> None:
    user = session.get(User, digest.user_id)
    if user is None:
        return
    user.digest_sent_on = digest.day
    user.digest_seen_task_id = max(user.digest_seen_task_id or 0, digest.newest_task_id or 0)
    session.add(user)


def _line(task: HumanTask, today: dt.date, count_between: Callable[[dt.date, dt.date], int], base_url: str) -> str:
    left = count_between(today, task.due_date)
    when = (f"已逾期 {-left} 个工作日" if left < 0 else "今日到期" if left == 0 else f"还剩 {left} 个工作日")
    return (f"- {CASE_LABELS.get(task.case_type, task.case_type)} #{task.case_id} {label(task.step)}："
            f"{task.due_date.isoformat()} 截止（{when}）\n  {base_url}/dashboard/tasks/{task.id}")


def compose(digest: Digest, *, base_url: str, count_between: Callable[[dt.date, dt.date], int]) -> tuple[str, str]:
    """The mail's subject and text, in the dashboard's words; dates and counts from the business clock."""
    subject = (f"[certflow] 待办摘要 {digest.day.isoformat()}：新到 {digest.new_count} 件，"
               f"即将到期 {digest.due_count} 件")
    parts = [f"{digest.name}，您好：", ""]
    for title, tasks, count in (("新到待办", digest.new, digest.new_count),
                                (f"{DUE_SOON_WORKING_DAYS} 个工作日内到期或已逾期", digest.due_soon, digest.due_count)):
        if not count:
            continue
        parts.append(f"{title}（{count} 件）：")
        parts += [_line(task, digest.day, count_between, base_url) for task in tasks]
        if count > len(tasks):
            parts.append(f"- 另有 {count - len(tasks)} 件，见待办列表")
        parts.append("")
    parts += [f"待办列表：{base_url}/dashboard/inbox",
              f"不再接收：{base_url}/dashboard/me（每个工作日至多一封，在 {digest.day.isoformat()} 发出）"]
    return subject, "\n".join(parts)


def send_due_digests(settings, *, progress: Callable[[str], None] | None = None) -> int:
    """Send the digests owed now (the tick's pass); answers how many mails the SMTP server took. Each is sent
    outside any transaction and marked after, in a transaction of its own."""
    if not settings.smtp_host:
        return 0
    with session_scope(settings.database_url) as session:
        owed = due_digests(session, digest_hour=settings.digest_hour)
        count_between = load_calendar(session).count_between
        mails = [(digest, *compose(digest, base_url=settings.base_url, count_between=count_between))
                 for digest in owed]
    sent = 0
    for digest, subject, text in mails:
        try:
            notify.send_mail(settings.smtp_host, sender=settings.smtp_from, to=[digest.email], subject=subject,
                             text=text)
        except OSError as exc:  # smtplib's errors are OSErrors too: the next pass tries again
            log.warning("the task digest for %s was not sent: %s", digest.name, exc)
            continue
        with session_scope(settings.database_url) as session:
            _mark_sent(session, digest)
        sent += 1
        if progress:
            progress(f"digest sent to {digest.name}")
    return sent
