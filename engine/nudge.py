"""Nudging runners: a started or resumed run waits for a runner's next look (every runner_poll_seconds,
half of it on average); a UDP datagram to each runner (settings.runner_nudge_targets) makes it look at once.

Best effort by design: a nudge lost, refused or sent to a runner that is gone costs nothing but the wait
for the next poll, which still finds the run. A datagram carries nothing: whoever sends one can only
make a runner look once more (runners coalesce nudges into one look)."""

from __future__ import annotations

import logging
import socket

from core.settings import Settings, host_and_port

log = logging.getLogger("certflow.nudge")
_sockets: dict[int, socket.socket] = {}


def nudge(settings: Settings) -> None:
    """Tell every configured runner to look for runs now."""
    for address in settings.runner_nudge_targets:
        host, port = host_and_port(address)
        try:
            family = socket.AF_INET6 if ":" in host else socket.AF_INET
            if family not in _sockets:
                _sockets[family] = socket.socket(family, socket.SOCK_DGRAM)
                _sockets[family].setblocking(False)
            _sockets[family].sendto(b"look", (host, port))
        except OSError as exc:  # a name that does not resolve, a network down: the poll will find the run
            log.debug("nudge to %s not sent: %s", address, exc)


async def listen(address: str, on_nudge) -> object:
    """Call `on_nudge()` for each datagram arriving at `address` (host:port); returns the transport
    (close it to stop). Runs on the caller's asyncio loop."""
    import asyncio

    class Nudged(asyncio.DatagramProtocol):
        def datagram_received(self, data: bytes, addr: object) -> None:
            on_nudge()

    host, port = host_and_port(address)
    transport, _ = await asyncio.get_running_loop().create_datagram_endpoint(Nudged, local_addr=(host, port))
    return transport
