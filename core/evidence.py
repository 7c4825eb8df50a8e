"""Tamper evidence for the audit trail (全程留痕、责任可追溯, 003 §二(四)): hash chains, standard library only.

Each case's entries form a chain: an entry's hash covers its content and the hash of the entry before it
in the same case, so editing or deleting an entry breaks every link after it. A second, global chain runs
over every entry in id order; it is not kept per insert (that would serialise every writer of every case)
but folded into dated anchors, and an anchor's hash can be handed to an outside party: once it is held
elsewhere, nothing written before it can be changed or removed unnoticed, even with the database's keys.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

GENESIS = "0" * 64  # the "previous hash" of a chain's first entry
ENTRY_FIELDS = ("case_type", "case_id", "seq", "action", "actor_id", "actor_role", "business_time", "wall_time",
                "before", "after", "prev_hash")


def instant(value: dt.datetime | str | None) -> str | None:
    """One spelling for one instant, whatever the database hands back (aware UTC, or naive UTC)."""
    if value is None or isinstance(value, str):
        return value
    if value.tzinfo is None:
        value = value.replace(tzinfo=dt.UTC)
    return value.astimezone(dt.UTC).isoformat(timespec="microseconds")


def canonical(entry: Mapping[str, Any]) -> bytes:
    """The bytes an entry's hash covers: its fields as sorted, compact JSON (times in UTC)."""
    fields = {name: entry.get(name) for name in ENTRY_FIELDS}
    fields["business_time"] = instant(fields["business_time"])
    fields["wall_time"] = instant(fields["wall_time"])
    return json.dumps(fields, sort_keys=True, ensure_ascii=False, separators=(",", ":"), default=str).encode()


def entry_hash(entry: Mapping[str, Any]) -> str:
    return hashlib.sha256(canonical(entry)).hexdigest()


def fold(global_hash: str, entry_hash_: str) -> str:
    """The global chain's next link: the running hash over every entry, in id order."""
    return hashlib.sha256(f"{global_hash}{entry_hash_}".encode()).hexdigest()


def anchor_hash(anchored_on: dt.date, last_event_id: int, entries: int, global_hash: str, previous: str) -> str:
    """An anchor's own hash: what it covers, chained to the anchor before it."""
    text = f"{anchored_on.isoformat()}|{last_event_id}|{entries}|{global_hash}|{previous}"
    return hashlib.sha256(text.encode()).hexdigest()


@dataclass(frozen=True)
class Break:
    """The first link that does not hold: where, and what is wrong there."""

    event_id: int | None
    chain: str
    seq: int | None
    problem: str

    def __str__(self) -> str:
        where = f"entry #{self.event_id}" if self.event_id is not None else "chain head"
        position = f", position {self.seq}" if self.seq is not None else ""
        return f"{where} of {self.chain}{position}: {self.problem}"


@dataclass
class Head:
    length: int = 0
    hash: str = GENESIS
    first_id: int | None = None
    # entries read ahead of their turn: a chain is ordered by position, and a transaction that commits later
    # may hold a lower id than one of the same case that committed first
    waiting: dict[int, tuple[int, Mapping[str, Any], str]] = field(default_factory=dict)


@dataclass(frozen=True)
class AnchorFact:
    """What an anchor says: after the entries up to `last_event_id` (`entries` of them), the global hash."""

    label: str
    last_event_id: int
    entries: int
    global_hash: str


class ChainChecker:
    """Checks entries fed in id order: each case's chain by position, and the global chain (id order)
    against the anchors. The first break is the one at the lowest entry id; a head's or an anchor's only
    when no entry is broken."""

    def __init__(self, anchors: Iterable[AnchorFact] = ()) -> None:
        self.heads: dict[str, Head] = {}
        self.first_break: Break | None = None
        self.checked = 0
        self.global_hash = GENESIS
        self._anchors = sorted(anchors, key=lambda a: a.last_event_id)

    def _broken(self, found: Break) -> None:
        current = self.first_break
        if current is None or (found.event_id is not None and (current.event_id is None
                                                               or found.event_id < current.event_id)):
            self.first_break = found

    def _check_anchors_before(self, event_id: int | None) -> None:
        while self._anchors and (event_id is None or self._anchors[0].last_event_id < event_id):
            anchor = self._anchors.pop(0)
            if (self.checked, self.global_hash) != (anchor.entries, anchor.global_hash):
                self._broken(Break(None, "the global chain", None,
                                   f"{anchor.label} covers {anchor.entries} entries up to #{anchor.last_event_id} "
                                   f"ending in {anchor.global_hash[:12]}…; the database has {self.checked} ending in "
                                   f"{self.global_hash[:12]}… (entries before the anchor were changed or removed)"))

    def feed(self, event_id: int, entry: Mapping[str, Any], stored_hash: str | None) -> None:
        self._check_anchors_before(event_id)
        self.checked += 1
        self.global_hash = fold(self.global_hash, stored_hash or GENESIS)
        chain = f"{entry['case_type']}:{entry['case_id']}"
        head = self.heads.setdefault(chain, Head(first_id=event_id))
        seq = entry.get("seq")
        if stored_hash is None or not isinstance(seq, int):
            self._broken(Break(event_id, chain, seq, "entry carries no hash"))
            return
        if seq <= head.length or seq in head.waiting:
            self._broken(Break(event_id, chain, seq, f"position {seq} is taken twice"))
            return
        head.waiting[seq] = (event_id, entry, stored_hash)
        while head.length + 1 in head.waiting:
            self._link(chain, head, *head.waiting.pop(head.length + 1))

    def _link(self, chain: str, head: Head, event_id: int, entry: Mapping[str, Any], stored_hash: str) -> None:
        seq = head.length + 1
        if entry.get("prev_hash") != head.hash:
            self._broken(Break(event_id, chain, seq, "does not follow the entry before it (that one was edited "
                                                     "or removed)"))
        elif entry_hash(entry) != stored_hash:
            self._broken(Break(event_id, chain, seq, "its content no longer matches its hash (edited after it "
                                                     "was written)"))
        head.length, head.hash = seq, stored_hash

    def _gaps(self) -> None:
        for chain, head in self.heads.items():
            if head.waiting:  # the rest of a chain waits behind a position nobody holds
                seq = min(head.waiting)
                event_id, _, stored_hash = head.waiting[seq]
                self._broken(Break(event_id, chain, seq, f"expected position {head.length + 1}: an entry is "
                                                         "missing before it"))
                for later in sorted(head.waiting):  # go on past the gap, so the head is compared with the end
                    head.length, head.hash = later, head.waiting[later][2]
                head.waiting.clear()

    def finish(self, recorded_heads: Iterable[tuple[str, int, str]]) -> Break | None:
        """After the last entry: the anchors not reached yet, and the chain heads kept beside the entries
        (a removed last entry shows as a head ahead of its chain). Returns the first break, if any."""
        self._check_anchors_before(None)
        self._gaps()
        seen = set()
        for chain, length, head_hash in recorded_heads:
            seen.add(chain)
            head = self.heads.get(chain)
            if head is None:
                self._broken(Break(None, chain, length, f"the head records {length} entries; none are left"))
            elif (head.length, head.hash) != (length, head_hash):
                self._broken(Break(None, chain, length, f"the head records {length} entries ending in "
                                                        f"{head_hash[:12]}…; the chain has {head.length} ending in "
                                                        f"{head.hash[:12]}… (its last entries were removed or "
                                                        "changed)"))
        for chain, head in self.heads.items():
            if chain not in seen:
                self._broken(Break(head.first_id, chain, None, "the chain has no recorded head"))
        return self.first_break
