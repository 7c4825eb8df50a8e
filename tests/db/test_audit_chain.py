"""The audit trail is tamper-evident: every entry is chained inside its writer's transaction, and
`certflow audit verify` finds a row edited or deleted directly in the database (exit 1, naming the first
broken link), a removed last entry against its chain head, a whole case removed against the day's anchor."""

from __future__ import annotations

import itertools
import subprocess
import threading

import pytest
from sqlalchemy import text
from sqlmodel import select

from core.evidence import GENESIS
from models.audit import AuditEvent
from models.db import session_scope
from tasks.records import audit, evidence
from tests.cli.helpers import certflow

pytestmark = pytest.mark.postgres  # on PostgreSQL too: the chains' head locks and sequence


def _record(url: str, case: str, n: int, **after) -> None:
    case_type, case_id = case.split(":")
    for i in range(n):
        with session_scope(url) as session:
            audit.record(session, case_type=case_type, case_id=int(case_id), action="step_entered",
                         actor_role="officer", before={"status": f"s{i}"}, after={"status": f"s{i + 1}", **after})


def _verify(url: str, chain: str | None = None):
    with session_scope(url, readonly=True) as session:
        return evidence.verify(session, chain=chain)


def _certflow_audit(settings, *args: str) -> subprocess.CompletedProcess:
    return certflow("audit", *args, data_dir=settings.data_dir, env={"CERTFLOW_DATABASE_URL": settings.database_url})


def _entry_ids(url: str, case_type: str, case_id: int) -> list[int]:
    with session_scope(url, readonly=True) as session:
        return list(session.exec(select(AuditEvent.id).where(AuditEvent.case_type == case_type,
                                                             AuditEvent.case_id == case_id).order_by(AuditEvent.id)))


def test_entries_are_chained_in_order_per_case_and_the_trail_verifies(settings):
    url = settings.database_url
    _record(url, "filing:1", 3)
    _record(url, "plan:7", 2, note={"nested": [1, 2, "三"]})
    _record(url, "filing:1", 1)
    checked, found = _verify(url)
    assert found is None and checked >= 6
    with session_scope(url, readonly=True) as session:
        chain = session.exec(select(AuditEvent).where(AuditEvent.case_type == "filing", AuditEvent.case_id == 1)
                             .order_by(AuditEvent.id)).all()
    assert [e.seq for e in chain] == [1, 2, 3, 4]
    assert chain[0].prev_hash == GENESIS
    assert all(later.prev_hash == earlier.entry_hash for earlier, later in itertools.pairwise(chain))


def test_a_direct_edit_of_an_audit_row_is_found_by_certflow_audit_verify(settings):
    url = settings.database_url
    _record(url, "filing:1", 3)
    _record(url, "plan:2", 2)
    assert _certflow_audit(settings, "verify").returncode == 0
    second = _entry_ids(url, "filing", 1)[1]
    with session_scope(url) as session:  # what someone with the database's password could do
        session.execute(text("UPDATE audit_event SET actor_role = 'admin' WHERE id = :id"), {"id": second})
    done = _certflow_audit(settings, "verify")
    assert done.returncode == 1, done.stdout + done.stderr
    assert f"entry #{second} of filing:1, position 2" in done.stdout and "edited" in done.stdout
    assert _certflow_audit(settings, "verify", "--case", "plan:2").returncode == 0  # other cases still hold


def test_a_deleted_middle_row_and_a_deleted_last_row_are_both_found(settings):
    url = settings.database_url
    _record(url, "filing:3", 4)
    ids = _entry_ids(url, "filing", 3)
    with session_scope(url) as session:
        session.execute(text("DELETE FROM audit_event WHERE id = :id"), {"id": ids[-1]})
    checked, found = _verify(url, "filing:3")
    assert found is not None and found.event_id is None and "head records 4 entries" in found.problem
    with session_scope(url) as session:
        session.execute(text("DELETE FROM audit_event WHERE id = :id"), {"id": ids[1]})
    _, found = _verify(url, "filing:3")
    assert (found.event_id, found.seq) == (ids[2], 3) and "missing" in found.problem


def test_a_case_removed_with_its_chain_head_is_caught_by_the_days_anchor(settings):
    import datetime as dt

    url = settings.database_url
    _record(url, "filing:5", 2)
    _record(url, "plan:5", 2)
    with session_scope(url) as session:
        anchor = evidence.make_anchor(session, on=dt.date(2026, 9, 1), settle=dt.timedelta(0))
        assert evidence.make_anchor(session, on=dt.date(2026, 9, 1), settle=dt.timedelta(0)) is None  # once a day
    assert anchor.entries >= 4 and _verify(url)[1] is None
    with session_scope(url) as session:
        session.execute(text("DELETE FROM audit_event WHERE case_type = 'plan' AND case_id = 5"))
        session.execute(text("DELETE FROM audit_chain WHERE chain = 'plan:5'"))
    done = _certflow_audit(settings, "verify")
    assert done.returncode == 1 and "the anchor of 2026-09-01" in done.stdout, done.stdout


def test_an_anchor_leaves_out_entries_too_recent_to_be_settled(settings):
    import datetime as dt

    url = settings.database_url
    _record(url, "filing:8", 3)
    with session_scope(url) as session:
        anchor = evidence.make_anchor(session, on=dt.date(2026, 9, 2), settle=dt.timedelta(hours=1))
    assert (anchor.entries, anchor.last_event_id) == (0, 0)  # all three written just now: the next day's anchor
    _record(url, "filing:8", 1)
    assert _verify(url)[1] is None


def test_writers_of_one_case_at_the_same_time_take_turns_in_its_chain(settings):
    url = settings.database_url
    _record(url, "filing:9", 1)  # the chain's head exists; four writers then race for it
    errors: list[BaseException] = []

    def write() -> None:
        try:
            _record(url, "filing:9", 5)
        except BaseException as exc:  # noqa: BLE001
            errors.append(exc)

    threads = [threading.Thread(target=write) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    with session_scope(url, readonly=True) as session:
        seqs = list(session.exec(select(AuditEvent.seq).where(AuditEvent.case_type == "filing", AuditEvent.case_id == 9)
                                 .order_by(AuditEvent.seq)))
    assert seqs == list(range(1, 22))
    assert _verify(url, "filing:9")[1] is None


def test_an_unknown_or_malformed_case_is_a_clear_usage_error(settings):
    assert (done := _certflow_audit(settings, "verify", "--case", "filing:999")).returncode == 2
    assert "no audit entries" in done.stderr
    assert (done := _certflow_audit(settings, "verify", "--case", "nonsense")).returncode == 2
    assert "TYPE:ID" in done.stderr


def test_the_migration_chains_the_entries_already_on_file(settings):
    from alembic import command

    from models.db import alembic_config, get_engine

    url = settings.database_url
    _record(url, "filing:4", 2)
    config = alembic_config(url)
    with get_engine(url).begin() as connection:
        config.attributes["connection"] = connection
        command.downgrade(config, "0014")
    with session_scope(url) as session:  # entries written before the chains existed
        session.execute(text("INSERT INTO audit_event (case_type, case_id, action, actor_role, business_time, "
                             "wall_time, \"after\") VALUES ('plan', 3, 'legacy', 'system', '2025-01-02 01:00:00', "
                             "'2025-01-02 01:00:00', '{\"status\": \"old\"}')"))
    with get_engine(url).begin() as connection:
        config.attributes["connection"] = connection
        command.upgrade(config, "head")
    checked, found = _verify(url)
    assert found is None and checked == 3
