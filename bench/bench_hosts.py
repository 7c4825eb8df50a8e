"""certflow on eleven hosts of their own (bench/hosts.py: network namespaces on a bridge, a data folder
each, no shared disk), under load, with every role killed in turn.

Hosts: PostgreSQL (ours and Prefect's database), an S3-compatible store (moto's server) for uploaded
files and rendered documents, Prefect's server, haproxy in front of two API hosts, two runner hosts,
two tick hosts, the national system's simulator. Each certflow host is `certflow serve ROLE` with its
settings in the environment, as deploy/README.md describes, and nothing else.

The load — 500 filings and 100 officer decisions, all through the proxy — comes in waves: one without a
fault, then one per fault, the fault struck while the wave's requests are in flight:
  an API host SIGKILLed · a runner host SIGKILLed with its flow processes (back with an empty disk) ·
  the leading tick SIGKILLed · Prefect's server SIGKILLed · PostgreSQL's fast shutdown · PostgreSQL
  SIGKILLed · a runner host's network cut for 30 s.
A killed host comes back 5 s later, as a supervisor would start it (the tick's standby leads meanwhile).
Clients retry a refused request with the same Idempotency-Key; each refusal is counted.

Printed per fault: the time until the role serves again, the longest pause in the work (no flow reached a
human task), requests refused, the wave's drain time. At the end: filings lost (no first task) or doubled
(two tasks, two filings for one request, two live flow runs), decisions lost or applied twice, and
`certflow audit verify` over the whole trail. Needs root (namespaces) — scripts/setup installs the rest.

Run: .venv/bin/python bench/bench_hosts.py [--filings 500] [--decisions 100] [--keep]
"""

from __future__ import annotations

import argparse
import base64
import collections
import json
import os
import secrets
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

import httpx

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench_engine import form  # noqa: E402
from hosts import SUBNET, Host, Network, PostgresHost, wait_until  # noqa: E402

PREFECT_AUTH = "operator:" + secrets.token_urlsafe(12)
KEYS_SECRET = secrets.token_urlsafe(32)
BUCKET = "certflow"
PROXY_PORT = 8080
RESTART_AFTER = 5.0  # a supervisor's restart delay
CUT_FOR = 30.0
TERMINAL = {"COMPLETED", "FAILED", "CANCELLED", "CRASHED"}

LAYOUT = {  # host → last octet of its address
    "db": 10, "s3": 11, "prefect": 12, "proxy": 20, "api-1": 21, "api-2": 22,
    "runner-1": 31, "runner-2": 32, "tick-1": 41, "tick-2": 42, "simulator": 50,
}


def certflow(*args: str) -> list[str]:
    return [sys.executable, "-m", "certflow.cli", *args]


class Deployment:
    """The hosts and how each one starts (again)."""

    def __init__(self, folder: Path) -> None:
        self.net = Network(folder)
        self.hosts = {name: self.net.add(name, octet) for name, octet in LAYOUT.items()}
        self.pg = PostgresHost(self.hosts["db"])
        self.prefect_api = f"http://{self.hosts['prefect'].address}:4200/api"
        self.proxy_url = f"http://{self.hosts['proxy'].address}:{PROXY_PORT}"

    def host(self, name: str) -> Host:
        return self.hosts[name]

    def certflow_env(self, host: Host) -> dict[str, str]:
        """What deploy/README.md says a certflow host is given: settings, nothing shared on disk."""
        return {
            "PATH": os.environ["PATH"], "LANG": "C.UTF-8", "HOME": str(host.folder),
            "CERTFLOW_DATA_DIR": str(host.folder / "data"),
            "CERTFLOW_DATABASE_URL": self.pg.url("certflow"),
            "PREFECT_API_URL": self.prefect_api,
            "PREFECT_API_AUTH_STRING": PREFECT_AUTH,
            "PREFECT_HOME": str(host.folder / "prefect"),  # results a flow persists stay on this host
            "PREFECT_LOGGING_LEVEL": "WARNING",
            "CERTFLOW_CLOCK": "simulated",
            "CERTFLOW_REGISTRY_URL": f"http://{self.hosts['simulator'].address}:8100",
            "CERTFLOW_BASE_URL": self.proxy_url,
            "CERTFLOW_TRUSTED_PROXIES": self.hosts["proxy"].address,
            "CERTFLOW_S3_BUCKET": BUCKET,
            "CERTFLOW_S3_ENDPOINT": f"http://{self.hosts['s3'].address}:9000",
            "CERTFLOW_S3_ACCESS_KEY": "bench", "CERTFLOW_S3_SECRET_KEY": "bench-secret",
            "CERTFLOW_KEYS_SECRET": KEYS_SECRET,
            "CERTFLOW_STALE_RUN_SECONDS": "30", "CERTFLOW_REVIVE_SECONDS": "5",
            "CERTFLOW_RUNNER_NUDGE_TARGETS": ",".join(f"{self.hosts[r].address}:8300"
                                                      for r in ("runner-1", "runner-2")),
        } | ({"CERTFLOW_RUNNER_NUDGE_ADDRESS": f"{host.address}:8300"} if host.name.startswith("runner") else {})

    # -- each role -------------------------------------------------------------------------------------

    def start_s3(self) -> None:
        host = self.host("s3")
        host.run("s3", [str(Path(sys.executable).parent / "moto_server"), "-H", host.address, "-p", "9000"],
                 {"PATH": os.environ["PATH"], "HOME": str(host.folder)})
        wait_until("the S3 store", lambda: httpx.get(f"http://{host.address}:9000/", timeout=2).status_code < 500, 60)
        import boto3

        boto3.client("s3", endpoint_url=f"http://{host.address}:9000", region_name="us-east-1",
                     aws_access_key_id="bench", aws_secret_access_key="bench-secret").create_bucket(Bucket=BUCKET)

    def start_prefect(self) -> None:
        host = self.host("prefect")
        host.run("prefect-server", [sys.executable, "-m", "prefect", "server", "start", "--host", host.address,
                                    "--port", "4200"], {
            "PATH": os.environ["PATH"], "LANG": "C.UTF-8", "HOME": str(host.folder),
            "PREFECT_HOME": str(host.folder / "prefect"),
            "PREFECT_API_DATABASE_CONNECTION_URL": self.pg.url("prefect", driver="asyncpg"),
            "PREFECT_SERVER_API_AUTH_STRING": PREFECT_AUTH,
            "PREFECT_SERVER_ANALYTICS_ENABLED": "false", "PREFECT_UI_ENABLED": "false",
            "PREFECT_SERVER_LOGGING_LEVEL": "WARNING",
        })

    def prefect_healthy(self) -> bool:
        return httpx.get(f"{self.prefect_api}/health", headers=prefect_auth(), timeout=2).status_code == 200

    def start_role(self, name: str) -> None:
        host = self.host(name)
        role = name.split("-")[0]
        extra = {"api": ["--host", host.address, "--port", "8000", "--workers", "2"],
                 "simulator": ["--host", host.address, "--port", "8100"]}.get(role, [])
        host.run(role, certflow("serve", role, *extra), self.certflow_env(host))

    def start_proxy(self) -> None:
        host = self.host("proxy")
        servers = "\n".join(f"  server {name} {self.host(name).address}:8000 check inter 1s fall 2 rise 2"
                            for name in ("api-1", "api-2"))
        config = host.folder / "haproxy.cfg"
        # a request that never reached an API host (refused, reset before an answer) goes to the other one;
        # a POST retried that way is safe because each carries an Idempotency-Key the API honours
        config.write_text(f"""global
  maxconn 4000
defaults
  mode http
  timeout connect 2s
  timeout client 120s
  timeout server 120s
  retries 3
  option redispatch 1
  retry-on conn-failure empty-response 503
frontend web
  bind {host.address}:{PROXY_PORT}
  http-request deny if {{ path /metrics }}
  default_backend api
backend api
  balance leastconn
  option httpchk GET /healthz
{servers}
""")
        host.run("haproxy", ["haproxy", "-db", "-f", str(config)], {"PATH": os.environ["PATH"]})

    def api_healthy(self, name: str) -> bool:
        return httpx.get(f"http://{self.host(name).address}:8000/healthz", timeout=2).status_code == 200

    def leader(self) -> str | None:
        """The tick host holding the leader's advisory lock, by its connection's address."""
        import psycopg

        from engine.leader import LOCK_KEY

        with psycopg.connect(self.pg.dsn("certflow"),
                             connect_timeout=2) as connection:
            row = connection.execute(
                "SELECT host(a.client_addr) FROM pg_locks l JOIN pg_stat_activity a ON a.pid = l.pid "
                "WHERE l.locktype = 'advisory' AND l.granted AND l.classid = %s AND l.objid = %s",
                (LOCK_KEY >> 32, LOCK_KEY & 0xFFFF_FFFF),
            ).fetchone()
        address = row[0] if row else None
        return next((name for name, host in self.hosts.items() if host.address == address), None)

    def start(self) -> None:
        self.pg.initialise()
        self.pg.start()
        wait_until("PostgreSQL", self.pg.accepting, 60)
        ours = self.pg.create_database("certflow")
        self.pg.create_database("prefect")
        self.start_s3()
        self.start_prefect()
        # the operator migrates once, before the parts start (as `certflow serve` expects of a deployment)
        from certflow.bootstrap import prepare
        from core.settings import Settings

        prepare(Settings.from_env(data_dir=self.net.folder / "operator", database_url=ours, clock="simulated"))
        wait_until("Prefect's server", self.prefect_healthy, 120)
        for name in ("simulator", "runner-1", "runner-2", "api-1", "api-2", "tick-1"):
            self.start_role(name)
        wait_until("tick-1 leading", lambda: self.leader() == "tick-1", 120)
        self.start_role("tick-2")
        self.start_proxy()
        wait_until("both API hosts", lambda: self.api_healthy("api-1") and self.api_healthy("api-2"), 120)
        wait_until("the proxy", lambda: httpx.get(f"{self.proxy_url}/healthz", timeout=2).status_code == 200, 60)
        wait_until("the process deployments", lambda: len(prefect_post(self.prefect_api, "/deployments/filter",
                                                                        {"limit": 50})) >= 4, 120)


def prefect_auth() -> dict[str, str]:
    return {"Authorization": "Basic " + base64.b64encode(PREFECT_AUTH.encode()).decode()}


def prefect_post(api: str, path: str, body: dict) -> list[dict]:
    answer = httpx.post(f"{api}{path}", json=body, headers=prefect_auth(), timeout=30)
    answer.raise_for_status()
    return answer.json()


# -- the load --------------------------------------------------------------------------------------------


@dataclass
class Wave:
    fault: str
    filings: list[int] = field(default_factory=list)  # form numbers
    decided: list[int] = field(default_factory=list)  # case ids
    refused: collections.Counter = field(default_factory=collections.Counter)  # attempts refused, by answer
    refused_requests: int = 0  # requests refused at least once (each then retried until answered)
    back: float | None = None
    back_what: str = ""
    pause: float = 0.0
    drained: float = 0.0
    struck_at: float = 0.0


class Load:
    """Enterprises filing and an officer deciding, through the proxy, each request retried until answered."""

    def __init__(self, deployment: Deployment, tokens: list[str], officer: str) -> None:
        self.d = deployment
        self.tokens, self.officer = tokens, officer
        self.client = httpx.Client(base_url=deployment.proxy_url, timeout=60,
                                   limits=httpx.Limits(max_connections=60, max_keepalive_connections=60))
        self.province = ""  # an officer of the provincial centre
        self.case_of: dict[int, int] = {}  # form number → filing id
        self.wave: Wave | None = None

    def _send(self, method: str, path: str, *, token: str, ok: Callable[[httpx.Response], bool],
              headers: dict[str, str] | None = None, **kwargs):
        deadline = time.monotonic() + 900
        headers = {"Authorization": f"Bearer {token}", **(headers or {})}  # the same key on every attempt
        counted = False
        while True:
            try:
                answer = self.client.request(method, path, headers=headers, **kwargs)
                if ok(answer):
                    return answer
                refusal = str(answer.status_code)
            except httpx.HTTPError as exc:
                refusal = type(exc).__name__
            if self.wave is not None:
                self.wave.refused[refusal] += 1
                if not counted:
                    self.wave.refused_requests, counted = self.wave.refused_requests + 1, True
            if time.monotonic() > deadline:
                raise RuntimeError(f"{method} {path}: still refused after 15 minutes ({refusal})")
            time.sleep(0.5)

    def file(self, n: int) -> None:
        answer = self._send("POST", "/api/v1/filings", token=self.tokens[n], json=form(n),
                            headers={"Idempotency-Key": f"bench-filing-{n}"}, ok=lambda a: a.status_code == 201)
        self.case_of[n] = answer.json()["id"]

    def decide(self, task_id: int) -> None:
        self._send("POST", f"/api/v1/tasks/{task_id}/claim", token=self.officer, ok=lambda a: a.status_code == 200)

        def decided(answer: httpx.Response) -> bool:
            if answer.status_code == 200:
                return True
            if answer.status_code == 409:  # our earlier attempt got through and its answer was lost
                task = self._send("GET", f"/api/v1/tasks/{task_id}", token=self.officer,
                                  ok=lambda a: a.status_code == 200).json()
                return task["status"] == "decided" and task["decision"] == "recommend"
            return False

        self._send("POST", f"/api/v1/tasks/{task_id}/decision", token=self.officer, json={"decision": "recommend"},
                   ok=decided)


class Progress:
    """Human tasks created, read from PostgreSQL every 0.25 s: when the work moved last."""

    def __init__(self, url: str) -> None:
        self.url, self.count, self.moves = url, 0, [time.monotonic()]
        self.stopping = threading.Event()
        threading.Thread(target=self._watch, daemon=True).start()

    def _watch(self) -> None:
        import psycopg

        while not self.stopping.wait(0.25):
            try:
                with psycopg.connect(self.url, connect_timeout=1) as connection:
                    count = connection.execute("SELECT count(*) FROM human_task").fetchone()[0]
            except psycopg.Error:
                continue
            if count > self.count:
                self.count = count
                self.moves.append(time.monotonic())

    def longest_pause(self, since: float, until: float) -> float:
        moves = [t for t in self.moves if since <= t <= until]
        points = [since, *moves] if moves else [since, until]
        return max(b - a for a, b in zip(points, points[1:], strict=False)) if len(points) > 1 else until - since


def tasks_by_case(url: str, step: str) -> dict[int, int]:
    import psycopg

    with psycopg.connect(url) as connection:
        return dict(connection.execute(
            "SELECT case_id, count(*) FROM human_task WHERE case_type = 'filing' AND step = %s GROUP BY case_id",
            (step,)).fetchall())


def open_task_of(url: str, case_ids: list[int], step: str) -> dict[int, int]:
    import psycopg

    with psycopg.connect(url) as connection:
        return dict(connection.execute(
            "SELECT case_id, id FROM human_task WHERE case_type = 'filing' AND step = %s AND case_id = ANY(%s) "
            "AND status IN ('open', 'claimed')", (step, case_ids)).fetchall())


# -- the faults ------------------------------------------------------------------------------------------


def restart_later(d: Deployment, name: str, wipe: bool = False) -> None:
    time.sleep(RESTART_AFTER)
    if wipe:  # the host comes back with an empty disk: nothing a run needs may have lived there
        for folder in ("data", "prefect"):
            shutil.rmtree(d.host(name).folder / folder, ignore_errors=True)
    d.start_role(name)


def kill_api(d: Deployment) -> tuple[float, str]:
    t0 = time.monotonic()
    d.host("api-1").crash()
    restart_later(d, "api-1")
    wait_until("api-1 back", lambda: d.api_healthy("api-1"), 120)
    return time.monotonic() - t0, "api-1 answering /healthz again"


def kill_runner(d: Deployment) -> tuple[float, str]:
    t0 = time.monotonic()
    d.host("runner-1").crash()
    restart_later(d, "runner-1", wipe=True)
    wait_until("runner-1 back", lambda: d.host("runner-1").connected_to(d.host("prefect").address, 4200), 180)
    return time.monotonic() - t0, "runner-1 (empty disk) polling Prefect again"


def kill_leading_tick(d: Deployment) -> tuple[float, str]:
    leader = d.leader() or "tick-1"
    t0 = time.monotonic()
    d.host(leader).crash()
    wait_until("the standby leading", lambda: d.leader() not in (None, leader), 120, interval=0.1)
    took = time.monotonic() - t0
    threading.Thread(target=restart_later, args=(d, leader), daemon=True).start()  # back as the standby
    return took, f"the standby tick leading ({leader} killed)"


def kill_prefect(d: Deployment) -> tuple[float, str]:
    t0 = time.monotonic()
    d.host("prefect").crash()
    time.sleep(RESTART_AFTER)
    d.start_prefect()
    wait_until("Prefect's server back", d.prefect_healthy, 180)
    return time.monotonic() - t0, "Prefect's server answering /api/health again"


def postgres_fast_shutdown(d: Deployment) -> tuple[float, str]:
    t0 = time.monotonic()
    d.pg.fast_shutdown()
    time.sleep(RESTART_AFTER)
    d.pg.start_again()
    return time.monotonic() - t0, "PostgreSQL accepting connections again"


def kill_postgres(d: Deployment) -> tuple[float, str]:
    t0 = time.monotonic()
    d.host("db").crash()
    time.sleep(RESTART_AFTER)
    d.pg.start_again()
    return time.monotonic() - t0, "PostgreSQL (crash recovery) accepting connections again"


def cut_runner(d: Deployment) -> tuple[float, str]:
    runner = d.host("runner-2")
    t0 = time.monotonic()
    runner.cut()
    time.sleep(CUT_FOR)
    runner.heal()
    wait_until("runner-2 reconnected", lambda: runner.connected_to(d.host("prefect").address, 4200), 120)
    return time.monotonic() - t0, f"runner-2 reconnected to Prefect ({CUT_FOR:.0f} s cut)"


FAULTS: list[tuple[str, Callable[[Deployment], tuple[float, str]] | None]] = [
    ("none (the baseline)", None),
    ("an API host SIGKILLed", kill_api),
    ("a runner host SIGKILLed with its flow processes", kill_runner),
    ("the leading tick SIGKILLed", kill_leading_tick),
    ("Prefect's server SIGKILLed", kill_prefect),
    ("PostgreSQL: fast shutdown", postgres_fast_shutdown),
    ("PostgreSQL SIGKILLed", kill_postgres),
    ("a runner host's network cut for 30 s", cut_runner),
]


# -- the run ---------------------------------------------------------------------------------------------


def run_wave(d: Deployment, load: Load, progress: Progress, wave: Wave, strike, decide_tasks: list[int],
             spread: float) -> None:
    """The wave's requests paced over `spread` seconds, so that the fault, struck 3 s in, meets requests
    arriving and runs in flight."""
    load.wave = wave
    started = time.monotonic()
    jobs: list[Callable[[], None]] = [lambda n=n: load.file(n) for n in wave.filings]
    jobs += [lambda t=t: load.decide(t) for t in decide_tasks]
    jobs = [jobs[i] for i in sorted(range(len(jobs)), key=lambda i: (i * 7919) % len(jobs))]  # filings, decisions mixed

    def at(slot: float, job: Callable[[], None]) -> None:
        time.sleep(max(0.0, started + slot - time.monotonic()))
        job()

    with ThreadPoolExecutor(50) as pool:
        pending = [pool.submit(at, i * spread / len(jobs), job) for i, job in enumerate(jobs)]
        if strike is not None:
            time.sleep(3)
            wave.struck_at = time.monotonic()
            wave.back, wave.back_what = strike(d)
        for future in pending:
            future.result()
    url = d.pg.dsn("certflow")
    ids = [load.case_of[n] for n in wave.filings]

    def drained() -> bool:
        first = tasks_by_case(url, "city_recommendation")
        accepted = tasks_by_case(url, "acceptance")
        return all(i in first for i in ids) and all(i in accepted for i in wave.decided)

    wait_until(f"wave '{wave.fault}' drained", drained, 1800, interval=0.5)
    wave.drained = time.monotonic() - started
    since = wave.struck_at or started
    wave.pause = progress.longest_pause(since, time.monotonic())
    load.wave = None


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--filings", type=int, default=500)
    parser.add_argument("--decisions", type=int, default=100)
    parser.add_argument("--spread", type=float, default=20, help="seconds over which a wave's requests arrive")
    parser.add_argument("--keep", action="store_true", help="keep the hosts' folders (logs, data)")
    args = parser.parse_args()
    if os.geteuid() != 0:
        raise SystemExit("bench_hosts needs root: it makes network namespaces and a bridge")
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(1))  # stopped from outside: still clean up below
    folder = Path(tempfile.mkdtemp(prefix="certflow-hosts-"))
    os.chmod(folder, 0o755)  # PostgreSQL's account reads its host's folder below it
    d = Deployment(folder)
    try:
        t0 = time.monotonic()
        d.start()
        print(f"{len(d.hosts)} hosts on {SUBNET}.0/24 up in {time.monotonic() - t0:.0f} s "
              f"({', '.join(f'{name} .{octet}' for name, octet in LAYOUT.items())}); folders in {folder}")
        url = d.pg.url("certflow")
        os.environ.update({"CERTFLOW_DATABASE_URL": url, "CERTFLOW_DATA_DIR": str(folder / "operator")})
        from tasks.people.accounts import create_user

        tokens = [create_user(url, role="enterprise", name=f"hosts-{n}")[1] for n in range(args.filings)]
        officer = create_user(url, role="officer", name="hosts-officer", jurisdiction="440100")[1]
        load = Load(d, tokens, officer)
        load.province = create_user(url, role="officer", name="hosts-province", jurisdiction="440000")[1]
        progress = Progress(d.pg.dsn("certflow"))
        waves = [Wave(fault) for fault, _ in FAULTS]
        for n in range(args.filings):
            waves[n * len(waves) // args.filings].filings.append(n)
        decisions_left = args.decisions
        for number, ((fault, strike), wave) in enumerate(zip(FAULTS, waves, strict=True)):
            earlier = [load.case_of[n] for w in waves[:number] for n in w.filings]  # decided ones have no open task
            share = decisions_left // (len(waves) - number) if number else 0
            open_tasks = open_task_of(d.pg.dsn("certflow"), earlier, "city_recommendation")
            chosen = sorted(open_tasks)[:share]
            wave.decided = chosen
            decisions_left -= len(chosen)
            print(f"wave {number}: {len(wave.filings)} filings, {len(chosen)} decisions; fault: {fault} …", flush=True)
            run_wave(d, load, progress, wave, strike, [open_tasks[c] for c in chosen], args.spread)
            print(f"    drained in {wave.drained:.0f} s; "
                  + (f"back after {wave.back:.1f} s ({wave.back_what}); " if wave.back is not None else "")
                  + f"longest pause in the work {wave.pause:.1f} s; requests refused {wave.refused_requests}"
                  + (f" (attempts refused: {dict(wave.refused)})" if wave.refused else ""), flush=True)
        across_hosts(d, load, waves)
        report(d, load, waves)
    finally:
        d.net.close()
        if args.keep:
            print(f"kept: {folder}")
        else:
            shutil.rmtree(folder, ignore_errors=True)


def across_hosts(d: Deployment, load: Load, waves: list[Wave]) -> None:
    """No shared disk: a file uploaded through one API host is served by the other, from the S3 store; a
    notice one host renders is served by the other without a second rendering."""
    import boto3

    from tests.samples import pdf

    api = [f"http://{d.host(name).address}:8000" for name in ("api-1", "api-2")]
    n = waves[0].filings[0]
    enterprise = {"Authorization": f"Bearer {load.tokens[n]}"}
    case_id = load.case_of[n]
    content = pdf(f"licence of filing {case_id}")
    stored = httpx.post(f"{api[0]}/api/v1/filings/{case_id}/materials", data={"kind": "business_licence"},
                        files={"file": ("licence.pdf", content, "application/pdf")}, headers=enterprise, timeout=30)
    assert stored.status_code == 201, stored.text
    served = httpx.get(f"{api[1]}{stored.json()['download']}", headers=enterprise, timeout=30)
    assert served.status_code == 200 and served.content == content, served.text[:200]
    s3 = boto3.client("s3", endpoint_url=f"http://{d.host('s3').address}:9000", region_name="us-east-1",
                      aws_access_key_id="bench", aws_secret_access_key="bench-secret")
    assert s3.head_object(Bucket=BUCKET, Key=f"sha256/{stored.json()['sha256']}")["ContentLength"] == len(content)
    for name in ("api-1", "api-2"):
        assert not (d.host(name).folder / "data" / "files").exists(), f"{name} kept a file on its own disk"
    print(f"a material uploaded through api-1 was served by api-2 from the S3 store ({len(content)} bytes)")

    officer = {"Authorization": f"Bearer {load.province}"}  # the provincial centre accepts filings
    decided = next(c for w in waves for c in w.decided)
    url = d.pg.dsn("certflow")
    task_id = open_task_of(url, [decided], "acceptance")[decided]
    claimed = httpx.post(f"{api[0]}/api/v1/tasks/{task_id}/claim", headers=officer, timeout=30)
    assert claimed.status_code == 200, claimed.text
    answer = httpx.post(f"{api[0]}/api/v1/tasks/{task_id}/decision", headers=officer, timeout=30,
                        json={"decision": "deficient", "deficiencies": ["营业执照：复印件不清晰，请补正"]})
    assert answer.status_code == 200, answer.text
    owner = {"Authorization": f"Bearer {load.tokens[next(k for k, v in load.case_of.items() if v == decided)]}"}
    notice_url = f"/api/v1/filings/{decided}/notices/1.pdf"
    wait_until("the deficiency notice", lambda: httpx.get(f"{api[0]}{notice_url}", headers=owner,
                                                          timeout=30).status_code == 200, 120)
    first, second = (httpx.get(f"{base}{notice_url}", headers=owner, timeout=30).content for base in api)
    rendered = s3.list_objects_v2(Bucket=BUCKET, Prefix="documents/notices/").get("Contents", [])
    assert first == second and first.startswith(b"%PDF") and len(rendered) == 1, (len(rendered), first[:20])
    print(f"a deficiency notice rendered once ({rendered[0]['Key']}) was served alike by both API hosts")


def report(d: Deployment, load: Load, waves: list[Wave]) -> None:
    import psycopg

    url = d.pg.dsn("certflow")
    ids = set(load.case_of.values())
    decided = {c for w in waves for c in w.decided}
    first, accepted = tasks_by_case(url, "city_recommendation"), tasks_by_case(url, "acceptance")
    with psycopg.connect(url) as connection:
        filings_per_code = connection.execute(
            "SELECT count(*) FROM filing_application GROUP BY institution_id HAVING count(*) > 1").fetchall()
        decisions_per_task = connection.execute(
            "SELECT count(*) FROM audit_event WHERE action = 'task_decided:city_recommendation' "
            "GROUP BY case_id HAVING count(*) > 1").fetchall()
    live: collections.Counter = collections.Counter()
    offset = 0
    while True:
        runs = prefect_post(d.prefect_api, "/flow_runs/filter", {"limit": 200, "offset": offset})
        for run in runs:
            if run.get("state_type") not in TERMINAL and "filing_id" in (run.get("parameters") or {}):
                live[run["parameters"]["filing_id"]] += 1
        if len(runs) < 200:
            break
        offset += 200
    verify = subprocess.run(
        [sys.executable, "-m", "certflow.cli", "audit", "verify"], capture_output=True, text=True,
        env={**os.environ, "CERTFLOW_DATABASE_URL": d.pg.url("certflow"),
             "CERTFLOW_DATA_DIR": str(d.net.folder / "operator")})
    figures = {
        "filings lost (no first task)": len(ids - set(first)),
        "filings doubled (a second first task)": sum(1 for c in ids if first.get(c, 0) > 1),
        "filings doubled (two filings for one request)": len(filings_per_code),
        "filings with two live flow runs": sum(1 for c in ids if live.get(c, 0) > 1),
        "decisions lost (no next task)": len(decided - set(accepted)),
        "decisions applied twice": len(decisions_per_task) + sum(1 for c in decided if accepted.get(c, 0) > 1),
    }
    print(f"\n{'fault':<50} {'back':>7} {'pause':>7} {'refused':>8} {'drained':>8}")
    for wave in waves:
        back = f"{wave.back:.1f} s" if wave.back is not None else "—"
        requests = len(wave.filings) + len(wave.decided) * 2  # a decision is a claim and a decision
        print(f"{wave.fault:<50} {back:>7} {wave.pause:>5.1f} s {wave.refused_requests:>4}/{requests:<3} "
              f"{wave.drained:>6.0f} s")
    print("back: until the role serves again; pause: the longest time no flow reached a human task; refused: "
          "requests refused at least once (then retried with the same Idempotency-Key until answered); "
          "drained: the wave's filings at their first task and its decisions at their next")
    print(f"\n{len(ids)} filings, {len(decided)} decisions: " + "; ".join(f"{k} {v}" for k, v in figures.items()))
    last = (verify.stdout.strip().splitlines() or [verify.stderr.strip()])[-1]
    print(f"certflow audit verify: exit {verify.returncode} — {last}")
    print(json.dumps({"lost": figures["filings lost (no first task)"] + figures["decisions lost (no next task)"],
                      "doubled": sum(v for k, v in figures.items() if "doubled" in k or "twice" in k
                                     or "two live" in k)}))


if __name__ == "__main__":
    main()
