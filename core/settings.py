"""Every setting of an instance, in one object read from the environment (prefix CERTFLOW_) and flags.

An entry point (the command line, `certflow serve ROLE`, the API factory, a flow process) builds it
once and passes it on; the README's table lists the same fields (a test keeps them in step).
`install()` makes it the process's settings; the business clock finds the settings of the database
it reads (several instances share one process in tests and in the demo's driver).
"""

from __future__ import annotations

import threading
from pathlib import Path
from typing import Annotated, Any, Literal

from pydantic import AliasChoices, Field, ValidationError, field_validator, model_validator
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict


class SettingsError(ValueError):
    """A setting with an impossible value: the message names the variable and what it must be."""


def host_and_port(address: str) -> tuple[str, int]:
    """`host:port` (a hostname, an IPv4 address, or [IPv6]) split, or ValueError saying what it must be."""
    host, _, port = address.rpartition(":")
    host = host.removeprefix("[").removesuffix("]")
    if not host or not port.isdigit() or not 1 <= int(port) <= 65535:
        raise ValueError(f"{address!r} must be host:port, e.g. 127.0.0.1:8300")
    return host, int(port)


def _days(description: str, default: int) -> Any:  # a pydantic Field
    return Field(default, ge=1, le=3650, description=description)


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="CERTFLOW_", frozen=True, extra="ignore",
                                      populate_by_name=True)

    # where things live
    data_dir: Path = Field(default_factory=lambda: Path.home() / ".certflow",
                           description="the instance's folder: SQLite database, documents' cache, secrets, logs")
    database_url: str = Field("", description="our database; empty: SQLite in the data folder "
                                              "(postgresql+psycopg://user@host/db for PostgreSQL)")
    base_url: str = Field("http://127.0.0.1:8000", description="the public address printed in QR codes and links")
    prefect_api_url: str = Field("", validation_alias=AliasChoices("PREFECT_API_URL", "prefect_api_url"),
                                 description="the Prefect server's API (PREFECT_API_URL, Prefect's own name)")
    registry_url: str = Field("", description="the national query system; empty: the stand-in of "
                                              "`certflow up` (simulator)")
    # how the instance behaves
    clock: Literal["real", "simulated"] = Field("real", description="the business clock: real time in "
                                                                    "China, or a simulated time an admin moves")
    max_body_bytes: int = Field(4 * 1024 * 1024, ge=1024, le=1024**3,
                                description="the largest request body (a 5,000-candidate plan is about 1 MB)")
    file_max_bytes: int = Field(20 * 1024 * 1024, ge=1024, le=1024**3,
                                description="the largest uploaded file (materials, evidence, rosters)")
    # uploaded files: content-addressed in the data folder, or on S3-compatible storage when a bucket is named
    s3_bucket: str = Field("", description="an S3 bucket for uploaded files; empty: the data folder's files/")
    s3_endpoint: str = Field("", description="the S3-compatible service's URL (MinIO, Ceph…); empty: AWS")
    s3_region: str = Field("us-east-1", description="the bucket's region")
    s3_access_key: str = Field("", description="the S3 access key id (empty: the client's usual credential chain)")
    s3_secret_key: str = Field("", description="the S3 secret access key")
    trusted_proxies: Annotated[tuple[str, ...], NoDecode] = Field(
        (), description="comma-separated addresses/networks whose X-Forwarded-For is believed")
    metrics_token: str = Field("", description="a bearer token Prometheus may use on /metrics")
    # hosts without a shared disk sign with the same keys: each is derived from this one secret
    keys_secret: str = Field("", description="a secret (32+ characters) every host shares, from which the server "
                                             "keys (holder links, device cookies) are derived; empty: a key file "
                                             "per name in the data folder's secrets/")
    token_days_enterprise: int = _days("lifetime of an enterprise system's API token", 365)
    token_days_staff: int = _days("lifetime of an officer's, expert's, operations' or admin's token", 90)
    holder_link_days: int = _days("lifetime of a certificate holder's private link", 30)
    complaints_open_per_phone: int = Field(5, ge=1, le=10_000, description="open anonymous complaints one phone "
                                                                         "number may have at once (then 429)")
    complaints_open_per_target: int = Field(50, ge=1, le=100_000, description="open anonymous complaints about one "
                                                                            "institution at once (then 409)")
    # the engine's rhythm
    stale_run_seconds: float = Field(600, gt=0, description="a run RUNNING/PENDING this long without a change "
                                                           "(its own state's or its newest step's) has lost its "
                                                           "process and is revived; after three restarts it is a "
                                                           "`run_lost` incident on the operations page, restarted "
                                                           "by the operator's retry")
    sla_scan_seconds: float = Field(10, gt=0, description="how often the tick scans the SLA clocks")
    revive_seconds: float = Field(15, gt=0, description="how often the tick looks for lost runs")
    # 16 drained no faster than 8 on two cores (bench/README.md: 1.98 against 2.05 runs/s over 200 filings)
    runner_limit: int = Field(8, ge=1, le=256, description="flow runs one runner executes at once")
    # a run waits for the runner's next look: half the interval on average (Prefect's own setting,
    # PREFECT_RUNNER_POLL_FREQUENCY, takes whole seconds only). Polling every 0.25 s halved the decision latency
    # but also the burst's drain (the polls load Prefect's server); a runner that hears nudges is told of each
    # run and polls every 2 s only as a fallback (bench/README.md)
    runner_poll_seconds: float | None = Field(None, gt=0, le=60, description="how often a runner asks Prefect "
                                              "for runs to start or resume; default 2 s for a runner that hears "
                                              "nudges, 0.5 s for one that does not")
    # a nudge spares a started or resumed run the wait for the runner's next poll (engine/nudge.py)
    runner_nudge_address: str = Field("", description="host:port a runner listens on (UDP) for a nudge to look for "
                                                       "runs at once; empty: it only polls")
    runner_nudge_targets: Annotated[tuple[str, ...], NoDecode] = Field(
        (), description="comma-separated host:port of the runners the API and the tick nudge when they start or "
                        "resume a run (best effort: a lost nudge waits for the next poll)")
    runner_forkserver: bool = Field(True, description="fork flow processes from a warm server process "
                                                      "(false: Prefect's spawn)")
    api_workers: int = Field(2, ge=1, le=64, description="API processes `certflow up` starts")
    # where SLA breaches are sent (besides the dashboard)
    sla_webhook: str = Field("", description="a URL that receives each SLA breach as JSON")
    smtp_host: str = Field("", description="an SMTP server (host[:port]) for SLA breach mail and the task digest")
    smtp_from: str = Field("certflow@localhost", description="the sender of SLA breach mail and the task digest")
    digest_hour: int = Field(8, ge=0, le=23, description="the hour (China time, business clock) after which the day's "
                                                         "task digest goes to the staff who asked for it")
    smtp_to: Annotated[tuple[str, ...], NoDecode] = Field((), description="comma-separated recipients of SLA mail")
    # the national query system's stand-in (`certflow serve simulator`)
    sim_host: str = Field("127.0.0.1", description="the address the simulator listens on")
    sim_port: int = Field(8765, ge=1, le=65535, description="the simulator's port")
    sim_latency_ms: int = Field(50, ge=0, le=60_000, description="the simulator's answer delay")
    sim_failure_rate: float = Field(0.0, ge=0, le=1, description="the share of simulator calls that fail (503)")

    @field_validator("trusted_proxies", "smtp_to", "runner_nudge_targets", mode="before")
    @classmethod
    def _comma_list(cls, value: Any) -> Any:
        if isinstance(value, str):
            return tuple(part.strip() for part in value.split(",") if part.strip())
        return value

    @field_validator("runner_nudge_address", mode="after")
    @classmethod
    def _address(cls, value: str) -> str:
        if value:
            host_and_port(value)
        return value

    @field_validator("runner_nudge_targets", mode="after")
    @classmethod
    def _addresses(cls, value: tuple[str, ...]) -> tuple[str, ...]:
        for address in value:
            host_and_port(address)
        return value

    @field_validator("keys_secret", mode="after")
    @classmethod
    def _long_enough(cls, value: str) -> str:
        if value and len(value) < 32:
            raise ValueError("must be at least 32 characters (e.g. `python -c 'import secrets; "
                             "print(secrets.token_urlsafe(32))'`)")
        return value

    @field_validator("data_dir", mode="after")
    @classmethod
    def _absolute(cls, value: Path) -> Path:
        return value.expanduser().resolve()

    @field_validator("base_url", "prefect_api_url", "registry_url", mode="after")
    @classmethod
    def _no_trailing_slash(cls, value: str) -> str:
        return value.rstrip("/")

    @model_validator(mode="after")
    def _default_database(self) -> Settings:
        if not self.database_url:
            object.__setattr__(self, "database_url", f"sqlite:///{self.data_dir / 'certflow.db'}")
        return self

    @classmethod
    def from_env(cls, data_dir: Path | str | None = None, **overrides: Any) -> Settings:
        """The environment, with the flags given (None: not given) winning over it."""
        given = {k: v for k, v in ({"data_dir": data_dir} | overrides).items() if v is not None}
        try:
            return cls(**given)
        except ValidationError as exc:
            raise SettingsError(_explain(exc)) from None

    def replace(self, **changes: Any) -> Settings:
        """A copy with some fields changed (validated again; database_url follows data_dir unless given)."""
        values = self.model_dump()
        if "data_dir" in changes and "database_url" not in changes and values["database_url"] == \
                f"sqlite:///{self.data_dir / 'certflow.db'}":
            values["database_url"] = ""
        try:
            return type(self)(**(values | changes))
        except ValidationError as exc:
            raise SettingsError(_explain(exc)) from None

    @property
    def runner_poll_interval(self) -> float:
        if self.runner_poll_seconds is not None:
            return self.runner_poll_seconds
        return 2.0 if self.runner_nudge_address else 0.5

    def environment(self) -> dict[str, str]:
        """These settings as the environment of a child process (which builds the same object from it)."""
        env = {}
        for name in type(self).model_fields:
            value = getattr(self, name)
            if isinstance(value, tuple):
                value = ",".join(value)
            elif isinstance(value, bool):
                value = "true" if value else "false"
            if value not in ("", None):  # an empty value is the default; leaving it out keeps it so
                env[variable(name)] = str(value)
        return env


def variable(name: str) -> str:
    return "PREFECT_API_URL" if name == "prefect_api_url" else f"CERTFLOW_{name.upper()}"


def _explain(exc: ValidationError) -> str:
    parts = []
    for error in exc.errors():
        name = str(error["loc"][0]) if error["loc"] else "?"
        parts.append(f"{variable(name) if name in Settings.model_fields else name}: {error['msg']}"
                     f" (got {error.get('input')!r})")
    return "; ".join(parts)


_lock = threading.Lock()
_current: Settings | None = None
_by_database: dict[str, Settings] = {}


def install(settings: Settings) -> Settings:
    """Make these the process's settings (and the ones of their database, for the clock)."""
    global _current
    with _lock:
        _current = settings
        _by_database[settings.database_url] = settings
    return settings


def current() -> Settings:
    """The settings the entry point installed; a process started by Prefect (a flow run) builds them
    from the environment its parent passed, once."""
    global _current
    with _lock:
        if _current is None:
            _current = Settings.from_env()
            _by_database.setdefault(_current.database_url, _current)
        return _current


def for_database(url: str) -> Settings:
    """The settings of the instance whose database this is (the process's own when unknown)."""
    with _lock:
        found = _by_database.get(url)
    return found or current()


def of(session: Any) -> Settings:  # a database session (models.db.session_scope, api.deps)
    """The settings of the instance this database session belongs to."""
    url = session.info.get("database_url") if session is not None else None
    return for_database(url) if url else current()


def uninstall(database_url: str) -> None:
    """The instance of this database is gone (a test's folder): forget its settings; others' stay."""
    global _current
    with _lock:
        _by_database.pop(database_url, None)
        if _current is not None and _current.database_url == database_url:
            _current = None


def markdown_table() -> str:
    """The README's settings table, from the fields themselves (tests/unit/test_settings.py compares)."""
    rows = ["| variable | default | what it does |", "|---|---|---|"]
    for name, field in Settings.model_fields.items():
        if name == "data_dir":
            default = "`~/.certflow`"
        elif name == "database_url":
            default = "SQLite in the data folder"
        else:
            value = field.default
            value = ",".join(value) if isinstance(value, tuple) else value
            value = str(value).lower() if isinstance(value, bool) else value
            default = f"`{value}`" if value not in ("", (), None) else "(none)"
        rows.append(f"| `{variable(name)}` | {default} | {field.description} |")
    return "\n".join(rows)
