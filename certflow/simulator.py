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
    "refuse_id_numbers": [],  # holders the national system refuses (tests and demos of a refusal)
    "refuse_credit_codes": [],  # enterprises whose filing the ministry review refuses
    "certificates": {},  # number → what was uploaded (acknowledged)
    "revocations": {},  # number → how many times its revocation was received
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
            _state["accepted"][key] = {
                "kind": kind,
                "accepted": True,
                "reference": f"SIM-{len(_state['accepted']) + 1:08d}",
                "items": len(body.get("certificates", body.get("occupations", []))),
            }
        return _state["accepted"][key]


@app.post("/filing-reports")
async def filing_report(request: Request, idempotency_key: str | None = Header(None)) -> dict[str, Any]:
    """备案公布 (004 §四(四)): a filed enterprise and its receipt reported for publication; acknowledged
    with a reference (once per idempotency key)."""
    body = await request.json()
    if not body.get("receipt_number") or not body.get("credit_code"):
        raise HTTPException(422, "receipt_number and credit_code are required")
    return _accept(idempotency_key, body, "filing_report")


@app.post("/ministry-review")
async def ministry_review(request: Request, idempotency_key: str | None = Header(None)) -> dict[str, Any]:
    """部中心复核: accepted, or refused with reasons for the credit codes named in /_config
    `refuse_credit_codes` (decided once per idempotency key, like the real answer would be)."""
    body = await request.json()
    answer = _accept(idempotency_key, body, "ministry_review")
    with _lock:
        if "reasons" not in answer:
            refused = body.get("credit_code") in set(_state["refuse_credit_codes"])
            answer.update(
                accepted=not refused,
                reasons=["拟备案职业（工种）与企业主营业务不符，请核实 / occupations do not match the main business"]
                if refused
                else [],
            )
        return answer


@app.post("/certificates")
async def upload_certificates(request: Request, idempotency_key: str | None = Header(None)) -> dict[str, Any]:
    """Each certificate (number + holder data) acknowledged or refused with a reason: numbers that are
    not 22 characters, and the ID numbers named in /_config `refuse_id_numbers` (a holder whose identity
    the national system cannot verify), are refused."""
    body = await request.json()
    answer = _accept(idempotency_key, body, "certificate_upload")
    with _lock:
        if "acknowledged" not in answer:
            refuse = set(_state["refuse_id_numbers"])
            acknowledged, refused = [], []
            for item in body.get("certificates", []):
                number = str(item.get("number", ""))
                if len(number) != 22:
                    refused.append({"number": number, "reason": "证书编号不符合编码规则 / not a 22-character number"})
                elif item.get("id_number") in refuse:
                    refused.append(
                        {"number": number, "reason": "持证人身份信息核验未通过 / holder's identity not verified"}
                    )
                else:
                    acknowledged.append(number)
                    _state["certificates"][number] = item
            answer.update(acknowledged=acknowledged, refused=refused)
        return answer


@app.post("/certificates/revocations")
async def revoke_certificates(request: Request, idempotency_key: str | None = Header(None)) -> dict[str, Any]:
    """Revoked certificates: acknowledged once per idempotency key (a repeat returns the same answer and
    counts nothing twice)."""
    body = await request.json()
    answer = _accept(idempotency_key, body, "certificate_revocation")
    with _lock:
        if "revoked" not in answer:
            numbers = [str(item.get("number", "")) for item in body.get("revocations", [])]
            for number in numbers:
                _state["revocations"][number] = _state["revocations"].get(number, 0) + 1
            answer.update(revoked=numbers)
        return answer


@app.get("/_revocations")
async def revocations_received() -> dict[str, int]:
    """How many times each certificate's revocation was received (once each, if idempotency holds)."""
    with _lock:
        return dict(_state["revocations"])


@app.post("/_config")
async def configure(request: Request) -> dict[str, Any]:
    body = await request.json()
    with _lock:
        for key in ("latency_ms", "failure_rate", "fail_next", "refuse_id_numbers", "refuse_credit_codes"):
            if key in body:
                _state[key] = body[key]
        return {k: v for k, v in _state.items() if k not in ("accepted", "certificates", "revocations")} | {
            "accepted": len(_state["accepted"]),
            "certificates": len(_state["certificates"]),
        }


@app.get("/_stats")
async def stats() -> dict[str, Any]:
    with _lock:
        return {k: v for k, v in _state.items() if k not in ("accepted", "certificates", "revocations")} | {
            "accepted": len(_state["accepted"]),
            "certificates": len(_state["certificates"]),
        }


def main() -> None:
    import uvicorn

    from core.settings import Settings

    settings = Settings.from_env()
    _state.update(latency_ms=settings.sim_latency_ms, failure_rate=settings.sim_failure_rate)
    uvicorn.run(app, host=settings.sim_host, port=settings.sim_port, log_level="warning")


if __name__ == "__main__":
    main()
