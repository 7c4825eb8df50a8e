"""Request and response shapes of the public API (v1). Every field is documented for OpenAPI."""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING, Annotated, Any, Literal

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, StringConstraints

from policy.identity import credit_code_check_char, resident_id_check_char
from policy.steps import STEPS
from policy.text import clean_name, clean_text

MAX_ID = 2**63 - 1
MAX_SCORE_ASPECTS = 20  # the expert form has 7 aspects; a larger dict is not a score sheet


def _name(value: str) -> str:
    return clean_name(value)  # a TextProblem is a ValueError: pydantic reports it as a 422 on the field


def _text(value: str) -> str:
    return clean_text(value)


# Names are printed in official documents and shown as accounts: NFKC, no control/format characters.
Name = Annotated[str, AfterValidator(_name)]
# Free text keeps its line breaks but no other control/format characters (NUL, bidi overrides, …).
Text = Annotated[str, AfterValidator(_text)]
StaffName = Annotated[str, StringConstraints(min_length=1, max_length=50), AfterValidator(_name)]
Ownership = Literal["central_branch", "state_owned", "foreign", "private", "other"]
Relation = Literal["employee", "dispatched", "outsourced", "partner_student", "affiliated", "mandated", "public"]
Diploma = Literal["secondary_vocational", "technical_college", "higher_vocational", "bachelor"]
RegionCode = Annotated[str, StringConstraints(pattern=r"^[0-9]{6}$")]


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)


class EvaluationNorm(_Strict):
    """The enterprise's own basis for an occupation (004 §二; 003 §一(四); 002 §(六); 000 §三(四)): the national
    standard adjusted to its posts (not below it), or its own evaluation norm where no national standard
    exists — filed with the occupation and its levels, shown to the experts."""

    kind: Literal["adjusted_standard", "enterprise_norm"] = Field(
        description="adjusted_standard 结合企业岗位调整的国家职业技能标准 / enterprise_norm 企业评价规范（无国家标准）")
    title: Annotated[Text, StringConstraints(min_length=4, max_length=200)] = Field(
        description="e.g. 车工（数控方向）企业评价规范（2026版）")
    adjustments: Annotated[Text, StringConstraints(max_length=2000)] = Field(
        "", description="what differs from the national standard: 职业功能、工作内容、技能要求、申报条件")
    not_below_national_standard: bool = Field(
        description="the enterprise declares the norm not below the national standard (不低于国家职业技能标准要求)")


class OccupationIn(_Strict):
    code: str = Field(description="职业编码 of 职业分类大典, d-dd-dd-dd", examples=["6-18-01-01"], max_length=10)
    levels: list[int | str] = Field(min_length=1, max_length=5, description="levels to evaluate: 1–5 or 三级/高级工")
    basis: Text = Field("", max_length=200, description="评价依据: national standard or enterprise specification")
    position_name: Name = Field(
        "",
        max_length=100,
        description="企业岗位 not in the catalogue, evaluated as `code`, the "
        "nearest catalogue occupation (相邻相近, where the province allows it: Gansu 004 §一(三))",
    )
    mapping_reason: Text = Field(
        "", max_length=1000, description="why the position is nearest to `code`, for the experts"
    )
    norm: EvaluationNorm | None = Field(None, description="the enterprise's own norm, filed with the occupation "
                                                          "(its file: material `evaluation_norm`)")


class OccupationDrop(_Strict):
    code: str = Field(max_length=10, examples=["6-18-01-01"])
    levels: list[int | str] = Field(min_length=1, max_length=5, description="the levels no longer evaluated")


class MaterialIn(_Strict):
    kind: str = Field(
        description="checklist item: business_licence, hr_system, education_fund, evaluation_rules, "
        "staff_roster, venue_equipment",
        max_length=40,
    )
    title: Text = Field("", max_length=200, description="document title as the enterprise names it")
    sha256: str | None = Field(None, pattern=r"^[0-9a-f]{64}$", description="digest of the uploaded file")
    uri: str | None = Field(None, max_length=500, description="where the file is kept")


class FilingCreate(_Strict):
    """备案申请表 (003 attachment) with the material checklist."""

    enterprise_name: Name = Field(min_length=1, max_length=200, description="企业名称")
    credit_code: str = Field(min_length=18, max_length=18, description="统一社会信用代码 (GB 32100)")
    region_code: str = Field(
        pattern=r"^[0-9]{6}$",
        description="注册地行政区划代码 (GB/T 2260), e.g. 440305. For an "
        "institution on record it must be the registered region (a change is recorded by the centre)",
    )
    registered_address: Name = Field(min_length=1, max_length=300, description="注册地址")
    registered_capital_wan: float = Field(ge=0, le=1e9, description="注册资本 (万元)")
    business_scope: Text = Field("", max_length=2000, description="经营范围")
    ownership: Ownership = Field(description="央企驻粤分支机构 / 国企 / 外资 / 民营 / 其它")
    employees: int = Field(ge=1, le=10_000_000, description="职工人数")
    skilled_staff: int = Field(0, ge=0, le=10_000_000, description="技能人才人数")
    training_fund_wan: list[float] = Field(
        default_factory=list, max_length=2, description="职工教育经费 of the last two years (万元)"
    )
    contact_name: Name = Field(min_length=1, max_length=50, description="联系人")
    contact_phone: str = Field(min_length=5, max_length=20, description="联系电话")
    institution_kind: Literal["Y", "S"] = Field(
        "Y", description="Y employer (用人单位) / S training-evaluation organisation"
    )
    provincial_owned: bool = Field(False, description="省属企业: owned by the province (routing: 004 §四(一))")
    handled_by: Literal["provincial", "municipal"] | None = Field(
        None, description="省属企业 where the province lets them choose (Gansu): the provincial or the municipal centre"
    )
    ministry_filed_occupations: list[Annotated[str, StringConstraints(max_length=10)]] = Field(
        default_factory=list,
        max_length=50,
        description="央企驻地单位 (双备案): the occupation codes filed with the ministry; where the province keeps a "
        "branch inside that scope, every occupation applied for must be one of them",
    )
    occupations: list[OccupationIn] = Field(
        max_length=20, description="职业(工种) to evaluate (for a change of scope: the ones added)"
    )
    materials: list[MaterialIn] = Field(default_factory=list, max_length=50, description="材料清单")
    scope_change: bool = Field(
        False,
        description="变更备案: a registered institution adds (`occupations`) or "
        "drops (`drop_occupations`) occupations or levels; additions go "
        "through the province's filing steps, the segment stays",
    )
    drop_occupations: list[OccupationDrop] = Field(
        default_factory=list,
        max_length=20,
        description="变更备案: occupations or levels no longer evaluated "
        "(taken off the scope when the change is registered)",
    )


class ResubmissionCreate(_Strict):
    """Corrected materials after a one-time deficiency notice."""

    materials: list[MaterialIn] = Field(min_length=1, max_length=50)
    note: Text = Field("", max_length=2000, description="what was corrected")


class PilotPlanCreate(_Strict):
    """试点方案 (003 §二(三)): the registered pilot enterprise's plan, evaluated by experts."""

    summary: Text = Field(
        min_length=20,
        max_length=20000,
        description="the plan: occupations, organisation, evaluation method, quality assurance, schedule",
    )
    materials: list[MaterialIn] = Field(default_factory=list, max_length=50, description="attached documents")


class ObjectionCreate(_Strict):
    """One open objection per person and case; the investigating officer may contact the objector."""

    text: Text = Field(min_length=5, max_length=5000, description="the objection and its grounds (事实和理由)")
    contact: Name = Field(min_length=5, max_length=100, description="how the investigator reaches you: phone or e-mail")
    candidate_id: int | None = Field(
        None, ge=1, le=MAX_ID, description="for results publicity: the candidate concerned"
    )


Phone = Annotated[str, StringConstraints(pattern=r"^(1[3-9][0-9]{9}|0[0-9]{2,3}-?[0-9]{7,8})$")]


class PublicObjectionCreate(_Strict):
    """公示异议 from anyone, without an account (the public publicity pages): the same investigation as
    an account's objection; the investigating officer calls the number given."""

    case_type: Literal["filing", "plan"] = Field(description="filing: 备案评估公示; plan: 认定结果公示")
    case_id: int = Field(ge=1, le=MAX_ID, description="the publicity's id, as listed by /api/v1/public/publicities")
    name: Name = Field(min_length=1, max_length=50, description="姓名")
    phone: Phone = Field(
        description="联系电话: a mobile (13800138000) or a landline (020-12345678)", examples=["13800138000"]
    )
    text: Text = Field(min_length=5, max_length=5000, description="异议的事实和理由")
    candidate_id: int | None = Field(
        None, ge=1, le=MAX_ID, description="for results publicity: the candidate concerned"
    )


class DismissIdentical(_Strict):
    """Identical objections (the same words) dismissed by one decision, each recorded on its own."""

    objection_ids: list[Annotated[int, Field(ge=1, le=MAX_ID)]] = Field(
        min_length=1, max_length=500, description="objections of this case"
    )
    reason: Text = Field(min_length=2, max_length=5000, description="the investigation's finding")


class CandidateIn(_Strict):
    name: Name = Field(min_length=1, max_length=50)
    id_number: str = Field(min_length=18, max_length=18, description="居民身份证号 (GB 11643)")
    relation: Relation = Field(
        description="本企业职工 / 劳务派遣 / 劳务外包 / 合作院校学生 / 关联企业在职职工 / 委托单位人员 / 社会人员 "
        "(which ones a province allows, for an employer and for a training-evaluation organisation: its profile)"
    )
    level: int | str = Field(description="national level 1–5 or 三级/高级工")
    months_with_enterprise: int | None = Field(
        None, ge=0, le=1200, description="dispatched and outsourced workers: months with the enterprise"
    )
    affiliate_name: Name = Field("", max_length=200, description="affiliated: the affiliated enterprise (关联企业)")
    mandating_enterprise: Name = Field(
        "", max_length=200, description="mandated: the enterprise that mandated it (委托单位)"
    )
    social_insurance_region: RegionCode | None = Field(None, description="社保参保地 (GB/T 2260), e.g. 440106")
    workplace_region: RegionCode | None = Field(None, description="就业地 (GB/T 2260)")
    years_in_occupation: int | None = Field(None, ge=0, le=60, description="申报条件: years working in the occupation")
    held_level: int | None = Field(None, ge=1, le=5, description="申报条件: the national level already held")
    held_level_years: int | None = Field(
        None, ge=0, le=60, description="years in the occupation since that certificate"
    )
    diploma: Diploma | None = Field(None, description="申报条件: a relevant diploma")
    enterprise_title: Name = Field(
        "",
        max_length=20,
        description="the institution's own level (岗位等级, 004 §二) "
        "as filed on its ladder; it must correspond to `level`",
    )


class LadderTitle(_Strict):
    title: Name = Field(
        min_length=1,
        max_length=20,
        examples=["首席技师"],
        description="学徒工, 特级技师, 首席技师 or a sub-tier such as 高级工一档",
    )
    level: int | str = Field(description="the national level it corresponds to: 1–5 or 三级/高级工")


class LadderFiling(_Strict):
    """企业自主设置的职业技能岗位等级及其与国家职业技能等级的对应关系 (004 §二): the whole ladder, replacing
    the one filed before."""

    titles: list[LadderTitle] = Field(max_length=30)
    model_config = ConfigDict(
        extra="forbid",
        str_strip_whitespace=True,
        json_schema_extra={
            "examples": [
                {
                    "titles": [
                        {"title": "学徒工", "level": 5},
                        {"title": "高级工一档", "level": 3},
                        {"title": "首席技师", "level": 1},
                    ]
                }
            ]
        },
    )


class MandateAgreement(_Strict):
    enterprise_name: Name = Field(min_length=1, max_length=200, description="委托单位")
    agreement_no: Name = Field(min_length=1, max_length=100, description="委托协议编号")


class PlanCreate(_Strict):
    """认定实施计划: filed before the evaluation by the profile's lead time."""

    occupation_code: str = Field(max_length=10, examples=["6-18-01-01"])
    evaluation_start: dt.date
    evaluation_end: dt.date
    site: Name = Field(min_length=1, max_length=300, description="考核场地")
    training_summary: Text = Field("", max_length=5000, description="培训情况")
    candidates: list[CandidateIn] = Field(min_length=1, max_length=5000)
    proctors: list[StaffName] = Field(
        min_length=1, max_length=200, description="监考人员 (names, ≤ 50 characters each)"
    )
    evaluators: list[StaffName] = Field(min_length=1, max_length=200, description="考评人员")
    quality_supervisors: list[StaffName] = Field(min_length=1, max_length=200, description="质量督导员")
    mandate_agreements: list[MandateAgreement] = Field(
        default_factory=list,
        max_length=100,
        description="委托协议: for candidates of mandating enterprises (004 §一(二))",
    )


class RouteEvidence(_Strict):
    """What a candidate passes on by direct recognition or a competition (004 §三(二)(三))."""

    basis: Annotated[Text, StringConstraints(min_length=4, max_length=500)] = Field(
        description="认定依据, e.g. 2025年甘肃省职业技能大赛车工项目第二名")
    award: Annotated[Text, StringConstraints(max_length=200)] | None = Field(None, description="direct recognition: "
                                                                                              "the award or title")
    years: int | None = Field(None, ge=1, le=60, description="direct recognition: years of proven work in the "
                                                             "occupation")
    competition: Annotated[Text, StringConstraints(max_length=200)] | None = Field(None, description="the competition")
    rank: int | None = Field(None, ge=1, le=1000, description="the rank reached in it")


class ScoreIn(_Strict):
    candidate_id: int = Field(ge=1, le=MAX_ID)
    theory: float | None = Field(None, ge=0, le=100, description="理论知识")
    practical: float | None = Field(None, ge=0, le=100, description="操作技能")
    performance: float | None = Field(None, ge=0, le=100, description="业绩评审 (where used)")
    route: Literal["scored", "direct_recognition", "competition"] = Field(
        "scored", description="考核评价 (the parts, each ≥ 60) or, where the province opens it, 直接认定 / 竞赛晋升 "
                              "on its evidence (no parts)")
    evidence: RouteEvidence | None = Field(None, description="direct_recognition and competition: what it rests on")


class ResultsCreate(_Strict):
    scores: list[ScoreIn] = Field(min_length=1, max_length=5000)


class SupervisionReport(_Strict):
    """质量督导报告: what the supervisor checked on site, what was found, and the verdict."""

    identity_checked: bool = Field(description="考生身份核验 was done")
    proctoring_ok: bool = Field(description="监考 followed the rules")
    video_running: bool = Field(description="视频监控 ran throughout (or the alternative measures held, 004 §五(三))")
    scored_per_standard: bool = Field(description="评分 followed the standard / 评价规范")
    findings: list[Annotated[Text, StringConstraints(max_length=500)]] = Field(
        default_factory=list, max_length=50, description="what was observed"
    )
    verdict: Literal["no_issues", "to_correct", "serious_violation"] = Field(
        description="no_issues 无问题 / to_correct 需整改 / serious_violation 严重违规"
    )
    corrections: list[Annotated[Text, StringConstraints(min_length=2, max_length=500)]] = Field(
        default_factory=list, max_length=50, description="for to_correct: each correction the enterprise must answer"
    )


class HolderCorrection(_Strict):
    """A candidate's identity put right after the national query system refused its certificate: the name
    and/or the ID number as on the holder's identity card, and why (the batch's officer reads it)."""

    name: Name | None = Field(None, min_length=1, max_length=50, description="持证人姓名, as on the ID card")
    id_number: str | None = Field(None, min_length=18, max_length=18, description="居民身份证号 (GB 11643)")
    reason: Annotated[Text, StringConstraints(min_length=2, max_length=500)] = Field(
        description="why the data was wrong (e.g. 身份证号第 15 位录入错误)"
    )


class CorrectionsAnswer(_Strict):
    """整改说明: one answer per correction the supervisor listed, in the same order."""

    answers: list[Annotated[Text, StringConstraints(min_length=2, max_length=2000)]] = Field(
        min_length=1, max_length=50
    )


# every decision some step allows (policy/steps.py); which ones a given task allows is checked on the task
if TYPE_CHECKING:  # the checker sees a string; pydantic validates the registry's words at run time
    DecisionName = str
else:
    DecisionName = Literal[tuple(dict.fromkeys(d for step in STEPS.values() for d in step.decisions))]


class SanctionIn(_Strict):
    """What an investigation's decision orders (调查核实的处理决定); which fields a decision needs is checked
    with the task: a rectification lists its items, a revocation names certificates, a credit entry its
    subject and kind."""

    working_days: int | None = Field(
        None,
        ge=1,
        le=120,
        description="deadline of the explanation or the rectification in working days (default: the profile's)",
    )
    items: list[Annotated[Text, StringConstraints(min_length=2, max_length=500)]] = Field(
        default_factory=list, max_length=50, description="order_rectification: what must be rectified"
    )
    plan_id: int | None = Field(None, ge=1, le=MAX_ID, description="revoke_certificates: the batch")
    certificate_numbers: list[Annotated[str, StringConstraints(min_length=22, max_length=22)]] = Field(
        default_factory=list, max_length=5000, description="revoke_certificates: the certificates (or whole_batch)"
    )
    whole_batch: bool = Field(False, description="revoke_certificates: every valid certificate of the batch")
    category: Literal["wrongly_issued", "fraud", "data_error", "other"] | None = Field(
        None, description="revoke_certificates: 撤销原因类别"
    )
    credit_kind: Literal["abnormal", "blacklist"] | None = Field(None, description="credit_entry: 异常名录 / 黑名单")
    subject: Literal["institution", "person"] | None = Field(None, description="credit_entry: on whom")
    person_name: StaffName | None = Field(None, description="credit_entry on a person: the name as on plans")
    person_user_id: int | None = Field(
        None, ge=1, le=MAX_ID, description="credit_entry on an expert's or supervisor's account"
    )
    until: dt.date | None = Field(None, description="credit_entry: its last day (default: the profile's years)")


class DecisionIn(_Strict):
    """An officer's, expert's or supervisor's decision on a task."""

    decision: DecisionName
    deficiencies: list[Annotated[Text, StringConstraints(max_length=500)]] = Field(
        default_factory=list, max_length=100, description="for `deficient`: every item (≤ 500 characters each)"
    )
    scores: dict[Annotated[str, StringConstraints(max_length=40)], float] = Field(
        default_factory=dict, max_length=MAX_SCORE_ASPECTS, description="for expert evaluation: aspect → 0–100"
    )
    reason: Text = Field("", max_length=5000)
    report: SupervisionReport | None = Field(None, description="for quality supervision: the on-site report")
    sanction: SanctionIn | None = Field(None, description="for a supervision investigation: what it orders")
    version: int | None = Field(None, ge=0, le=MAX_ID, description="the task version you saw (optimistic locking)")


class HandoverIn(_Strict):
    """A task handed to a named colleague of the same centre (转交): they receive it claimed."""

    to_user_id: int = Field(ge=1, le=MAX_ID,
                            description="the colleague's user id (an officer whose inbox holds the task)")
    reason: Text = Field(min_length=1, max_length=500, description="why (kept in the case's trail)")
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True,
                              json_schema_extra={"examples": [{"to_user_id": 12, "reason": "本人休假，转交同组办理"}]})


class QuarterlyReportIn(_Strict):
    """A city centre's quarterly progress report to its province (004 §六(一)): a finished quarter."""

    period: str = Field(pattern=r"^\d{4}-Q[1-4]$", description="the quarter, e.g. 2026-Q3")
    note: Text = Field("", max_length=2000, description="what the province should know beside the figures")


REVOCATION_CATEGORIES = {
    "wrongly_issued": "不符合条件误发",
    "fraud": "弄虚作假取得",
    "data_error": "信息错误",
    "other": "其他",
}


class RevocationCreate(_Strict):
    """撤销证书: certificates of one batch, or the whole batch; a second officer approves (four-eyes)."""

    plan_id: int = Field(ge=1, le=MAX_ID, description="the batch the certificates belong to")
    certificate_numbers: list[Annotated[str, StringConstraints(min_length=22, max_length=22)]] = Field(
        default_factory=list, max_length=5000, description="the certificates to revoke (or `whole_batch`)"
    )
    whole_batch: bool = Field(False, description="revoke every valid certificate of the batch")
    category: Literal["wrongly_issued", "fraud", "data_error", "other"] = Field(description="撤销原因类别")
    reason: Text = Field(min_length=4, max_length=2000, description="the facts: what the re-check found")


class ComplaintCreate(_Strict):
    """投诉举报 from anyone, with or without an account: about one institution, one of its batches or one
    certificate (name exactly one), with a contact the investigating officer can reach."""

    institution_id: int | None = Field(None, ge=1, le=MAX_ID, description="the institution complained about")
    plan_id: int | None = Field(None, ge=1, le=MAX_ID, description="or one of its evaluation batches")
    certificate_number: Annotated[str, StringConstraints(pattern=r"^[0-9A-Z]{22}$")] | None = Field(
        None, description="or one certificate (22 characters)"
    )
    text: Text = Field(min_length=10, max_length=5000, description="the facts complained of (≥ 10 characters)")
    contact_name: Name = Field(min_length=1, max_length=50, description="联系人 (may be a pseudonym)")
    contact_phone: Phone = Field(
        description="联系电话: a mobile (13800138000) or a landline (020-12345678)", examples=["13800138000"]
    )


class FindingCreate(_Strict):
    """抽查发现: an officer opens a supervision case on their own finding (no triage: it is accepted)."""

    institution_id: int | None = Field(None, ge=1, le=MAX_ID)
    plan_id: int | None = Field(None, ge=1, le=MAX_ID)
    certificate_number: Annotated[str, StringConstraints(pattern=r"^[0-9A-Z]{22}$")] | None = None
    text: Text = Field(min_length=10, max_length=5000, description="what was found")


class ExplanationIn(_Strict):
    """The institution's written explanation (书面说明) to an investigation, by its deadline."""

    text: Text = Field(min_length=10, max_length=10000)


class RectificationIn(_Strict):
    """整改报告: the institution's rectification, one answer per item of the order, in its order."""

    answers: list[Annotated[Text, StringConstraints(min_length=2, max_length=2000)]] = Field(
        min_length=1, max_length=50
    )


class WebhookCreate(_Strict):
    """A webhook endpoint for the caller's case events (the same events as GET /api/v1/events)."""

    url: str = Field(
        min_length=8,
        max_length=500,
        examples=["https://erp.example.com/certflow/events"],
        description="http(s); internal addresses (loopback, link-local, private) are refused",
    )
    events: list[Annotated[str, StringConstraints(max_length=60)]] = Field(
        default_factory=list, max_length=50, description="event types to receive; empty: every type"
    )
    allow_internal: bool = Field(False, description="admins only: allow an internal target (a centre's own system)")


class WebhookUpdate(_Strict):
    url: str | None = Field(None, min_length=8, max_length=500)
    events: list[Annotated[str, StringConstraints(max_length=60)]] | None = Field(None, max_length=50)
    enabled: bool | None = Field(None, description="false: stop deliveries; true: resume (after a disabling)")
    allow_internal: bool | None = Field(None, description="admins only")


# -- an example of every request body, for the OpenAPI document and generated clients ------------------
# (tests/api/test_openapi_document.py validates each against its model, so they cannot rot)


def _credit(first17: str) -> str:
    return first17 + credit_code_check_char(first17)


def _resident(first17: str) -> str:
    return first17 + resident_id_check_char(first17)


_MATERIALS = [
    {"kind": k, "title": t}
    for k, t in (
        ("business_licence", "营业执照副本"),
        ("hr_system", "技能人才培养评价使用激励制度"),
        ("education_fund", "职工教育经费提取使用证明"),
        ("evaluation_rules", "评价管理制度"),
        ("staff_roster", "考评人员名册"),
        ("venue_equipment", "场地设备及视频监控证明"),
    )
]
_CANDIDATE = {
    "name": "张三",
    "id_number": _resident("44010619900101123"),
    "relation": "employee",
    "level": 4,
    "workplace_region": "440106",
    "social_insurance_region": "440106",
    "years_in_occupation": 6,
}
REQUEST_EXAMPLES: dict[type[BaseModel], dict[str, Any]] = {
    FilingCreate: {
        "enterprise_name": "广州精密机械有限公司",
        "credit_code": _credit("91440106MA5ABCDE1"),
        "region_code": "440106",
        "registered_address": "广州市天河区科韵路 1 号",
        "registered_capital_wan": 5000,
        "business_scope": "精密零部件制造",
        "ownership": "private",
        "employees": 800,
        "skilled_staff": 300,
        "training_fund_wan": [120, 135],
        "contact_name": "李四",
        "contact_phone": "13800138000",
        "occupations": [{"code": "6-18-01-01", "levels": [3, 4, 5], "basis": "国家职业技能标准"}],
        "materials": _MATERIALS,
    },
    ResubmissionCreate: {
        "materials": [{"kind": "venue_equipment", "title": "场地设备照片（补正）"}],
        "note": "已补充视频监控设备清单",
    },
    PilotPlanCreate: {
        "summary": "试点方案：认定职业车工三至五级；评价组织机构与职责；理论与实操考核方式；质量督导；年度计划。"
    },
    ObjectionCreate: {"text": "公示的考评人员中有未取得资格者", "contact": "13800138000"},
    PublicObjectionCreate: {
        "case_type": "plan",
        "case_id": 12,
        "name": "王五",
        "phone": "13800138000",
        "text": "该考生未参加实操考核",
        "candidate_id": 345,
    },
    DismissIdentical: {"objection_ids": [17, 18, 19], "reason": "经核查，考评人员均持有效资格证书"},
    PlanCreate: {
        "occupation_code": "6-18-01-01",
        "evaluation_start": "2026-10-19",
        "evaluation_end": "2026-10-20",
        "site": "公司实训中心二楼",
        "training_summary": "岗位培训 120 学时",
        "candidates": [_CANDIDATE],
        "proctors": ["赵监考"],
        "evaluators": ["钱考评", "孙考评"],
        "quality_supervisors": ["周督导"],
    },
    ResultsCreate: {"scores": [{"candidate_id": 345, "theory": 82, "practical": 88}]},
    CorrectionsAnswer: {"answers": ["已补装考场视频监控并提供录像"]},
    DecisionIn: {"decision": "deficient", "deficiencies": ["缺少近两年职工教育经费使用证明"], "version": 1},
    RevocationCreate: {
        "plan_id": 12,
        "certificate_numbers": ["Y000044000001264000001"],
        "category": "fraud",
        "reason": "复核发现考生由他人代考",
    },
    ComplaintCreate: {
        "institution_id": 7,
        "text": "该机构在认定考核中存在代考现象，考场无人监考",
        "contact_name": "匿名",
        "contact_phone": "13800138000",
    },
    FindingCreate: {"plan_id": 12, "text": "抽查发现考核现场视频监控未开启"},
    ExplanationIn: {"text": "我单位对投诉事项的书面说明如下：考核当日监控设备故障，已启用备用记录方式。"},
    RectificationIn: {"answers": ["已补装视频监控并完成调试，附验收记录"]},
    HolderCorrection: {"id_number": "440106199001010013", "reason": "身份证号第 17 位录入错误，已按身份证原件更正"},
    WebhookCreate: {
        "url": "https://erp.example.com/certflow/events",
        "events": ["filing.deficiency_notice_issued", "plan.results_returned"],
    },
    WebhookUpdate: {"enabled": True},
    QuarterlyReportIn: {"period": "2026-Q3", "note": "第三季度新增备案企业 2 家，评价批次较上季度增加。"},
}


def _attach_examples(examples: dict[type[BaseModel], dict[str, Any]]) -> None:
    for model, example in examples.items():
        model.model_config = {**model.model_config, "json_schema_extra": {"examples": [example]}}
        model.model_rebuild(force=True)


_attach_examples(REQUEST_EXAMPLES)
