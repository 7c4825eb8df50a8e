"""`certflow …` as a script would run it, in this test process.

The command's own entry point (`certflow.cli.main`) with its arguments, environment, standard input and
output, and its exit status (argparse's usage errors included) — what `python -m certflow.cli` runs,
without starting a Python process per call (~2.5 s of imports each, most of this folder's time).
`test_the_module_runs_as_a_program` keeps one real process, for the `-m` entry itself.
"""

from __future__ import annotations

import contextlib
import io
import os
import subprocess
import sys
from unittest import mock

from core import settings as installed


def certflow(*args: str, data_dir=None, check: bool = False, env: dict[str, str] | None = None,
             input: str | None = None) -> subprocess.CompletedProcess:
    from certflow.cli import main

    out, err = io.StringIO(), io.StringIO()
    environment = {**({"CERTFLOW_DATA_DIR": str(data_dir)} if data_dir is not None else {}), **(env or {})}
    # the command installs its settings for the process, as its own process would: restored afterwards,
    # so the test's instance stays the installed one
    with _settings_restored(), mock.patch.dict(os.environ, environment), \
            mock.patch.object(sys, "stdin", io.StringIO(input or "")), \
            contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        try:
            status = main(list(args))
        except SystemExit as exit_:  # argparse: --help, a usage error
            status = exit_.code if isinstance(exit_.code, int) else (0 if exit_.code is None else 1)
    done = subprocess.CompletedProcess(["certflow", *args], status, out.getvalue(), err.getvalue())
    if check:
        done.check_returncode()
    return done


@contextlib.contextmanager
def _settings_restored():
    with installed._lock:
        saved = installed._current, dict(installed._by_database)
    try:
        yield
    finally:
        with installed._lock:
            installed._current = saved[0]
            installed._by_database.clear()
            installed._by_database.update(saved[1])
