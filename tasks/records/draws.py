"""Recording random draws (expert panels, seat redraws, quality supervision) for audit."""

from __future__ import annotations

from typing import Any

from sqlmodel import Session

from core.clock import wall_now
from models.cases import DrawRecord
from policy import draws
from tasks.records import audit


def record(session: Session, *, case_type: str, case_id: int, purpose: str, seed: str, candidates: list[int],
           result: dict[str, Any]) -> DrawRecord:
    """Keep the draw (with its seed, server-side) and put its commitment in the case's audit trail."""
    row = DrawRecord(case_type=case_type, case_id=case_id, purpose=purpose, seed=seed,
                     commitment=draws.commitment(seed), candidates=sorted(set(candidates)), result=result,
                     drawn_at=wall_now())
    session.add(row)
    session.flush()
    audit.record(session, case_type=case_type, case_id=case_id, action="draw_made",
                 after={"draw_id": row.id, "purpose": purpose, "commitment": row.commitment,
                        "candidates": len(row.candidates)})
    return row


def rerun(row: DrawRecord, **parameters: Any) -> dict[str, Any]:
    """Re-run a recorded draw from its seed (what an auditor does); compare with `row.result`."""
    if row.purpose == "quality_supervision":
        supervised, supervisor = draws.draw_supervision(row.seed, parameters["rate"], row.candidates)
        return {"supervised": supervised, "supervisor_id": supervisor}
    return {"chosen": draws.draw_panel(row.seed, row.candidates, parameters["size"])}
