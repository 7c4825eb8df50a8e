"""`certflow serve ROLE`: one part of the system in the foreground, so that each part can run on its
own machine and scale on its own. `certflow up` is all of them at once, embedded.

| role      | what it runs                                                       | needs                         |
|-----------|--------------------------------------------------------------------|-------------------------------|
| api       | the API and dashboard (uvicorn, --workers processes)               | database                      |
| runner    | a Prefect runner serving the process deployments                   | database, Prefect API         |
| tick      | the passes: dispatch, timers, wake-ups, SLA scan, revival (one     | database, Prefect API         |
|           | leads, more stand by: engine/leader.py)                          |                               |
| simulator | the local stand-in for the national query system                   | —                             |
"""

from __future__ import annotations

import argparse
import os
import signal
import sys
import threading

from certflow import reaper

ROLES = ("api", "runner", "tick", "simulator")


def environment(args: argparse.Namespace) -> dict[str, str]:
    """The role's environment: ours plus the settings (built from it and the flags, which win)."""
    env = dict(os.environ) | args.settings.environment()
    if args.role == "simulator":
        env |= {"CERTFLOW_SIM_HOST": args.host, "CERTFLOW_SIM_PORT": str(args.port)}
    return env


def command(args: argparse.Namespace) -> list[str]:
    if args.role == "api":
        return [sys.executable, "-m", "uvicorn", "api.app:create_app", "--factory", "--host", args.host,
                "--port", str(args.port), "--workers", str(args.workers), "--log-level", "warning",
                "--no-proxy-headers"]  # forwarded addresses: CERTFLOW_TRUSTED_PROXIES (api/clients.py)
    if args.role == "runner":
        return [sys.executable, "-m", "certflow.runner"]
    if args.role == "simulator":
        return [sys.executable, "-m", "certflow.simulator"]
    raise ValueError(args.role)


def cmd_serve(args: argparse.Namespace) -> int:
    from certflow.errors import CliError

    if args.role in ("runner", "tick") and not args.settings.prefect_api_url:
        raise CliError(f"the {args.role} needs the Prefect API: --prefect-api-url http://HOST:4200/api "
                       f"(or PREFECT_API_URL)")
    if args.role != "tick":
        mark = reaper.new_mark()
        env = environment(args) | {reaper.MARK: mark}  # the child builds the same settings from it
        reaper.start(mark)  # its workers or flow processes end with it, however it ends (certflow.reaper)
        os.execvpe(command(args)[0], command(args), env)  # the role becomes this process: signals go straight to it
    return _serve_tick(args.settings)


def _serve_tick(settings) -> int:  # core.settings.Settings, installed by the CLI
    import logging

    from certflow.bootstrap import prepare
    from engine.tick import start_scheduler, stop_scheduler

    logging.basicConfig(level=logging.WARNING, format="%(asctime)s %(name)s %(levelname)s %(message)s")
    logging.getLogger("certflow.leader").setLevel(logging.INFO)  # who leads, and when it changes
    prepare(settings)
    stopping = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stopping.set())
    scheduler = start_scheduler(settings)
    print(f"tick on {settings.database_url.split('@')[-1]}: leading when no other tick does; Ctrl-C stops",
          flush=True)
    try:
        while not stopping.wait(0.5):
            pass
    except KeyboardInterrupt:
        pass
    finally:
        stop_scheduler(scheduler)
    return 0


def register(sub, data_dir_option) -> None:
    p = sub.add_parser("serve", help="run one part on its own: api, runner, tick or simulator")
    p.add_argument("role", choices=ROLES)
    p.add_argument(
        "--database-url", help="our database (default: $CERTFLOW_DATABASE_URL, else SQLite in the data folder)"
    )
    p.add_argument("--prefect-api-url", help="the Prefect server's API, e.g. http://prefect:4200/api (runner, tick)")
    p.add_argument("--host", default="127.0.0.1", help="api, simulator: address to listen on")
    p.add_argument("--port", type=int, default=8000, help="api / simulator: port")
    p.add_argument("--workers", type=int, default=2, help="api: processes")
    data_dir_option(p)
    p.set_defaults(handler=cmd_serve)
