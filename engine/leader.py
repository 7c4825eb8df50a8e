"""One tick at a time: several tick processes may run (for failover), one of them leads.

Why leadership and not work claimed row by row with SKIP LOCKED: three of the tick's passes act on
the outside world — starting flow runs, resuming them, sending escalations — and a row claimed
by a pass that then dies half-way needs a lease, a state and a test of its own to be neither lost
nor done twice. The passes are light (the heavy work runs in the runners), so one leader keeps
every pass exactly as single-writer as the embedded default, and a standby takes over within a
pass interval when the leader dies: PostgreSQL releases an advisory lock with its session, the
kernel releases a file lock with its process, kill -9 included.

- PostgreSQL: `pg_try_advisory_lock` on a connection the leader keeps open.
- SQLite (one machine by nature): an exclusive `flock` on a file beside the database.
"""

from __future__ import annotations

import fcntl
import logging
import os
import time
from pathlib import Path

from models.db import get_engine

log = logging.getLogger("certflow.leader")
LOCK_KEY = 0x6365_7274_666C_6F77 & 0x7FFF_FFFF_FFFF_FFFF  # "certflow", as a signed 64-bit advisory key


class Leadership:
    def __init__(self, database_url: str, *, check_every: float = 1.0) -> None:
        self.database_url = database_url
        self.check_every = check_every
        self._connection = None  # PostgreSQL: the session holding the advisory lock
        self._file = None  # SQLite: the open lock file
        self._checked = 0.0

    @property
    def postgres(self) -> bool:
        return self.database_url.startswith("postgresql")

    def held(self) -> bool:
        """Lead if possible: True while this process holds the lock (re-checked at most every
        `check_every` seconds), False while another process does."""
        now = time.monotonic()
        if (self._connection is not None or self._file is not None) and now - self._checked < self.check_every:
            return True
        self._checked = now
        return self._still_held() or self._acquire()

    def _still_held(self) -> bool:
        if self._file is not None:
            return True  # a flock lasts as long as the open file
        if self._connection is None:
            return False
        try:
            self._connection.exec_driver_sql("SELECT 1")
            return True
        except Exception:  # noqa: BLE001 - the session is gone, and the lock with it
            log.warning("the leader's database session was lost; trying to lead again")
            self._connection = None
            return False

    def _acquire(self) -> bool:
        if self.postgres:
            connection = get_engine(self.database_url).connect().execution_options(isolation_level="AUTOCOMMIT")
            if connection.exec_driver_sql(f"SELECT pg_try_advisory_lock({LOCK_KEY})").scalar():
                self._connection = connection
                log.info("this tick leads (PostgreSQL advisory lock)")
                return True
            connection.close()
            return False
        path = Path(self.database_url.split("///", 1)[-1] + ".tick-leader")
        handle = open(path, "a+")  # noqa: SIM115 - held open while leading
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            handle.close()
            return False
        handle.seek(0)
        handle.truncate()
        handle.write(f"{os.getpid()}\n")
        handle.flush()
        self._file = handle
        log.info("this tick leads (file lock %s)", path)
        return True

    def release(self) -> None:
        if self._connection is not None:
            try:
                self._connection.exec_driver_sql(f"SELECT pg_advisory_unlock({LOCK_KEY})")
                self._connection.close()
            except Exception:  # noqa: BLE001 - closing the session releases it anyway
                pass
            self._connection = None
        if self._file is not None:
            self._file.close()  # releases the flock
            self._file = None
