"""How the runner starts a run's process: Prefect's `run_flow_in_subprocess` without its per-run costs (issue 31;
the account is in bench/README.md).

Prefect's function, called by its runner for every started or resumed run, serialised the runner's whole settings
twice on the runner's event loop — as environment variables and as a settings context: about a tenth of a
core-second a run, during which the runner started nothing else — and the process it started built Prefect's
`Settings` from its environment twice (once for the run, once more to hydrate that context). The runner's
settings do not change while it runs: they are serialised once here. The flow process takes the settings its
forkserver built once (certflow/warm.py) when its Prefect environment is the one they were built from (else it
builds its own, as Prefect does), and hydrates no second settings context. The rest — the environment handed
over, the control channel's bootstrap, the engine's signal handling, `run_flow` — is Prefect's own, called as
Prefect calls it; `prefect.runner._starter_direct` names its module-level `run_flow_in_subprocess` as the place
to put another (certflow/runner.use_flow_process_starter).
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from typing import Any

_runner_serialised: tuple[object, dict[str, str | None], dict[str, Any]] | None = None
_forkserver_settings: tuple[dict[str, str], object] | None = None


def prefect_environment(environ: Mapping[str, str]) -> dict[str, str]:
    """The variables Prefect's settings read (PREFECT_…; PREFECT__… are the engine's own hand-overs)."""
    return {key: value for key, value in environ.items()
            if key.startswith("PREFECT_") and not key.startswith("PREFECT__")}


def _serialised_settings() -> tuple[dict[str, str | None], dict[str, Any]]:
    """The current settings as environment variables and as a serialised context, computed again only when the
    settings object changes (never, in a runner)."""
    from prefect.context import serialize_context
    from prefect.settings.context import get_current_settings

    global _runner_serialised
    settings = get_current_settings()
    serialised = _runner_serialised
    if serialised is None or serialised[0] is not settings:
        # the flow process enters its own settings context (run_in_flow_process): none to hydrate
        context = {**serialize_context(), "settings_context": {}}
        serialised = _runner_serialised = (settings, settings.to_environment_variables(exclude_unset=True), context)
    return serialised[1], serialised[2]


def start_flow_process(flow: Any, flow_run: Any = None, parameters: dict[str, Any] | None = None,
                       wait_for: Any = None, context: dict[str, Any] | None = None,
                       env: dict[str, str | None] | None = None) -> Any:
    """`prefect.flow_engine.run_flow_in_subprocess`, same arguments and same process started."""
    import cloudpickle
    from prefect import flow_engine

    runtime_env, remove_env, startup_env = hand_over(env)
    _, runner_context = _serialised_settings()
    call = cloudpickle.dumps((run_in_flow_process, (), dict(  # what prefect's cloudpickle_wrapped_call pickles
        env=runtime_env, remove_env=remove_env,
        flow=flow, flow_run=flow_run, parameters=parameters, wait_for=wait_for, context=context or runner_context,
    )))
    # flow_engine's `multiprocessing` is the forkserver's when the runner uses one (certflow/runner.use_forkserver)
    process = flow_engine.multiprocessing.get_context("spawn").Process(
        target=flow_engine._run_serialized_call_with_control_bootstrap, args=(call, startup_env))
    process.start()
    return process


def hand_over(env: dict[str, str | None] | None) -> tuple[dict[str, str], set[str], dict[str, str]]:
    """What a flow process's environment gets, as Prefect composes it: the runner's settings, its environment and
    the run's own variables (`env`) — the variables to set, those to remove, and the control channel's bootstrap."""
    from prefect import flow_engine
    from prefect.utilities.processutils import sanitize_subprocess_env

    settings_environment, _ = _serialised_settings()
    merged_env: dict[str, str | None] = (
        settings_environment | os.environ | {"PREFECT__ENABLE_CANCELLATION_AND_CRASHED_HOOKS": "false"} | (env or {})
    )
    sanitized = sanitize_subprocess_env(merged_env)
    return (flow_engine._runtime_subprocess_env(sanitized),
            {key for key, value in merged_env.items() if value is None},
            {key: value for key, value in sanitized.items() if key in flow_engine._CONTROL_CHANNEL_ENV_KEYS})


def run_in_flow_process(*, env: dict[str, str], remove_env: set[str], **run_flow_arguments: Any) -> None:
    """In the flow process: Prefect's `run_flow_with_env`, with settings built once in the forkserver."""
    import asyncio

    from prefect.context import SettingsContext, get_settings_context
    from prefect.engine import handle_engine_signals
    from prefect.flow_engine import run_flow

    for key in remove_env:
        os.environ.pop(key, None)
    os.environ.update(env)
    flow_run = run_flow_arguments.get("flow_run")
    with (SettingsContext(profile=get_settings_context().profile, settings=settings_for_this_process()),
          handle_engine_signals(getattr(flow_run, "id", None))):
        outcome = run_flow(**run_flow_arguments)
        if asyncio.iscoroutine(outcome):  # an async flow, in a process with no event loop yet
            asyncio.run(outcome)


def remember_forkserver_settings() -> None:
    """In the forkserver: Prefect's settings built once, with the environment they were built from — the one
    a flow process has after the runner's hand-over, as the runner and its forkserver read the same."""
    from prefect.settings.models.root import Settings

    global _forkserver_settings
    runtime_env, _, _ = hand_over(None)
    _forkserver_settings = (prefect_environment(os.environ | runtime_env), Settings())


def settings_for_this_process() -> Any:
    """The forkserver's settings when this process's Prefect environment is theirs; else built here."""
    from prefect.settings.models.root import Settings

    if _forkserver_settings is not None and _forkserver_settings[0] == prefect_environment(os.environ):
        return _forkserver_settings[1]
    return Settings()

