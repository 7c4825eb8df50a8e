"""The operations page's view-model: SLA breaches by step and centre, the oldest, the weekly trend, incidents
and the audit trail's anchors."""


from __future__ import annotations

from typing import Any

from sqlalchemy import func
from sqlmodel import Session, select

from api.dashboard.pages import CASE_KINDS, time_text
from models.cases import (
    EvaluationPlan,
)
from models.clock import business_today
from models.workflow import Incident
from policy.legal_basis import text_warnings
from policy.profiles import (
    all_profiles,
    centre_name,
)
from policy.steps import STEP_NAMES
from tasks.records import evidence
from tasks.waits import sla

# -- the operations page ---------------------------------------------------------------------

INCIDENT_KINDS = {
    "ministry_review": "部中心复核（外部）",
    "certificate_upload": "上传全国查询系统（外部）",
    "national_report": "备案企业报送部中心公布（外部）",
    "certificate_refusal": "全国联网系统退回证书（核实后重报）",
    "run_lost": "流程运行多次中断（核实后重启）",
}
INCIDENT_STATUS = {"open": "待处理", "retrying": "重试中", "resolved": "已解决"}


def ops_page(session: Session) -> dict[str, Any]:
    overview = sla.overview(session)
    incidents = session.exec(select(Incident).where(Incident.status != "resolved").order_by(Incident.id)).all()
    peak = max([w["opened"] for w in overview["trend"]] + [1])
    late = session.exec(select(func.count()).select_from(EvaluationPlan).where(EvaluationPlan.results_late)).one()
    today = business_today(session)
    text_warning_count = sum(len(text_warnings(p.source_texts, today)) for p in all_profiles().values())
    return {
        **overview,
        "late_results": late,
        "text_warnings": text_warning_count,  # provinces' texts past validity, drafts, ended pilots: see 省份规则
        "by_step": [
            {
                "label": STEP_NAMES.get(r["step"], r["step"]),
                "count": r["count"],
                "href": f"/api/v1/sla/breaches?step={r['step']}",
            }
            for r in overview["by_step"]
        ],
        "by_jurisdiction": [{"jurisdiction": centre_name(r["jurisdiction"]), "count": r["count"]}
                            for r in overview["by_jurisdiction"]],
        "trend": [
            {"week": w["week"][5:], "opened": w["opened"], "bar": int(100 * w["opened"] / peak)}
            for w in overview["trend"]
        ],
        "oldest": [
            {
                **b.model_dump(),
                "case_href": f"/dashboard/cases/{b.case_type}/{b.case_id}",
                "case_ref": f"{CASE_KINDS.get(b.case_type, b.case_type)} #{b.case_id}",
            }
            for b in overview["oldest"]
        ],
        "anchors": [evidence.anchor_view(a) for a in evidence.recent_anchors(session, limit=7)],
        "incidents": [
            {
                "id": i.id,
                "kind": INCIDENT_KINDS.get(i.kind, i.kind),
                "status": INCIDENT_STATUS.get(i.status, i.status),
                "can_retry": i.status == "open",
                "attempts": i.attempts,
                "error": i.error[:200],
                "since": time_text(i.created_at),
                "case_href": f"/dashboard/cases/{i.case_type}/{i.case_id}",
                "case_ref": f"{CASE_KINDS.get(i.case_type, i.case_type)} #{i.case_id}",
            }
            for i in incidents
        ],
    }
