"""A nudge (engine/nudge.py) ends a runner's rest between polls: a run just started or resumed is looked for
at once instead of at the next poll."""

from __future__ import annotations

import socket

import anyio
import pytest

from certflow import runner
from core.settings import Settings, SettingsError
from engine.nudge import nudge


class Enough(Exception):
    pass


def _free_udp_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def test_a_nudge_makes_the_runner_look_long_before_its_next_poll(tmp_path):
    address = f"127.0.0.1:{_free_udp_port()}"
    looks = []

    async def look():
        looks.append(anyio.current_time())
        if len(looks) == 2:
            raise Enough

    async def scenario():
        transport = await runner.listen_for_nudges(address)
        try:
            async with anyio.create_task_group() as group:
                group.start_soon(runner.patient_service_loop, look, 3600.0)  # an hour between polls
                while not looks:  # the first look happens at once
                    await anyio.sleep(0.01)
                nudge(Settings(data_dir=tmp_path, runner_nudge_targets=(address,)))
                await anyio.sleep(3600)  # the second look can only come from the nudge
        finally:
            transport.close()
            runner._nudged, runner._look_again = None, False

    with pytest.raises(BaseExceptionGroup) as raised:  # Enough, from inside the task group
        anyio.run(scenario)
    assert raised.group_contains(Enough) and len(looks) == 2


def test_a_nudge_to_nobody_or_to_a_name_that_does_not_resolve_costs_nothing(tmp_path):
    nudge(Settings(data_dir=tmp_path, runner_nudge_targets=(f"127.0.0.1:{_free_udp_port()}", "no-such-host.invalid:9")))


@pytest.mark.parametrize("variable,value", [("runner_nudge_targets", "127.0.0.1"),
                                            ("runner_nudge_targets", "runner-1:8300,runner-2:99999"),
                                            ("runner_nudge_address", "0.0.0.0")])
def test_a_nudge_address_without_a_port_is_refused_naming_the_variable(tmp_path, variable, value):
    with pytest.raises(SettingsError, match=f"CERTFLOW_{variable.upper()}"):
        Settings.from_env(data_dir=tmp_path, **{variable: value})


@pytest.mark.parametrize("poll,address,interval", [(None, "", 0.5), (None, "127.0.0.1:8300", 2.0),
                                                   (1.0, "127.0.0.1:8300", 1.0), (0.25, "", 0.25)])
def test_a_runner_that_hears_nudges_polls_every_two_seconds_unless_told_otherwise(tmp_path, poll, address, interval):
    settings = Settings(data_dir=tmp_path, runner_poll_seconds=poll, runner_nudge_address=address)
    assert settings.runner_poll_interval == interval
    assert ("CERTFLOW_RUNNER_POLL_SECONDS" in settings.environment()) == (poll is not None)
