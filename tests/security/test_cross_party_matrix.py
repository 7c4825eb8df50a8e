"""The cross-party matrix: every route of /openapi.json, called with party A's ids by everyone who is
not A — another enterprise, officers of other centres, experts and supervisors holding no task of
A's, anonymous callers. Each gets 401, 403 or 404 and nothing of A's in the answer.

A route added to the API and not classified here fails `test_every_route_is_in_the_matrix`:
decide whether it serves a party's resource (then it belongs in RESOURCE_ROUTES with a valid body)
or is public or role-gated by design (then in the other tables, with the reason)."""

from __future__ import annotations

import datetime as dt
import io
import re

import pytest
from openpyxl import load_workbook
from sqlmodel import select

from core.clock import wall_now
from models.accounts import User
from models.cases import (
    Candidate,
    CaseNote,
    Certificate,
    DeficiencyNotice,
    FilingApplication,
    Objection,
    Revocation,
)
from models.integration import CaseFile, WebhookDelivery, WebhookEndpoint
from models.supervision import SupervisionCase
from models.workflow import HumanTask, Incident
from tasks.adapters import filestore, spreadsheets
from tasks.queries import events
from tasks.records import audit
from tasks.waits.human_tasks import ensure_task
from tests.api.conftest import db
from tests.api.helpers import evaluation_plan, filing_form, person, plan_body, registered_institution
from tests.samples import pdf

NUMBER = "Y000044000001263000001"
SECRET_NAME = "甲方秘密精密机械有限公司"  # A's name: must never appear in an outsider's answer
CANDIDATE_NAME = "甲方考生"

# method, path → the body a legitimate caller would send (None: no body)
RESOURCE_ROUTES = {
    ("GET", "/api/v1/filings/{filing_id}"): None,
    ("GET", "/api/v1/filings/{filing_id}/archive"): None,
    ("GET", "/api/v1/plans/{plan_id}/archive"): None,
    ("POST", "/api/v1/filings/{filing_id}/resubmissions"): {"materials": [{"kind": "hr_system"}]},
    ("POST", "/api/v1/filings/{filing_id}/pilot-plan"): {
        "summary": "试点方案：认定职业、组织机构、评价方式、质量保障。"
    },
    ("POST", "/api/v1/plans/{plan_id}/corrections"): {"answers": ["已按要求整改"]},
    ("PATCH", "/api/v1/plans/{plan_id}/candidates/{candidate_id}"): {"name": "更正姓名", "reason": "姓名录入错误"},
    ("POST", "/api/v1/filings/{filing_id}/objections"): {"text": "异议内容足够长", "contact": "13800138000"},
    ("POST", "/api/v1/filings/{filing_id}/objections/dismissals"): {
        "objection_ids": ["{objection_id}"],
        "reason": "经核查异议不成立",
    },
    ("GET", "/api/v1/tasks/{task_id}"): None,
    ("POST", "/api/v1/tasks/{task_id}/claim"): None,
    ("POST", "/api/v1/tasks/{task_id}/release"): None,
    ("POST", "/api/v1/tasks/{task_id}/redraw"): None,
    ("POST", "/api/v1/tasks/{task_id}/decision"): {"decision": "approve"},
    ("POST", "/api/v1/tasks/{task_id}/handover"): {"to_user_id": 1, "reason": "转交同组办理"},
    ("POST", "/api/v1/institutions/{institution_id}/plans"): "plan",
    ("GET", "/api/v1/institutions/{institution_id}"): None,
    ("PUT", "/api/v1/institutions/{institution_id}/ladder"): {"titles": [{"title": "首席技师", "level": 1}]},
    ("POST", "/api/v1/revocations"): {
        "plan_id": "{plan_id}",
        "certificate_numbers": ["{number}"],
        "category": "fraud",
        "reason": "复核发现代考",
    },
    ("GET", "/api/v1/revocations/{revocation_id}"): None,
    ("GET", "/api/v1/plans/{plan_id}"): None,
    ("POST", "/api/v1/plans/{plan_id}/results"): {"scores": [{"candidate_id": "{candidate_id}", "theory": 80}]},
    ("POST", "/api/v1/plans/{plan_id}/objections"): {"text": "异议内容足够长", "contact": "13800138000"},
    ("POST", "/api/v1/plans/{plan_id}/objections/dismissals"): {
        "objection_ids": ["{objection_id}"],
        "reason": "经核查异议不成立",
    },
    ("GET", "/api/v1/certificates/{number}.pdf"): None,
    ("GET", "/api/v1/certificates/{number}/holder-link"): None,
    ("POST", "/api/v1/certificates/{number}/holder-link/revoke"): None,
    ("GET", "/api/v1/filings/{filing_id}/receipt.pdf"): None,
    ("GET", "/api/v1/filings/{filing_id}/notices/{notice_number}.pdf"): None,
    ("GET", "/api/v1/certificates"): None,  # ?plan_id= A's plan
    ("PUT", "/api/v1/admin/users/{user_id}/institution"): {"institution_id": "{institution_id}", "reason": "核验"},
    ("PUT", "/api/v1/admin/institutions/{institution_id}/region"): {"region_code": "440111", "reason": "迁址"},
    ("POST", "/api/v1/incidents/{incident_id}/retry"): None,
    ("GET", "/api/v1/complaints/{case_id}"): None,
    ("GET", "/api/v1/complaints/{case_id}/rectification/{round_no}.pdf"): None,
    ("GET", "/api/v1/complaints/{case_id}/cancellation.pdf"): None,
    ("POST", "/api/v1/complaints/{case_id}/explanation"): {"text": "我单位对投诉事项的书面说明如下"},
    ("POST", "/api/v1/complaints/{case_id}/rectification"): {"answers": ["已整改到位"]},
    ("POST", "/api/v1/supervision-findings"): {"institution_id": "{institution_id}", "text": "抽查发现考场无视频监控"},
    ("POST", "/api/v1/filings/{filing_id}/materials"): "upload",
    ("GET", "/api/v1/filings/{filing_id}/materials"): None,
    ("GET", "/api/v1/filings/{filing_id}/materials/{file_id}"): None,
    ("POST", "/api/v1/plans/{plan_id}/files"): "upload",
    ("GET", "/api/v1/plans/{plan_id}/files"): None,
    ("GET", "/api/v1/plans/{plan_id}/files/{file_id}"): None,
    ("POST", "/api/v1/complaints/{case_id}/files"): "upload",
    ("GET", "/api/v1/complaints/{case_id}/files"): None,
    ("GET", "/api/v1/complaints/{case_id}/files/{file_id}"): None,
    ("POST", "/api/v1/institutions/{institution_id}/plans/import"): "roster",
    ("GET", "/api/v1/plans/{plan_id}/results-template.xlsx"): None,
    ("POST", "/api/v1/plans/{plan_id}/results/import"): "results",
    ("GET", "/api/v1/plans/{plan_id}/roster.xlsx"): None,
    ("GET", "/api/v1/plans/{plan_id}/results.xlsx"): None,
    ("GET", "/api/v1/plans/{plan_id}/certificates.xlsx"): None,
    ("GET", "/api/v1/webhooks/{webhook_id}"): None,
    ("PATCH", "/api/v1/webhooks/{webhook_id}"): {"enabled": False},
    ("DELETE", "/api/v1/webhooks/{webhook_id}"): None,
    ("GET", "/api/v1/webhooks/{webhook_id}/deliveries"): None,
    ("POST", "/api/v1/webhooks/{webhook_id}/deliveries/{delivery_id}/redeliver"): None,
}
# open to anyone by design (publicity and verification are public)
PUBLIC_ROUTES = {
    ("GET", "/api/v1/public/certificates/{number}"): "verification shows the masked holder, by design",
    ("GET", "/api/v1/public/institutions"): "the catalogue of registered institutions is published",
    ("GET", "/api/v1/public/institutions/removals"): "removals from the catalogue are published (动态调整)",
    ("GET", "/api/v1/public/inspections"): "inspection results are published (双随机、一公开, 000 §三(六))",
    ("GET", "/inspections"): "the page of published inspection results",
    ("GET", "/api/v1/calendar/{year}"): "the holiday calendar is public",
    ("GET", "/verify/{number}"): "the verification page",
    ("GET", "/api/v1/public/publicities"): "publicity (公示) is public: it lists only what is being publicised",
    ("POST", "/api/v1/public/objections"): "anyone may object to a publicity; a case not in publicity is a 404",
    ("GET", "/publicity"): "the publicity page",
    ("POST", "/publicity/objections"): "the publicity page's objection form",
    ("GET", "/healthz"): "liveness",
    ("POST", "/api/v1/complaints"): "anyone may complain (投诉举报), with a contact; rate-limited",
    ("GET", "/api/v1/public/complaints/{receipt_number}"): "status and outcome category only, by an unguessable number",
    ("GET", "/complaints"): "the complaint page",
    ("POST", "/complaints"): "the complaint page's form",
    ("GET", "/complaints/lookup"): "the complaint page's lookup by receipt number",
    ("GET", "/"): "the public home page: links only",
    ("GET", "/api/v1/occupations"): "the occupation classification is published (职业分类大典)",
    ("GET", "/verify"): "the verification form; a typed number answers as /verify/{number} does",
    ("GET", "/institutions"): "the catalogue page (the same entries as /api/v1/public/institutions)",
    ("GET", "/institutions/removals"): "the removals page (the same entries as the public removals)",
    ("GET", "/api/v1/public/objections/{receipt_number}"): "status and outcome only, by an unguessable number",
    ("GET", "/publicity/objections/lookup"): "the publicity page's lookup of an objection by receipt number",
}
# no party's resource: the caller's own inbox or new case, or a role-gated administration route
OWN_OR_ROLE_ROUTES = {
    ("POST", "/api/v1/filings"): "creates the caller's own case",
    ("GET", "/api/v1/tasks"): "the caller's own inbox (checked below not to list A's task)",
    ("GET", "/api/v1/complaints"): "the cases of the caller's jurisdiction or institution (checked below)",
    ("GET", "/api/v1/filings"): "the caller's own or jurisdiction's filings (checked below)",
    ("GET", "/api/v1/plans"): "the caller's own or jurisdiction's plans (checked below)",
    ("GET", "/api/v1/institutions"): "the caller's own or jurisdiction's institutions (checked below)",
    ("GET", "/api/v1/events"): "the events of the caller's own or jurisdiction's cases (checked below)",
    ("POST", "/api/v1/webhooks"): "creates the caller's own endpoint",
    ("GET", "/api/v1/webhooks"): "the caller's own endpoints (checked below)",
    (
        "GET",
        "/api/v1/credit-records",
    ): "any officer, operations, admin: a blacklist holds across provinces (checked below)",
    ("PUT", "/api/v1/calendar/{year}"): "admin",
    ("POST", "/api/v1/admin/clock"): "admin",
    ("GET", "/api/v1/admin/clock"): "admin",
    ("POST", "/api/v1/admin/users/{user_id}/disable"): "admin (an officer: 403, test_offboarding…)",
    ("POST", "/api/v1/admin/users/{user_id}/enable"): "admin",
    ("GET", "/api/v1/sla/breaches"): "operations",
    ("GET", "/api/v1/sla/at-risk"): "operations",
    ("GET", "/api/v1/audit/anchors"): "operations or admin: hashes only, nothing of any case",
    ("GET", "/api/v1/retention/report"): "operations or admin",
    ("GET", "/api/v1/reports/statistics"): "the caller's jurisdiction only (test_reports: another is 403)",
    ("GET", "/api/v1/reports/statistics.xlsx"): "the same figures as a workbook",
    ("GET", "/api/v1/reports/quarterly.pdf"): "the same figures as the quarterly report",
    ("POST", "/api/v1/reports/quarterly/submissions"): "a city officer sends their own centre's report",
    ("GET", "/api/v1/reports/quarterly/submissions"): "the reports the caller's centre sent or received",
    ("GET", "/api/v1/reports/quarterly/submissions/{report_id}"): "its city and province only (test_quarterly_reports: "
    "another city gets 404)",
    ("GET", "/api/v1/reports/quarterly/submissions/{report_id}.pdf"): "as the report itself",
    ("GET", "/metrics"): "operations or the metrics token",
    ("GET", "/api/v1/templates/roster.xlsx"): "the blank roster template, for anyone signed in",
    ("GET", "/api/v1/inbox.xlsx"): "the caller's own inbox as a workbook (checked below)",
}
OUTSIDERS = ("anonymous", "rival", "officer_jiangsu", "officer_shenzhen", "expert", "supervisor")


@pytest.fixture()
def world(api, people):
    """Party A: an institution in Guangzhou with a filing (deficiency notice, receipt), a plan with a
    candidate and a certificate, an acceptance task, an objection and an incident — and everyone else."""
    a = people.make("enterprise")
    parties = {
        "a": a,
        "anonymous": {},
        "rival": people.make("enterprise"),
        "officer_jiangsu": people.make("officer", jurisdiction="320000"),
        "officer_shenzhen": people.make("officer", jurisdiction="440300"),
        "expert": people.make("expert"),
        "supervisor": people.make("supervisor"),
        "officer_guangdong": people.make("officer", jurisdiction="440000"),
    }
    api.post("/api/v1/filings", json=filing_form(), headers=parties["rival"])  # the rival has a case of its own
    with db(api) as session:
        institution_id = registered_institution(session, serial=901)
        from models.cases import Institution

        institution = session.get(Institution, institution_id)
        institution.name, institution.registered_on = SECRET_NAME, dt.date(2026, 8, 1)
        session.get(User, people.id_of(a)).institution_id = institution_id
        now = wall_now()
        filing = FilingApplication(
            institution_id=institution_id,
            applicant_id=people.id_of(a),
            profile_code="guangdong",
            region_code="440106",
            status="awaiting_resubmission",
            form={"enterprise_name": SECRET_NAME, "credit_code": "x"},
            receipt_number="BA44R1",
            created_at=now,
            updated_at=now,
        )
        session.add(filing)
        plan = evaluation_plan(session, institution_id, status="awaiting_results")
        session.add(DeficiencyNotice(filing_id=filing.id, round=0, items=[{"text": "缺少营业执照"}], issued_at=now))
        candidate = Candidate(plan_id=plan.id, name=CANDIDATE_NAME, id_number=person(3), relation="employee", level=3)
        session.add(candidate)
        session.flush()
        session.add(
            Certificate(
                number=NUMBER,
                serial_scope=NUMBER[:16],
                serial=1,
                candidate_id=candidate.id,
                plan_id=plan.id,
                institution_id=institution_id,
                holder_name=CANDIDATE_NAME,
                id_number=candidate.id_number,
                occupation_code="6-18-01-01",
                occupation_name="车工",
                level=3,
                issued_on=dt.date(2026, 11, 2),
            )
        )
        objection = Objection(
            case_type="filing",
            case_id=filing.id,
            raised_by=people.id_of(parties["rival"]),
            text="异议内容足够长",
            raised_at=now,
        )
        session.add(objection)
        incident = Incident(kind="ministry_review", case_type="filing", case_id=filing.id, error="boom", created_at=now)
        session.add(incident)
        session.flush()
        revocation = Revocation(
            plan_id=plan.id,
            numbers=[NUMBER],
            category="fraud",
            reason="复核发现代考",
            requested_by=people.id_of(parties["officer_guangdong"]),
            requested_at=now,
        )
        session.add(revocation)
        session.flush()
        case = SupervisionCase(
            receipt_number="TS20261202ABCDEFGH",
            source="complaint",
            institution_id=institution_id,
            profile_code="guangdong",
            region_code="440106",
            centre="440100",
            text="投诉甲方代考",
            contact_name="举报人",
            contact_phone="13800138000",
            status="rectifying",
            created_at=now,
            updated_at=now,
            explanations=[],
            rectifications=[
                {
                    "round": 0,
                    "items": ["补装视频监控"],
                    "finding": "核实存在问题",
                    "working_days": 20,
                    "ordered_on": "2026-09-01",
                    "due": "2026-09-29",
                    "answers": None,
                    "submitted_on": None,
                    "silent": False,
                    "verdict": None,
                }
            ],
        )
        session.add(case)
        session.flush()
        webhook = WebhookEndpoint(
            owner_id=people.id_of(a),
            url="https://erp.example.com/hooks",
            secret="s3cret",
            created_at=now,
            updated_at=now,
        )
        session.add(webhook)
        session.flush()
        delivery = WebhookDelivery(
            endpoint_id=webhook.id,
            event_id=1,
            case_key=f"filing:{filing.id}",
            event={
                "id": 1,
                "type": "filing.submitted",
                "case_type": "filing",
                "case_id": filing.id,
                "data": {"enterprise": SECRET_NAME},
            },
            next_attempt_at=now,
            created_at=now,
        )
        session.add(delivery)
        session.flush()
        stored = {}
        for case_type, case_id, kind in (
            ("filing", filing.id, "hr_system"),
            ("plan", plan.id, "site_photos"),
            ("supervision", case.id, "rectification_report"),
        ):
            secret = SECRET_NAME.encode() + f" {case_type}".encode()
            filestore.for_settings(api.settings).put(filestore.digest(secret), secret)
            record = CaseFile(
                case_type=case_type,
                case_id=case_id,
                kind=kind,
                sha256=filestore.digest(secret),
                size=len(secret),
                media_type="application/pdf",
                filename="甲方.pdf",
                storage="local",
                uploaded_by=people.id_of(a),
                uploaded_at=now,
            )
            session.add(record)
            session.flush()
            stored[case_type] = record.id
        task = ensure_task(
            session,
            key=f"matrix:{filing.id}",
            case_type="filing",
            case_id=filing.id,
            step="acceptance",
            role="officer",
            jurisdiction="440106",
            due_working_days=5,
            flow_run_id=None,
        )
        ids = {
            "filing_id": filing.id,
            "plan_id": plan.id,
            "institution_id": institution_id,
            "task_id": task.id,
            "candidate_id": candidate.id,
            "objection_id": objection.id,
            "incident_id": incident.id,
            "user_id": people.id_of(a),
            "number": NUMBER,
            "revocation_id": revocation.id,
            "round_no": 1,
            "notice_number": 1,
            "year": 2026,
            "case_id": case.id,
            "receipt_number": case.receipt_number,
            "credit_code": institution.credit_code,
            "webhook_id": webhook.id,
            "delivery_id": delivery.id,
            "file_id": stored["filing"],
            "plan_file_id": stored["plan"],
            "case_file_id": stored["supervision"],
        }
    return parties, ids


def _fill(value, ids):
    if isinstance(value, str) and value.startswith("{") and value.endswith("}"):
        return ids[value[1:-1]]
    if isinstance(value, list):
        return [_fill(v, ids) for v in value]
    if isinstance(value, dict):
        return {k: _fill(v, ids) for k, v in value.items()}
    return value


def _files_of_the_case(path: str, ids: dict) -> dict:
    """A file id of the case the path names (each case type has its own file)."""
    key = (
        "plan_file_id"
        if path.startswith("/api/v1/plans/")
        else "case_file_id"
        if path.startswith("/api/v1/complaints/")
        else "file_id"
    )
    return ids | {"file_id": ids[key]}


def call(api, method: str, path: str, headers: dict, ids: dict):
    body = RESOURCE_ROUTES.get((method, path))
    if body == "plan":
        body = plan_body(dt.date(2026, 12, 30), candidates=1)
    url = path.format(**_files_of_the_case(path, ids))
    if body in ("roster", "results"):
        sheet = (
            spreadsheets.roster_template()
            if body == "roster"
            else spreadsheets.results_template([{"name": CANDIDATE_NAME, "id_number": person(1)}])
        )
        return api.request(
            method,
            url,
            headers=headers,
            data={"plan": "{}"} if body == "roster" else None,
            files={"roster" if body == "roster" else "file": ("s.xlsx", sheet)},
        )
    if body == "upload":
        return api.request(
            method,
            url,
            headers=headers,
            data={"kind": "rectification_report"},
            files={"file": ("a.pdf", pdf("rectification report"), "application/pdf")},
        )
    params = {"plan_id": ids["plan_id"]} if path == "/api/v1/certificates" else None
    return api.request(method, url, headers=headers, json=_fill(body, ids), params=params)


def test_every_route_is_in_the_matrix(api):
    routes = {(m.upper(), p) for p, ops in api.app.openapi()["paths"].items() for m in ops}
    unclassified = routes - set(RESOURCE_ROUTES) - set(PUBLIC_ROUTES) - set(OWN_OR_ROLE_ROUTES)
    assert not unclassified, f"classify these routes in the cross-party matrix: {sorted(unclassified)}"


@pytest.mark.parametrize("route", sorted(RESOURCE_ROUTES), ids=lambda r: f"{r[0]} {r[1]}")
def test_nobody_but_the_party_reaches_a_partys_resource(api, world, route):
    parties, ids = world
    method, path = route
    for outsider in OUTSIDERS:
        answer = call(api, method, path, parties[outsider], ids)
        assert answer.status_code in (401, 403, 404), (outsider, answer.status_code, answer.text[:300])
        assert SECRET_NAME not in answer.text and CANDIDATE_NAME not in answer.text, outsider


LISTS = {
    "/api/v1/complaints": "case_id",
    "/api/v1/filings": "filing_id",
    "/api/v1/plans": "plan_id",
    "/api/v1/institutions": "institution_id",
}
OWN_ROUTES = {
    ("POST", "/api/v1/filings"),
    ("GET", "/api/v1/tasks"),
    ("GET", "/api/v1/credit-records"),
    ("GET", "/api/v1/events"),
    ("POST", "/api/v1/webhooks"),
    ("GET", "/api/v1/webhooks"),
    ("GET", "/api/v1/templates/roster.xlsx"),
    ("GET", "/api/v1/inbox.xlsx"),
    *(("GET", path) for path in LISTS),  # a caller's own or any officer's: checked below
    # an officer's own jurisdiction's figures and reports (checked in test_reports, test_quarterly_reports)
    *((m, p) for m, p in OWN_OR_ROLE_ROUTES if p.startswith("/api/v1/reports/")),
}


@pytest.mark.parametrize("route", sorted(set(OWN_OR_ROLE_ROUTES) - OWN_ROUTES), ids=lambda r: f"{r[0]} {r[1]}")
def test_role_gated_routes_refuse_the_roles_they_are_not_for_and_leak_nothing(api, world, route):
    parties, ids = world
    method, path = route
    for outsider in OUTSIDERS:
        answer = api.request(
            method, path.format(**ids), headers=parties[outsider], json={} if method in ("POST", "PUT") else None
        )
        assert answer.status_code in (401, 403), (outsider, answer.status_code, answer.text[:300])


def test_no_outsiders_inbox_lists_a_partys_task(api, world):
    parties, ids = world
    for outsider in ("officer_jiangsu", "officer_shenzhen", "expert", "supervisor"):
        items = api.get("/api/v1/tasks", params={"status": "all"}, headers=parties[outsider]).json()["items"]
        assert ids["task_id"] not in [t["id"] for t in items], outsider
        if outsider.startswith("officer"):
            assert ids["task_id"] not in _inbox_sheet_ids(api, parties[outsider]), outsider
    items = api.get("/api/v1/tasks", headers=parties["officer_guangdong"]).json()["items"]
    assert ids["task_id"] in [t["id"] for t in items]  # the fixture is right: the case's own centre sees it
    assert ids["task_id"] in _inbox_sheet_ids(api, parties["officer_guangdong"])


def _inbox_sheet_ids(api, headers) -> list[int]:
    answer = api.get("/api/v1/inbox.xlsx", headers=headers)
    assert answer.status_code == 200, answer.text
    return [row[0] for row in load_workbook(io.BytesIO(answer.content)).active.iter_rows(min_row=2, values_only=True)]


def test_the_party_and_its_centre_do_reach_the_resources(api, world):
    """The matrix would pass on an API that answered 404 to everyone: show that A and A's centre get in."""
    parties, ids = world
    for who in ("a", "officer_guangdong"):
        for path in (
            "/api/v1/filings/{filing_id}",
            "/api/v1/plans/{plan_id}",
            "/api/v1/institutions/{institution_id}",
            "/api/v1/certificates/{number}/holder-link",
            "/api/v1/filings/{filing_id}/receipt.pdf",
        ):
            assert api.get(path.format(**ids), headers=parties[who]).status_code == 200, (who, path)
    assert api.get(f"/api/v1/tasks/{ids['task_id']}", headers=parties["officer_guangdong"]).status_code == 200
    assert api.get(f"/api/v1/webhooks/{ids['webhook_id']}", headers=parties["a"]).status_code == 200
    for path in (
        "/api/v1/filings/{filing_id}/materials/{file_id}",
        "/api/v1/plans/{plan_id}/files/{file_id}",
        "/api/v1/complaints/{case_id}/files/{file_id}",
    ):
        for who in ("a", "officer_guangdong"):
            answer = api.get(path.format(**_files_of_the_case(path, ids)), headers=parties[who])
            assert answer.status_code == 200 and SECRET_NAME.encode() in answer.content, (who, path)
    for who in ("a", "officer_guangdong"):
        assert api.get(f"/api/v1/complaints/{ids['case_id']}", headers=parties[who]).status_code == 200, who
        order = api.get(f"/api/v1/complaints/{ids['case_id']}/rectification/1.pdf", headers=parties[who])
        assert order.status_code == 200 and order.content.startswith(b"%PDF"), who


def test_no_outsider_lists_a_partys_cases_and_only_officers_read_credit_records(api, world, monkeypatch):
    parties, ids = world
    monkeypatch.setattr(events, "SETTLE", dt.timedelta(0))  # on PostgreSQL the feed stays behind the present
    for path, key in LISTS.items():
        for outsider in OUTSIDERS:
            answer = api.get(path, headers=parties[outsider])
            assert answer.status_code in (200, 401, 403), (path, outsider)
            listed = answer.json().get("items", []) if answer.status_code == 200 else []
            assert SECRET_NAME not in answer.text and ids[key] not in [c["id"] for c in listed], (path, outsider)
        for who in ("a", "officer_guangdong"):
            listed = api.get(path, headers=parties[who]).json()["items"]
            assert ids[key] in [c["id"] for c in listed], (path, who)
    assert "举报人" not in api.get("/api/v1/complaints", headers=parties["a"]).text  # never who complained
    with db(api) as session:  # an event on each of A's cases
        for case_type, key in (("filing", "filing_id"), ("plan", "plan_id")):
            audit.record(session, case_type=case_type, case_id=ids[key], action="objection_raised", after={})
    for outsider in OUTSIDERS:
        answer = api.get("/api/v1/events", headers=parties[outsider])
        assert answer.status_code in (200, 401, 403), outsider
        if answer.status_code == 200:
            assert not {(e["case_type"], e["case_id"]) for e in answer.json()["items"]} & {
                ("filing", ids["filing_id"]),
                ("plan", ids["plan_id"]),
            }, outsider
    for who in ("a", "officer_guangdong"):
        seen = {(e["case_type"], e["case_id"]) for e in api.get("/api/v1/events", headers=parties[who]).json()["items"]}
        assert {("filing", ids["filing_id"]), ("plan", ids["plan_id"])} <= seen, who
    for outsider in ("rival", "anonymous", "officer_jiangsu", "expert"):
        answer = api.get("/api/v1/webhooks", headers=parties[outsider])
        assert answer.status_code in (200, 401, 403) and "erp.example.com" not in answer.text, outsider
    assert [w["id"] for w in api.get("/api/v1/webhooks", headers=parties["a"]).json()["items"]] == [ids["webhook_id"]]
    for outsider in ("anonymous", "rival", "expert", "supervisor"):
        assert api.get(
            "/api/v1/credit-records", params={"credit_code": "91440101MA5CXXXX0X"}, headers=parties[outsider]
        ).status_code in (401, 403), outsider


def test_dashboard_pages_of_a_partys_case_are_404_to_an_officer_of_another_centre(api, world):
    from tests.api.test_dashboard import staff

    _, ids = world
    outsider, _ = staff(api, "officer", jurisdiction="320000")
    assert outsider.log_in().status_code == 303
    for path in (
        "/dashboard/cases/filing/{filing_id}",
        "/dashboard/cases/plan/{plan_id}",
        "/dashboard/tasks/{task_id}",
        "/dashboard/cases/filing/{filing_id}/receipt.pdf",
        "/dashboard/cases/filing/{filing_id}/notices/1.pdf",
        "/dashboard/certificates/{number}.pdf",
        "/dashboard/cases/supervision/{case_id}",
        "/dashboard/cases/supervision/{case_id}/rectification/1.pdf",
        "/dashboard/institutions/{institution_id}",
        "/dashboard/cases/filing/{filing_id}/files/{file_id}",
        "/dashboard/cases/filing/{filing_id}/files/{file_id}/preview",
        "/dashboard/cases/plan/{plan_id}/files/{plan_file_id}",
        "/dashboard/cases/supervision/{case_id}/files/{case_file_id}",
        *(
            f"/dashboard/cases/plan/{{plan_id}}/{sheet}.xlsx"
            for sheet in ("roster", "results", "certificates", "results-template")
        ),
    ):
        answer = outsider.get(path.format(**ids))
        assert answer.status_code == 404 and SECRET_NAME not in answer.text, path
    for search in ("", "?q={credit_code}", "?q={number}", "?q={receipt_number}", "?q=%23{filing_id}",
                   "?q=%23{plan_id}", "?q=%23{case_id}"):  # 案件查询 finds none of A's cases for another centre
        answer = outsider.get("/dashboard/cases" + search.format(**ids))
        assert answer.status_code == 200 and SECRET_NAME not in answer.text, search
        assert not re.search(r'href="/dashboard/cases/\w+/\d+"', answer.text), search
    inbox = outsider.get("/dashboard/inbox.xlsx")  # the outsider's own inbox: A's task is not in it
    assert inbox.status_code == 200
    assert ids["task_id"] not in [
        row[0] for row in load_workbook(io.BytesIO(inbox.content)).active.iter_rows(min_row=2, values_only=True)
    ]
    for path in (
        "/dashboard/tasks/{task_id}/claim",
        "/dashboard/tasks/{task_id}/release",
        "/dashboard/tasks/{task_id}/decision",
        "/dashboard/tasks/{task_id}/dismiss-identical",
        "/dashboard/tasks/{task_id}/handover",
        "/dashboard/ops/incidents/{incident_id}/retry",
        "/dashboard/cases/filing/{filing_id}/notes",
        "/dashboard/cases/plan/{plan_id}/notes",
    ):
        answer = outsider.post(path.format(**ids), data={"decision": "approve", "text": "另一中心的备注",
                                                         "to_user_id": "1", "reason": "转交"})
        assert answer.status_code in (403, 404), (path, answer.status_code)
    with db(api) as session:
        assert session.exec(select(CaseNote)).all() == []  # no note on A's cases from outside
        assert session.get(HumanTask, ids["task_id"]).status == "open"
        assert session.exec(select(Incident)).one().status == "open"
