"""The audit trail's hash chains (core/evidence.py): an entry's hash covers its content and the entry
before it; a checker fed the entries in id order names the first link that does not hold."""

import datetime as dt

from core import evidence
from core.evidence import AnchorFact, ChainChecker

UTC = dt.UTC
CST = dt.timezone(dt.timedelta(hours=8))


def _chain(case="filing:1", n=3, first_id=1):
    case_type, case_id = case.split(":")
    entries, previous = [], evidence.GENESIS
    for seq in range(1, n + 1):
        entry = {"case_type": case_type, "case_id": int(case_id), "seq": seq, "action": f"step_{seq}",
                 "actor_id": 7, "actor_role": "officer", "business_time": dt.datetime(2026, 9, seq, 9, tzinfo=CST),
                 "wall_time": dt.datetime(2026, 9, seq, 1, tzinfo=UTC), "before": None,
                 "after": {"status": f"s{seq}"}, "prev_hash": previous}
        digest = evidence.entry_hash(entry)
        entries.append((first_id + seq - 1, entry, digest))
        previous = digest
    return entries


def _check(entries, heads=None, anchors=()):
    checker = ChainChecker(anchors)
    for event_id, entry, digest in entries:
        checker.feed(event_id, entry, digest)
    if heads is None:
        heads = [(c, h.length, h.hash) for c, h in checker.heads.items()]
    return checker.finish(heads), checker


def test_an_instant_hashes_the_same_in_any_offset_and_naive_means_utc():
    aware = {"business_time": dt.datetime(2026, 9, 1, 9, 0, tzinfo=CST)}
    same = {"business_time": dt.datetime(2026, 9, 1, 1, 0, tzinfo=UTC)}
    naive = {"business_time": dt.datetime(2026, 9, 1, 1, 0)}
    assert evidence.entry_hash(aware) == evidence.entry_hash(same) == evidence.entry_hash(naive)


def test_an_untouched_chain_holds():
    found, checker = _check(_chain(n=5))
    assert found is None and checker.checked == 5


def test_an_edited_entry_is_the_first_break_named_by_id_and_position():
    entries = _chain(n=4)
    event_id, entry, digest = entries[1]
    entries[1] = (event_id, entry | {"after": {"status": "forged"}}, digest)
    found, _ = _check(entries)
    assert (found.event_id, found.chain, found.seq) == (2, "filing:1", 2)
    assert "no longer matches its hash" in found.problem


def test_a_removed_middle_entry_breaks_the_next_link():
    entries = _chain(n=4)
    del entries[1]
    found, _ = _check(entries)
    assert (found.event_id, found.seq) == (3, 3) and "missing" in found.problem


def test_a_removed_last_entry_shows_against_the_recorded_head():
    entries = _chain(n=3)
    heads = [("filing:1", 3, entries[-1][2])]
    found, _ = _check(entries[:-1], heads=heads)
    assert found.event_id is None and "head records 3 entries" in found.problem


def test_a_rehashed_forgery_still_breaks_the_link_after_it():
    entries = _chain(n=3)
    event_id, entry, _ = entries[0]
    forged = entry | {"action": "forged"}
    entries[0] = (event_id, forged, evidence.entry_hash(forged))  # the forger recomputes its own hash
    found, _ = _check(entries)
    assert (found.event_id, found.seq) == (2, 2) and "does not follow" in found.problem


def test_an_anchor_catches_a_whole_chain_removed_with_its_head():
    one, two = _chain("filing:1", n=2, first_id=1), _chain("plan:9", n=2, first_id=3)
    _, full = _check(one + two)
    anchor = AnchorFact("anchor of 2026-09-30", last_event_id=4, entries=4, global_hash=full.global_hash)
    assert _check(one + two, anchors=[anchor])[0] is None
    found, _ = _check(one, anchors=[anchor])  # plan:9 gone, entries and head alike
    assert found is not None and "anchor of 2026-09-30 covers 4 entries" in found.problem


def test_entries_after_the_last_anchor_do_not_disturb_it():
    first = _chain("filing:1", n=2, first_id=1)
    _, at_anchor = _check(first)
    anchor = AnchorFact("a", last_event_id=2, entries=2, global_hash=at_anchor.global_hash)
    later = _chain("plan:2", n=3, first_id=3)
    assert _check(first + later, anchors=[anchor])[0] is None


def test_a_chain_is_read_by_position_even_when_a_later_commit_holds_a_lower_id():
    entries = _chain(n=3)
    (id1, e1, h1), (id2, e2, h2), (id3, e3, h3) = entries
    shuffled = [(id1, e1, h1), (id2, e3, h3), (id3, e2, h2)]  # position 3 got the lower id
    assert _check(shuffled)[0] is None


def test_a_position_taken_twice_is_a_break():
    entries = _chain(n=2)
    event_id, entry, digest = entries[1]
    found, _ = _check(entries + [(9, entry, digest)])
    assert (found.event_id, found.seq) == (9, 2) and "taken twice" in found.problem
