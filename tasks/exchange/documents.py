"""The cases' documents as PDFs: certificates with a verification QR code, filing receipts, one-time
deficiency notices, rectification orders and cancellation decisions — each a view-model built here from
the case (templates compute nothing) and rendered by tasks/adapters/pdf.py. Rendering never blocks issuance:
certificates are numbered first, rendered on first download and cached under a key that changes with the
template version and the certificate's status.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
from typing import Any

from sqlmodel import Session, col, select

from core.clock import china_date
from core.settings import Settings
from models.cases import Certificate, DeficiencyNotice, FilingApplication, FilingOccupation, Institution
from models.catalogue import OccupationRecord
from models.db import stored
from models.supervision import CreditEntry, SupervisionCase
from policy.eligibility import NORM_KINDS
from policy.identity import mask_resident_id
from policy.levels import Level
from policy.numbering import INSTITUTION_KINDS
from policy.profiles import centre_name, get_profile
from tasks.adapters.filestore import documents_for
from tasks.adapters.keys import server_key
from tasks.adapters.pdf import TEMPLATE_VERSION, cached_pdf, qr_data_uri, renderer
from tasks.cases.filing import centres as filing_centres
from tasks.cases.supervision import cancellation_centre, numbered
from tasks.errors import Conflict, NotFound
from tasks.records import audit
from tasks.waits.calendar import load_calendar


def verification_url(base_url: str, number: str) -> str:
    return f"{base_url.rstrip('/')}/verify/{number}"


# -- view-models (templates compute nothing) ---------------------------------


def certificate_model(certificate: Certificate, institution: Institution | None, base_url: str) -> dict[str, Any]:
    url = verification_url(base_url, certificate.number)
    return {
        "number": certificate.number,
        "holder_name": certificate.holder_name,
        "id_type": "居民身份证",
        "id_number": mask_resident_id(certificate.id_number),
        "occupation_name": certificate.occupation_name,
        "occupation_code": certificate.occupation_code,
        "direction": "--",
        "level": Level(certificate.level).display,
        "enterprise_title": certificate.enterprise_title,
        "revoked": (
            f"已撤销 {certificate.revoked_on.year}年{certificate.revoked_on.month}月{certificate.revoked_on.day}日"
            if certificate.status == "revoked" and certificate.revoked_on
            else "已撤销"
            if certificate.status == "revoked"
            else ""
        ),
        "issued_on": f"{certificate.issued_on.year}年{certificate.issued_on.month}月{certificate.issued_on.day}日",
        "institution": institution.name if institution else "",
        "qr_data_uri": qr_data_uri(url),
        "verify_host": url.split("//", 1)[-1].split("/", 1)[0],
    }


def receipt_model(session: Session, filing: FilingApplication) -> dict[str, Any]:
    institution = stored(session, Institution, filing.institution_id)
    rows = session.exec(
        select(FilingOccupation, OccupationRecord)
        .join(OccupationRecord, col(OccupationRecord.code) == col(FilingOccupation.occupation_code), isouter=True)
        .where(FilingOccupation.filing_id == filing.id)
    ).all()
    registered = institution.registered_on
    if registered is None:
        raise Conflict(f"institution {institution.id} is not registered: a receipt follows the registration")
    filed = {o["code"]: o for o in filing.form.get("occupations", [])}
    return {
        "receipt_number": filing.receipt_number,
        "institution": institution.name,
        "credit_code": institution.credit_code,
        "kind": INSTITUTION_KINDS.get(institution.kind, institution.kind),
        "segment": institution.segment,
        "date": f"{registered.year}年{registered.month}月{registered.day}日",
        "occupations": [
            {
                "code": f.occupation_code,
                "name": o.name if o else f.occupation_code,
                "levels": "、".join(Level(int(d)).display for d in f.levels),
                "basis": _occupation_basis(filed.get(f.occupation_code) or {}),
            }
            for f, o in rows
        ],
        "basis": get_profile(filing.profile_code).basis("filing_receipt"),  # the province's own text, or none
    }


def _occupation_basis(occupation: dict[str, Any]) -> str:
    """评价依据 as filed: the enterprise's own norm (004 §二) by its title, or the basis it named."""
    norm = occupation.get("norm")
    if not norm:
        return occupation.get("basis") or "—"
    return f"《{norm['title']}》（{NORM_KINDS[norm['kind']]}）"


def notice_model(session: Session, filing: FilingApplication, notice: DeficiencyNotice) -> dict[str, Any]:
    """一次性告知书: numbered from 1, issued in the name of the centre that took the acceptance step, with how
    (in words, never an API path) and, where the profile sets a period, by when to resubmit."""
    issued = china_date(notice.issued_at)
    profile = get_profile(filing.profile_code)
    acceptance = next(s for s in profile.filing_steps if s.step == "acceptance")
    period = profile.resubmission_working_days
    due = load_calendar(session).add(issued, period, start_day_counts=profile.start_day_counts) if period else None
    return {
        "number": notice.round + 1,
        "date": _chinese_date(issued),
        "issuer": centre_name(filing_centres(filing)[acceptance.by]),
        "enterprise": filing.form.get("enterprise_name", ""),
        "filing_id": filing.id,
        "deficiencies": [{"position": i + 1, "text": item["text"]} for i, item in enumerate(notice.items)],
        "basis": profile.basis("deficiency_notice"),
        "how": "请通过你单位对接本系统的业务系统（企业接口），按上列事项一次性提交全部补正材料；"
               "收到补正材料后，受理审查重新开始。",
        "by_when": (f"请于 {_chinese_date(due.date)}（{period} 个工作日）前提交补正材料。" if due else None),
    }


def _chinese_date(day: dt.date) -> str:
    return f"{day.year}年{day.month}月{day.day}日"


def rectification_order_model(case: SupervisionCase, institution: Institution, number: int) -> dict[str, Any]:
    """责令整改通知书 number `number` (from 1): what must be rectified, by when, and how it is handed in."""
    order = next((r for r in case.rectifications if numbered(r["round"]) == number), None)
    if order is None:
        raise NotFound(f"supervision case {case.id} has no rectification order {number}")
    due = dt.date.fromisoformat(order["due"]) if order.get("due") else None
    return {
        "title": "责令整改通知书",
        "reference": f"监督案件 {case.receipt_number}",
        "issuer": centre_name(case.centre),
        "date": _chinese_date(dt.date.fromisoformat(order["ordered_on"])),
        "institution": institution.name,
        "credit_code": institution.credit_code,
        "opening": f"经调查核实，{order.get('finding') or '你单位职业技能等级认定工作存在问题'}。"
                   "现责令你单位对下列事项进行整改：",
        "entries_heading": "整改事项",
        "entries": [{"position": i + 1, "text": t} for i, t in enumerate(order["items"])],
        "paragraphs": [
            f"请于 {_chinese_date(due) if due else '规定期限'}（{order['working_days']} 个工作日）前完成整改，"
            "并通过你单位对接本系统的业务系统（企业接口）逐项报送整改情况及佐证材料。",
            "逾期未整改或整改不到位的，依规取消评价备案，并在一定时期内不予再次备案。",
        ],
        "basis": get_profile(institution.profile_code).basis("rectification_order"),
    }


def cancellation_model(case: SupervisionCase, institution: Institution, ban: CreditEntry) -> dict[str, Any]:
    """取消备案决定书: the filing cancelled, the catalogue removal and the re-filing ban's last day."""
    return {
        "title": "取消职业技能等级认定备案决定书",
        "reference": f"监督案件 {case.receipt_number}",
        "issuer": centre_name(cancellation_centre(case)),  # where it was decided (003 §四(三): the province)
        "date": _chinese_date(ban.valid_from),
        "institution": institution.name,
        "credit_code": institution.credit_code,
        "opening": f"经调查核实，{case.outcome_reason or '你单位存在违规行为'}。经复核，决定：",
        "entries_heading": "决定事项",
        "entries": [
            {
                "position": 1,
                "text": f"取消你单位职业技能等级认定评价机构备案（证书编号段 {institution.segment or '—'}），"
                "移出评价机构目录并向社会公布。",
            },
            {
                "position": 2,
                "text": f"{_chinese_date(ban.valid_until)}（含）前不予再次备案（列入黑名单，信用记录 #{ban.id}）。",
            },
            {"position": 3, "text": "已颁发的职业技能等级证书继续有效；经核查存在问题的证书另行撤销。"},
        ],
        "paragraphs": [],
        "basis": get_profile(institution.profile_code).basis("cancellation"),
    }


def supervision_pdf(session: Session, case: SupervisionCase, kind: str, number: int, *,
                    settings: Settings) -> bytes:
    """Rectification order `number` (from 1, as the API and the dashboard count rounds), or the
    cancellation decision (cached per content)."""
    institution = stored(session, Institution, case.institution_id)
    if kind == "rectification":
        model = rectification_order_model(case, institution, number)
    else:
        ban = next(
            (
                session.get(CreditEntry, a["credit_entry_id"])
                for a in case.actions
                if a.get("decision") == "cancel_filing" and a.get("credit_entry_id")
            ),
            None,
        )
        if ban is None:
            raise NotFound(f"supervision case {case.id} cancelled no filing")
        model = cancellation_model(case, institution, ban)
    return cached_pdf(documents_for(settings), "supervision", "supervision.html", "d", model)


# -- certificates: cache, render, bulk ----------------------------------------


def cache_key(certificate: Certificate) -> str:
    """Changes with the template and with the certificate's status: a revocation or re-issue
    makes the old file unreachable."""
    return f"{certificate.number}-t{TEMPLATE_VERSION}-{certificate.status}"


def cached_name(certificate: Certificate) -> str:
    return f"certificates/{cache_key(certificate)}.pdf"


def certificate_pdf(session: Session, *, number: str, settings: Settings, base_url: str | None = None) -> bytes:
    """The certificate's PDF, rendered on first request and then served from the documents' store
    (`base_url`: the address its QR code points to; default the instance's)."""
    certificate = session.exec(select(Certificate).where(Certificate.number == number)).first()
    if certificate is None:
        raise NotFound(f"certificate {number} does not exist")
    require_acknowledged(certificate)
    store = documents_for(settings)
    found = store.read(cached_name(certificate))
    if found is None:
        model = certificate_model(certificate, session.get(Institution, certificate.institution_id),
                                  base_url or settings.base_url)
        found = renderer().pdf("certificate.html", certificates=[model])
        store.write(cached_name(certificate), found)
    return found


def rendered_count(session: Session, *, plan_id: int, settings: Settings) -> tuple[int, int]:
    certificates = session.exec(select(Certificate).where(Certificate.plan_id == plan_id)).all()
    return len(documents_for(settings).present(cached_name(c) for c in certificates)), len(certificates)


def _render_one(model: dict[str, Any]) -> bytes:
    return renderer().pdf("certificate.html", certificates=[model])


def render_batch(
    session: Session,
    *,
    plan_id: int,
    settings: Settings,
    base_url: str | None = None,
    workers: int | None = None,
    progress=None,
    combined: bool = False,
) -> dict[str, Any]:
    """Render every certificate of a batch not rendered yet, in a process pool (one renderer per
    worker; this process stores what they return); already rendered files are kept, so a crashed run
    resumes where it stopped."""
    import os
    from concurrent.futures import ProcessPoolExecutor

    certificates = session.exec(
        select(Certificate)
        .where(Certificate.plan_id == plan_id, Certificate.status != "pending")
        .order_by(Certificate.number)
    ).all()
    if not certificates:
        raise NotFound(f"plan {plan_id} has no acknowledged certificates")
    store = documents_for(settings)
    institutions = {c.institution_id: session.get(Institution, c.institution_id) for c in certificates}
    models = {c.number: certificate_model(c, institutions[c.institution_id], base_url or settings.base_url)
              for c in certificates}
    present = store.present(cached_name(c) for c in certificates)
    todo = [c for c in certificates if cached_name(c) not in present]
    done = len(certificates) - len(todo)
    if progress:
        progress(done, len(certificates))
    workers = workers or os.cpu_count() or 1
    if todo and workers == 1:
        for certificate in todo:  # in this process: no pool to start for a small batch or inside a flow run
            store.write(cached_name(certificate), _render_one(models[certificate.number]))
            done += 1
            if progress:
                progress(done, len(certificates))
    elif todo:
        with ProcessPoolExecutor(max_workers=min(workers, len(todo))) as pool:
            rendered = pool.map(_render_one, [models[c.number] for c in todo],
                                chunksize=max(1, len(todo) // (workers * 8)))
            for certificate, content in zip(todo, rendered, strict=True):
                store.write(cached_name(certificate), content)
                done += 1
                if progress:
                    progress(done, len(certificates))
    result: dict[str, Any] = {"rendered": len(todo), "total": len(certificates)}
    if combined:
        name = f"batches/plan-{plan_id}-t{TEMPLATE_VERSION}.pdf"
        store.write(name, renderer().pdf("certificate.html", certificates=[models[c.number] for c in certificates]))
        result["combined"] = f"{store.where.rstrip('/')}/{name}"
    return result


# -- holder links ----------------------------------------------------------------


def require_acknowledged(certificate: Certificate) -> None:
    """A certificate exists for its holder once the national query system acknowledged it."""
    if certificate.status == "pending":
        raise Conflict(
            f"证书 {certificate.number} 待全国联网查询系统确认，尚未生效 / not yet acknowledged by the "
            f"national query system" + (f": {certificate.national_refusal}" if certificate.national_refusal else "")
        )


def holder_token(settings: Settings, certificate: Certificate, *, expires_on: dt.date) -> str:
    """`<expiry as days since 1970>.<link version>.<signature>`: the link says until when it is valid
    and which generation of links it belongs to; raising the certificate's link version revokes all."""
    days = (expires_on - dt.date(1970, 1, 1)).days
    message = f"{certificate.number}|{days}|{certificate.holder_link_version}".encode()
    signature = hmac.new(server_key(settings, "holder-links"), message, hashlib.sha256).hexdigest()[:32]
    return f"{days}.{certificate.holder_link_version}.{signature}"


def holder_token_problem(settings: Settings, certificate: Certificate, token: str, *, today: dt.date) -> str | None:
    """Why a holder's link does not open this certificate, or None when it does."""
    try:
        days_text, version_text, _ = token.split(".")
        days, version = int(days_text), int(version_text)
        expires_on = dt.date(1970, 1, 1) + dt.timedelta(days=days)
    except (ValueError, OverflowError):
        return "invalid"
    if version != certificate.holder_link_version:
        return "invalid"  # a revoked generation looks like any forged link
    expected = holder_token(settings, certificate, expires_on=expires_on)
    if not hmac.compare_digest(expected.encode(), token.encode()):
        return "invalid"
    if expires_on < today:
        return "expired"
    if certificate.status == "pending":
        return "invalid"  # no link is given out before the national acknowledgement
    if certificate.status != "valid":
        return "revoked"
    return None


def revoke_holder_links(session: Session, certificate: Certificate, *, user) -> Certificate:
    certificate.holder_link_version += 1
    session.add(certificate)
    audit.record(
        session,
        case_type="certificate",
        case_id=certificate.id,
        action="holder_links_revoked",
        actor_id=user.id,
        actor_role=user.role,
        after={"holder_link_version": certificate.holder_link_version},
    )
    return certificate


def receipt_pdf(session: Session, filing: FilingApplication, *, settings: Settings) -> bytes:
    if filing.receipt_number is None:
        raise NotFound(f"filing {filing.id} has no receipt yet")
    return cached_pdf(documents_for(settings), "receipts", "receipt.html", "r", receipt_model(session, filing))


def notice_pdf(session: Session, filing: FilingApplication, number: int, *, settings: Settings) -> bytes:
    """The filing's notice `number` (1 for the first, as printed on it and listed by the API)."""
    notice = session.exec(
        select(DeficiencyNotice).where(DeficiencyNotice.filing_id == filing.id, DeficiencyNotice.round == number - 1)
    ).first()
    if notice is None:
        raise NotFound(f"filing {filing.id} has no deficiency notice number {number}")
    return cached_pdf(documents_for(settings), "notices", "notice.html", "n", notice_model(session, filing, notice))
