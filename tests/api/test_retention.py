"""Retention applied: a closed case's uploaded files are kept for the profile's electronic period (5 years)
and a legal hold — a court's, or an open supervision case about the institution — keeps them longer;
the report lists what may go, the purge removes exactly that with an audit entry, and any other deletion
of a file is refused."""

from __future__ import annotations

import datetime as dt
import json
import os
import subprocess
import sys

import pytest
from sqlmodel import select

from core.clock import wall_now
from models.cases import FilingApplication
from models.integration import CaseFile
from models.supervision import SupervisionCase
from tasks.adapters import filestore
from tasks.records import audit, evidence, retention
from tasks.records.retention import RetentionRefused
from tests.api.conftest import db, move_clock
from tests.api.helpers import registered_institution

CLOSED_ON = dt.date(2026, 9, 1)


def _closed_filing(api, *, status: str = "rejected", with_file: bytes = b"%PDF-1.4 licence") -> tuple[int, int]:
    """A filing closed on the business day, with one uploaded file: (filing id, file id)."""
    store = filestore.for_settings(api.settings)
    with db(api) as session:
        institution_id = registered_institution(session, serial=abs(hash(with_file)) % 900_000)
        now = wall_now()
        filing = FilingApplication(institution_id=institution_id, applicant_id=None, profile_code="guangdong",
                                   region_code="440106", status=status, current_step="closed",
                                   form={"enterprise_name": "甲"}, created_at=now, updated_at=now)
        session.add(filing)
        session.flush()
        digest = filestore.digest(with_file)
        store.put(digest, with_file)
        file = CaseFile(case_type="filing", case_id=filing.id, kind="business_licence", sha256=digest,
                        size=len(with_file), media_type="application/pdf", filename="营业执照.pdf", storage="local",
                        uploaded_by=_someone(session), uploaded_at=now)
        session.add(file)
        session.flush()
        audit.record(session, case_type="filing", case_id=filing.id, action="step_entered",
                     after={"status": status, "step": "closed"})
        return filing.id, file.id


def _someone(session) -> int:
    from models.accounts import User

    return session.exec(select(User.id).where(User.role == "enterprise")).first()


@pytest.fixture()
def closed(api, people):
    admin = people.make("admin")
    people.make("enterprise")  # an account for the uploads' uploader
    move_clock(api, admin, CLOSED_ON)
    return admin


def test_nothing_is_purged_before_the_period_ends_and_exactly_the_reported_files_after(api, people, closed):
    rejected, file_id = _closed_filing(api, with_file=b"%PDF-1.4 rejected")
    registered, _ = _closed_filing(api, status="registered", with_file=b"%PDF-1.4 registered")
    with db(api) as session:
        early = retention.report(session)
        assert early.purgeable == [] and early.kept == 2
        refused = retention.purge(session, listed=[{"case_type": "filing", "case_id": rejected, "files": [file_id]}],
                                  actor="ops")
        assert refused["removed"] == [] and "kept 5 years" in refused["skipped"][0]["reason"]
    with pytest.raises(RetentionRefused), db(api) as session:  # a direct deletion of the file is refused at any time
        session.delete(session.get(CaseFile, file_id))
    with db(api) as session:
        assert session.get(CaseFile, file_id) is not None

    move_clock(api, closed, dt.date(2031, 9, 1))  # the last day of the five years: still kept
    with db(api) as session:
        assert retention.report(session).purgeable == []
    move_clock(api, closed, dt.date(2031, 9, 2))
    ops = people.make("operations")
    report = api.get("/api/v1/retention/report", headers=ops).json()
    assert [(r["case_type"], r["case_id"], r["files"]) for r in report["purgeable"]] == [
        ("filing", rejected, [file_id])
    ]
    assert report["kept"] == 1  # the registered institution's filing stays in force

    with db(api) as session:  # a file that came after the report is not the report's to remove
        late = CaseFile(
            case_type="filing",
            case_id=rejected,
            round=1,
            kind="hr_system",
            sha256="0" * 64,
            size=1,
            media_type="application/pdf",
            filename="late.pdf",
            storage="local",
            uploaded_by=people.id_of(ops),
            uploaded_at=wall_now(),
        )
        session.add(late)
        session.flush()
        late_id = late.id
    report_file = api.settings.data_dir / "retention.json"
    report_file.write_text(json.dumps(report), encoding="utf-8")
    env = {
        **os.environ,
        "CERTFLOW_DATA_DIR": str(api.settings.data_dir),
        "CERTFLOW_CLOCK": "simulated",
        "CERTFLOW_DATABASE_URL": api.settings.database_url,
    }
    done = subprocess.run(
        [sys.executable, "-m", "certflow.cli", "retention", "purge", str(report_file), "--by", "运维-王"],
        capture_output=True,
        text=True,
        env=env,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr
    assert f"purged filing:{rejected}: 1 files" in done.stdout
    with db(api) as session:
        assert session.get(CaseFile, file_id) is None and session.get(CaseFile, late_id) is not None
        purged = [e for e in audit_entries(session, rejected) if e.action == "retention_purged"]
        assert purged and purged[0].after["by"] == "运维-王" and purged[0].after["files"][0]["id"] == file_id
        assert evidence.verify(session)[1] is None  # the trail still holds
    assert not filestore.for_settings(api.settings).exists(filestore.digest(b"%PDF-1.4 rejected"))


def test_a_legal_hold_and_an_open_supervision_case_keep_a_file_past_its_period(api, people, closed):
    filing_id, file_id = _closed_filing(api, with_file=b"%PDF-1.4 held")
    with db(api) as session:
        hold = retention.place_hold(session, case_type="filing", case_id=filing_id, reason="行政诉讼待决", by="法务")
        hold_id = hold.id
    move_clock(api, closed, dt.date(2032, 1, 5))
    with db(api) as session:
        found = retention.report(session)
        assert found.purgeable == [] and "行政诉讼待决" in found.held[0].reason
        listed = [row.model_dump(mode="json") for row in found.held]  # as a report file lists them
        assert retention.purge(session, listed=listed, actor="ops")["removed"] == []
        retention.release_hold(session, hold_id=hold_id, by="法务")
        with pytest.raises(RetentionRefused):
            retention.release_hold(session, hold_id=hold_id, by="法务")
        institution_id = session.get(FilingApplication, filing_id).institution_id
        now = wall_now()
        session.add(
            SupervisionCase(
                receipt_number="TS20320105ABCDEFGH",
                source="complaint",
                institution_id=institution_id,
                profile_code="guangdong",
                region_code="440106",
                centre="440100",
                text="投诉",
                contact_name="甲",
                contact_phone="13800138000",
                status="investigating",
                created_at=now,
                updated_at=now,
            )
        )
    with db(api) as session:
        found = retention.report(session)
        assert found.purgeable == [] and "supervision case" in found.held[0].reason
        session.exec(select(SupervisionCase)).first().status = "closed"
    with db(api) as session:
        assert [r.case_id for r in retention.report(session).purgeable] == [filing_id]


def test_a_report_that_is_not_one_and_a_hold_without_reason_are_clear_errors(api, people, closed, tmp_path):
    env = {
        **os.environ,
        "CERTFLOW_DATA_DIR": str(api.settings.data_dir),
        "CERTFLOW_CLOCK": "simulated",
        "CERTFLOW_DATABASE_URL": api.settings.database_url,
    }
    junk = tmp_path / "junk.json"
    junk.write_text("{}", encoding="utf-8")
    done = subprocess.run(
        [sys.executable, "-m", "certflow.cli", "retention", "purge", str(junk), "--by", "x"],
        capture_output=True,
        text=True,
        env=env,
        timeout=120,
    )
    assert done.returncode == 2 and "not a report" in done.stderr
    filing_id, _ = _closed_filing(api, with_file=b"%PDF-1.4 no reason")
    done = subprocess.run(
        [sys.executable, "-m", "certflow.cli", "retention", "hold", "--case", f"filing:{filing_id}", "--by", "x"],
        capture_output=True,
        text=True,
        env=env,
        timeout=120,
    )
    assert done.returncode == 2 and "reason" in done.stderr
    assert api.get("/api/v1/retention/report", headers=people.make("officer", jurisdiction="440000")).status_code == 403


def audit_entries(session, filing_id: int):
    from models.audit import AuditEvent

    return session.exec(
        select(AuditEvent)
        .where(AuditEvent.case_type == "filing", AuditEvent.case_id == filing_id)
        .order_by(AuditEvent.id)
    ).all()
