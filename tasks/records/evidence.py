"""The audit trail as evidence: verify its chains against the database, fix a dated anchor of the global
chain each day, list the anchors for whoever holds them outside (core/evidence.py has the rules)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterator
from typing import Any

from sqlalchemy import func, select
from sqlmodel import Session, col

from core import evidence
from core.clock import wall_now
from models import responses as out
from models.audit import AuditAnchor, AuditChain, AuditEvent
from models.clock import business_today
from models.db import insert_once

# An anchor covers entries written at least this long ago: on PostgreSQL a transaction can commit after
# one with a higher id, and an anchor must never be fixed over an entry that is not there yet.
SETTLE = dt.timedelta(minutes=10)
BATCH = 5000
ENTRY_COLUMNS = [col(column) for column in (
    AuditEvent.id, AuditEvent.case_type, AuditEvent.case_id, AuditEvent.seq, AuditEvent.action, AuditEvent.actor_id,
    AuditEvent.actor_role, AuditEvent.business_time, AuditEvent.wall_time, AuditEvent.before, AuditEvent.after,
    AuditEvent.prev_hash, AuditEvent.entry_hash)]


class UnknownChain(ValueError):
    pass


def parse_chain(text: str) -> tuple[str, int]:
    """`filing:12` → ("filing", 12), with a clear message for anything else."""
    case_type, _, case_id = text.partition(":")
    if not case_type.isidentifier() or not case_id.isdigit():
        raise UnknownChain(f"{text!r} is not a case: give it as TYPE:ID, e.g. filing:12 or plan:3")
    return case_type, int(case_id)


def entries(session: Session, *, chain: tuple[str, int] | None = None, after_id: int = 0,
            up_to_id: int | None = None) -> Iterator[tuple[int, dict[str, Any], str | None]]:
    """(id, entry, stored hash) in id order, read in batches (a million entries never sit in memory)."""
    while True:
        query = select(*ENTRY_COLUMNS).where(col(AuditEvent.id) > after_id).order_by(col(AuditEvent.id)).limit(BATCH)
        if chain is not None:
            query = query.where(col(AuditEvent.case_type) == chain[0], col(AuditEvent.case_id) == chain[1])
        if up_to_id is not None:
            query = query.where(col(AuditEvent.id) <= up_to_id)
        rows = session.execute(query).mappings().all()
        for row in rows:
            yield row["id"], dict(row), row["entry_hash"]
        if len(rows) < BATCH:
            return
        after_id = rows[-1]["id"]


def anchor_facts(session: Session) -> list[evidence.AnchorFact]:
    return [evidence.AnchorFact(f"the anchor of {a.anchored_on}", a.last_event_id, a.entries, a.global_hash)
            for a in session.execute(select(AuditAnchor).order_by(col(AuditAnchor.id))).scalars()]


def verify(session: Session, *, chain: str | None = None,
           progress: Callable[[int, int], None] | None = None) -> tuple[int, evidence.Break | None]:
    """Recompute every chain (or one case's) and compare with the heads and the anchors; returns how many
    entries were checked and the first link that does not hold (None: every chain holds)."""
    case = parse_chain(chain) if chain else None
    if case is not None and session.get(AuditChain, chain) is None:
        raise UnknownChain(f"no audit entries were ever recorded for {chain}")
    total = session.execute(select(func.count()).select_from(AuditEvent).where(
        *([col(AuditEvent.case_type) == case[0], col(AuditEvent.case_id) == case[1]] if case else []))).scalar_one()
    # anchors fix the global chain: they are checked when the whole trail is
    checker = evidence.ChainChecker(anchor_facts(session) if case is None else ())
    for event_id, entry, stored in entries(session, chain=case):
        checker.feed(event_id, entry, stored)
        if progress and checker.checked % 50_000 == 0:
            progress(checker.checked, total)
    heads = select(AuditChain) if case is None else select(AuditChain).where(col(AuditChain.chain) == chain)
    found = checker.finish((h.chain, h.length, h.head_hash) for h in session.execute(heads).scalars())
    if progress:
        progress(checker.checked, total)
    return checker.checked, found


def make_anchor(session: Session, *, on: dt.date | None = None, settle: dt.timedelta = SETTLE) -> AuditAnchor | None:
    """The day's anchor (once a day; None if it exists): the global chain folded on from the last anchor
    over the entries written before now − `settle`, contiguous in id order."""
    on = on or business_today(session)
    if session.execute(select(col(AuditAnchor.id)).where(col(AuditAnchor.anchored_on) == on)).first() is not None:
        return None
    last = session.execute(select(AuditAnchor).order_by(col(AuditAnchor.id).desc())).scalars().first()
    start_id, count, running = (
        (last.last_event_id, last.entries, last.global_hash) if last else (0, 0, evidence.GENESIS)
    )
    unsettled = session.execute(
        select(func.min(col(AuditEvent.id)))
        .where(col(AuditEvent.id) > start_id, col(AuditEvent.wall_time) > wall_now() - settle)
    ).scalar_one()
    up_to = (unsettled - 1) if unsettled is not None else None
    last_id = start_id
    for event_id, _, stored in entries(session, after_id=start_id, up_to_id=up_to):
        running = evidence.fold(running, stored or evidence.GENESIS)
        count, last_id = count + 1, event_id
    previous = last.anchor_hash if last else evidence.GENESIS
    anchor = AuditAnchor(
        anchored_on=on,
        last_event_id=last_id,
        entries=count,
        global_hash=running,
        previous_hash=previous,
        created_at=wall_now(),
        anchor_hash=evidence.anchor_hash(on, last_id, count, running, previous),
    )
    anchor, created = insert_once(session, anchor, lambda: None)  # two ticks on one day: one anchor
    return anchor if created else None


def anchor_view(anchor: AuditAnchor) -> out.AnchorOut:
    return out.AnchorOut(anchored_on=anchor.anchored_on, last_event_id=anchor.last_event_id, entries=anchor.entries,
        global_hash=anchor.global_hash, previous_hash=anchor.previous_hash, anchor_hash=anchor.anchor_hash,
        created_at=anchor.created_at)


def recent_anchors(session: Session, *, limit: int = 30, before_id: int | None = None) -> list[AuditAnchor]:
    query = select(AuditAnchor).order_by(col(AuditAnchor.id).desc()).limit(limit)
    if before_id is not None:
        query = query.where(col(AuditAnchor.id) < before_id)
    return list(session.execute(query).scalars())
