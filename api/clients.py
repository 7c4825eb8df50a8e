"""Who is calling, as far as the network says: the peer address, or the address a configured
reverse proxy forwarded. X-Forwarded-For from anyone else is ignored (a client can write it)."""

from __future__ import annotations

import ipaddress

from fastapi import Request

from core.settings import Settings


def _trusted(address: str, proxies: tuple[str, ...]) -> bool:
    try:
        ip = ipaddress.ip_address(address)
    except ValueError:
        return False
    for proxy in proxies:
        try:
            if ip in ipaddress.ip_network(proxy, strict=False):
                return True
        except ValueError:
            continue
    return False


def client_address(request: Request, settings: Settings) -> str:
    """The peer, unless it is a trusted proxy: then the nearest address in X-Forwarded-For that is
    not itself a trusted proxy (the ones further left were written by the client)."""
    peer = request.client.host if request.client else "unknown"
    if not settings.trusted_proxies or not _trusted(peer, settings.trusted_proxies):
        return peer
    forwarded = [part.strip() for part in request.headers.get("x-forwarded-for", "").split(",") if part.strip()]
    for address in reversed(forwarded):
        if not _trusted(address, settings.trusted_proxies):
            return address
    return peer


def client_bucket(address: str) -> str:
    """Whose count a request goes to: an IPv4 address, or an IPv6 client's /64 (one subscriber's network
    holds 2^64 addresses; counting each alone would give one person unlimited buckets)."""
    try:
        ip = ipaddress.ip_address(address)
    except ValueError:
        return address
    if isinstance(ip, ipaddress.IPv6Address):
        if ip.ipv4_mapped is not None:
            return str(ip.ipv4_mapped)
        return str(ipaddress.ip_network(f"{ip}/64", strict=False))
    return str(ip)
