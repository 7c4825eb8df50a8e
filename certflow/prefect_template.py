"""A migrated Prefect database to start a new data folder's Prefect server from.

Prefect's server migrates an empty database on its first start and registers its block types: 16 s of
a 2-core machine, against 8 s for a start on a database it made before — the largest part of a new
folder's `certflow up` and of every test stack. The first start on this machine keeps a copy of its
fresh database (taken once the server answers, before anything of ours is in it), beside the
documents' font in the user's cache, one per Prefect version; later new folders start from a copy.
Only Prefect's own SQLite database is concerned (not a PostgreSQL one given by URL).
"""

from __future__ import annotations

import contextlib
import os
import sqlite3
from pathlib import Path

from tasks.adapters.fonts import cache_folder

DATABASE = "prefect.db"  # Prefect's default file name under PREFECT_HOME


def template_path() -> Path:
    from importlib.metadata import version  # not `import prefect`: 1.5 s of imports for its version

    return cache_folder().parent / f"prefect-{version('prefect')}.db"  # ~/.cache/certflow/


def seed(prefect_home: Path) -> bool:
    """Give a folder without a Prefect database a copy of the template; False when there is none yet."""
    target, template = prefect_home / DATABASE, template_path()
    if target.exists() or not template.is_file():
        return False
    prefect_home.mkdir(parents=True, exist_ok=True)
    copy(template, target)
    return True


def keep(prefect_home: Path) -> None:
    """After a first start on a new database: keep a consistent copy of it as the template (once)."""
    source, template = prefect_home / DATABASE, template_path()
    if template.exists() or not source.is_file():
        return
    # a failed copy only costs the next folder its migration: never the start it follows
    with contextlib.suppress(OSError, sqlite3.Error):
        template.parent.mkdir(parents=True, exist_ok=True)
        copy(source, template)


def copy(source: Path, target: Path) -> None:
    """SQLite's online backup (the server may be writing), into a temporary file renamed into place, so a
    reader never finds half a database."""
    partial = target.with_name(f".{target.name}.{os.getpid()}.partial")
    try:
        with (contextlib.closing(sqlite3.connect(source)) as live,
              contextlib.closing(sqlite3.connect(partial)) as duplicate):
            live.backup(duplicate)
        os.replace(partial, target)
    finally:
        partial.unlink(missing_ok=True)
