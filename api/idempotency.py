"""Idempotency-Key on creating POSTs: same key + same body → the same answer; other body → 409."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable
from typing import Any

from fastapi import HTTPException
from fastapi.encoders import jsonable_encoder
from fastapi.responses import JSONResponse
from pydantic import BaseModel
from sqlmodel import Session, select

from api.errors import invalid
from core.clock import wall_now
from models.accounts import IdempotencyRecord, User
from models.responses import dumped


def body_hash(path: str, body: Any) -> str:
    canonical = json.dumps(jsonable_encoder(body), sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(f"{path}\n{canonical}".encode()).hexdigest()


def idempotent(session: Session, *, user: User, key: str | None, path: str, body: Any, status_code: int,
               create: Callable[[], Any], model: type[BaseModel]) -> JSONResponse:
    """Run `create` once per (user, key); the stored answer is replayed for a repeat. The answer is
    validated against the route's response `model` here, since a JSONResponse skips FastAPI's check."""
    if key is not None and not (1 <= len(key) <= 200):
        raise invalid("Idempotency-Key", "幂等键应为 1–200 个字符 / must be 1–200 characters",
                      "request.idempotency_key")
    digest = body_hash(path, body)
    if key:
        record = session.exec(select(IdempotencyRecord).where(IdempotencyRecord.user_id == user.id,
                                                              IdempotencyRecord.key == key)).first()
        if record is not None:
            if record.request_hash != digest:
                raise HTTPException(409, f"Idempotency-Key {key!r} was used with a different request")
            return JSONResponse(json.loads(record.response_body), status_code=record.status_code,
                                headers={"Idempotent-Replayed": "true"})
    payload = dumped(model, create())
    if key:
        session.add(IdempotencyRecord(user_id=user.id, key=key, request_hash=digest, status_code=status_code,
                                      response_body=json.dumps(payload, ensure_ascii=False), created_at=wall_now()))
        session.flush()  # a concurrent twin fails here on the unique key and its transaction rolls back
    return JSONResponse(payload, status_code=status_code)
