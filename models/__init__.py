"""SQLModel tables: our database is the system of record.

A surrogate key is typed `id: int` with a default of None: a stored row always has one, and the database
gives it at the flush that follows the insert (the checker would otherwise make every reader of a stored
row's id prove it again)."""

from models.accounts import ApiToken, IdempotencyRecord, LoginThrottle, RateBucket, User, WebSession  # noqa: F401
from models.audit import AuditAnchor, AuditChain, AuditEvent, LegalHold  # noqa: F401
from models.calendar import CalendarDay, CalendarYear  # noqa: F401
from models.cases import (  # noqa: F401
    Candidate,
    Certificate,
    DeficiencyNotice,
    DrawRecord,
    EvaluationPlan,
    FilingApplication,
    FilingMaterial,
    FilingOccupation,
    Institution,
    InstitutionOccupation,
    Objection,
    Revocation,
    Score,
    SegmentCounter,
    SerialCounter,
)
from models.catalogue import OccupationRecord  # noqa: F401
from models.integration import CaseFile, WebhookDelivery, WebhookEndpoint  # noqa: F401
from models.reports import QuarterlyReport  # noqa: F401
from models.sla import SlaBreach, SlaClock, SlaPause  # noqa: F401
from models.supervision import CreditEntry, SupervisionCase  # noqa: F401
from models.workflow import (  # noqa: F401
    BusinessClock,
    ExternalSubmission,
    HumanTask,
    Incident,
    OutboxMessage,
    TickHeartbeat,
    Timer,
    Wakeup,
)
