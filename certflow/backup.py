"""Backups of the embedded default (SQLite): SQLite's online backup API copies a consistent snapshot
while the API, the runner and the tick keep writing. PostgreSQL is backed up with its own tools
(`pg_dump -Fc`, `pg_restore`: deploy/README.md)."""

from __future__ import annotations

import sqlite3
from pathlib import Path


class BackupError(Exception):
    pass


def _sqlite_path(database_url: str) -> Path:
    if not database_url.startswith("sqlite:///"):
        raise BackupError("this database is not SQLite: back PostgreSQL up with pg_dump -Fc "
                          "(and restore with pg_restore), as deploy/README.md says")
    return Path(database_url.split("///", 1)[1])


def backup(database_url: str, target: Path, *, progress=None) -> int:
    """Copy the live database to `target` (a new file); returns its size in bytes."""
    source_path = _sqlite_path(database_url)
    if not source_path.exists():
        raise BackupError(f"no database at {source_path}")
    if target.exists():
        raise BackupError(f"{target} exists already: choose a new file name")
    target.parent.mkdir(parents=True, exist_ok=True)
    partial = target.with_name(target.name + ".partial")
    source = sqlite3.connect(f"file:{source_path}?mode=ro", uri=True, timeout=60)
    copy = sqlite3.connect(partial)
    try:
        # 1024 pages per step: writers get the lock between steps, the copy stays consistent
        source.backup(copy, pages=1024, progress=(lambda _s, remaining, total: progress(total - remaining, total))
                      if progress else None)
        check = copy.execute("PRAGMA integrity_check").fetchone()[0]
        if check != "ok":
            raise BackupError(f"the copy failed its integrity check: {check}")
    finally:
        copy.close()
        source.close()
    partial.rename(target)
    return target.stat().st_size


def restore(database_url: str, source: Path, *, force: bool = False) -> None:
    """Put a backup in place of the database (with everything stopped)."""
    target = _sqlite_path(database_url)
    if not source.exists():
        raise BackupError(f"no backup at {source}")
    probe = sqlite3.connect(f"file:{source}?mode=ro", uri=True)
    try:
        if probe.execute("PRAGMA integrity_check").fetchone()[0] != "ok":
            raise BackupError(f"{source} is not a sound SQLite database")
        if not probe.execute("SELECT 1 FROM sqlite_master WHERE name = 'alembic_version'").fetchone():
            raise BackupError(f"{source} is not a certflow database")
    except sqlite3.DatabaseError as failure:
        raise BackupError(f"{source} is not an SQLite database: {failure}") from None
    finally:
        probe.close()
    if target.exists() and not force:
        raise BackupError(f"{target} exists: stop certflow and pass --force to replace it")
    target.parent.mkdir(parents=True, exist_ok=True)
    for stale in (target.with_name(target.name + "-wal"), target.with_name(target.name + "-shm")):
        stale.unlink(missing_ok=True)  # the old database's log must not be replayed onto the backup
    copy = sqlite3.connect(target)
    backup_source = sqlite3.connect(f"file:{source}?mode=ro", uri=True)
    try:
        backup_source.backup(copy)
    finally:
        backup_source.close()
        copy.close()
