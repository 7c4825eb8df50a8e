"""Webhook rules, pure: the signature a receiver checks, the retry schedule, which targets may be called.

Signature: `X-Certflow-Signature: v1=<hex>` where hex = HMAC-SHA256(secret, f"{timestamp}.{body}"), and
`X-Certflow-Timestamp` is that timestamp (Unix seconds). A receiver recomputes it over the raw body and
refuses a timestamp more than five minutes old (a replayed delivery)."""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import ipaddress
from urllib.parse import urlsplit

RETRY_FOR = dt.timedelta(hours=24)  # a delivery is retried this long, then given up
FIRST_DELAY = 10  # seconds before the first retry; doubled each time
MAX_DELAY = 3600


def signature(secret: str, timestamp: int, body: bytes) -> str:
    return "v1=" + hmac.new(secret.encode(), f"{timestamp}.".encode() + body, hashlib.sha256).hexdigest()


def verify(secret: str, timestamp: int, body: bytes, header: str, now: int, tolerance: int = 300) -> bool:
    """What a receiver does (the README shows the same in a few lines)."""
    return abs(now - timestamp) <= tolerance and hmac.compare_digest(signature(secret, timestamp, body), header)


def next_delay(attempts: int) -> int:
    """Seconds before attempt `attempts + 1`: 10, 20, 40 … capped at an hour."""
    return min(MAX_DELAY, FIRST_DELAY * 2 ** max(0, attempts - 1))


def url_problems(url: str) -> list[str]:
    """An http(s) URL with a host, no credentials in it."""
    try:
        parts = urlsplit(url)
    except ValueError:
        return ["不是有效的网址 / not a URL"]
    problems = []
    if parts.scheme not in ("http", "https"):
        problems.append("只能是 http 或 https 地址 / only http(s) targets")
    if not parts.hostname:
        problems.append("网址缺少主机名 / the URL has no host")
    if parts.username or parts.password:
        problems.append("网址不得包含用户名或密码 / no credentials in the URL")
    return problems


def internal_address(address: str) -> bool:
    """Loopback, link-local, private, unique-local, multicast, reserved or unspecified: not the internet."""
    ip = ipaddress.ip_address(address)
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped:
        ip = ip.ipv4_mapped
    return (ip.is_loopback or ip.is_link_local or ip.is_private or ip.is_multicast or ip.is_reserved
            or ip.is_unspecified)
