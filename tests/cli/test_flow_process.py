"""The runner starts each run's process through certflow/flow_process.py: Prefect's own start, with the runner's
settings serialised once and the flow process's settings built once in the forkserver. The runs themselves are
the stack tier's (every stack test's runs start this way); these pin down the hand-over."""

from __future__ import annotations

import inspect

from prefect.flow_engine import run_flow_in_subprocess
from prefect.runner import _starter_direct

from certflow import flow_process, runner


def test_the_starter_takes_the_arguments_of_prefects_run_flow_in_subprocess():
    ours = inspect.signature(flow_process.start_flow_process).parameters
    prefects = inspect.signature(run_flow_in_subprocess).parameters
    assert list(ours) == list(prefects)


def test_the_runner_puts_its_starter_where_prefects_direct_starter_calls_it(monkeypatch):
    monkeypatch.setattr(_starter_direct, "run_flow_in_subprocess", run_flow_in_subprocess)
    runner.use_flow_process_starter()
    assert _starter_direct.run_flow_in_subprocess is flow_process.start_flow_process


def _enter_a_flow_process(monkeypatch, run_env):
    """This process's environment as a flow process has it after the runner's hand-over (run_in_flow_process)."""
    runtime_env, _, _ = flow_process.hand_over(run_env)
    for name, value in runtime_env.items():
        monkeypatch.setenv(name, value)


def test_a_flow_process_takes_the_forkserver_settings_when_its_prefect_environment_is_theirs(monkeypatch):
    monkeypatch.setattr(flow_process, "_forkserver_settings", None)
    monkeypatch.setenv("PREFECT_LOGGING_LEVEL", "INFO")
    flow_process.remember_forkserver_settings()
    built_once = flow_process._forkserver_settings[1]
    _enter_a_flow_process(monkeypatch, {"PREFECT__DEPLOYMENT_NAME": "certflow"})
    assert flow_process.settings_for_this_process() is built_once


def test_a_flow_process_whose_prefect_environment_differs_builds_its_own_settings(monkeypatch):
    monkeypatch.setattr(flow_process, "_forkserver_settings", None)
    monkeypatch.setenv("PREFECT_LOGGING_LEVEL", "INFO")
    flow_process.remember_forkserver_settings()
    monkeypatch.setenv("PREFECT_LOGGING_LEVEL", "DEBUG")
    _enter_a_flow_process(monkeypatch, None)
    settings = flow_process.settings_for_this_process()
    assert settings is not flow_process._forkserver_settings[1]
    assert settings.logging.level == "DEBUG"


def test_the_forkserver_starts_with_the_runner_not_with_its_first_run(monkeypatch):
    import multiprocessing.forkserver

    import prefect.flow_engine

    started = []
    monkeypatch.setattr(prefect.flow_engine, "multiprocessing", prefect.flow_engine.multiprocessing)
    monkeypatch.setattr(multiprocessing.forkserver, "ensure_running", lambda: started.append(True))
    runner.use_forkserver()
    assert started == [True]
    assert prefect.flow_engine.multiprocessing.get_context("spawn").get_start_method() == "forkserver"


def test_the_forkserver_leaves_its_flow_processes_nothing_to_build_again(tmp_path):
    """certflow/warm.py, imported as the forkserver imports it (in a process of its own: it changes Prefect's
    engine for every run of the process), on a database with no tables yet: the calendar is then left to the
    flow processes, and no connection is left open for them to inherit."""
    import os
    import subprocess
    import sys

    probe = (
        "import certflow.warm\n"
        "from certflow import flow_process\n"
        "from prefect import flow_engine\n"
        "from prefect.client.schemas.actions import FlowRunUpdate\n"
        "from prefect.client.schemas.objects import FlowRun\n"
        "assert FlowRun.__pydantic_complete__ and FlowRunUpdate.__pydantic_complete__\n"
        "assert flow_process._forkserver_settings is not None\n"
        "assert flow_engine.BaseFlowRunEngine.heartbeat_seconds.fget(None) is None\n"
        "from core.settings import Settings\n"
        "from models.db import get_engine\n"
        "assert get_engine(Settings.from_env().database_url).pool.checkedin() == 0\n"
        "with flow_engine.observe_flow_run_suspension('run', None) as observing:\n"
        "    assert observing is None\n"
        "print('warm')\n"
    )
    done = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, timeout=120,
                          env=os.environ | {"CERTFLOW_DATA_DIR": str(tmp_path)})
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "warm"
