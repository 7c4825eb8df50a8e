"""Engine, sessions and migrations. SQLite by default, PostgreSQL by URL."""

from __future__ import annotations

import contextlib
import fcntl
import os
from collections.abc import Callable, Iterator
from functools import lru_cache
from pathlib import Path
from typing import Any, TypeVar

from sqlalchemy import event
from sqlalchemy import inspect as sa_inspect
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session as OrmSession
from sqlmodel import Session, create_engine

MIGRATIONS = Path(__file__).parent / "migrations"
Row = TypeVar("Row")


@lru_cache(maxsize=8)
def get_engine(url: str) -> Engine:
    if url.startswith("sqlite"):
        path = url.split("///", 1)[-1]
        if path and path != ":memory:":
            Path(path).parent.mkdir(parents=True, exist_ok=True)
        engine = create_engine(url, connect_args={"check_same_thread": False, "timeout": 60}, pool_size=20,
                               max_overflow=20)

        @event.listens_for(engine, "connect")
        def _sqlite_pragmas(dbapi_connection, _record):
            # WAL lets the API read while the flows write; foreign keys are off by default in SQLite.
            dbapi_connection.isolation_level = None  # we issue BEGIN ourselves (below)
            cursor = dbapi_connection.cursor()
            cursor.execute("PRAGMA journal_mode=WAL")
            cursor.execute("PRAGMA synchronous=NORMAL")
            cursor.execute("PRAGMA foreign_keys=ON")
            cursor.execute("PRAGMA busy_timeout=60000")
            cursor.close()

        writers = f"{path}.writers" if path and path != ":memory:" else None

        @event.listens_for(engine, "begin")
        def _begin_immediate(connection):
            # Take the write lock at BEGIN: a deferred transaction that reads, then writes after another
            # process committed, fails at once with "database is locked" (no busy wait applies to it).
            # Read-only work (GET requests, a flow checking whether its answer is there) does not queue
            # for the lock: WAL lets it read a consistent snapshot beside the writer.
            readonly = connection.get_execution_options().get("certflow_readonly", False)
            if not readonly and writers:
                _queue_for_writing(connection.info, writers)
            connection.exec_driver_sql("BEGIN" if readonly else "BEGIN IMMEDIATE")

        @event.listens_for(engine, "commit")
        @event.listens_for(engine, "rollback")
        def _end(connection):
            _done_writing(connection.info)

        @event.listens_for(engine, "checkin")
        def _returned(_dbapi_connection, record):  # a connection given back mid-transaction (an error)
            _done_writing(record.info)

        return engine
    # PostgreSQL: READ COMMITTED; writers that read-modify-write take row locks (`locked_row`,
    # `with_for_update`), and a read-only session says so, so a write in it fails loudly
    engine = create_engine(url, pool_pre_ping=True, pool_size=10, max_overflow=20)

    @event.listens_for(engine, "begin")
    def _read_only(connection):
        if connection.get_execution_options().get("certflow_readonly", False):
            connection.exec_driver_sql("SET TRANSACTION READ ONLY")

    return engine


def _queue_for_writing(info: dict, lock_file: str) -> None:
    """Writers (every process and thread of the instance) wait their turn on an flock beside the database
    before BEGIN IMMEDIATE. The kernel wakes the next one as soon as a writer is done, where SQLite's own
    busy handler, with many waiting, sleeps up to 100 ms between looks (seen: intake p99 8.7 s at 27
    filings/s while the flow processes wrote beside it). One open file per transaction: flock excludes
    threads of one process as it excludes processes."""
    if "certflow_writer_fd" in info:
        return
    fd = os.open(lock_file, os.O_RDWR | os.O_CREAT | os.O_CLOEXEC, 0o600)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX)
    except BaseException:
        os.close(fd)
        raise
    info["certflow_writer_fd"] = fd
    _turns_held.add(fd)


def _done_writing(info: dict) -> None:
    """Called as the transaction commits or rolls back: the next writer's BEGIN IMMEDIATE may still find
    SQLite's lock for the instant of the commit, and waits that instant in SQLite's busy handler."""
    fd = info.pop("certflow_writer_fd", None)
    if fd is not None:
        _turns_held.discard(fd)
        os.close(fd)  # closing releases the flock


_turns_held: set[int] = set()  # this process's writer turns: a child forked meanwhile must not keep one


def _forget_turns_in_child() -> None:
    """A process forked while its parent writes shares the flock's open file: holding it, the child would
    keep the turn after the parent ended its transaction (a process pool started inside a write)."""
    for fd in _turns_held:
        os.close(fd)
    _turns_held.clear()


os.register_at_fork(after_in_child=_forget_turns_in_child)


def alembic_config(url: str):
    from alembic.config import Config

    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    config.set_main_option("sqlalchemy.url", url.replace("%", "%%"))
    return config


def migrate(url: str) -> None:
    """Bring the schema to the newest revision (idempotent)."""
    from alembic import command

    engine = get_engine(url)
    config = alembic_config(url)
    with engine.begin() as connection:
        config.attributes["connection"] = connection
        command.upgrade(config, "head")


@contextlib.contextmanager
def session_scope(url: str, *, readonly: bool = False) -> Iterator[Session]:
    """One unit of work: commit on success, roll back on any error (no partial writes).
    `readonly` sessions must not write (on SQLite they do not take the write lock)."""
    engine = get_engine(url)
    if readonly:
        engine = engine.execution_options(certflow_readonly=True)
    # the URL travels with the session: the business clock asks which instance's settings apply
    with Session(engine, expire_on_commit=False, info={"database_url": url}) as session:
        try:
            yield session
            session.commit()
        except BaseException:
            session.rollback()
            raise


def stored(session: OrmSession, model: type[Row], key: object) -> Row:
    """A row another row refers to (its foreign key, a task's case): there by the schema's word, so its
    absence is a defect, said by name rather than as an attribute of None."""
    row = session.get(model, key)
    if row is None:
        raise LookupError(f"{getattr(model, '__name__', model)} {key!r} is referred to but not stored")
    return row


def locked_row(session: OrmSession, model: type[Row], key: object, **defaults: Any) -> Row:
    """The row of `model` with primary key `key`, locked until the transaction ends (SELECT … FOR
    UPDATE on PostgreSQL; SQLite's BEGIN IMMEDIATE has serialised writers already); created with
    `defaults` first if missing, by whichever of two concurrent writers gets there first.
    Counters (certificate serials, institution segments) go through here: no gap, no double."""
    found = session.get(model, key, with_for_update=True)
    if found is not None:
        return found
    (name,) = [column.name for column in sa_inspect(model).primary_key]
    row, _ = insert_once(session, model(**{name: key}, **defaults),
                         lambda: session.get(model, key, with_for_update=True, populate_existing=True))
    return row


def insert_once(session: OrmSession, row: Row, existing: Callable[[], Row | None]) -> tuple[Row, bool]:
    """Add `row`; if a unique key says another writer (a replayed step) added it first, drop ours and
    return `existing()`. Returns (the row to use, whether ours was inserted)."""
    from sqlalchemy.exc import IntegrityError

    try:
        # added inside the savepoint: begin_nested() flushes what is pending *before* it, and an
        # insert that fails there would roll back the whole transaction, not just this attempt
        with session.begin_nested():
            session.add(row)
            session.flush()
    except IntegrityError:
        if row in session:  # the savepoint's rollback has usually expunged it already
            session.expunge(row)
        found = existing()
        if found is None:  # another constraint refused it: that is the caller's error, not a race
            raise
        return found, False
    return row, True
