"""Institution filing (备案), Process 1: the facts each step reads and writes. Idempotent by design."""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlmodel import Session, col, func, select

from core.clock import wall_now
from models.accounts import User
from models.audit import AuditEvent
from models.case_kinds import PROCESSES
from models.cases import (
    DeficiencyNotice,
    DrawRecord,
    FilingApplication,
    FilingMaterial,
    FilingOccupation,
    Institution,
    InstitutionOccupation,
    PilotPlan,
    SegmentCounter,
)
from models.catalogue import OccupationRecord
from models.clock import business_instant, business_today
from models.db import locked_row, stored
from models.facts import FilingFlowFacts
from models.schemas import FilingCreate, LadderFiling, PilotPlanCreate, ResubmissionCreate
from models.workflow import HumanTask
from policy import draws as draw_rules
from policy.eligibility import (
    FilingFacts,
    OccupationRequest,
    Violation,
    check_filing,
    expert_panel_passes,
    scope_change_problems,
)
from policy.levels import EnterpriseLadder, Level
from policy.numbering import next_institution_segment
from policy.occupations import Occupation
from policy.processes import RoutingProblem, centre_of, filing_handling_level, has_step
from policy.profiles import ProvinceProfile, get_profile, profile_for_region
from policy.regions import is_region_code, registration_region_problem, within_jurisdiction
from tasks.cases import credit
from tasks.errors import Conflict, NotFound, Problems
from tasks.people.access import manages_institutions_of
from tasks.records import audit, draws
from tasks.waits.human_tasks import cancel_open_tasks, wake

# Violations the enterprise can correct in a resubmission go to the one-time notice;
# the others make the application inadmissible and are refused at once.
CORRECTABLE = {"material.missing", "material.unknown", "contact.phone", "contact.name_missing"}
ACTIVE_STATES = ("submitted", "city_recommendation", "in_acceptance", "awaiting_resubmission", "expert_evaluation",
                 "best_selection", "leading_group_approval", "publicity", "cities_report", "ministry_review",
                 "ministry_refused")
# the status a filing has while a step of its profile's list holds it
STEP_STATUS = {"city_recommendation": "city_recommendation", "acceptance": "in_acceptance",
               "expert_evaluation": "expert_evaluation",
               "best_selection": "best_selection", "leading_group_approval": "leading_group_approval",
               "publicity": "publicity", "cities_report": "cities_report", "ministry_review": "ministry_review"}


_catalogue_cache: dict[tuple[str, int], dict[str, Occupation]] = {}


def catalogue(session: Session) -> dict[str, Occupation]:
    """The occupation catalogue, cached per database until its size changes (imports add rows;
    an import that only updates flags calls `forget_catalogue`)."""
    size = session.exec(select(func.count()).select_from(OccupationRecord)).one()
    key = (str(session.get_bind().engine.url), size)
    cached = _catalogue_cache.get(key)
    if cached is None:
        cached = {o.code: Occupation(o.code, o.name, o.access_type, o.skill_type)
                  for o in session.exec(select(OccupationRecord)).all()}
        _catalogue_cache.clear()
        _catalogue_cache[key] = cached
    return cached


def forget_catalogue() -> None:
    _catalogue_cache.clear()


def _facts(form: dict[str, Any], materials: set[str]) -> FilingFacts:
    return FilingFacts(
        enterprise_name=form["enterprise_name"], credit_code=form["credit_code"], region_code=form["region_code"],
        employees=form["employees"],
        occupations=[OccupationRequest(o["code"], o["levels"], o.get("position_name", ""), o.get("mapping_reason", ""),
                                       o.get("norm"))
                     for o in form["occupations"]],
        materials=frozenset(materials), contact_name=form["contact_name"], contact_phone=form["contact_phone"],
    )


def profile_of(region_code: str) -> ProvinceProfile:
    profile = profile_for_region(region_code)
    if profile is None:
        raise Problems([Violation("enterprise.region_unsupported", "region_code",
                                  f"{region_code} 所在省份尚未接入本系统 / no province profile governs {region_code}")])
    return profile


def submit_filing(session: Session, *, applicant: User, form: FilingCreate) -> FilingApplication:
    """Record the application and an outbox row to start `institution_filing` (one transaction)."""
    data = form.model_dump()
    profile = profile_of(form.region_code)
    violations = check_filing(_facts(data, {m.kind for m in form.materials}), profile, catalogue(session))
    violations += credit.filing_refusal(session, form.credit_code)
    blocking = [v for v in violations if v.code not in CORRECTABLE
                and not (form.scope_change and v.code == "occupation.none")]  # a change may only drop
    if blocking:
        raise Problems(blocking)
    institution = applicant_institution(session, applicant=applicant, form=form, profile=profile)
    now = business_instant(session)
    if institution.status == "registered" and not form.scope_change:
        raise Conflict(f"institution {institution.id} is registered already (segment {institution.segment}); to add "
                       f"or drop occupations, file a change of scope (变更备案: scope_change)")
    if form.scope_change:
        _check_scope_change(session, institution, form, profile)
    active = session.exec(select(FilingApplication).where(FilingApplication.institution_id == institution.id,
                                                          col(FilingApplication.status).in_(ACTIVE_STATES))).first()
    if active is not None:  # the applicant's own institution: telling its filing apart is no disclosure
        raise Conflict(f"your filing {active.id} is still in progress ({active.status})")
    # the handling centre follows the institution's registered region, never the form's
    centre = handling_centre(form, profile, institution.region_code)
    filing = FilingApplication(institution_id=institution.id, applicant_id=applicant.id, profile_code=profile.code,
                               region_code=institution.region_code, handling_centre=centre, form=data,
                               created_at=now, updated_at=wall_now())  # updated_at: the wall clock, always
    session.add(filing)
    session.flush()
    for occupation in form.occupations:
        levels = "".join(sorted({str(Level.parse(x).value) for x in occupation.levels}))
        session.add(FilingOccupation(filing_id=filing.id, occupation_code=occupation.code, levels=levels,
                                     basis=occupation.basis, position_name=occupation.position_name,
                                     mapping_reason=occupation.mapping_reason))
    _add_materials(session, filing.id, 0, form.materials, now)
    audit.record(session, case_type="filing", case_id=filing.id, action="filing_submitted", actor_id=applicant.id,
                 actor_role=applicant.role, after={"institution_id": institution.id, "profile": profile.code,
                                                   "handling_centre": centre, "scope_change": form.scope_change})
    if form.scope_change and not form.occupations:  # only drops: nothing to evaluate, the change holds at once
        register_institution(session, filing_id=filing.id)
        return filing
    session.add(PROCESSES["institution_filing"].start(filing.id, now))
    return filing


def _check_scope_change(session: Session, institution: Institution, form: FilingCreate,
                        profile: ProvinceProfile) -> None:
    """变更备案: only a registered institution changes its scope; what it adds and drops must make sense."""
    if institution.status != "registered":
        raise Conflict(f"only a registered institution files a change of scope; institution {institution.id} is "
                       f"{institution.status}")
    additions = [OccupationRequest(o.code, o.levels) for o in form.occupations]
    drops = [(d.code, d.levels) for d in form.drop_occupations]
    problems = scope_change_problems(filed_scope_of(session, institution.id), additions, drops, profile)
    if problems:
        raise Problems(problems)


def filed_scope_of(session: Session, institution_id: int) -> dict[str, frozenset[Level]]:
    rows = session.exec(select(InstitutionOccupation).where(InstitutionOccupation.institution_id == institution_id))
    return {r.occupation_code: frozenset(Level(int(d)) for d in r.levels) for r in rows}


def handling_centre(form: FilingCreate, profile: ProvinceProfile, region_code: str) -> str:
    """受理中心 by the profile's routing (004 §四(一), 003 §二(二)); a central-enterprise branch stays
    inside the scope it filed with the ministry where the profile says so (004 §一(一))."""
    try:
        level = filing_handling_level(profile, ownership=form.ownership, provincial_owned=form.provincial_owned,
                                      chosen=form.handled_by)
    except RoutingProblem as problem:
        raise Problems([Violation("filing.routing", problem.field, str(problem))]) from None
    if form.ownership == "central_branch" and profile.central_branches_within_ministry_scope:
        filed = set(form.ministry_filed_occupations)
        if not filed:
            raise Problems([Violation("filing.ministry_scope_missing", "ministry_filed_occupations",
                                      "央企驻地单位须列明在人社部备案的职业（双备案） / a central-enterprise branch "
                                      "lists the occupations its group filed with the ministry")])
        outside = [(i, o.code) for i, o in enumerate(form.occupations) if o.code not in filed]
        if outside:
            raise Problems([Violation("filing.outside_ministry_scope", f"occupations[{i}].code",
                                      f"{code} 不在人社部备案范围内 / outside the scope filed with the ministry")
                            for i, code in outside])
    return centre_of(region_code, level)


def centres(filing: FilingApplication) -> dict[str, str]:
    """Which centre takes a step `by` handling / municipal / provincial (policy/processes.py)."""
    profile = get_profile(filing.profile_code)
    handling = filing.handling_centre or centre_of(filing.region_code, profile.filing_handled_by)
    return {"handling": handling, "municipal": centre_of(filing.region_code, "municipal"),
            "provincial": centre_of(filing.region_code, "provincial")}


def is_at_step(session: Session, *, filing_id: int, step: str) -> bool:
    """The case is at this step already (entering it again changes nothing)."""
    filing = _get(session, filing_id)
    return (filing.status, filing.current_step) == (STEP_STATUS[step], step)


def enter_step(session: Session, *, filing_id: int, step: str, also_from: tuple[str, ...] = ()) -> None:
    """The case moves to a step of its profile's list, only from a step listed before it (a replay
    never moves a case back)."""
    filing = _get(session, filing_id)
    codes = [s.step for s in get_profile(filing.profile_code).filing_steps]
    earlier = {"submitted"} | {STEP_STATUS[c] for c in codes[:codes.index(step)] if c in STEP_STATUS}
    set_step(session, filing_id=filing_id, status=STEP_STATUS[step], step=step, only_from=(*earlier, *also_from))


# -- 试点方案 (003 §二(三)): after registration, before any evaluation plan -------------------------


def awaiting_pilot_plan(session: Session, *, filing_id: int, round_no: int) -> None:
    set_step(session, filing_id=filing_id, status="registered", step="pilot_plan_submission",
             only_from=("registered",))


def submit_pilot_plan(session: Session, *, filing_id: int, user: User, body: PilotPlanCreate) -> PilotPlan:
    filing = _get(session, filing_id)
    if filing.current_step != "pilot_plan_submission":
        raise Conflict("这份备案当前不收试点方案 / this filing is not waiting for a pilot plan"
                       + (f" (step {filing.current_step})" if filing.status == "registered" else ""))
    round_no = session.exec(select(func.count()).select_from(PilotPlan).where(PilotPlan.filing_id == filing_id)).one()
    plan = PilotPlan(filing_id=filing_id, round=round_no, summary=body.summary,
                     materials=[m.model_dump() for m in body.materials], submitted_by=user.id,
                     submitted_at=business_instant(session))
    session.add(plan)
    set_step(session, filing_id=filing_id, status="registered", step="pilot_plan_evaluation")
    audit.record(session, case_type="filing", case_id=filing_id, action="pilot_plan_submitted", actor_id=user.id,
                 actor_role=user.role, after={"round": round_no + 1, "materials": [m.kind for m in body.materials]})
    if filing.flow_run_id:
        wake(session, filing.flow_run_id, reason=f"filing {filing_id} pilot plan submitted")
    return plan


def pilot_plan_received(session: Session, *, filing_id: int, round_no: int) -> bool:
    return session.exec(select(PilotPlan.id).where(PilotPlan.filing_id == filing_id,
                                                   PilotPlan.round == round_no)).first() is not None


def draw_pilot_plan_panel(session: Session, *, filing_id: int, round_no: int, size: int) -> list[int | None]:
    """The pilot plan's panel, drawn like the filing's (回避: never the applicant's own staff)."""
    return pick_expert_panel(session, filing_id=filing_id, size=size, exclude=set(),
                             purpose=f"pilot_plan_panel:{round_no}")


def record_pilot_plan_result(session: Session, *, filing_id: int, round_no: int, task_keys: list[str]) -> bool:
    """A majority of the panel passes the plan: the institution may then file evaluation plans.
    Otherwise the reasons go back to the enterprise, which revises the plan (the next round)."""
    plan = session.exec(select(PilotPlan).where(PilotPlan.filing_id == filing_id, PilotPlan.round == round_no)).one()
    if plan.outcome is not None:
        return plan.outcome == "passed"
    tasks = session.exec(select(HumanTask).where(col(HumanTask.key).in_(task_keys))).all()
    passes = sum(t.decision == "pass" for t in tasks)
    passed = passes * 2 > len(tasks)
    plan.outcome, plan.decided_at = ("passed" if passed else "failed"), wall_now()
    plan.outcome_reasons = [(t.decision_payload or {}).get("reason", "") for t in tasks if t.decision == "fail"]
    session.add(plan)
    filing = _get(session, filing_id)
    if passed:
        institution = stored(session, Institution, filing.institution_id)
        institution.pilot_plan_approved_on = business_today(session)
        session.add(institution)
        set_step(session, filing_id=filing_id, status="registered", step="registered")
    else:
        set_step(session, filing_id=filing_id, status="registered", step="pilot_plan_submission")
    audit.record(session, case_type="filing", case_id=filing_id, action="pilot_plan_evaluated",
                 after={"round": round_no, "passed": passed, "passes": passes, "panel": len(tasks),
                        "reasons": plan.outcome_reasons})
    return passed


def applicant_institution(session: Session, *, applicant: User, form: FilingCreate,
                          profile: ProvinceProfile) -> Institution:
    """The institution this filing is for, by the account's binding, never by the form.

    - A bound account files for its institution only: the credit code must be that institution's,
      and the region its registered region (a change of region is recorded by the centre).
    - An unbound account may create a new institution for a credit code that no institution holds,
      registered in a region inside the code's registration authority's city, and is bound to it.
      A credit code held already needs the centre to bind the account (`certflow users bind`)."""
    credit_code = form.credit_code.upper()
    if applicant.institution_id is not None:
        institution = session.get(Institution, applicant.institution_id)
        if institution is None or institution.credit_code != credit_code:
            raise Problems([Violation("enterprise.not_yours", "credit_code",
                                      "该统一社会信用代码不属于您的机构 / this credit code is not your institution's")])
        if form.region_code != institution.region_code:
            raise Problems([Violation("enterprise.region_not_registered", "region_code",
                                      f"注册地须为登记的 {institution.region_code}；注册地变更由省级中心登记 / "
                                      f"the registered region is {institution.region_code}; a change of region "
                                      f"is recorded by the provincial centre")])
        return institution
    if session.exec(select(Institution.id).where(Institution.credit_code == credit_code)).first() is not None:
        raise Problems([Violation("enterprise.credit_code_held", "credit_code",
                                  "该统一社会信用代码已有机构登记，请联系省级中心核实身份后绑定账户 / an institution "
                                  "holds this credit code already: the provincial centre binds accounts to it "
                                  "after checking identity")])
    authority = credit_code[2:8]
    national = authority.startswith("10")  # registered by the national authority: no local city to compare
    if not national and not within_jurisdiction(form.region_code, authority[:4] + "00"):
        raise Problems(
            [
                Violation(
                    "enterprise.region_not_credit_code",
                    "region_code",
                    f"注册地 {form.region_code} 与信用代码登记机关 {authority} 不在同一地市；迁址企业请联系省级中心"
                    f"登记注册地 / {form.region_code} is not in the city of the code's registration "
                    f"authority ({authority}); the provincial centre records a moved institution",
                )
            ]
        )
    institution = Institution(
        name=form.enterprise_name,
        credit_code=credit_code,
        kind=form.institution_kind,
        region_code=form.region_code,
        profile_code=profile.code,
        created_at=wall_now(),
    )
    session.add(institution)
    session.flush()
    applicant.institution_id = institution.id
    session.add(applicant)
    audit.record(
        session,
        case_type="user",
        case_id=applicant.id,
        action="institution_bound",
        actor_id=applicant.id,
        actor_role=applicant.role,
        after={"institution_id": institution.id, "reason": "created by the account's first filing"},
    )
    return institution


def change_registered_region(
    session: Session, *, institution_id: int, region_code: str, reason: str, actor: User
) -> Institution:
    """注册地变更: an explicit, audited act of the provincial centre (or an administrator); later
    filings and plans are handled where the institution is now registered."""
    institution = session.get(Institution, institution_id)
    if institution is None or not manages_institutions_of(actor, institution.region_code):
        raise NotFound(f"institution {institution_id} does not exist")
    problems = []
    if not is_region_code(region_code):
        problems.append(Violation("institution.region_code", "region_code", f"{region_code} 不是行政区划代码"))
    elif (problem := registration_region_problem(region_code)) is not None:
        problems.append(Violation("institution.region_code", "region_code", problem))
    elif region_code[:2] != institution.region_code[:2] or not manages_institutions_of(actor, region_code):
        problems.append(
            Violation(
                "institution.region_outside_province",
                "region_code",
                "跨省迁移须重新备案 / a move to another province is a new filing there",
            )
        )
    if problems:
        raise Problems(problems)
    before = {"region_code": institution.region_code}
    institution.region_code = region_code
    session.add(institution)
    audit.record(
        session,
        case_type="institution",
        case_id=institution.id,
        action="registered_region_changed",
        actor_id=actor.id,
        actor_role=actor.role,
        before=before,
        after={"region_code": region_code, "reason": reason},
    )
    return institution


def file_ladder(session: Session, *, institution_id: int, body: LadderFiling, actor: User) -> Institution:
    """企业岗位等级对应关系 (004 §二): the enterprise files its own titles and the national level each
    corresponds to; later plans may evaluate under them and certificates print them. Filing the same
    ladder again changes nothing (no new audit entry)."""
    institution = session.get(Institution, institution_id)
    if institution is None or actor.institution_id != institution_id:
        raise NotFound(f"institution {institution_id} does not exist")
    if institution.status not in ("applying", "registered"):
        raise Conflict(f"institution {institution_id} is {institution.status}; its ladder cannot change")
    titles = [t.title for t in body.titles]
    duplicates = sorted({t for t in titles if titles.count(t) > 1})
    if duplicates:
        raise Problems([Violation("ladder.duplicate_title", "titles", f"岗位等级“{duplicates[0]}”重复 / listed twice")])
    try:
        ladder = EnterpriseLadder.build({t.title: t.level for t in body.titles})
    except ValueError as exc:
        raise Problems([Violation("ladder.invalid", "titles", str(exc))]) from exc
    rows = [{"title": row["title"], "level": row["level"]} for row in ladder.as_rows()]
    if rows == institution.ladder:
        return institution
    before = {"ladder": institution.ladder}
    institution.ladder = rows
    session.add(institution)
    audit.record(
        session,
        case_type="institution",
        case_id=institution.id,
        action="ladder_filed",
        actor_id=actor.id,
        actor_role=actor.role,
        before=before,
        after={"ladder": rows},
    )
    return institution


def ladder_of(institution: Institution) -> EnterpriseLadder:
    return EnterpriseLadder.build({row["title"]: row["level"] for row in institution.ladder})


def _add_materials(session: Session, filing_id: int, round_no: int, materials, now: dt.datetime) -> None:
    # the round's files uploaded first (POST …/materials), read in one query: a query per material flushed the
    # material added before it, one INSERT at a time inside the writer's turn
    uploads = {row.kind: row for row in session.exec(
        select(FilingMaterial).where(FilingMaterial.filing_id == filing_id, FilingMaterial.round == round_no))}
    seen = set()
    for material in materials:
        if material.kind in seen:
            raise Problems(
                [
                    Violation(
                        "material.duplicate",
                        f"materials.{material.kind}",
                        f"材料 {material.kind} 重复提交 / listed twice",
                    )
                ]
            )
        seen.add(material.kind)
        uploaded = uploads.get(material.kind)
        if uploaded is None:
            session.add(
                FilingMaterial(
                    filing_id=filing_id,
                    round=round_no,
                    kind=material.kind,
                    title=material.title,
                    sha256=material.sha256,
                    uri=material.uri,
                    submitted_at=now,
                )
            )
            continue
        if material.sha256 and uploaded.sha256 and material.sha256 != uploaded.sha256:
            raise Problems(
                [
                    Violation(
                        "file.sha256",
                        f"materials.{material.kind}",
                        f"材料 {material.kind} 的摘要与已上传文件不符 / the SHA-256 differs from the file "
                        f"uploaded for this round",
                    )
                ]
            )
        uploaded.title = material.title or uploaded.title
        session.add(uploaded)


def current_materials(session: Session, filing_id: int) -> set[str]:
    """Every material kind on file, across the original submission and resubmissions."""
    return set(session.exec(select(FilingMaterial.kind).where(FilingMaterial.filing_id == filing_id)).all())


def completeness_findings(session: Session, *, filing_id: int) -> list[dict[str, str]]:
    """The machine check before the officer looks: what the rules find missing now."""
    filing = _get(session, filing_id)
    violations = check_filing(
        _facts(filing.form, current_materials(session, filing_id)), get_profile(filing.profile_code), catalogue(session)
    )
    return [v.as_dict() for v in violations]


def set_step(
    session: Session, *, filing_id: int, status: str, step: str, only_from: tuple[str, ...] | None = None
) -> None:
    audit.move_case(
        session, _get(session, filing_id), case_type="filing", status=status, step=step, only_from=only_from
    )


def issue_deficiency_notice(
    session: Session, *, filing_id: int, round_no: int, items: list[str], officer_id: int | None
) -> DeficiencyNotice:
    """一次性告知: all deficiencies of this round in one notice (idempotent per round)."""
    existing = session.exec(
        select(DeficiencyNotice).where(DeficiencyNotice.filing_id == filing_id, DeficiencyNotice.round == round_no)
    ).first()
    if existing is not None:
        return existing
    notice = DeficiencyNotice(
        filing_id=filing_id,
        round=round_no,
        items=[{"text": t} for t in items],
        issued_at=business_instant(session),
        issued_by=officer_id,
    )
    session.add(notice)
    filing = _get(session, filing_id)
    filing.deficiency_rounds = round_no + 1
    session.add(filing)
    set_step(session, filing_id=filing_id, status="awaiting_resubmission", step="resubmission")
    audit.record(
        session,
        case_type="filing",
        case_id=filing_id,
        action="deficiency_notice_issued",
        actor_id=officer_id,
        actor_role="officer",
        after={"round": round_no + 1, "items": items},  # notice 1 is the first, as printed
    )
    return notice


def resubmit(session: Session, *, filing_id: int, user: User, body: ResubmissionCreate) -> DeficiencyNotice:
    filing = _get(session, filing_id)
    notice = session.exec(
        select(DeficiencyNotice).where(DeficiencyNotice.filing_id == filing_id)
        .order_by(col(DeficiencyNotice.round).desc())
    ).first()
    if notice is None or notice.resubmitted_at is not None or filing.status != "awaiting_resubmission":
        raise Conflict("no deficiency notice is waiting for a resubmission on this filing")
    now = business_instant(session)
    _add_materials(session, filing_id, notice.round + 1, body.materials, now)
    notice.resubmitted_at = now
    session.add(notice)
    set_step(session, filing_id=filing_id, status="in_acceptance", step="acceptance")
    audit.record(
        session,
        case_type="filing",
        case_id=filing_id,
        action="resubmitted",
        actor_id=user.id,
        actor_role=user.role,
        after={"round": notice.round + 1, "materials": [m.kind for m in body.materials], "note": body.note},
    )
    if filing.flow_run_id:
        wake(session, filing.flow_run_id, reason=f"filing {filing_id} resubmitted")
    return notice


def resubmission_received(session: Session, *, filing_id: int, round_no: int) -> bool:
    notice = session.exec(
        select(DeficiencyNotice).where(DeficiencyNotice.filing_id == filing_id, DeficiencyNotice.round == round_no)
    ).first()
    return notice is not None and notice.resubmitted_at is not None


def eligible_experts(session: Session, *, filing_id: int, exclude: set[int]) -> list[int]:
    """Experts who may sit on this filing's panel: never the officers who accepted it, the applicant,
    or anyone employed by the applying institution (回避)."""
    filing = _get(session, filing_id)
    experts = session.exec(
        select(User.id).where(
            User.role == "expert",
            col(User.disabled_at).is_(None),
            (col(User.institution_id).is_(None)) | (User.institution_id != filing.institution_id),
        )
    ).all()
    barred = credit.blacklisted_user_ids(session)
    return sorted(e for e in experts if e not in exclude and e not in barred and e != filing.applicant_id)


def pick_expert_panel(
    session: Session, *, filing_id: int, size: int, exclude: set[int], purpose: str = "expert_panel"
) -> list[int | None]:
    """A random panel drawn with a secret seed (its commitment in the audit trail). The first call
    draws; a replay finds the recorded draw. Seats without an available expert stay open."""
    recorded = session.exec(
        select(DrawRecord).where(
            DrawRecord.case_type == "filing", DrawRecord.case_id == filing_id, DrawRecord.purpose == purpose
        )
    ).first()
    if recorded is None:
        eligible = eligible_experts(session, filing_id=filing_id, exclude=exclude)
        seed = draw_rules.new_seed()
        recorded = draws.record(
            session,
            case_type="filing",
            case_id=filing_id,
            purpose=purpose,
            seed=seed,
            candidates=eligible,
            result={"chosen": draw_rules.draw_panel(seed, eligible, size)},
        )
    chosen: list[int | None] = list(recorded.result["chosen"])
    return chosen + [None] * (size - len(chosen))


def acceptance_deciders(session: Session, *, filing_id: int) -> set[int]:
    """The officers who decided this filing's acceptance (they may not sit on its panel)."""
    return {
        t.decided_by
        for t in session.exec(
            select(HumanTask).where(
                HumanTask.case_type == "filing", HumanTask.case_id == filing_id, HumanTask.step == "acceptance"
            )
        ).all()
        if t.decided_by
    }


def draw_expert_panel(session: Session, *, filing_id: int, size: int) -> list[int | None]:
    """专家遴选: the case moves to expert evaluation and its panel is drawn (once; a replay finds it)."""
    set_step(
        session, filing_id=filing_id, status="expert_evaluation", step="expert_evaluation", only_from=("in_acceptance",)
    )
    return pick_expert_panel(
        session, filing_id=filing_id, size=size, exclude=acceptance_deciders(session, filing_id=filing_id)
    )


def panel_passes(session: Session, *, filing_id: int, task_keys: list[str]) -> tuple[bool, float]:
    tasks = session.exec(select(HumanTask).where(col(HumanTask.key).in_(task_keys))).all()
    sheets = [t.decision_payload.get("scores", {}) for t in tasks if t.decision_payload]
    profile = get_profile(_get(session, filing_id).profile_code)
    mean = sum(sum(s.values()) / len(s) for s in sheets if s) / max(len(sheets), 1)
    return expert_panel_passes(sheets, profile), round(mean, 2)


def publicity_start_date(session: Session, *, filing_id: int) -> dt.date:
    return _get(session, filing_id).publicity_start or business_today(session)


def ministry_review_payload(
    session: Session, *, filing_id: int, round_no: int = 0, response: str = ""
) -> dict[str, Any]:
    """部中心复核: what the national centre is sent about the filing (a resend carries the officer's
    answer to the reasons of the refusal)."""
    filing = _get(session, filing_id)
    occupations = session.exec(select(FilingOccupation).where(FilingOccupation.filing_id == filing_id)).all()
    payload = {
        "filing_id": filing_id,
        "enterprise_name": filing.form["enterprise_name"],
        "credit_code": filing.form["credit_code"],
        "region_code": filing.region_code,
        "occupations": [{"code": o.occupation_code, "levels": o.levels} for o in occupations],
    }
    if round_no:
        payload |= {"round": round_no, "response_to_refusal": response}
    return payload


def national_report_payload(session: Session, *, filing_id: int) -> dict[str, Any]:
    """备案公布 (004 §四(四)): the filed enterprise and its receipt, for the national centre to publish."""
    filing = _get(session, filing_id)
    institution = stored(session, Institution, filing.institution_id)
    occupations = session.exec(select(FilingOccupation).where(FilingOccupation.filing_id == filing_id)).all()
    return {
        "filing_id": filing_id,
        "enterprise_name": institution.name,
        "credit_code": institution.credit_code,
        "region_code": institution.region_code,
        "receipt_number": filing.receipt_number,
        "segment": institution.segment,
        "registered_on": institution.registered_on.isoformat() if institution.registered_on else None,
        "occupations": [{"code": o.occupation_code, "levels": o.levels} for o in occupations],
    }


def record_national_report(session: Session, *, filing_id: int, answer: dict[str, Any]) -> None:
    """The national centre took the report: recorded once with its reference (a replay records nothing)."""
    done = session.exec(select(AuditEvent.id).where(AuditEvent.case_type == "filing", AuditEvent.case_id == filing_id,
                                                    AuditEvent.action == "national_report_acknowledged")).first()
    if done is None:
        audit.record(session, case_type="filing", case_id=filing_id, action="national_report_acknowledged",
                     after={"reference": answer.get("reference")})


def record_ministry_answer(session: Session, *, filing_id: int, round_no: int, answer: dict[str, Any]) -> bool:
    """The national centre's answer is read: accepted, or refused with reasons, which go back to the
    officer (the case waits in `ministry_refused`). Returns whether it was accepted; a replay records once."""
    filing = _get(session, filing_id)
    accepted = answer.get("accepted", True) is not False
    reasons = [str(r)[:300] for r in answer.get("reasons", [])] or ["部中心复核未通过（未说明理由）"]
    action = "ministry_review_passed" if accepted else "ministry_review_refused"
    done = session.exec(
        select(AuditEvent).where(
            AuditEvent.case_type == "filing", AuditEvent.case_id == filing_id, AuditEvent.action == action
        )
    ).all()
    if any((event.after or {}).get("round") == round_no for event in done):
        return accepted
    audit.record(
        session,
        case_type="filing",
        case_id=filing_id,
        action=action,
        after={"round": round_no, "reference": answer.get("reference")} | ({} if accepted else {"reasons": reasons}),
    )
    if not accepted:
        filing.outcome_reason = "；".join(reasons)
        session.add(filing)
        set_step(
            session,
            filing_id=filing_id,
            status="ministry_refused",
            step="ministry_refusal",
            only_from=("ministry_review",),
        )
    return accepted


def flow_facts(session: Session, *, filing_id: int) -> FilingFlowFacts:
    """What the flow needs to know of its case at the start of every replay."""
    filing = session.get(FilingApplication, filing_id)
    if filing is None:
        raise ValueError(f"filing {filing_id} does not exist")
    institution = session.get(Institution, filing.institution_id)
    profile = get_profile(filing.profile_code)
    pilot_pending = (
        has_step(profile.filing_steps, "pilot_plan_evaluation")
        and institution is not None
        and institution.pilot_plan_approved_on is None
    )
    finished = filing.status in ("rejected", "withdrawn") or (filing.status == "registered" and not pilot_pending)
    return FilingFlowFacts(
        status=filing.status,
        region_code=filing.region_code,
        profile_code=filing.profile_code,
        centres=centres(filing),
        finished=finished,
        pilot_plan_approved=institution is not None and institution.pilot_plan_approved_on is not None,
        institution_kind=institution.kind if institution is not None else "Y",
    )


def start_publicity(session: Session, *, filing_id: int, end: dt.date, provisional: bool) -> None:
    filing = _get(session, filing_id)
    if filing.publicity_start is None:
        filing.publicity_start = business_today(session)
        filing.publicity_end, filing.publicity_provisional = end, provisional
        session.add(filing)
        set_step(session, filing_id=filing_id, status="publicity", step="publicity")


def register_institution(session: Session, *, filing_id: int) -> Institution:
    """备案公布: segment (once), filed scope, catalogue entry, receipt number."""
    filing = _get(session, filing_id)
    institution = session.get(Institution, filing.institution_id)
    assert institution is not None
    profile = get_profile(filing.profile_code)
    if institution.segment is None:
        counter = locked_row(session, SegmentCounter, profile.province_code, last_serial=0)
        segment = next_institution_segment(institution.kind, profile.province_code, counter.last_serial)
        counter.last_serial = segment.serial
        session.add(counter)
        institution.segment = str(segment)
    change = bool(filing.form.get("scope_change")) and institution.status == "registered"
    first_time = not filing.form.get("scope_change_registered")  # a replay applies the change once
    for drop in (filing.form.get("drop_occupations") or []) if change and first_time else []:  # 变更备案
        scope = session.exec(
            select(InstitutionOccupation).where(
                InstitutionOccupation.institution_id == institution.id,
                InstitutionOccupation.occupation_code == drop["code"],
            )
        ).first()
        if scope is not None:
            scope.levels = "".join(sorted(set(scope.levels) - {str(Level.parse(x).value) for x in drop["levels"]}))
            if scope.levels:
                session.add(scope)
            else:
                session.delete(scope)
    for occupation in session.exec(select(FilingOccupation).where(FilingOccupation.filing_id == filing_id)).all():
        scope = session.exec(
            select(InstitutionOccupation).where(
                InstitutionOccupation.institution_id == institution.id,
                InstitutionOccupation.occupation_code == occupation.occupation_code,
            )
        ).first()
        if scope is None:
            session.add(
                InstitutionOccupation(
                    institution_id=institution.id, occupation_code=occupation.occupation_code, levels=occupation.levels
                )
            )
        else:
            scope.levels = "".join(sorted(set(scope.levels) | set(occupation.levels)))
            session.add(scope)
    today = business_today(session)
    before = {"status": institution.status}
    institution.status, institution.registered_on = "registered", institution.registered_on or today
    institution.last_evaluation_on = institution.last_evaluation_on or today  # the inactivity clock starts here
    institution.handling_centre = centres(filing)["handling"]  # its plans go where the profile says (plans_handled_by)
    session.add(institution)
    if filing.receipt_number is None:
        filing.receipt_number = f"BA{profile.province_code}{today:%Y}{filing_id:06d}"
    session.add(filing)
    set_step(session, filing_id=filing_id, status="registered", step="registered")
    if change and first_time:
        filing.form = {**filing.form, "scope_change_registered": today.isoformat()}  # applied once
        audit.record(
            session,
            case_type="institution",
            case_id=institution.id,
            action="scope_changed",
            after={
                "filing_id": filing_id,
                "added": [o["code"] for o in filing.form.get("occupations", [])],
                "dropped": filing.form.get("drop_occupations") or [],
                "receipt": filing.receipt_number,
                "scope": {
                    k: "".join(str(lv.value) for lv in sorted(v))
                    for k, v in filed_scope_of(session, institution.id).items()
                },
            },
        )
    elif not change:
        audit.record(
            session,
            case_type="institution",
            case_id=institution.id,
            action="registered",
            before=before,
            after={"segment": institution.segment, "filing_id": filing_id, "receipt": filing.receipt_number},
        )
    return institution


def close_filing(session: Session, *, filing_id: int, status: str, reason: str) -> None:
    filing = _get(session, filing_id)
    if filing.status == status:
        return
    filing.outcome_reason = reason
    session.add(filing)
    set_step(session, filing_id=filing_id, status=status, step="closed")

    cancel_open_tasks(session, case_type="filing", case_id=filing_id, reason=f"filing {status}")


def _get(session: Session, filing_id: int) -> FilingApplication:
    filing = session.get(FilingApplication, filing_id)
    if filing is None:
        raise NotFound(f"filing {filing_id} does not exist")
    return filing
