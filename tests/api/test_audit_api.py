"""The audit trail's daily anchors: made once a business day by the tick, listed newest first for
operations (API and the operations page), refused to everyone else."""

from __future__ import annotations

import datetime as dt

from engine.tick import anchor_audit_trail
from tests.api.conftest import move_clock
from tests.api.helpers import filing_form
from tests.api.test_dashboard import staff

# The anchors' SQL is the chains', tested on PostgreSQL in tests/db/test_audit_chain.py: SQLite pass only.


def test_the_tick_fixes_one_anchor_a_business_day_and_operations_read_them_newest_first(api, people):
    admin, enterprise = people.make("admin"), people.make("enterprise")
    move_clock(api, admin, dt.date(2026, 9, 1))
    assert api.post("/api/v1/filings", json=filing_form(), headers=enterprise).status_code == 201
    assert anchor_audit_trail(api.settings) is True
    assert anchor_audit_trail(api.settings) is False  # the day has its anchor
    move_clock(api, admin, dt.date(2026, 9, 2))
    assert anchor_audit_trail(api.settings) is True
    ops = people.make("operations")
    first = api.get("/api/v1/audit/anchors", params={"limit": 1}, headers=ops).json()
    assert [a["anchored_on"] for a in first["items"]] == ["2026-09-02"] and first["next_cursor"]
    rest = api.get("/api/v1/audit/anchors", params={"cursor": first["next_cursor"]}, headers=ops).json()
    assert [a["anchored_on"] for a in rest["items"]] == ["2026-09-01"] and rest["next_cursor"] is None
    newest, oldest = first["items"][0], rest["items"][0]
    assert newest["previous_hash"] == oldest["anchor_hash"]  # the anchors form a chain of their own
    assert len(newest["anchor_hash"]) == 64

    operator, _ = staff(api, "operations")
    operator.log_in()
    page = operator.get("/dashboard/ops")
    assert page.status_code == 200 and newest["anchor_hash"] in page.text and "审计锚点" in page.text
    exported = operator.get("/dashboard/ops/anchors.json")
    assert [a["anchor_hash"] for a in exported.json()] == [newest["anchor_hash"], oldest["anchor_hash"]]


def test_anchors_are_for_operations_and_admins_only(api, people):
    for role in ("enterprise", "expert", "supervisor"):
        assert api.get("/api/v1/audit/anchors", headers=people.make(role)).status_code == 403
    assert api.get("/api/v1/audit/anchors", headers=people.make("officer", jurisdiction="440000")).status_code == 403
    assert api.get("/api/v1/audit/anchors").status_code == 401
    assert api.get("/api/v1/audit/anchors", params={"cursor": "x!"}, headers=people.make("admin")).status_code == 422
