"""The provinces' rules page: each profile's steps, numbers and switches in words, with the text each comes from."""


from __future__ import annotations

import datetime as dt
from typing import Any

from api.dashboard.pages import CENTRE_NAMES
from policy.legal_basis import KIND_NAMES, text_warnings
from policy.levels import Level
from policy.profiles import (
    CANDIDATE_RELATIONS,
    EVALUATION_ROUTES,
    all_profiles,
)
from policy.steps import STEP_NAMES

# -- the province profiles: what each rule is and where it comes from --------------------------------

PROFILE_KEYS = {
    "plan_lead_working_days": "认定计划提前报备（工作日）",
    "results_due_working_days": "考核后报送成绩（工作日）",
    "results_publicity_working_days": "结果公示（工作日）",
    "filing_publicity_working_days": "备案评估公示（工作日）",
    "max_occupations": "最多备案职业数",
    "nearest_occupation_mapping": "未列入大典的岗位可按相邻相近对应",
    "min_employees": "最少职工人数",
    "dispatched_min_months": "派遣/外包人员最短在岗（月）",
    "allowed_candidate_relations": "可评价对象",
    "training_organisation_candidate_relations": "社会培训评价组织可评价对象（不限：同企业）",
    "evaluation_routes": "评价方式",
    "candidates_work_in_province": "考生社保参保地或就业地须在本省",
    "application_conditions": "申报条件（按等级）",
    "supervision_draw": "督导抽取方式",
    "supervision_roster": "督导员名册",
    "supervisor_card_required": "督导员须持证卡",
    "inspection_results_public": "督导检查结果向社会公开",
    "s_type_every_session": "社会培训评价组织每场次督导",
    "results_objections_investigated_by": "结果公示异议的调查",
    "filing_cancelled_by": "取消备案、移出目录的决定",
    "inactivity_withdrawal_years": "连续未开展评价视同退出（年）",
    "inactivity_warning_working_days": "退出前提前提醒（工作日）",
    "refiling_ban_years": "取消备案后不予再次备案（年）",
    "abnormal_list_years": "列入异常名录（年）",
    "explanation_working_days": "被调查机构书面说明期限（工作日）",
    "rectification_working_days": "责令整改期限（工作日）",
    "retention_years_paper": "纸质资料保存（年）",
    "retention_years_electronic": "电子资料保存（年）",
    "start_day_counts": "起算日计入期限",
    "plan_lead_counts_filing_day": "提前N个工作日：报送当日计入N日",
    "filing_handled_by": "备案受理中心",
    "provincial_enterprises_file_with": "省属企业备案",
    "central_branches_file_with": "央企驻地单位备案",
    "central_branches_within_ministry_scope": "央企单位限于部备案范围",
    "plans_handled_by": "计划与成绩报送",
    "province_manages_central_and_provincial_enterprises": "央企驻地单位、省直属企业由省级中心直接管理",
    "expert_panel_size": "专家组人数",
    "expert_pass_average": "专家评估通过线（平均分）",
    "expert_pass_min_aspect": "专家评估单项最低分",
    "supervision_rate": "质量督导抽查比例",
    "provincial_centre_name": "省级中心名称",
    "municipal_centre_name": "市级中心名称（{city} 为地名）",
    "resubmission_working_days": "一次性告知后补正期限（工作日）",
}


def _shown(value: Any) -> str:
    if value is None:
        return "不限"
    if isinstance(value, dict):  # 申报条件: level → any one of its conditions
        return "；".join(
            f"{Level(level).display}：{' 或 '.join(c.describe() for c in options)}"
            for level, options in sorted(value.items(), reverse=True)
        )
    if isinstance(value, bool):
        return "是" if value else "否"
    if isinstance(value, tuple):
        return "、".join(CANDIDATE_RELATIONS.get(v) or EVALUATION_ROUTES.get(v, v) for v in value)
    return VALUE_NAMES.get(value, str(value))


VALUE_NAMES = {
    "centre": "鉴定中心调查",
    "enterprise": "企业职业技能等级认定工作机构调查，中心审核其结论",
    "double_random": "双随机",
    "spot_check": "抽查",
    "random": "随机",
    "handling": "受理中心",
    "municipal": "市级中心",
    "provincial": "省级中心",
    "choice": "自行选择省级或市级中心",
    "investigating_centre": "调查中心（第二名经办人复核）",
}


DOCUMENT_NAMES = {"deficiency_notice": "一次性告知书", "filing_receipt": "备案回执",
                  "rectification_order": "责令整改通知书", "cancellation": "取消备案决定书",
                  "quarterly_report": "季度工作报告"}


def profiles_page(today: dt.date) -> dict[str, Any]:
    """Every profile's rules with their source: a seed section, or 本地设置 (a local setting); its texts (number,
    date, kind, stated validity) with a warning for one past its validity, a draft or a note, or a pilot another
    text says has ended; and what each printed document cites."""
    shown = []
    for profile in sorted(all_profiles().values(), key=lambda p: p.code):
        rows = [
            {
                "key": key,
                "label": label,
                "value": _shown(getattr(profile, key)),
                "source": profile.source(key),
                "seed": profile.source(key) != "local",
            }
            for key, label in PROFILE_KEYS.items()
        ]
        rows += [
            {
                "key": f"sla.{step}",
                "label": f"办理时限：{STEP_NAMES.get(step, step)}（工作日）",
                "value": str(rule.budget),
                "source": profile.source(f"sla.{step}"),
                "seed": profile.source(f"sla.{step}") != "local",
            }
            for step, rule in profile.sla.items()
        ]
        processes = [
            {
                "name": name,
                "steps": [
                    {
                        "code": s.step,
                        "label": s.label,
                        "by": CENTRE_NAMES[s.by],
                        "source": s.source,
                        "seed": s.source != "local",
                    }
                    for s in getattr(profile, key)
                ],
            }
            for key, name in (("filing_steps", "备案"), ("batch_steps", "认定实施"))
        ]
        shown.append(
            {
                "code": profile.code,
                "name": profile.name,
                "rows": rows,
                "processes": processes,
                "seed_count": sum(r["seed"] for r in rows),
                "local_count": sum(not r["seed"] for r in rows),
                "texts": [
                    {
                        "citation": t.citation,
                        "kind": KIND_NAMES[t.kind],
                        "issued_on": t.issued_on.isoformat() if t.issued_on else "未注明",
                        "valid_until": t.valid_until.isoformat() if t.valid_until else "未注明",
                    }
                    for t in profile.source_texts
                ],
                "warnings": text_warnings(profile.source_texts, today),
                "bases": [{"document": name, "basis": profile.basis(key) or "不引用（本省文件未规定）"}
                          for key, name in DOCUMENT_NAMES.items()],
            }
        )
    return {"profiles": shown, "warning_count": sum(len(p["warnings"]) for p in shown)}
