"""ASGI guards around every request: a body-size limit and the browser security headers."""

from __future__ import annotations

import json
from collections.abc import Awaitable, Callable
from typing import Any

Scope = dict[str, Any]
Receive = Callable[[], Awaitable[dict[str, Any]]]
Send = Callable[[dict[str, Any]], Awaitable[None]]

MAX_LISTED_PROBLEMS = 50  # an error answer lists this many problems and counts the rest
UPLOAD_ENVELOPE_BYTES = 64 * 1024  # a multipart upload's fields and boundaries around the file itself


class BodySizeLimit:
    """Refuse a request body larger than `max_bytes` with 413, whether it declares its length or
    streams it in chunks; nothing of it reaches a handler, so nothing is written."""

    def __init__(self, app: Callable, max_bytes: int, upload_max_bytes: int | None = None) -> None:
        self.app, self.max_bytes = app, max_bytes
        self.upload_max_bytes = max(upload_max_bytes or max_bytes, max_bytes)

    def _limit(self, scope: Scope) -> int:
        """Multipart posts carry files (limited by CERTFLOW_FILE_MAX_BYTES); everything else the body limit."""
        content_type = dict(scope.get("headers") or []).get(b"content-type", b"")
        return self.upload_max_bytes if scope.get("method") == "POST" and \
            content_type.startswith(b"multipart/form-data") else self.max_bytes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        limit = self._limit(scope)
        declared = dict(scope.get("headers") or []).get(b"content-length")
        if declared is not None:
            try:
                too_large = int(declared) > limit
            except ValueError:
                too_large = True
            if too_large:
                await self._refuse(send, limit)
                return
        received = 0
        started = refused = False

        async def counting_receive() -> dict[str, Any]:
            nonlocal received, refused
            if refused:
                return {"type": "http.disconnect"}
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > limit:
                    # answer now; the app sees a disconnected client and whatever it sends is dropped
                    refused = True
                    if not started:
                        await self._refuse(send, limit)
                    return {"type": "http.disconnect"}
            return message

        async def guarded_send(message: dict[str, Any]) -> None:
            nonlocal started
            if refused:
                return
            if message["type"] == "http.response.start":
                started = True
            await send(message)

        try:
            await self.app(scope, counting_receive, guarded_send)
        except Exception:
            if not refused:
                raise  # the app's own failure; a refused request's aftermath is nobody's concern

    async def _refuse(self, send: Send, limit: int) -> None:
        body = json.dumps({"detail": f"request body larger than {limit} bytes; send less (a plan's "
                                     f"candidates in several plans, one file per upload)"}).encode()
        await send({"type": "http.response.start", "status": 413,
                    "headers": [(b"content-type", b"application/json"), (b"content-length", str(len(body)).encode()),
                                (b"connection", b"close")]})
        await send({"type": "http.response.body", "body": body})


# Pages are ours alone: no inline script, no framing (clickjacking), forms post only here.
PAGE_POLICY = ("default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; "
               "object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'")
# The OpenAPI explorer (api/explorer.py) loads its script and style from here and runs an inline bootstrap;
# ReDoc indexes its search in a worker made from a blob. Nothing comes from another origin.
DOCS_POLICY = ("default-src 'self'; img-src 'self' data:; style-src 'self' 'unsafe-inline'; "
               "script-src 'self' 'unsafe-inline'; worker-src 'self' blob:; object-src 'none'; base-uri 'none'; "
               "frame-ancestors 'none'")
COMMON_HEADERS = [(b"x-content-type-options", b"nosniff"), (b"referrer-policy", b"same-origin"),
                  (b"x-frame-options", b"DENY")]


class SecurityHeaders:
    def __init__(self, app: Callable) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        path = scope.get("path", "")
        policy = DOCS_POLICY if path in ("/docs", "/redoc") or path.startswith("/docs/") else PAGE_POLICY

        async def with_headers(message: dict[str, Any]) -> None:
            if message["type"] == "http.response.start":
                present = {name.lower() for name, _ in message.get("headers", [])}
                extra = [(n, v) for n, v in COMMON_HEADERS if n not in present]
                if b"content-security-policy" not in present:
                    extra.append((b"content-security-policy", policy.encode()))
                message = {**message, "headers": list(message.get("headers", [])) + extra}
            await send(message)

        await self.app(scope, receive, with_headers)


def capped(problems: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The first MAX_LISTED_PROBLEMS problems, and one more entry saying how many were left out."""
    if len(problems) <= MAX_LISTED_PROBLEMS:
        return problems
    left = len(problems) - MAX_LISTED_PROBLEMS
    return problems[:MAX_LISTED_PROBLEMS] + [{"code": "problems.truncated", "field": "",
                                              "message": f"另有 {left} 个问题未列出 / {left} more problems not listed",
                                              "more": left}]
