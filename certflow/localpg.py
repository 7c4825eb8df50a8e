"""A throw-away PostgreSQL server, for the test suite (`pytest --db=postgresql`) and the benchmarks
(`bench/bench_engine.py --database postgresql`).

Debian's `postgresql` package (installed by scripts/setup) provides the binaries; the cluster lives
in a temporary folder, listens on a free loopback port and is removed afterwards. PostgreSQL refuses
to run as root, and CI runs as root: then the cluster belongs to Debian's `postgres` account and its
commands run through `runuser`. Durability is switched off (fsync, synchronous commit): a test
cluster trades it for speed.

Each test gets its own database, copied from a template that was migrated and seeded once
(CREATE DATABASE … TEMPLATE takes ~50 ms; migrating takes seconds).
"""

from __future__ import annotations

import contextlib
import glob
import itertools
import os
import shutil
import socket
import subprocess
import tempfile
import time
from pathlib import Path

TEMPLATE = "certflow_template"
_numbers = itertools.count(1)


def _binaries() -> Path:
    found = sorted(glob.glob("/usr/lib/postgresql/*/bin/initdb"), key=lambda p: int(p.split("/")[4]))
    if not found:
        raise RuntimeError("PostgreSQL is not installed: run ./scripts/setup (it installs Debian's postgresql)")
    return Path(found[-1]).parent


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class TemporaryCluster:
    def __init__(self) -> None:
        self.bin = _binaries()
        self.root = Path(tempfile.mkdtemp(prefix="certflow-pg-"))  # under /tmp: reachable for `postgres`
        self.data = self.root / "data"
        self.port = _free_port()
        self.as_postgres = os.geteuid() == 0
        self.user = "certflow"

    def _run(self, *args: str) -> None:
        command = [str(self.bin / args[0]), *args[1:]]
        if self.as_postgres:
            command = ["runuser", "-u", "postgres", "--", *command]
        subprocess.run(command, check=True, capture_output=True, text=True, timeout=120)

    def start(self) -> TemporaryCluster:
        if self.as_postgres:
            shutil.chown(self.root, "postgres", "postgres")
        self._run("initdb", "-D", str(self.data), "-U", self.user, "-A", "trust", "-E", "UTF8", "--locale", "C.UTF-8")
        options = (f"-p {self.port} -k {self.root} -c listen_addresses=127.0.0.1 -c fsync=off "
                   f"-c synchronous_commit=off -c full_page_writes=off -c max_connections=400")
        self._run("pg_ctl", "-D", str(self.data), "-l", str(self.root / "server.log"), "-o", options, "-w",
                  "-t", "60", "start")
        self._admin(f"CREATE DATABASE {TEMPLATE}")
        return self

    def url(self, database: str, driver: str = "psycopg") -> str:
        return f"postgresql+{driver}://{self.user}@127.0.0.1:{self.port}/{database}"

    def create_database(self, name: str) -> str:
        self._admin(f"CREATE DATABASE {name}")
        return self.url(name)

    def _admin(self, sql: str) -> None:
        import psycopg

        with psycopg.connect(f"host=127.0.0.1 port={self.port} user={self.user} dbname=postgres",
                             autocommit=True) as connection:
            connection.execute(sql)

    def prepare_template(self, prepare) -> None:  # a callable taking the template's URL
        prepare(self.url(TEMPLATE))
        from models.db import get_engine

        get_engine(self.url(TEMPLATE)).dispose()  # a template must have no connections to be copied

    def fresh_database(self) -> str:
        name = f"certflow_test_{os.getpid()}_{next(_numbers)}"
        self._admin(f"CREATE DATABASE {name} TEMPLATE {TEMPLATE}")
        return self.url(name)

    def drop(self, url: str) -> None:
        from models.db import get_engine

        get_engine(url).dispose()
        self._admin(f"DROP DATABASE IF EXISTS {url.rsplit('/', 1)[1]} WITH (FORCE)")

    def stop(self) -> None:
        with contextlib.suppress(subprocess.CalledProcessError):  # already stopped
            self._run("pg_ctl", "-D", str(self.data), "-m", "immediate", "-w", "stop")
        for _ in range(20):
            try:
                shutil.rmtree(self.root)
                return
            except OSError:
                time.sleep(0.1)
