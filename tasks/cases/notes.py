"""Officers' internal notes on a filing or a plan: what one officer of the centre tells the next ("called the
enterprise, the licence follows on Monday"). They stay inside the centre — no applicant view, event,
webhook or public page carries them — and each is audited: the trail records who wrote which note when,
with its text's SHA-256, so an edited note would no longer match its entry (the text itself stays out of
the trail, which an applicant's history and an archive read)."""

from __future__ import annotations

import hashlib

from sqlmodel import Session, col, select

from models.accounts import User
from models.cases import CaseNote
from models.clock import business_instant
from policy.eligibility import Violation
from policy.text import TextProblem, clean_text
from tasks.errors import Problems
from tasks.records import audit

MAX_LENGTH = 2000


def add_note(session: Session, *, case_type: str, case_id: int, author: User, text: str) -> CaseNote:
    """Keep a note on a case the author may see (the caller checked that); refused whole when empty, too
    long or carrying control characters — nothing is stored then."""
    try:
        cleaned = clean_text(text)
    except TextProblem as problem:
        raise Problems([Violation("note.characters", "text", f"备注{problem}")]) from None
    if not cleaned:
        raise Problems([Violation("note.empty", "text", "备注不能为空 / the note is empty")])
    if len(cleaned) > MAX_LENGTH:
        raise Problems([Violation("note.too_long", "text", f"备注不能超过 {MAX_LENGTH} 字（现有 {len(cleaned)} 字） / "
                                                          f"at most {MAX_LENGTH} characters")])
    note = CaseNote(case_type=case_type, case_id=case_id, author_id=author.id, text=cleaned,
                    written_at=business_instant(session))
    session.add(note)
    session.flush()
    audit.record(session, case_type=case_type, case_id=case_id, action="note_added", actor_id=author.id,
                 actor_role=author.role,
                 after={"note_id": note.id, "sha256": hashlib.sha256(cleaned.encode()).hexdigest()})
    return note


def notes_of(session: Session, case_type: str, case_id: int) -> list[CaseNote]:
    """The case's notes, oldest first."""
    return list(session.exec(select(CaseNote).where(CaseNote.case_type == case_type, CaseNote.case_id == case_id)
                             .order_by(col(CaseNote.id))).all())
