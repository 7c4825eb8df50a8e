"""`certflow up` and `certflow demo`."""

from __future__ import annotations

import argparse
import signal
import threading


def cmd_up(args: argparse.Namespace) -> int:
    from certflow.embedded import Stack
    from certflow.settings import Settings

    import os

    os.environ["CERTFLOW_CLOCK"] = args.clock
    settings = Settings.from_env(getattr(args, "data_dir", None))
    stack = Stack(settings, api_port=args.port, clock=args.clock)
    stopping = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stopping.set())
    try:
        stack.start()
        print(f"certflow is up — data in {settings.data_dir}; logs in {stack.logs}. Ctrl-C stops everything.")
        while not stopping.wait(0.5):
            pass
    except KeyboardInterrupt:
        pass
    finally:
        print("stopping …")
        stack.stop()
    return 0


def cmd_demo(args: argparse.Namespace) -> int:
    from certflow.demo import run_demo

    return run_demo(getattr(args, "data_dir", None))


def register(sub, data_dir_option) -> None:  # noqa: ANN001
    p = sub.add_parser("up", help="run everything embedded: SQLite, Prefect server, runner, API, tick, simulator")
    p.add_argument("--port", type=int, default=8000, help="API and dashboard port (default 8000)")
    p.add_argument("--clock", choices=("real", "simulated"), default="real", help="business clock")
    data_dir_option(p)
    p.set_defaults(handler=cmd_up)
    p = sub.add_parser("demo", help="one full lifecycle on a simulated clock, printing each step")
    data_dir_option(p)
    p.set_defaults(handler=cmd_demo)
