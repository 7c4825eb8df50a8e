"""SQLite's writers (every process and thread of an instance) take turns on an flock beside the database
before BEGIN IMMEDIATE, and give the turn back as their transaction ends, however it ends."""

from __future__ import annotations

import fcntl
import os
import threading
import time

import pytest
from sqlmodel import select

from core.clock import wall_now
from models.db import get_engine, session_scope
from models.workflow import OutboxMessage


def _lock_file(settings) -> str:
    return settings.database_url.split("///", 1)[1] + ".writers"


def _free(path: str) -> bool:
    """Whether another writer could take the turn now."""
    fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o600)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        return True
    except BlockingIOError:
        return False
    finally:
        os.close(fd)


@pytest.fixture()
def sqlite(settings):
    if get_engine(settings.database_url).dialect.name != "sqlite":
        pytest.skip("SQLite's writer queue")
    return settings


def _message(n: int) -> OutboxMessage:
    return OutboxMessage(kind="institution_filing", case_id=n, parameters={"filing_id": n}, created_at=wall_now())


def test_a_writer_holds_the_turn_for_its_transaction_and_gives_it_back_on_commit(sqlite):
    with session_scope(sqlite.database_url) as session:
        session.add(_message(1))
        session.flush()
        assert not _free(_lock_file(sqlite))
    assert _free(_lock_file(sqlite))


def test_a_writer_that_fails_gives_the_turn_back_and_writes_nothing(sqlite):
    with pytest.raises(RuntimeError), session_scope(sqlite.database_url) as session:
        session.add(_message(1))
        session.flush()
        raise RuntimeError("the handler failed")
    assert _free(_lock_file(sqlite))
    with session_scope(sqlite.database_url, readonly=True) as session:
        assert session.exec(select(OutboxMessage)).all() == []


def test_a_reader_does_not_wait_for_the_writers_turn(sqlite):
    with session_scope(sqlite.database_url) as writer:
        writer.add(_message(1))
        writer.flush()
        with session_scope(sqlite.database_url, readonly=True) as reader:  # WAL: a snapshot beside the writer
            assert reader.exec(select(OutboxMessage)).all() == []


def test_writers_of_many_threads_each_write_once_and_none_is_refused(sqlite):
    errors: list[BaseException] = []

    def write(n: int) -> None:
        try:
            for round_ in range(10):
                with session_scope(sqlite.database_url) as session:
                    session.add(_message(n * 100 + round_))
        except BaseException as exc:  # noqa: BLE001 - reported below
            errors.append(exc)

    threads = [threading.Thread(target=write, args=(n,)) for n in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    with session_scope(sqlite.database_url, readonly=True) as session:
        assert len(session.exec(select(OutboxMessage)).all()) == 80
    assert _free(_lock_file(sqlite))


def test_a_process_forked_during_a_write_does_not_keep_the_writers_turn(sqlite):
    read_end, write_end = os.pipe()
    with session_scope(sqlite.database_url) as session:
        session.add(_message(1))
        session.flush()
        child = os.fork()
        if child == 0:  # the child outlives the parent's transaction, as a pool's worker would
            os.close(read_end)
            os.write(write_end, b"x")
            os.close(write_end)
            time.sleep(60)  # until the parent kills it
            os._exit(0)
    os.close(write_end)
    try:
        assert os.read(read_end, 1) == b"x"  # the child is alive
        assert _free(_lock_file(sqlite))  # and the turn is free for the next writer all the same
    finally:
        os.kill(child, 9)
        os.waitpid(child, 0)
        os.close(read_end)
