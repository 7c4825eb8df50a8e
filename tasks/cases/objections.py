"""Objections during a publicity period (公示异议): each becomes an investigation task at once.

Who investigates is the profile's `results_objections_investigated_by`: the handling centre, or (Gansu,
004 §五(四)) the enterprise's own certification body (工作机构), whose finding the centre then reviews —
it confirms it, or sends it back for a new investigation. An objection's tasks are keyed
`objection:{id}` (the first investigation), `objection:{id}:{n}` (the n-th, n ≥ 2) and
`objection:{id}:review:{n}` (the centre's review of the n-th)."""

from __future__ import annotations

from collections.abc import Sequence

from sqlmodel import Session, col, select

from core.clock import china_date
from models import responses as out
from models.accounts import User
from models.case_kinds import publicised_case
from models.cases import Candidate, EvaluationPlan, FilingApplication, Institution, Objection
from models.clock import business_instant, business_today
from models.schemas import DecisionIn, ObjectionCreate, PublicObjectionCreate
from models.workflow import HumanTask
from policy.credit import new_receipt_number
from policy.eligibility import Violation
from policy.profiles import get_profile
from tasks.cases import decisions, investigations
from tasks.cases.investigations import tasks_of
from tasks.errors import Conflict, NotFound, Problems
from tasks.people import access
from tasks.queries.publicity import KINDS as PUBLICITY_KINDS
from tasks.records import audit
from tasks.waits import human_tasks
from tasks.waits.human_tasks import ensure_task

MAX_PER_PERSON = 3  # objections one person may raise on one case in all (one open at a time)


def raise_objection(session: Session, *, case_type: str, case_id: int, user: User, body: ObjectionCreate) -> Objection:
    """公示异议: anyone signed in may object while a case is publicised (publicity is public); a case
    that is not publicised is answered as unknown to whoever may not see it otherwise."""
    case = publicised_case(session, case_type, case_id)
    if case is None or not in_publicity(session, case):
        if case is None or not _may_see(session, user, case_type, case_id):
            raise NotFound(f"{case_type} {case_id} does not exist")
        raise Conflict(f"{case_type} {case_id} is not in its publicity period"
                       + (f" ({case.publicity_start} – {case.publicity_end})" if case.publicity_start else ""))
    earlier = session.exec(select(Objection).where(Objection.case_type == case_type, Objection.case_id == case_id,
                                                   Objection.raised_by == user.id)).all()
    return _record(session, case_type, case, text=body.text, contact=body.contact, candidate_id=body.candidate_id,
                   earlier=earlier, raised_by=user.id, actor_role=user.role)


def raise_public_objection(session: Session, *, body: PublicObjectionCreate) -> Objection:
    """An objection from the public publicity page, by a person without an account: the same rules
    (one open per person and case, at most three), the person known by the phone number given."""
    case = publicised_case(session, body.case_type, body.case_id)
    if case is None or not in_publicity(session, case):  # publicity is what is public: nothing else is told
        raise NotFound(f"no publicity of {body.case_type} {body.case_id} is open")
    earlier = session.exec(select(Objection).where(
        Objection.case_type == body.case_type, Objection.case_id == body.case_id, col(Objection.raised_by).is_(None),
        Objection.contact == body.phone)).all()
    return _record(session, body.case_type, case, text=body.text, contact=body.phone, candidate_id=body.candidate_id,
                   earlier=earlier, raised_by=None, actor_role="public", objector_name=body.name)


def in_publicity(session: Session, case: FilingApplication | EvaluationPlan | None) -> bool:
    today = business_today(session)
    return case is not None and case.status == "publicity" and case.publicity_start is not None and (
        case.publicity_start <= today <= (case.publicity_end or today))


def _record(session: Session, case_type: str, case: FilingApplication | EvaluationPlan, *, text: str, contact: str,
            candidate_id: int | None, earlier: Sequence[Objection], raised_by: int | None, actor_role: str,
            objector_name: str = "") -> Objection:
    case_id = case.id
    if candidate_id is not None:
        candidate = session.get(Candidate, candidate_id)
        if case_type != "plan" or candidate is None or candidate.plan_id != case_id:
            raise NotFound(f"candidate {candidate_id} is not in this batch")
    still_open = [o for o in earlier if _under_investigation(session, o.id)]
    if still_open:
        raise Conflict(f"您对此案件的异议 {still_open[0].id} 尚在调查中，调查结束前不能再提 / your objection "
                       f"{still_open[0].id} on this case is still being investigated")
    if len(earlier) >= MAX_PER_PERSON:
        raise Conflict(f"每人对同一案件最多提出 {MAX_PER_PERSON} 次异议 / at most {MAX_PER_PERSON} objections "
                       f"per person and case")
    profile = get_profile(case.profile_code)
    by_enterprise = isinstance(case, EvaluationPlan) and profile.results_objections_investigated_by == "enterprise"
    objection = Objection(case_type=case_type, case_id=case_id, candidate_id=candidate_id, raised_by=raised_by,
                          objector_name=objector_name, text=text, contact=contact, raised_at=business_instant(session),
                          receipt_number=new_receipt_number(business_today(session), "YY"),
                          investigated_by="enterprise" if by_enterprise else "centre")
    session.add(objection)
    session.flush()
    # the investigation has its own working-day budget and SLA clock: an objection cannot hold a
    # case longer than that without the centre's lead being told
    if isinstance(case, EvaluationPlan) and by_enterprise:
        investigations.open_enterprise_investigation(session, case, objection, round_no=1)
    else:
        ensure_task(session, key=f"objection:{objection.id}", case_type=case_type, case_id=case_id,
                    step="objection_investigation", role="officer",
                    jurisdiction=case.handling_centre or case.region_code,
                    due_working_days=profile.sla["objection_investigation"].budget, flow_run_id=case.flow_run_id)
    audit.record(session, case_type=case_type, case_id=case_id, action="objection_raised", actor_id=raised_by,
                 actor_role=actor_role, after={"objection_id": objection.id, "candidate_id": candidate_id,
                                               "without_account": raised_by is None,
                                               "investigated_by": objection.investigated_by})
    return objection


OUTCOME_LABELS = {"upheld": "异议成立", "dismissed": "异议不成立"}


def by_receipt(session: Session, receipt_number: str) -> Objection:
    objection = session.exec(select(Objection).where(Objection.receipt_number == receipt_number)).first()
    if objection is None:
        raise NotFound("没有这个异议受理编号 / no objection has this receipt number")
    return objection


def public_view(session: Session, objection: Objection) -> out.ObjectionPublic:
    """What the objector sees by the receipt number: which publicity, where the objection stands and, once
    investigated, its outcome — never the grounds, the contact or who investigated."""
    case = publicised_case(session, objection.case_type, objection.case_id)
    if isinstance(case, FilingApplication):
        subject = case.form.get("enterprise_name") or ""
    else:
        institution = session.get(Institution, case.institution_id) if case is not None else None
        subject = institution.name if institution is not None else ""
    tasks = tasks_of(session, objection.id)
    finding = _finding(tasks)
    outcome = objection.outcome or (("upheld" if finding.decision == "uphold" else "dismissed") if finding else None)
    if outcome is not None:
        status = "调查结束"
    elif tasks and tasks[-1].status == "cancelled":
        status = "已终止（该公示的案件已结束办理）"
    else:
        status = "已受理，调查核实中"
    return out.ObjectionPublic(receipt_number=objection.receipt_number,
        publicity=f"{PUBLICITY_KINDS[objection.case_type]}：{subject}",
        raised_on=china_date(objection.raised_at), status=status,
        closed=outcome is not None or status.startswith("已终止"), outcome=outcome,
        outcome_label=OUTCOME_LABELS.get(outcome or ""))


def _closed(tasks: list[HumanTask]) -> bool:
    """Investigated for good: the centre's own investigation decided, or the enterprise's finding
    confirmed by the centre's review."""
    if not tasks or tasks[-1].status != "decided":
        return False
    last = tasks[-1]
    return last.step == "objection_investigation" or (last.step == "objection_review" and last.decision == "confirm")


def _finding(tasks: list[HumanTask]) -> HumanTask | None:
    """The investigation whose decision is the objection's outcome (the last one, once closed)."""
    investigations = [t for t in tasks if t.step in ("objection_investigation", "objection_enterprise_investigation")]
    return investigations[-1] if investigations and _closed(tasks) else None


def _under_investigation(session: Session, objection_id: int) -> bool:
    """Not yet investigated for good (the outcome is written later, by the flow)."""
    tasks = tasks_of(session, objection_id)
    return bool(tasks) and not _closed(tasks) and tasks[-1].status != "cancelled"


def _may_see(session: Session, user: User, case_type: str, case_id: int) -> bool:
    try:
        access.visible_case(session, user, case_type, case_id)
    except NotFound:
        return False
    return True


def same_text(text: str) -> str:
    """Objections count as identical when their words are (spacing and case aside)."""
    return " ".join(text.split()).casefold()


def identical_open(session: Session, task: HumanTask) -> tuple[str, list[int]]:
    """For an investigation task: its objection's text and the open objections of the case that say
    the same (this one included), oldest first."""
    objection = session.get(Objection, int(task.key.split(":", 1)[1])) if task.key.startswith("objection:") else None
    if objection is None:
        return "", []
    same = [o for o in session.exec(select(Objection).where(Objection.case_type == task.case_type,
                                                            Objection.case_id == task.case_id)
                                    .order_by(col(Objection.id))).all()
            if same_text(o.text) == same_text(objection.text)]
    open_ids = [o.id for o in same if _under_investigation(session, o.id)]
    return objection.text, open_ids


def dismiss_identical(session: Session, *, case_type: str, case_id: int, objection_ids: list[int], reason: str,
                      officer: User) -> list[HumanTask]:
    """One decision for a batch of identical objections (a campaign of copies): each investigation
    is claimed and dismissed with the same reason, each recorded as its own decision."""
    rows = session.exec(select(Objection).where(col(Objection.id).in_(objection_ids), Objection.case_type == case_type,
                                                Objection.case_id == case_id)).all()
    found = {o.id for o in rows}
    missing = [i for i in objection_ids if i not in found]
    if missing:
        raise NotFound(f"objection {missing[0]} is not on this case")
    if len({same_text(o.text) for o in rows}) > 1:
        raise Problems([Violation("objections.not_identical", "objection_ids",
                                  "只能批量驳回内容相同的异议 / only identical objections are dismissed together")])
    if any(o.investigated_by != "centre" for o in rows):
        raise Conflict(
            "企业工作机构调查的异议由中心逐件审核，不能批量驳回 / objections the enterprise investigates are "
            "reviewed one by one"
        )
    decided = []
    for objection in rows:
        task = human_tasks.get_by_key(session, f"objection:{objection.id}")
        if task is None or task.status not in human_tasks.OPEN_STATES:
            raise Conflict(f"objection {objection.id} is investigated already")
        human_tasks.claim(session, task, user_id=officer.id, role=officer.role)
        decided.append(
            decisions.decide(session, task=task, user=officer, body=DecisionIn(decision="dismiss", reason=reason))
        )
    audit.record(
        session,
        case_type=case_type,
        case_id=case_id,
        action="objections_dismissed_together",
        actor_id=officer.id,
        actor_role=officer.role,
        after={"objection_ids": sorted(found), "reason": reason},
    )
    return decided


def _with_tasks(session: Session, case_type: str, case_id: int) -> list[tuple[Objection, list[HumanTask]]]:
    objections = session.exec(
        select(Objection).where(Objection.case_type == case_type, Objection.case_id == case_id)
    ).all()
    return [(o, tasks_of(session, o.id)) for o in objections]


def investigations_closed(session: Session, *, case_type: str, case_id: int) -> bool:
    """True when every objection of the case is investigated for good (reads only)."""
    return all(_closed(tasks) for _, tasks in _with_tasks(session, case_type, case_id))


def record_outcomes(session: Session, *, case_type: str, case_id: int) -> list[Objection]:
    """Write each investigated objection's outcome; returns the upheld ones."""
    upheld_ones = []
    for objection, tasks in _with_tasks(session, case_type, case_id):
        finding = _finding(tasks)
        if finding is not None and objection.outcome is None:
            objection.outcome = "upheld" if finding.decision == "uphold" else "dismissed"
            objection.decided_at = tasks[-1].decided_at
            session.add(objection)
        if objection.outcome == "upheld":
            upheld_ones.append(objection)
    return upheld_ones
