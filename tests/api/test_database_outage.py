"""The database gone for a moment (a restart, a failover: seen as 500s during PostgreSQL's restart in the
multi-host run) is a 503 with Retry-After, never a 500: the request changed nothing and may be sent again."""

from __future__ import annotations

import pytest
from sqlalchemy.exc import OperationalError
from sqlalchemy.exc import TimeoutError as PoolTimeout

from api.deps import get_session
from tests.api.helpers import filing_form


def _database_gone():
    raise OperationalError("SELECT 1", {}, ConnectionRefusedError("connection to server failed: Connection refused"))
    yield  # a dependency with yield, like the real one


def _pool_exhausted():
    raise PoolTimeout("QueuePool limit of size 5 overflow 10 reached, connection timed out")
    yield


@pytest.mark.parametrize("failure", [_database_gone, _pool_exhausted])
def test_a_request_meeting_no_database_is_told_to_retry_with_503(api, people, failure):
    enterprise = people.make("enterprise")
    api.app.dependency_overrides[get_session] = failure
    try:
        listed = api.get("/api/v1/filings", headers=enterprise)
        filed = api.post("/api/v1/filings", json=filing_form(), headers={**enterprise, "Idempotency-Key": "k-1"})
    finally:
        api.app.dependency_overrides.pop(get_session)
    for answer in (listed, filed):
        assert answer.status_code == 503, answer.text
        assert answer.headers["retry-after"] == "5"
        assert "try again" in answer.json()["detail"]
    again = api.post("/api/v1/filings", json=filing_form(), headers={**enterprise, "Idempotency-Key": "k-1"})
    assert again.status_code == 201  # nothing was written the first time: the retry files it once
    assert len(api.get("/api/v1/filings", headers=enterprise).json()["items"]) == 1
