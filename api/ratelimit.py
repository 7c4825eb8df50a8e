"""A small per-client token bucket for the public endpoints (verification is open to anyone)."""

from __future__ import annotations

import threading
import time

from fastapi import HTTPException, Request


class TokenBucket:
    def __init__(self, per_minute: int, burst: int) -> None:
        self.rate = per_minute / 60.0
        self.burst = burst
        self._buckets: dict[str, tuple[float, float]] = {}
        self._lock = threading.Lock()

    def allow(self, key: str) -> tuple[bool, float]:
        now = time.monotonic()
        with self._lock:
            tokens, last = self._buckets.get(key, (float(self.burst), now))
            tokens = min(self.burst, tokens + (now - last) * self.rate)
            if tokens >= 1:
                self._buckets[key] = (tokens - 1, now)
                return True, 0.0
            self._buckets[key] = (tokens, now)
            if len(self._buckets) > 100_000:  # forget idle clients rather than grow without bound
                self._buckets.clear()
            return False, (1 - tokens) / self.rate


PUBLIC = TokenBucket(per_minute=120, burst=30)


def public_rate_limit(request: Request) -> None:
    client = request.client.host if request.client else "unknown"
    allowed, retry_after = PUBLIC.allow(client)
    if not allowed:
        raise HTTPException(429, "too many verification requests; try again shortly",
                            headers={"Retry-After": str(max(1, round(retry_after)))})
