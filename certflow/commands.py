"""`certflow up` and `certflow demo`."""

from __future__ import annotations

import argparse
import signal
import sys
import threading


def cmd_up(args: argparse.Namespace) -> int:
    from certflow.embedded import Stack
    from certflow.first_run import first_run_hint

    settings = args.settings  # with --clock and --database-url (certflow/cli.py)
    stack = Stack(settings, api_port=args.port, runners=args.runners,
                  prefect_database_url=args.prefect_database_url, tick=not args.no_tick)
    stopping = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stopping.set())
    died = None
    try:
        stack.start()
        print(f"certflow is up — data in {settings.data_dir}; logs in {stack.logs}. Ctrl-C stops everything.")
        print(first_run_hint(settings, stack.api_url), flush=True)
        while not stopping.wait(0.5):
            if (died := stack.dead_child()) is not None:
                break
    except KeyboardInterrupt:
        pass
    finally:
        print("stopping …")
        stack.stop()
    if died is not None:
        name, code, log = died
        print(f"certflow up: {name} stopped on its own (exit code {code}); everything else was stopped — see {log}",
              file=sys.stderr)
        return 1
    return 0


def cmd_demo(args: argparse.Namespace) -> int:
    from certflow.demo import run_demo

    def interrupted(*_) -> None:  # SIGTERM stops the demo as Ctrl-C does: its stack is stopped on the way out
        raise KeyboardInterrupt

    signal.signal(signal.SIGTERM, interrupted)
    try:
        return run_demo(args.settings, keep=args.keep)
    except KeyboardInterrupt:
        return 130


def cmd_render(args: argparse.Namespace) -> int:
    """Bulk-render a batch's certificates with a progress bar; safe to run again after a crash."""
    import sys
    import time

    from certflow.bootstrap import prepare
    from certflow.errors import CliError
    from models.db import session_scope
    from tasks.errors import NotFound
    from tasks.exchange import documents

    settings = args.settings
    prepare(settings)
    started = time.monotonic()

    def progress(done: int, total: int) -> None:
        width = 30
        filled = int(width * done / total) if total else width
        rate = done / max(time.monotonic() - started, 1e-6)
        sys.stderr.write(f"\r[{'#' * filled}{'.' * (width - filled)}] {done}/{total} ({rate:.1f}/s)")
        sys.stderr.flush()

    try:
        with session_scope(settings.database_url, readonly=True) as session:
            result = documents.render_batch(session, plan_id=args.plan, settings=settings,
                                            workers=args.workers, progress=progress,
                                            combined=args.combined)
    except NotFound as exc:
        raise CliError(str(exc)) from None
    sys.stderr.write("\n")
    print(f"rendered {result['rendered']} of {result['total']} certificates in {time.monotonic() - started:.1f} s"
          + (f"; print file {result['combined']}" if "combined" in result else ""))
    return 0


def cmd_backup(args: argparse.Namespace) -> int:
    from pathlib import Path

    from certflow.backup import BackupError, backup
    from certflow.errors import CliError

    settings = args.settings
    try:
        size = backup(settings.database_url, Path(args.file))
    except BackupError as exc:
        raise CliError(str(exc)) from None
    print(f"backed up to {args.file} ({size / 1e6:.1f} MB); the documents' cache under {settings.data_dir} "
          f"is rebuilt on demand, the secrets/ folder is to be kept with the backup")
    return 0


def cmd_restore(args: argparse.Namespace) -> int:
    from pathlib import Path

    from certflow.backup import BackupError, restore
    from certflow.errors import CliError

    settings = args.settings
    try:
        restore(settings.database_url, Path(args.file), force=args.force)
    except BackupError as exc:
        raise CliError(str(exc)) from None
    print(f"restored {args.file} into {settings.database_url.split('///')[-1]}")
    return 0


def register(sub, data_dir_option) -> None:
    p = sub.add_parser("up", help="run everything embedded: SQLite, Prefect server, runner, API, tick, simulator")
    p.add_argument("--port", type=int, default=8000, help="API and dashboard port (default 8000)")
    p.add_argument("--clock", choices=("real", "simulated"), default="real", help="business clock")
    p.add_argument("--database-url", help="our tables elsewhere than the data folder's SQLite, e.g. "
                                          "postgresql+psycopg://user@host/certflow")
    p.add_argument("--prefect-database-url", help="Prefect's server on PostgreSQL (postgresql+asyncpg://…)")
    p.add_argument("--runners", type=int, default=1, choices=range(1, 9), metavar="N",
                   help="runner processes (default 1)")
    p.add_argument("--no-tick", action="store_true", help="run no tick here (ticks run as `certflow serve tick`)")
    data_dir_option(p)
    p.set_defaults(handler=cmd_up)
    certificates = sub.add_parser("certificates", help="certificate documents")
    certificates_sub = certificates.add_subparsers(dest="certificates_command", required=True)
    p = certificates_sub.add_parser("render", help="render every certificate of a batch as PDF (resumable)")
    p.add_argument("--plan", type=int, required=True, help="the evaluation plan (batch) id")
    p.add_argument("--workers", type=int, default=None, help="processes (default: one per core)")
    p.add_argument("--combined", action="store_true", help="also write one print-ready PDF of the batch")
    data_dir_option(p)
    p.set_defaults(handler=cmd_render)
    p = sub.add_parser("backup", help="copy the live SQLite database to FILE (online; PostgreSQL: pg_dump)")
    p.add_argument("file", metavar="FILE")
    data_dir_option(p)
    p.set_defaults(handler=cmd_backup)
    p = sub.add_parser("restore", help="put a backup in place of the SQLite database (certflow stopped)")
    p.add_argument("file", metavar="FILE")
    p.add_argument("--force", action="store_true", help="replace an existing database")
    data_dir_option(p)
    p.set_defaults(handler=cmd_restore)
    p = sub.add_parser("demo", help="one full lifecycle on a simulated clock, printing each step")
    p.add_argument("--database-url", help="our tables on this database (e.g. postgresql+psycopg://…) instead of "
                                          "SQLite in the data folder")
    p.add_argument("--keep", action="store_true", help="leave the demo's instance running afterwards, with a "
                                                       "dashboard login for each of its people (Ctrl-C stops it)")
    data_dir_option(p)
    p.set_defaults(handler=cmd_demo)
