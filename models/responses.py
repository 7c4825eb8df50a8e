"""What the API answers (v1): one model per shape, declared as each route's `response_model`.

The views in `tasks/` build these models themselves (one shape per answer, written once: the checker reads
every field a view gives), and FastAPI validates every answer against its route's model, so the OpenAPI
document is the contract a generated client relies on. Extra keys are refused (`extra="forbid"`). A field
a view leaves unset (one only some readers see) is left out of the JSON rather than sent as null.
Timestamps leave with an offset (naive values are UTC, as stored).
"""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any, Generic, Literal, TypeVar

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, SerializerFunctionWrapHandler, model_serializer

from policy import deadline_explanations


def _aware(value: dt.datetime) -> dt.datetime:
    return value if value.tzinfo else value.replace(tzinfo=dt.UTC)


Timestamp = Annotated[dt.datetime, AfterValidator(_aware)]
Json = dict[str, Any]
T = TypeVar("T")


class Out(BaseModel):
    model_config = ConfigDict(extra="forbid")

    @model_serializer(mode="wrap")
    def _leave_out_absent_fields(self, serialize: SerializerFunctionWrapHandler):  # (keeps the schema)
        """A field with a default that the view did not give is left out, not sent as null: fields that
        only some readers see (the centre's, the applicant's) stay absent for the others."""
        data = serialize(self)
        for name in type(self).model_fields.keys() - self.model_fields_set:
            data.pop(name, None)
        return data


def dumped(model: type[BaseModel], view: Any) -> dict[str, Any]:
    """A view as its model's JSON: for answers sent as a JSONResponse (another status, a replay), which
    FastAPI does not check against the route's `response_model`."""
    return model.model_validate(view).model_dump(mode="json")


class Page(Out, Generic[T]):
    items: list[T]
    next_cursor: str | None = Field(description="pass as `cursor` for the next page; null on the last page")


class Items(Out, Generic[T]):
    items: list[T]


# --- shared parts of a case ------------------------------------------------------------------------------------

class Deadline(Out):
    due_date: dt.date
    provisional: bool = Field(description="computed on weekends only: the year's official calendar is not loaded")
    working_days_left: int
    overdue: bool


class SkippedDays(Out):
    first: dt.date
    last: dt.date
    reason: str  # 周六、周日, 国庆节, 法定节假日


class DeadlineExplanation(Out):
    """How a due date was reached (policy/deadline_explanations.py): `text` says it in one paragraph."""

    rule: str | None
    source: str | None = Field(description="where the period is written: a policy text's section, or 本地设置")
    start: dt.date
    start_day_counts: bool
    direction: Literal["after", "before"]
    working_days: int
    due: dt.date
    skipped: list[SkippedDays]
    makeup_working_days: list[dt.date]
    estimated_years: list[int] = Field(description="years counted without the State Council's notice: provisional")
    paused: bool = Field(False, description="the step's clock was paused, so the due date moved later")
    text: str

    @classmethod
    def of(cls, told: deadline_explanations.DeadlineExplanation, *, paused: bool,
           text: str | None = None) -> DeadlineExplanation:
        """The rule's count as answered; `text` when the reader must be told more than the count (a pause)."""
        return cls(rule=told.rule or None, source=told.source, start=told.start,
                   start_day_counts=told.start_day_counts, direction=told.direction, working_days=told.working_days,
                   due=told.due,
                   skipped=[SkippedDays(first=s.first, last=s.last, reason=s.reason) for s in told.skipped],
                   makeup_working_days=list(told.makeup_days), estimated_years=list(told.estimated_years),
                   paused=paused, text=told.as_text() if text is None else text)


class TaskOut(Out):
    """A human step: who may take it, its working-day deadline, its decision once taken."""

    id: int
    case_type: Literal["filing", "plan", "supervision", "report"]
    case_id: int
    step: str
    step_name: str
    role: str
    jurisdiction: str
    status: Literal["open", "claimed", "decided", "cancelled"]
    assignee_id: int | None
    version: int = Field(description="send it back with the decision (optimistic locking)")
    created_on: dt.date
    due_date: dt.date
    provisional: bool
    working_days_left: int
    overdue: bool
    due_explanation: DeadlineExplanation
    decision: str | None
    decision_payload: Json | None
    decided_at: Timestamp | None
    objection_id: int | None


class HistoryEntry(Out):
    action: str
    actor_id: int | None
    actor_role: str | None
    business_time: Timestamp | None = Field(description="on the business clock (simulated in demos)")
    wall_time: Timestamp | None
    before: Json | None
    after: Json | None


class TimerOut(Out):
    purpose: str
    period_end: dt.date
    fires_on: dt.date
    provisional: bool
    status: str
    due_explanation: DeadlineExplanation | None = Field(
        None, description="how the period's working days were counted (none for a fixed date)")


class ObjectionOut(Out):
    id: int
    text: str
    candidate_id: int | None
    raised_at: Timestamp | None
    investigated_by: str | None
    outcome: str | None
    raised_by: int | None = Field(None, description="the centre only")
    contact: str | None = Field(None, description="the centre only")


class IncidentOut(Out):
    id: int
    kind: str
    status: str
    attempts: int | None = Field(None, description="the centre only")
    error: str | None = Field(None, description="the centre only")
    message: str | None = Field(None, description="the applicant's neutral wording")


class Period(Out):
    start: dt.date
    end: dt.date
    provisional: bool | None = None


# --- filings --------------------------------------------------------------------------------------------------

class _FilingHead(Out):
    """What every answer about a filing starts with."""

    id: int
    status: str
    current_step: str | None
    institution_id: int
    enterprise_name: str | None
    region_code: str
    handling_centre: str | None
    profile: str


class FilingSummary(_FilingHead):
    """A filing as created (and as listed): where to follow it."""

    created_at: Timestamp | None
    href: str


class FilingRow(FilingSummary):
    updated_at: Timestamp | None


class DeficiencyNoticeOut(Out):
    round: int
    items: list[str]
    issued_at: Timestamp | None
    resubmitted_at: Timestamp | None


class ExpertPanelOut(Out):
    passed: bool | None
    mean_score: float | None
    reasons: list[str]


class PilotPlanOut(Out):
    round: int
    submitted_at: Timestamp | None
    outcome: str | None
    reasons: list[Any] | None


class FilingOut(_FilingHead):
    """A filing with its steps, deadlines, notices, publicity, tasks, timers and history."""

    deficiency_rounds: int
    deficiency_notices: list[DeficiencyNoticeOut]
    publicity: Period | None
    receipt_number: str | None
    segment: str | None
    outcome_reason: str | None
    flow_run_id: str | None
    expert_panel: ExpertPanelOut | None
    pilot_plans: list[PilotPlanOut]
    pilot_plan_approved_on: dt.date | None
    tasks: list[TaskOut]
    timers: list[TimerOut]
    objections: list[ObjectionOut]
    incidents: list[IncidentOut]
    created_at: Timestamp | None
    updated_at: Timestamp | None
    history: list[HistoryEntry] | None = Field(None, description="absent from the answers of POSTs")


class RoundAccepted(Out):
    round: int
    filing_id: int


class ObjectionCreated(Out):
    objection_id: int


class Dismissed(Out):
    dismissed: list[int] = Field(description="the objection tasks dismissed")


# --- plans ----------------------------------------------------------------------------------------------------

class RouteEvidenceOut(Out):
    basis: str
    award: str | None = None
    years: int | None = None
    competition: str | None = None
    rank: int | None = None


class ScoreOut(Out):
    theory: float | None
    practical: float | None
    performance: float | None
    passed: bool
    route: str = Field("scored", description="scored (the parts) / direct_recognition 直接认定 / competition 竞赛晋升")
    evidence: RouteEvidenceOut | None = Field(None, description="what a route other than the parts rests on")


class CandidateOut(Out):
    id: int
    name: str
    id_number: str = Field(description="masked")
    relation: str
    level: str = Field(description="e.g. 三级/高级工")
    enterprise_title: str | None
    excluded_reason: str | None
    score: ScoreOut | None
    certificate_number: str | None
    certificate_status: str | None = Field(None, description="pending (not yet acknowledged nationally), valid, "
                                                             "revoked")
    national_refusal: str | None = Field(None, description="why the national system refused the certificate: "
                                                           "correct the holder's data (PATCH the candidate)")


class SupervisionOut(Out):
    """The centre sees the draw; the enterprise only learns of a check once it has taken place."""

    supervised: bool | None
    supervisor_id: int | None = None
    draw_id: int | None = None
    report: str | None = None
    verdict: str | None = None
    corrections: list[Any] | None = None
    corrections_answer: list[Any] | None = None
    corrections_answered_at: Timestamp | None = None


class DocumentsProgress(Out):
    rendered: int
    total: int


class PlanOut(Out):
    """An evaluation batch: status, deadlines, supervision, candidates with scores and certificates."""

    id: int
    institution_id: int
    status: str
    current_step: str | None
    profile: str
    handling_centre: str | None
    occupation_code: str
    evaluation_start: dt.date
    evaluation_end: dt.date
    filed_on: dt.date
    site: str
    supervision: SupervisionOut | None
    results_due: dt.date | None
    results_late: bool
    results_submitted_on: dt.date | None
    publicity: Period | None
    review_rounds: int
    outcome_reason: str | None
    candidates: list[CandidateOut]
    certificates_issued: int
    flow_run_id: str | None
    tasks: list[TaskOut]
    timers: list[TimerOut]
    objections: list[ObjectionOut]
    incidents: list[IncidentOut]
    history: list[HistoryEntry] | None = Field(None, description="absent from the answers of POSTs")
    documents: DocumentsProgress | None = Field(None, description="certificate PDFs rendered so far (GET only)")


class PlanRow(Out):
    id: int
    institution_id: int
    status: str
    current_step: str | None
    occupation_code: str
    evaluation_start: dt.date
    evaluation_end: dt.date
    region_code: str
    handling_centre: str | None
    profile: str
    created_at: Timestamp | None
    updated_at: Timestamp | None
    href: str


# --- institutions ---------------------------------------------------------------------------------------------

class LadderRung(Out):
    title: str
    level: str


class ScopeOccupation(Out):
    code: str
    name: str
    levels: list[str]


class OccupationOut(Out):
    """An occupation of the classification (职业分类大典), as one filing against it needs to know it."""

    code: str
    name: str
    access_type: bool  # 准入类职业资格: not for enterprise self-evaluation
    kind_label: Literal["准入类", "水平评价类"]
    skill_type: bool
    self_evaluable: bool  # skill-type and not 准入类: an enterprise may file it
    levels: list[int]  # the national levels one may file, 5 … 1
    level_labels: list[str]  # the same, as printed: 五级/初级工 …


class InstitutionPublic(Out):
    """A catalogue entry: name, region, certificate-number segment, filed scope and own ladder."""

    id: int
    name: str
    region_code: str
    segment: str | None
    registered_on: dt.date | None
    status: str
    ladder: list[LadderRung]
    occupations: list[ScopeOccupation]


class InactivityClock(Out):
    """The two-year inactivity clock (视同自行退出, 004 §六(三)) of a registered institution."""

    active_since: dt.date
    withdrawal_on: dt.date
    warning_on: dt.date
    provisional: bool
    warned_on: dt.date | None


class InactivityRemoval(Out):
    """The removal from the catalogue, once it happened."""

    removed_on: dt.date | None
    removal_reason: str | None


class InstitutionOut(InstitutionPublic):
    inactivity: InactivityClock | InactivityRemoval | None


class InstitutionRow(Out):
    id: int
    name: str
    credit_code: str
    kind: str
    status: str
    region_code: str
    segment: str | None
    profile: str
    registered_on: dt.date | None
    created_at: Timestamp | None
    updated_at: Timestamp | None
    href: str


class Removal(Out):
    id: int
    name: str
    region_code: str
    segment: str | None
    removed_on: dt.date
    reason: str | None
    reason_label: str


# --- certificates and revocations -----------------------------------------------------------------------------

class CertificatePublic(Out):
    """What anyone verifying a certificate sees (the ID number masked)."""

    number: str
    holder_name: str
    id_number: str
    occupation_code: str
    occupation_name: str
    level: str
    enterprise_title: str | None
    institution: str | None
    issued_on: dt.date
    status: Literal["pending", "valid", "revoked"]
    status_label: str
    national_acknowledged_at: Timestamp | None
    revoked_on: dt.date | None


class CertificateOut(CertificatePublic):
    plan_id: int
    national_refusal: str | None


class HolderLink(Out):
    url: str
    expires_on: dt.date


class HolderLinksRevoked(Out):
    number: str
    holder_link_version: int


class RevocationOut(Out):
    id: int
    plan_id: int
    status: str
    certificate_numbers: list[str]
    category: str
    category_label: str
    reason: str
    requested_by: int
    approved_by: int | None
    revoked_on: dt.date | None
    flow_run_id: str | None
    supervision_case_id: int | None


# --- lists and the event feed ---------------------------------------------------------------------------------

class EventOut(Out):
    id: int = Field(description="stable: the same event always has the same id (use it to de-duplicate)")
    type: str
    case_type: str
    case_id: int
    occurred_at: Timestamp = Field(description="on the business clock")
    recorded_at: Timestamp
    data: Json


class EventFeed(Out):
    items: list[EventOut]
    next_cursor: str = Field(description="pass as `after` next time; returned even when nothing is new")
    has_more: bool


# --- publicity ------------------------------------------------------------------------------------------------

class PublicityPeriod(Out):
    start: dt.date
    end: dt.date
    working_days_left: int
    provisional: bool
    explanation: str | None = Field(None, description="how the end was counted: the working days, the days skipped")


class OccupationName(Out):
    code: str
    name: str


class InspectionPublic(Out):
    """One on-site inspection's result, as published (双随机、一公开)."""

    id: int
    institution_id: int
    institution_name: str
    region: str = Field(description="the institution's registered division, by name")
    occupation: OccupationName
    evaluated_on: dt.date
    reported_on: dt.date
    method: str = Field(description="how the batch was drawn: 双随机抽查 / 抽查 / 随机督导")
    finding: str = Field(description="未发现问题 / 发现问题，责令整改 / 发现严重违规")
    outcome: str


class PublicityCandidate(Out):
    id: int
    name: str
    id_number: str
    level: str
    result: str


class Publicity(Out):
    """One case in publicity: a filing's evaluation result, or a batch's results."""

    kind: Literal["filing", "plan"]
    kind_name: str
    id: int
    region_code: str
    publicity: PublicityPeriod
    enterprise_name: str | None = Field(None, description="filings")
    occupations: list[ScopeOccupation] | None = Field(None, description="filings")
    institution_name: str | None = Field(None, description="batches")
    occupation: OccupationName | None = Field(None, description="batches")
    evaluation_start: dt.date | None = Field(None, description="batches")
    evaluation_end: dt.date | None = Field(None, description="batches")
    candidates: list[PublicityCandidate] | None = Field(None, description="batches")


class PublicObjectionCreated(Out):
    objection_id: int
    receipt_number: str  # the objector's handle: GET /api/v1/public/objections/{receipt_number}
    case_type: str
    case_id: int
    status: Literal["under_investigation"]


class ObjectionPublic(Out):
    """Where an objection stands, for whoever holds its receipt: never the grounds, the contact or who
    investigated."""

    receipt_number: str
    publicity: str
    raised_on: dt.date
    status: str
    closed: bool
    outcome: Literal["upheld", "dismissed"] | None
    outcome_label: str | None


# --- supervision ----------------------------------------------------------------------------------------------

class ComplaintReceipt(Out):
    receipt_number: str
    status: str
    lookup: str


class ComplaintPublic(Out):
    receipt_number: str
    status: str
    closed: bool
    outcome: str | None
    outcome_label: str | None
    registered_on: dt.date


class CreditEntryOut(Out):
    id: int
    subject_type: str
    credit_code: str | None
    institution_id: int | None
    person_name: str | None
    person_user_id: int | None
    kind: str
    kind_label: str
    reason: str
    case_id: int | None
    valid_from: dt.date
    valid_until: dt.date
    status: Literal["holds", "expired", "future"]
    decided_by: int | None
    approved_by: int | None


class SupervisionCaseOut(Out):
    """A supervision case. The institution sees what is asked of it; the complaint and its author, the
    actions, the credit record, tasks and history are the officers'."""

    id: int
    receipt_number: str | None
    source: str
    source_label: str
    institution_id: int
    institution_name: str
    plan_id: int | None
    certificate_number: str | None
    centre: str
    status: str
    status_label: str
    outcome: str | None
    outcome_label: str | None
    outcome_reason: str | None
    flow_run_id: str | None
    explanations: list[Json]
    rectifications: list[Json]
    created_at: Timestamp
    updated_at: Timestamp
    timers: list[TimerOut]
    text: str | None = None
    contact_name: str | None = None
    contact_phone: str | None = None
    opened_by: int | None = None
    actions: list[Json] | None = None
    credit_record: list[CreditEntryOut] | None = None
    institution_status: str | None = None
    tasks: list[TaskOut] | None = None
    history: list[HistoryEntry] | None = None


# --- files ----------------------------------------------------------------------------------------------------

class FileOut(Out):
    id: int
    kind: str
    label: str
    round: int
    sha256: str
    size: int
    media_type: str
    filename: str
    uploaded_at: Timestamp
    download: str = Field(description="the path to download it from")


class FileStored(FileOut):
    created: bool = Field(description="false: the same bytes were already on file for this kind and round")


class FileList(Out):
    files: list[FileOut]


# --- webhooks -------------------------------------------------------------------------------------------------

class WebhookOut(Out):
    id: int
    url: str
    events: list[str]
    enabled: bool
    disabled_reason: str | None
    allow_internal: bool
    created_at: Timestamp
    updated_at: Timestamp
    secret: str | None = Field(None, description="only in the answer that creates the endpoint")


class DeliveryOut(Out):
    id: int
    event_id: int
    event_type: str
    case: str
    status: str
    attempts: int
    last_status: int | None
    last_error: str | None
    next_attempt_at: Timestamp | None
    delivered_at: Timestamp | None


# --- operations and administration -----------------------------------------------------------------------------

class BreachOut(Out):
    id: int
    level: str
    level_name: str
    step: str
    step_name: str
    case_type: str
    case_id: int
    jurisdiction: str
    institution_id: int | None
    due_date: dt.date
    opened_on: dt.date
    overdue_working_days: int
    notify: str
    notified: bool
    closed_on: dt.date | None


class AtRiskOut(Out):
    id: int
    step: str
    step_name: str
    case_type: str
    case_id: int
    jurisdiction: str
    institution_id: int | None
    due_date: dt.date
    working_days_left: int
    provisional: bool
    paused_working_days: int


class CalendarDay(Out):
    date: dt.date
    kind: Literal["holiday", "workday"]


class CalendarYearOut(Out):
    year: int
    official: bool
    provisional: bool
    source: str
    days: list[CalendarDay] = Field(description="the exceptions: holidays on weekdays and make-up workdays")


class ClockMoved(Out):
    business_now: Timestamp
    business_today: dt.date


class ClockOut(Out):
    business_now: Timestamp
    mode: Literal["simulated", "real"]


class IncidentRetried(Out):
    id: int
    status: str


class AccountBound(Out):
    user_id: int
    institution_id: int | None


class UserDisabled(Out):
    user_id: int
    disabled_at: str
    already: bool = Field(description="true: the account was disabled before; nothing changed")
    tokens_revoked: list[int] = []
    sessions_ended: int = 0
    tasks_released: list[int] = Field(default=[], description="claimed tasks given back (a drawn seat drawn again)")
    webhooks_stopped: list[int] = []


class UserEnabled(Out):
    user_id: int
    already: bool = Field(description="true: the account was not disabled")


class RegionChanged(Out):
    institution_id: int
    region_code: str


class AnchorOut(Out):
    """A daily anchor of the audit trail: hand `anchor_hash` (with its date) to an outside party."""

    anchored_on: dt.date
    last_event_id: int
    entries: int = Field(description="entries in the global chain up to `last_event_id`")
    global_hash: str
    previous_hash: str = Field(description="the anchor before it (anchors form a chain of their own)")
    anchor_hash: str
    created_at: Timestamp


class RetentionRow(Out):
    case_type: Literal["filing", "plan"]
    case_id: int
    institution_id: int
    kept_until: dt.date | None = Field(description="the last day the files had to be kept")
    reason: str
    files: list[int] = Field(description="the uploaded files a purge removes")
    bytes: int


class RetentionReport(Out):
    as_of: dt.date
    purgeable: list[RetentionRow] = Field(description="`certflow retention purge` removes exactly these files")
    held: list[RetentionRow] = Field(description="past their period but under a legal hold")
    kept: int = Field(description="closed cases with files still inside their period (or in force)")


class PeriodOut(Out):
    code: str = Field(examples=["2026-Q3"])
    label: str
    start: dt.date
    end: dt.date


class CountBy(Out):
    outcome: str
    label: str
    count: int


class FilingFigures(Out):
    received: int = Field(description="applications filed in the period")
    decided: int = Field(description="filings whose case closed in the period")
    by_outcome: list[CountBy]


class StepDuration(Out):
    case_type: str
    step: str
    step_name: str
    count: int = Field(description="steps that ended in the period")
    median_working_days: float | None
    p90_working_days: float | None


class StatusCount(Out):
    status: str
    label: str
    count: int


class ResultsByOccupation(Out):
    occupation_code: str
    occupation_name: str
    level: str
    candidates: int
    scored: int
    passed: int
    pass_rate: float | None = Field(description="passed of those scored, in %")


class BatchFigures(Out):
    evaluated: int = Field(description="batches whose evaluation ended in the period")
    by_status: list[StatusCount]
    late_results: int
    candidates: int
    scored: int
    passed: int
    pass_rate: float | None
    by_occupation_and_level: list[ResultsByOccupation]


class LevelCount(Out):
    level: str
    count: int


class CertificateFigures(Out):
    issued: int
    revoked: int
    issued_by_level: list[LevelCount]


class StepCount(Out):
    step: str
    step_name: str
    count: int


class ComplaintFigures(Out):
    received: int
    by_outcome: list[CountBy]


class StatisticsOut(Out):
    """A jurisdiction's figures for a period (month, quarter or year), durations in working days."""

    period: PeriodOut
    jurisdiction: str
    filings: FilingFigures
    step_durations: list[StepDuration]
    batches: BatchFigures
    certificates: CertificateFigures
    sla_breaches: list[StepCount] = Field(description="breaches opened in the period, by step")
    complaints: ComplaintFigures


class QuarterlyReportOut(Out):
    """A city's quarterly report as sent: its figures, the PDF's digest, and the province's decision."""

    id: int
    jurisdiction: str
    province: str
    period: str
    period_label: str
    round: int = Field(description="1 the first time; a returned report is sent again as the next round")
    status: Literal["submitted", "accepted", "returned"]
    status_label: str
    submitted_by: int
    submitted_at: Timestamp
    note: str
    decided_by: int | None
    decided_at: Timestamp | None
    reason: str | None = Field(description="why the province returned it")
    pdf: str
    pdf_sha256: str
    figures: StatisticsOut


class Health(Out):
    status: Literal["ok"]


# The pages of the keyset-paginated lists (named, so a generated client has readable class names).
class TaskPage(Page[TaskOut]): pass  # noqa: E701
class FilingPage(Page[FilingRow]): pass  # noqa: E701
class PlanPage(Page[PlanRow]): pass  # noqa: E701
class InstitutionPage(Page[InstitutionRow]): pass  # noqa: E701
class CertificatePage(Page[CertificateOut]): pass  # noqa: E701
class InstitutionPublicPage(Page[InstitutionPublic]): pass  # noqa: E701
class RemovalPage(Page[Removal]): pass  # noqa: E701
class OccupationPage(Page[OccupationOut]): pass  # noqa: E701
class InspectionPage(Page[InspectionPublic]): pass  # noqa: E701
class PublicityPage(Page[Publicity]): pass  # noqa: E701
class SupervisionCasePage(Page[SupervisionCaseOut]): pass  # noqa: E701
class DeliveryPage(Page[DeliveryOut]): pass  # noqa: E701
class BreachPage(Page[BreachOut]): pass  # noqa: E701
class AtRiskPage(Page[AtRiskOut]): pass  # noqa: E701
class AnchorPage(Page[AnchorOut]): pass  # noqa: E701
class CreditEntries(Items[CreditEntryOut]): pass  # noqa: E701
class QuarterlyReportList(Items[QuarterlyReportOut]): pass  # noqa: E701
class WebhookList(Items[WebhookOut]): pass  # noqa: E701
