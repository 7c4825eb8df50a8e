"""A local SIMULATOR of the national network query system (人社部职业技能鉴定中心全国联网查询系统).

It is not the real service: it answers the two calls certflow makes (ministry
review of filings, upload of certificates), de-duplicates on Idempotency-Key,
and can be told to be slow or to fail, so retries and incidents can be shown
and tested. Settings: CERTFLOW_SIM_LATENCY_MS, CERTFLOW_SIM_FAILURE_RATE, or
POST /_config {"latency_ms":…, "failure_rate":…, "fail_next":…}.
"""

from __future__ import annotations

import random
import threading
import time
from typing import Any

from fastapi import FastAPI, Header, HTTPException, Request

app = FastAPI(title="national query system — SIMULATOR", version="sim-1")
_lock = threading.Lock()
_state: dict[str, Any] = {
    "latency_ms": 50,
    "failure_rate": 0.0,
    "fail_next": 0,
    "calls": 0,
    "failures": 0,
    "accepted": {},  # idempotency key → response
}


def _maybe_fail() -> None:
    time.sleep(_state["latency_ms"] / 1000)
    with _lock:
        _state["calls"] += 1
        if _state["fail_next"] > 0:
            _state["fail_next"] -= 1
            _state["failures"] += 1
            raise HTTPException(503, "simulated outage")
        if random.random() < _state["failure_rate"]:
            _state["failures"] += 1
            raise HTTPException(503, "simulated outage")


def _accept(key: str | None, body: dict[str, Any], kind: str) -> dict[str, Any]:
    if not key:
        raise HTTPException(400, "Idempotency-Key header is required")
    _maybe_fail()
    with _lock:
        if key not in _state["accepted"]:
            _state["accepted"][key] = {"kind": kind, "accepted": True, "reference": f"SIM-{len(_state['accepted']) + 1:08d}",
                                       "items": len(body.get("passed", body.get("occupations", [])))}
        return _state["accepted"][key]


@app.post("/ministry-review")
async def ministry_review(request: Request, idempotency_key: str | None = Header(None)) -> dict[str, Any]:
    return _accept(idempotency_key, await request.json(), "ministry_review")


@app.post("/certificates")
async def upload_certificates(request: Request, idempotency_key: str | None = Header(None)) -> dict[str, Any]:
    return _accept(idempotency_key, await request.json(), "certificate_upload")


@app.post("/_config")
async def configure(request: Request) -> dict[str, Any]:
    body = await request.json()
    with _lock:
        for key in ("latency_ms", "failure_rate", "fail_next"):
            if key in body:
                _state[key] = body[key]
        return {k: v for k, v in _state.items() if k != "accepted"} | {"accepted": len(_state["accepted"])}


@app.get("/_stats")
async def stats() -> dict[str, Any]:
    with _lock:
        return {k: v for k, v in _state.items() if k != "accepted"} | {"accepted": len(_state["accepted"])}


def main() -> None:
    import uvicorn

    from core.settings import Settings

    settings = Settings.from_env()
    _state.update(latency_ms=settings.sim_latency_ms, failure_rate=settings.sim_failure_rate)
    uvicorn.run(app, host="127.0.0.1", port=settings.sim_port, log_level="warning")


if __name__ == "__main__":
    main()
