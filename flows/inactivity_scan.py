"""The inactivity scan as a scheduled flow (prefect.yaml, daily); the embedded mode runs the same
function from the tick once per business day."""

from __future__ import annotations

from prefect import flow

from core import settings
from tasks.waits.inactivity import scan_today


@flow(name="inactivity_scan", log_prints=True)
def inactivity_scan() -> dict:
    """视同自行退出 (004 §六(三)): warn, then withdraw, the institutions that have not evaluated for years."""
    today, counts = scan_today(settings.current().database_url)
    print(f"inactivity scan of {today}: {counts['warned']} warned, {counts['withdrawn']} withdrawn")
    return counts
