"""Rows the database tests start from."""

from __future__ import annotations

import datetime as dt

from models.cases import FilingApplication, Institution
from models.db import session_scope
from tasks.waits import human_tasks


def filing_with_acceptance_task(url: str, round_no: int = 0, filing_id: int | None = None) -> tuple[int, int]:
    with session_scope(url) as session:
        if filing_id is None:
            now = dt.datetime.now(dt.UTC)
            institution = Institution(name="甲", credit_code="91440106MA59AAAA1X", region_code="440106",
                                      profile_code="guangdong", created_at=now)
            session.add(institution)
            session.flush()
            filing = FilingApplication(institution_id=institution.id, profile_code="guangdong", region_code="440106",
                                       form={}, created_at=now, updated_at=now)
            session.add(filing)
            session.flush()
            filing_id = filing.id
        task = human_tasks.ensure_task(session, key=f"f:{filing_id}:acceptance:{round_no}", case_type="filing",
                                       case_id=filing_id, step="acceptance", role="officer", jurisdiction="440106",
                                       due_working_days=5, flow_run_id=None)
        return filing_id, task.id
