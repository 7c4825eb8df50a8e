"""信用档案 (002 §(二十二)): abnormal-list and blacklist entries on institutions (by credit code) and on
persons (experts, evaluators, quality supervisors), left by supervision decisions, and enforced where
they matter: a blacklisted enterprise files nothing during its ban, a blacklisted person is neither
listed on a plan nor drawn on a panel. Entries expire by themselves (their last day is part of them)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

from sqlalchemy import or_
from sqlmodel import Session, col, select

from core.clock import wall_now
from models import responses as out
from models.clock import business_today
from models.supervision import CreditEntry
from policy.credit import KINDS, CreditSpan
from policy.eligibility import Violation
from tasks.records import audit


def _holding(session: Session, day: dt.date | None = None):  # a SQL condition
    day = day or business_today(session)
    return (CreditEntry.valid_from <= day) & (CreditEntry.valid_until >= day)


def add_entry(session: Session, *, subject_type: str, kind: str, reason: str, valid_from: dt.date,
              valid_until: dt.date, case_id: int | None, decided_by: int | None, approved_by: int | None = None,
              credit_code: str | None = None, institution_id: int | None = None, person_name: str | None = None,
              person_user_id: int | None = None) -> CreditEntry:
    entry = CreditEntry(subject_type=subject_type, kind=kind, reason=reason, valid_from=valid_from,
                        valid_until=valid_until, case_id=case_id, decided_by=decided_by, approved_by=approved_by,
                        credit_code=credit_code, institution_id=institution_id, person_name=person_name,
                        person_user_id=person_user_id, created_at=wall_now())
    session.add(entry)
    session.flush()
    audit.record(session, case_type="supervision" if case_id else "credit", case_id=case_id or entry.id,
                 action=f"credit_entry_added:{kind}", actor_id=approved_by or decided_by, actor_role="officer",
                 after={"credit_entry_id": entry.id, "subject_type": subject_type, "credit_code": credit_code,
                        "person_name": person_name, "person_user_id": person_user_id,
                        "valid_until": valid_until.isoformat()})
    return entry


def institution_entries(session: Session, credit_code: str) -> list[CreditEntry]:
    return list(session.exec(select(CreditEntry).where(CreditEntry.credit_code == credit_code)
                             .order_by(col(CreditEntry.valid_from).desc(), col(CreditEntry.id).desc())).all())


def person_entries(session: Session, *, names: Iterable[str] = (), user_ids: Iterable[int] = ()) -> list[CreditEntry]:
    names, user_ids = list(names), list(user_ids)
    if not names and not user_ids:
        return []
    return list(session.exec(select(CreditEntry).where(CreditEntry.subject_type == "person", or_(
        col(CreditEntry.person_name).in_(names), col(CreditEntry.person_user_id).in_(user_ids)))
        .order_by(col(CreditEntry.valid_from).desc(), col(CreditEntry.id).desc())).all())


def filing_refusal(session: Session, credit_code: str) -> list[Violation]:
    """A blacklisted enterprise files nothing while its entry holds (a cancelled filing's ban is one)."""
    entry = session.exec(select(CreditEntry).where(CreditEntry.credit_code == credit_code,
                                                   CreditEntry.kind == "blacklist", _holding(session))
                         .order_by(col(CreditEntry.valid_until).desc())).first()
    if entry is None:
        return []
    return [
        Violation(
            "credit.blacklisted",
            "credit_code",
            f"该统一社会信用代码列入黑名单（信用记录 #{entry.id}：{entry.reason}），{entry.valid_until}（含）前"
            f"不予备案 / blacklisted (credit entry {entry.id}) through {entry.valid_until}: no filing is accepted",
        )
    ]


def staff_refusals(session: Session, *, evaluators: list[str], quality_supervisors: list[str]) -> list[Violation]:
    """A blacklisted person is not listed as an evaluator or a quality supervisor on a plan."""
    names = set(evaluators) | set(quality_supervisors)
    if not names:
        return []
    held = {
        e.person_name: e
        for e in session.exec(
            select(CreditEntry).where(
                CreditEntry.subject_type == "person",
                CreditEntry.kind == "blacklist",
                col(CreditEntry.person_name).in_(names),
                _holding(session),
            )
        ).all()
    }
    problems = []
    for field, listed in (("evaluators", evaluators), ("quality_supervisors", quality_supervisors)):
        for index, name in enumerate(listed):
            entry = held.get(name)
            if entry is not None:
                problems.append(
                    Violation(
                        "credit.person_blacklisted",
                        f"{field}[{index}]",
                        f"{name} 列入黑名单（信用记录 #{entry.id}），{entry.valid_until}（含）前不得担任考评或"
                        f"督导人员 / blacklisted through {entry.valid_until} (credit entry {entry.id})",
                    )
                )
    return problems


def blacklisted_user_ids(session: Session) -> set[int]:
    """Accounts (experts, supervisors) a draw leaves out while their blacklist entry holds."""
    holders = session.exec(select(col(CreditEntry.person_user_id)).where(
        col(CreditEntry.person_user_id).is_not(None), CreditEntry.kind == "blacklist", _holding(session))).all()
    return {user_id for user_id in holders if user_id is not None}


def entry_view(entry: CreditEntry, today: dt.date) -> out.CreditEntryOut:
    holds = CreditSpan(entry.kind, entry.valid_from, entry.valid_until).holds_on(today)
    return out.CreditEntryOut(id=entry.id, subject_type=entry.subject_type, credit_code=entry.credit_code,
        institution_id=entry.institution_id, person_name=entry.person_name, person_user_id=entry.person_user_id,
        kind=entry.kind, kind_label=KINDS[entry.kind], reason=entry.reason, case_id=entry.case_id,
        valid_from=entry.valid_from, valid_until=entry.valid_until,
        status="holds" if holds else ("expired" if today > entry.valid_until else "future"),
        decided_by=entry.decided_by, approved_by=entry.approved_by)
