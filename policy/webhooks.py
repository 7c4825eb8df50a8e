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


NAT64 = ipaddress.ip_network("64:ff9b::/96")  # RFC 6052: the last 32 bits are an IPv4 address


def embedded_ipv4(ip: ipaddress.IPv6Address) -> ipaddress.IPv4Address | None:
    """The IPv4 address an IPv6 address carries and reaches: IPv4-mapped, 6to4 (2002::/16) or NAT64."""
    if ip.ipv4_mapped:
        return ip.ipv4_mapped
    if ip.sixtofour:
        return ip.sixtofour
    if ip in NAT64:
        return ipaddress.IPv4Address(int(ip) & 0xFFFF_FFFF)
    return None


def internal_address(address: str) -> bool:
    """Anything but a global unicast address: loopback, private, link-local, unique-local, multicast,
    reserved, unspecified, and the shared address space 100.64.0.0/10 (carrier-grade NAT, where a cloud's
    metadata service such as 100.100.100.200 lives). An IPv6 address that carries an IPv4 one (mapped,
    6to4, NAT64) is judged by the IPv4 address it reaches; Teredo is refused outright."""
    ip = ipaddress.ip_address(address)
    if isinstance(ip, ipaddress.IPv6Address):
        embedded = embedded_ipv4(ip)
        if embedded is not None:
            ip = embedded
        elif ip.teredo:
            return True
    return not ip.is_global or ip.is_multicast or ip.is_reserved or ip.is_unspecified or ip.is_loopback
