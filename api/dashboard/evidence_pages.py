"""What a decision judges, shown in full on its task page before anyone claims it (issue 28, item 1): an
officer never decides blind. One builder per step; each returns sections of ready rows (a heading, facts,
tables with their headers, warnings), which one template partial prints (templates compute nothing).

  best_selection, leading_group_approval   every expert's scores per aspect and the mean, beside the other
                                           applicants at the same step in the same province, ranked
  results_review                           the results (candidate, level, scores, route, pass or fail) and
                                           the quality supervisor's report as the supervisor filed it
  acceptance (after a notice)              what the last notice asked for, the enterprise's note, and each
                                           material compared with what was on file before
  pilot_plan_evaluation                    the pilot plan itself (its text, attachments, the last refusal)
  objection_investigation, _review         the objector and their contact, for the centre's officers only
                                           (the enterprise's own investigation is not shown it)
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from sqlmodel import Session, select

from models.accounts import User
from models.audit import AuditEvent
from models.cases import (
    Candidate,
    DeficiencyNotice,
    EvaluationPlan,
    FilingApplication,
    FilingMaterial,
    Objection,
    PilotPlan,
    Score,
)
from models.integration import CaseFile
from models.workflow import HumanTask
from policy.eligibility import EXPERT_ASPECTS, FILING_MATERIALS
from policy.identity import mask_resident_id
from policy.levels import Level
from policy.profiles import EVALUATION_ROUTES
from tasks.queries import views

REPORT_CHECKS = {
    "identity_checked": "已核验考生身份",
    "proctoring_ok": "监考符合规定",
    "video_running": "视频监控全程运行",
    "scored_per_standard": "按标准（评价规范）评分",
}
VERDICTS = {
    "no_issues": "未发现问题",
    "to_correct": "需整改（列明整改事项）",
    "serious_violation": "严重违规（批次暂停，报中心处理）",
}
Section = dict[str, Any]


def evidence(session: Session, task: HumanTask) -> list[Section]:
    builder = BY_STEP.get(task.step)
    return builder(session, task) if builder else []


def _table(headers: list[str], rows: list[list[Any]], *, marked_by: str | None = None, empty: str = "") -> dict:
    """A table as the template prints it: each row's cells, and whether the row is marked (a failed
    candidate, this case among the applicants, a material to look at)."""
    return {"headers": headers, "empty": empty,
            "rows": [{"cells": row, "marked": marked_by is not None and any(marked_by in str(c) for c in row)}
                     for row in rows]}


def _score(value: float | None) -> str:
    return "—" if value is None else f"{value:g}"


def _mean(sheet: dict[str, Any]) -> float | None:
    values = [float(v) for v in sheet.values() if isinstance(v, int | float)]
    return round(sum(values) / len(values), 2) if values else None


def _panel_mean(session: Session, filing_id: int) -> float | None:
    result = views.panel_result(session, filing_id)
    return (result.after or {}).get("mean_score") if result else None


def expert_panel(session: Session, task: HumanTask) -> list[Section]:
    """Every expert's sheet (aspects, mean, opinion), then the applicants at this step in the province."""
    sheets = session.exec(
        select(HumanTask)
        .where(HumanTask.case_type == "filing", HumanTask.case_id == task.case_id,
               HumanTask.step == "expert_evaluation", HumanTask.status == "decided")
        .order_by(HumanTask.key)
    ).all()
    deciders = [t.decided_by for t in sheets if t.decided_by]
    names = dict(session.exec(select(User.id, User.name).where(User.id.in_(deciders))).all())
    rows = []
    for number, sheet in enumerate(sheets, start=1):
        payload = sheet.decision_payload or {}
        scores = payload.get("scores", {})
        rows.append([f"专家 {number}（{names.get(sheet.decided_by, '—')}）",
                     *[_score(scores.get(key)) for key in EXPERT_ASPECTS], _score(_mean(scores)),
                     payload.get("reason", "") or "—"])
    mean = _panel_mean(session, task.case_id)
    panel = {
        "title": "专家评估",
        "facts": [("专家组平均分", _score(mean)), ("评估专家", f"{len(sheets)} 人")],
        "tables": [_table(["专家", *EXPERT_ASPECTS.values(), "平均", "评估意见"], rows, empty="尚无专家评分。")],
    }
    return [panel, _applicants_ranked(session, task, mean)]


def _applicants_ranked(session: Session, task: HumanTask, mean: float | None) -> Section:
    filing = session.get(FilingApplication, task.case_id)
    peers = session.exec(
        select(FilingApplication).where(FilingApplication.current_step == task.step,
                                        FilingApplication.profile_code == (filing.profile_code if filing else ""))
    ).all()
    scored = [(_panel_mean(session, p.id) if p.id != task.case_id else mean, p) for p in peers if p.id is not None]
    scored.sort(key=lambda pair: (pair[0] is None, -(pair[0] or 0), pair[1].id))
    rows = [[str(rank), p.form.get("enterprise_name", f"备案 #{p.id}") + ("（本案）" if p.id == task.case_id else ""),
             _score(score)] for rank, (score, p) in enumerate(scored, start=1)]
    return {"title": "同一环节的申请（按专家组平均分排序）",
            "tables": [_table(["名次", "企业", "专家组平均分"], rows, marked_by="（本案）",
                              empty="没有其他申请在此环节。")]}


def results_review(session: Session, task: HumanTask) -> list[Section]:
    """The batch's results as submitted, and the quality supervisor's report."""
    plan = session.get(EvaluationPlan, task.case_id)
    if plan is None:
        return []
    results = session.exec(
        select(Candidate, Score).join(Score, Score.candidate_id == Candidate.id, isouter=True)
        .where(Candidate.plan_id == plan.id).order_by(Candidate.id)
    ).all()
    rows, passed, scored = [], 0, 0
    for candidate, score in results:
        outcome = ("已排除：" + candidate.excluded_reason if candidate.excluded_reason
                   else "未报送成绩" if score is None else "合格" if score.passed else "不合格")
        if score is not None and not candidate.excluded_reason:
            scored += 1
            passed += score.passed
        rows.append([candidate.name, mask_resident_id(candidate.id_number), Level(candidate.level).display,
                     _score(score.theory) if score else "—", _score(score.practical) if score else "—",
                     _score(score.performance) if score else "—",
                     EVALUATION_ROUTES.get(score.route, score.route) if score else "—", outcome])
    rate = f"{100 * passed / scored:.1f}%" if scored else "—"
    sections = [{
        "title": "认定结果",
        "facts": [("考生", f"{len(rows)} 人"), ("合格", f"{passed} 人"), ("不合格", f"{scored - passed} 人"),
                  ("合格率", rate)],
        "tables": [_table(["姓名", "身份证号", "等级", "理论", "技能", "综合评审", "评价方式", "结果"], rows,
                          marked_by="不合格", empty="尚未报送成绩。")],
    }]
    sections.append(_supervision_report(session, plan))
    return sections


def _supervision_report(session: Session, plan: EvaluationPlan) -> Section:
    if not plan.supervised:
        return {"title": "质量督导", "facts": [("督导", "本批次未抽中现场督导")]}
    report_task = session.exec(
        select(HumanTask).where(HumanTask.case_type == "plan", HumanTask.case_id == plan.id,
                                HumanTask.step == "quality_supervision", HumanTask.status == "decided")
    ).first()
    report = ((report_task.decision_payload or {}).get("report") or {}) if report_task else {}
    if not report_task:
        return {"title": "质量督导报告", "facts": [("督导", "已抽中，督导报告尚未提交")]}
    facts = [("结论", VERDICTS.get(report.get("verdict", ""), "未注明")),
             *[(label, "是" if report.get(key) else "否") for key, label in REPORT_CHECKS.items()],
             ("发现的问题", "；".join(report.get("findings", [])) or "无"),
             ("督导意见", (report_task.decision_payload or {}).get("reason", "") or "—")]
    if plan.corrections:
        facts.append(("整改事项", "；".join(map(str, plan.corrections))))
        facts.append(("企业答复", "；".join(map(str, plan.corrections_answer)) or "尚未答复"))
    warnings = [] if report.get("verdict") in (None, "no_issues") else [VERDICTS[report["verdict"]]]
    return {"title": "质量督导报告", "facts": facts, "warnings": warnings}


def resubmission(session: Session, task: HumanTask) -> list[Section]:
    """A later round of acceptance: the notice answered, the enterprise's note, each material compared."""
    notice = session.exec(
        select(DeficiencyNotice).where(DeficiencyNotice.filing_id == task.case_id)
        .order_by(DeficiencyNotice.round.desc())
    ).first()
    if notice is None:
        return []  # the first acceptance: the application's facts say it all
    this_round = notice.round + 1
    answered = session.exec(
        select(AuditEvent).where(AuditEvent.case_type == "filing", AuditEvent.case_id == task.case_id,
                                 AuditEvent.action == "resubmitted").order_by(AuditEvent.id.desc())
    ).first()
    note = (answered.after or {}).get("note", "") if answered else ""
    materials = session.exec(select(FilingMaterial).where(FilingMaterial.filing_id == task.case_id)).all()
    uploads = session.exec(select(CaseFile).where(CaseFile.case_type == "filing",
                                                  CaseFile.case_id == task.case_id)).all()
    rows, warnings = [], []
    for kind, label in FILING_MATERIALS.items():
        status = _compared(kind, this_round, materials, uploads)
        rows.append([label, status])
        if status.startswith("⚠"):
            warnings.append(f"{label}：{status.removeprefix('⚠ ')}")
    return [{
        "title": f"第 {this_round} 次一次性告知的补正",
        "facts": [("告知事项", "；".join(str(i.get("text", i)) if isinstance(i, dict) else str(i)
                                      for i in notice.items) or "—"),
                  ("企业补正说明", note or "（未填写）")],
        "tables": [_table(["材料", "本次补正"], rows, marked_by="⚠")],
        "warnings": warnings,
    }]


def _compared(kind: str, this_round: int, materials: list[FilingMaterial], uploads: list[CaseFile]) -> str:
    def digests(rounds: Callable[[int], bool]) -> set[str]:
        return ({m.sha256 for m in materials if m.kind == kind and rounds(m.round) and m.sha256}
                | {f.sha256 for f in uploads if f.kind == kind and rounds(f.round)})

    declared_now = any(m.kind == kind and m.round == this_round for m in materials)
    declared_before = any(m.kind == kind and m.round < this_round for m in materials)
    now, before = digests(lambda r: r == this_round), digests(lambda r: r < this_round)
    if declared_now and not now:
        return "⚠ 已申报补正，但未附文件（未上传，无 SHA-256）"
    if declared_now and now <= before:
        return "⚠ 补正文件与原件相同（SHA-256 一致）"
    if declared_now:
        return "已重新提交（内容已更换）"
    if declared_before:
        return "未补正（沿用此前提交）"
    return "⚠ 从未提交"


def pilot_plan(session: Session, task: HumanTask) -> list[Section]:
    plan = session.exec(
        select(PilotPlan).where(PilotPlan.filing_id == task.case_id).order_by(PilotPlan.round.desc())
    ).first()
    if plan is None:
        return [{"title": "试点方案", "facts": [("方案", "企业尚未提交")]}]
    rows = [[m.get("title") or FILING_MATERIALS.get(m.get("kind", ""), m.get("kind", "")), m.get("sha256") or "—"]
            for m in plan.materials if isinstance(m, dict)]
    return [{"title": f"试点方案（第 {plan.round + 1} 稿）",
             "facts": [("方案内容", plan.summary),
                       *([("上一稿未通过的理由", "；".join(map(str, plan.outcome_reasons)))]
                         if plan.outcome == "failed" else [])],
             "tables": [_table(["附件", "SHA-256"], rows, empty="无附件。")]}]


def objection(session: Session, task: HumanTask) -> list[Section]:
    """The objector, for the centre's investigator: the public page promises a call back."""
    if not task.key.startswith("objection:"):
        return []
    found = session.get(Objection, int(task.key.split(":")[1]))
    if found is None:
        return []
    account = session.get(User, found.raised_by) if found.raised_by else None
    name = found.objector_name or (account.name if account else "")
    return [{"title": "异议人", "facts": [("姓名", name or "未署名"),
                                       ("联系方式（调查后回复异议人）", found.contact or "未留联系方式")]}]


BY_STEP: dict[str, Callable[[Session, HumanTask], list[Section]]] = {
    "best_selection": expert_panel,
    "leading_group_approval": expert_panel,
    "results_review": results_review,
    "acceptance": resubmission,
    "pilot_plan_evaluation": pilot_plan,
    "objection_investigation": objection,
    "objection_review": objection,
}
