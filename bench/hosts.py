"""Hosts of their own on one machine, for bench/bench_hosts.py: each part of certflow on a "host" made of
a Linux network namespace (its own interfaces, its own addresses, its own loopback), a UTS namespace (its
own hostname, which Prefect records with each flow run) and a data folder no other host reads. The hosts
are joined by a bridge on 10.77.0.0/24; the bench itself (the clients, the operator) is 10.77.0.1 on
that bridge and reaches every host by its address — never through a loopback.

Every certflow host is configured the way deploy/README.md says: `certflow serve ROLE` and settings in
the environment, nothing else. A host "crashes" by SIGKILL to every process in its namespace, and
loses its network by its link going down.

Needs root (namespaces, bridges) and Debian's iproute2, postgresql and haproxy (scripts/setup).
"""

from __future__ import annotations

import contextlib
import os
import shutil
import signal
import subprocess
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
BRIDGE = "cfhosts0"
SUBNET = "10.77.0"
PREFIX = "cfh-"  # network namespaces of this harness: a run that died leaves them; the next one removes them


def ip(*args: str, check: bool = True) -> subprocess.CompletedProcess:
    return subprocess.run(["ip", *args], check=check, capture_output=True, text=True)


def wait_until(what: str, condition: Callable[[], object], timeout: float, interval: float = 0.25) -> float:
    """Seconds until `condition()` is true; raises naming `what` after `timeout`."""
    started = time.monotonic()
    while True:
        with contextlib.suppress(Exception):
            if condition():
                return time.monotonic() - started
        if time.monotonic() - started > timeout:
            raise TimeoutError(f"{what}: not after {timeout:.0f} s")
        time.sleep(interval)


@dataclass
class Host:
    name: str
    address: str
    folder: Path
    index: int
    processes: dict[str, subprocess.Popen] = field(default_factory=dict)

    @property
    def netns(self) -> str:
        return PREFIX + self.name

    @property
    def link(self) -> str:  # the bridge's end of the host's cable
        return f"cfv{self.index}"

    def run(self, role: str, args: list[str], env: dict[str, str], *, user: str | None = None) -> subprocess.Popen:
        """Start `args` on this host (its namespaces, its hostname), its output in the host's logs/ROLE.log."""
        logs = self.folder / "logs"
        logs.mkdir(parents=True, exist_ok=True)
        log = open(logs / f"{role}.log", "ab")  # noqa: SIM115 - the process holds it
        as_user = ["runuser", "-u", user, "--"] if user else []
        command = ["ip", "netns", "exec", self.netns, "unshare", "--uts", "sh", "-c", 'hostname "$0" && exec "$@"',
                   self.name, *as_user, *args]
        process = subprocess.Popen(command, env=env, stdout=log, stderr=subprocess.STDOUT, cwd=ROOT,
                                   start_new_session=True)
        log.close()
        self.processes[role] = process
        return process

    def pids(self) -> list[int]:
        return [int(pid) for pid in ip("netns", "pids", self.netns, check=False).stdout.split()]

    def crash(self) -> int:
        """SIGKILL every process of the host (what a power cut does to it); returns how many there were."""
        killed = 0
        for _ in range(5):  # a process forking while we kill: look again
            pids = self.pids()
            if not pids:
                break
            for pid in pids:
                with contextlib.suppress(ProcessLookupError):
                    os.kill(pid, signal.SIGKILL)
                    killed += 1
            time.sleep(0.2)
        for process in self.processes.values():
            with contextlib.suppress(Exception):
                process.wait(timeout=5)
        return killed

    def connected_to(self, address: str, port: int) -> bool:
        """Whether a process of this host holds an open TCP connection to address:port."""
        out = ip("netns", "exec", self.netns, "ss", "-Htn", "state", "established", "dst", f"{address}:{port}",
                 check=False).stdout
        return bool(out.strip())

    def cut(self) -> None:
        ip("link", "set", self.link, "down")

    def heal(self) -> None:
        ip("link", "set", self.link, "up")

    def log_text(self, role: str) -> str:
        path = self.folder / "logs" / f"{role}.log"
        return path.read_text(errors="replace") if path.exists() else ""


class Network:
    """The bridge and the hosts on it; `close()` ends every process of every host and removes it all."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self.hosts: dict[str, Host] = {}
        self.clean_leftovers()
        ip("link", "add", BRIDGE, "type", "bridge")
        ip("addr", "add", f"{SUBNET}.1/24", "dev", BRIDGE)
        ip("link", "set", BRIDGE, "up")

    @staticmethod
    def clean_leftovers() -> None:
        for line in ip("netns", "list", check=False).stdout.splitlines():
            name = line.split()[0] if line.split() else ""
            if name.startswith(PREFIX):
                for pid in ip("netns", "pids", name, check=False).stdout.split():
                    with contextlib.suppress(ProcessLookupError):
                        os.kill(int(pid), signal.SIGKILL)
                ip("netns", "del", name, check=False)
        ip("link", "del", BRIDGE, check=False)

    def add(self, name: str, last_octet: int) -> Host:
        host = Host(name, f"{SUBNET}.{last_octet}", self.folder / name, len(self.hosts) + 1)
        host.folder.mkdir(parents=True, exist_ok=True)
        ip("netns", "add", host.netns)
        ip("link", "add", host.link, "type", "veth", "peer", "name", "eth0", "netns", host.netns)
        ip("link", "set", host.link, "master", BRIDGE, "up")
        ip("-n", host.netns, "addr", "add", f"{host.address}/24", "dev", "eth0")
        ip("-n", host.netns, "link", "set", "eth0", "up")
        ip("-n", host.netns, "link", "set", "lo", "up")
        self.hosts[name] = host
        return host

    def close(self) -> None:
        for host in self.hosts.values():
            host.crash()
        self.clean_leftovers()


# -- PostgreSQL on its host --------------------------------------------------------------------------


class PostgresHost:
    """A PostgreSQL server listening on its host's address only, trusting the bridge's network (a bench
    cluster: no passwords, fsync off — a killed server loses nothing the kernel already has)."""

    PORT = 5432

    def __init__(self, host: Host) -> None:
        from certflow.localpg import _binaries

        self.host, self.bin = host, _binaries()
        self.data = host.folder / "pgdata"
        self.user = "postgres" if os.geteuid() == 0 else None  # PostgreSQL refuses to run as root

    def url(self, database: str, driver: str = "psycopg") -> str:
        return f"postgresql+{driver}://certflow@{self.host.address}:{self.PORT}/{database}"

    def dsn(self, database: str) -> str:
        """The same database for psycopg itself (the bench's own queries)."""
        return f"postgresql://certflow@{self.host.address}:{self.PORT}/{database}"

    def initialise(self) -> None:
        if self.user:
            shutil.chown(self.host.folder, self.user, self.user)
        command = [str(self.bin / "initdb"), "-D", str(self.data), "-U", "certflow", "-A", "trust", "-E", "UTF8",
                   "--locale", "C.UTF-8"]
        subprocess.run((["runuser", "-u", self.user, "--"] if self.user else []) + command, check=True,
                       capture_output=True, text=True, timeout=120)
        with open(self.data / "pg_hba.conf", "a") as hba:
            hba.write(f"host all all {SUBNET}.0/24 trust\n")

    def start(self) -> subprocess.Popen:
        return self.host.run("postgres", [
            str(self.bin / "postgres"), "-D", str(self.data), "-p", str(self.PORT), "-k", str(self.host.folder),
            "-c", f"listen_addresses={self.host.address}", "-c", "max_connections=600", "-c", "fsync=off",
            "-c", "full_page_writes=off", "-c", "shared_buffers=256MB",
        ], self.environment(), user=self.user)

    def environment(self) -> dict[str, str]:
        return {"PATH": os.environ["PATH"], "LANG": "C.UTF-8", "HOME": str(self.host.folder)}

    def accepting(self) -> bool:
        import psycopg

        with psycopg.connect(self.dsn("postgres"),
                             connect_timeout=2) as connection:
            return connection.execute("SELECT 1").fetchone() == (1,)

    def create_database(self, name: str) -> str:
        import psycopg

        with psycopg.connect(self.dsn("postgres"),
                             autocommit=True) as connection:
            connection.execute(f"CREATE DATABASE {name}")
        return self.url(name)

    def fast_shutdown(self) -> None:
        """PostgreSQL's "fast" shutdown (SIGINT to the postmaster): sessions ended, then a clean stop."""
        postmaster = int((self.data / "postmaster.pid").read_text().split()[0])
        os.kill(postmaster, signal.SIGINT)
        self.host.processes["postgres"].wait(timeout=60)

    def start_again(self, timeout: float = 120) -> float:
        """Start after a stop or a crash; a crash's orphaned backends may hold the shared memory for a
        moment, and the postmaster refuses to start until they are gone: try until it accepts."""
        started = time.monotonic()
        while True:
            process = self.start()
            try:
                wait_until("PostgreSQL accepting connections", self.accepting, timeout=30)
                return time.monotonic() - started
            except TimeoutError:
                if process.poll() is None or time.monotonic() - started > timeout:
                    raise
                time.sleep(1)
