"""A process tree dies with its root, however the root dies (issue 30): the watch (certflow.reaper) ends every
process that carries the tree's mark — SIGTERM first, SIGKILL for what ignores it — once its parent is gone;
`certflow serve` starts one before it becomes its role, so the API's uvicorn workers end with it."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import textwrap

from certflow import reaper
from tests.process_tree import children, of_folder, until

STUBBORN = ("import signal, time; signal.signal(signal.SIGTERM, signal.SIG_IGN); print('deaf', flush=True); "
            "time.sleep(120)")


def _marked_sleeper(mark: str, code: str = "import time; time.sleep(120)", **kwargs) -> subprocess.Popen:
    return subprocess.Popen([sys.executable, "-c", code], env={**os.environ, reaper.MARK: mark}, **kwargs)


def test_the_watch_ends_every_marked_process_and_kills_the_one_that_ignores_sigterm():
    mark = reaper.new_mark()
    polite = _marked_sleeper(mark)
    stubborn = _marked_sleeper(mark, STUBBORN, start_new_session=True, stdout=subprocess.PIPE, text=True)
    other = _marked_sleeper(reaper.new_mark())  # another tree's: untouched
    try:
        assert stubborn.stdout.readline().strip() == "deaf"  # its handler is in place
        until("both marked", lambda: set(reaper.marked(mark)) == {polite.pid, stubborn.pid}, timeout=30)
        assert reaper.end_tree(mark, grace=1) == 2
        assert polite.wait(timeout=10) == -signal.SIGTERM and stubborn.wait(timeout=10) == -signal.SIGKILL
        assert other.poll() is None and list(reaper.marked(mark)) == []
    finally:
        for process in (polite, stubborn, other):
            process.kill()
            process.wait()


def test_a_root_killed_with_sigkill_takes_its_whole_tree_with_it_grandchildren_in_sessions_of_their_own(tmp_path):
    mark = reaper.new_mark()
    root_code = textwrap.dedent(f"""
        import os, subprocess, sys, time
        from certflow import reaper
        reaper.start({mark!r})
        env = {{**os.environ, reaper.MARK: {mark!r}}}
        # a child that starts a grandchild in a session of its own, and one that ignores SIGTERM
        subprocess.Popen([sys.executable, "-c", "import subprocess, sys, time; "
                          "subprocess.Popen([sys.executable, '-c', 'import time; time.sleep(120)'], "
                          "start_new_session=True); time.sleep(120)"], env=env)
        subprocess.Popen([sys.executable, "-c", {STUBBORN!r}], env=env, start_new_session=True,
                         stdout=subprocess.DEVNULL)
        print("up", flush=True)
        time.sleep(120)
    """)
    root = subprocess.Popen([sys.executable, "-c", root_code], stdout=subprocess.PIPE, text=True,
                            cwd=os.getcwd(), env={**os.environ, "PYTHONPATH": os.getcwd()})
    try:
        assert root.stdout.readline().strip() == "up"
        until("the tree started (two children, a grandchild)", lambda: len(list(reaper.marked(mark))) == 3,
              timeout=30)
        root.kill()  # as a script's timeout does
        root.wait()
        until("nothing of the tree left", lambda: list(reaper.marked(mark)) == [], timeout=30)
    finally:
        root.kill()
        reaper.end_tree(mark, grace=0)


def test_certflow_serve_api_killed_with_sigkill_leaves_none_of_its_uvicorn_workers(tmp_path):
    import socket

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    env = {**os.environ, "CERTFLOW_DATA_DIR": str(tmp_path)}
    env.pop("CERTFLOW_DATABASE_URL", None)
    subprocess.run([sys.executable, "-m", "certflow.cli", "calendar", "show", "2026"], check=True, capture_output=True,
                   env=env)  # a prepared data folder
    serve = subprocess.Popen([sys.executable, "-m", "certflow.cli", "serve", "api", "--port", str(port),
                              "--workers", "2"], env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        workers = until("two uvicorn workers", lambda: [p for p, cmd in children(serve.pid).items()
                                                         if "certflow.reaper" not in cmd][1:] and
                        [p for p, cmd in children(serve.pid).items() if "certflow.reaper" not in cmd], timeout=120)
        assert len(workers) >= 2
        serve.kill()
        serve.wait()
        until("no process of the folder left", lambda: of_folder(tmp_path) == [], timeout=30)
    finally:
        serve.kill()
        for pid in of_folder(tmp_path):
            os.kill(pid, signal.SIGKILL)


def test_a_runner_whose_prefect_server_is_gone_still_leaves_on_sigterm():
    """Prefect's graceful stop talks to the server; with none to answer it held the runner (28 s and more, seen):
    the runner leaves after its grace however long that stop would take."""
    code = textwrap.dedent("""
        import threading, time
        from prefect.runner import Runner
        from certflow import runner
        runner.STOP_GRACE_SECONDS = 0.5
        Runner.stop = lambda self: threading.Event().wait()  # a server that never answers
        runner._runner_class()(name="gone").handle_sigterm()
        print("still here", flush=True)
    """)
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120,
                          env={**os.environ, "PYTHONPATH": os.getcwd()})
    assert done.returncode == 0 and "still here" not in done.stdout, done.stderr[-2000:]
