"""The public rate limit: a token bucket per client, kept in the database so that every API process
(and every API machine) shares one count. Its clock is injected: tests move it, never sleep."""

from __future__ import annotations

import time
from collections.abc import Callable

from fastapi import HTTPException, Request
from sqlalchemy import delete
from sqlalchemy.exc import IntegrityError

from api.clients import client_address, client_bucket
from models.accounts import RateBucket
from models.db import session_scope

IDLE_SECONDS = 3600  # a bucket untouched this long is full again: its row can go


def refill(tokens: float, last: float, now: float, *, rate: float, burst: float) -> float:
    """Tokens after `now - last` seconds at `rate` per second, never above `burst` (a clock that went
    backwards adds nothing)."""
    return min(burst, tokens + max(0.0, now - last) * rate)


class SharedTokenBucket:
    def __init__(self, per_minute: int, burst: int, clock: Callable[[], float] = time.time) -> None:
        self.rate = per_minute / 60.0
        self.burst = float(burst)
        self.clock = clock
        self._calls = 0

    def allow(self, database_url: str, key: str) -> tuple[bool, float]:
        """Take one token for `key`; returns (allowed, seconds until the next token)."""
        for _ in range(2):  # a first request of two processes at once: one insert wins, retry the other
            try:
                return self._take(database_url, key[:100])
            except IntegrityError:
                continue
        return self._take(database_url, key[:100])

    def _take(self, database_url: str, key: str) -> tuple[bool, float]:
        now = self.clock()
        with session_scope(database_url) as session:
            row = session.get(RateBucket, key, with_for_update=True)
            if row is None:
                row = RateBucket(key=key, tokens=self.burst, updated=now)
            tokens = refill(row.tokens, row.updated, now, rate=self.rate, burst=self.burst)
            allowed = tokens >= 1
            row.tokens, row.updated = (tokens - 1 if allowed else tokens), max(now, row.updated)
            session.add(row)
            self._calls += 1
            if self._calls % 1000 == 0:  # now and then, forget clients idle long enough to be full again
                session.execute(delete(RateBucket).where(RateBucket.updated < now - IDLE_SECONDS))
        return allowed, 0.0 if allowed else (1 - tokens) / self.rate


def public_limiter(request: Request) -> SharedTokenBucket:
    return request.app.state.public_limit


def public_rate_limit(request: Request) -> None:
    """Dependency of the anonymous endpoints: 429 with Retry-After once a client's bucket is empty."""
    settings = request.app.state.settings
    allowed, retry_after = public_limiter(request).allow(settings.database_url,
                                                         "public:" + client_bucket(client_address(request, settings)))
    if not allowed:
        raise HTTPException(429, "too many requests from your address; try again shortly",
                            headers={"Retry-After": str(max(1, round(retry_after)))})
