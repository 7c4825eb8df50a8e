"""The SLA scan as a scheduled flow, for deployments at scale (prefect.yaml); the embedded mode
runs the same function from the tick."""

from __future__ import annotations

from prefect import flow

from core import settings
from tasks.waits.sla import scan_and_deliver


@flow(name="sla_scan", log_prints=True)
def sla_scan() -> int:
    """Open the at-risk/breached/escalated levels reached since the last scan; send the escalations."""
    opened = scan_and_deliver(settings.current())
    print(f"SLA scan: {opened} new level(s) opened")
    return opened
