"""Request bodies and facts the API tests share."""

from __future__ import annotations

from core.clock import wall_now
from policy.identity import credit_code_check_char, resident_id_check_char

MATERIALS = ["business_licence", "hr_system", "education_fund", "evaluation_rules", "staff_roster", "venue_equipment"]
_codes = iter(range(1, 10_000))


def credit_code(region: str = "440106") -> str:
    """A valid code whose registration authority is `region` (the first filing's region must lie in its city)."""
    first17 = f"91{region}MA{next(_codes):07d}"
    return first17 + credit_code_check_char(first17)


def person(n: int) -> str:
    first17 = f"4401061990{(n % 12) + 1:02d}{(n % 27) + 1:02d}{n % 1000:03d}"
    return first17 + resident_id_check_char(first17)


def filing_form(**changes) -> dict:
    region = changes.get("region_code", "440106")
    form = {
        "enterprise_name": "广州测试企业",
        "credit_code": credit_code(region if len(str(region)) == 6 else "440106"),
        "region_code": "440106",
        "registered_address": "测试路",
        "registered_capital_wan": 100,
        "ownership": "private",
        "employees": 400,
        "contact_name": "联系人",
        "contact_phone": "13800138000",
        "occupations": [{"code": "6-18-01-01", "levels": [3, 4]}],
        "materials": [{"kind": k} for k in MATERIALS],
    }
    form.update(changes)
    return form


def registered_institution(session, region: str = "440106", serial: int = 1, pilot_plan_passed: bool = True) -> int:
    """A registered institution (in Guangdong, past its pilot plan's evaluation unless told otherwise)."""
    import datetime as dt

    from models.cases import Institution, InstitutionOccupation
    from policy.profiles import profile_for_region

    institution = Institution(
        name="已备案企业",
        credit_code=credit_code(region),
        region_code=region,
        profile_code=profile_for_region(region).code,
        segment=f"Y0000{region[:2]}{serial:06d}",
        status="registered",
        created_at=wall_now(),
        pilot_plan_approved_on=dt.date(2026, 1, 5) if pilot_plan_passed else None,
    )
    session.add(institution)
    session.flush()
    session.add(InstitutionOccupation(institution_id=institution.id, occupation_code="6-18-01-01", levels="345"))
    return institution.id


def plan_body(start, candidates: int = 3) -> dict:
    return {
        "occupation_code": "6-18-01-01",
        "evaluation_start": start.isoformat(),
        "evaluation_end": start.isoformat(),
        "site": "实训中心",
        "candidates": [
            {
                "name": f"学员{i}",
                "id_number": person(i),
                "relation": "employee",
                "workplace_region": "440106",
                "years_in_occupation": 6,
                "level": 4,
            }
            for i in range(candidates)
        ],
        "proctors": ["监考"],
        "evaluators": ["考评"],
        "quality_supervisors": ["督导"],
    }


def evaluation_plan(session, institution_id: int, *, status: str = "scheduled", evaluated_on=None):
    """A plan row of a Guangzhou institution, evaluated on 2026-10-19 unless said otherwise."""
    import datetime as dt

    from models.cases import EvaluationPlan

    day = evaluated_on or dt.date(2026, 10, 19)
    now = wall_now()
    plan = EvaluationPlan(
        institution_id=institution_id,
        region_code="440106",
        profile_code="guangdong",
        occupation_code="6-18-01-01",
        evaluation_start=day,
        evaluation_end=day,
        filed_on=dt.date(2026, 9, 1),
        staff={},
        status=status,
        created_at=now,
        updated_at=now,
    )
    session.add(plan)
    session.flush()
    return plan


def certificates_in_states(session, *, serial: int, states: dict[str, str], first_person: int) -> None:
    """A finished batch of a registered Guangzhou institution whose certificates have the given states (number →
    valid | revoked | pending; a revoked one on 2026-09-01), as the batch's flow would leave them."""
    import datetime as dt

    from models.cases import Candidate, Certificate

    institution_id = registered_institution(session, serial=serial)
    plan = evaluation_plan(session, institution_id, status="completed")
    for n, (number, status) in enumerate(states.items()):
        candidate = Candidate(plan_id=plan.id, name=f"持证人{n}", id_number=person(first_person + n),
                              relation="employee", level=3)
        session.add(candidate)
        session.flush()
        session.add(Certificate(
            number=number, serial_scope=number[:16], serial=n + 1, candidate_id=candidate.id, plan_id=plan.id,
            institution_id=institution_id, holder_name=candidate.name, id_number=candidate.id_number,
            occupation_code="6-18-01-01", occupation_name="车工", level=3, issued_on=dt.date(2026, 8, 3),
            status=status, revoked_on=dt.date(2026, 9, 1) if status == "revoked" else None,
            national_refusal="姓名与身份证号不一致" if status == "pending" else None))


_apps: dict[str, object] = {}  # one app per test process and kind of settings, bound to each test's folder


def app_for(settings):
    """An app serving `settings`' instance: built once for every test of the process whose settings differ
    only in their folder, then rebound (api.app.bind) — as one API process serves request after request,
    and without FastAPI building its ~150 routes again for each test (~40 % of this tier's CPU)."""
    from api.app import bind, create_app

    kind = settings.model_dump_json(exclude={"data_dir", "database_url"})
    app = _apps.get(kind)
    if app is None:
        app = _apps[kind] = create_app(settings)
    else:
        bind(app, settings)
        app.dependency_overrides.clear()
    return app
