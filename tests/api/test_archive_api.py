"""A filing's archive (电子档案): the centre downloads one ZIP with the case, its timeline, the deficiency
notice, the uploaded material and the audit entries with their hashes; `certflow archive verify` holds
for it and names what was changed in a tampered copy; the enterprise and other centres get nothing."""

from __future__ import annotations

import hashlib
import io
import json
import subprocess
import zipfile
from pathlib import Path

from tasks.cases.filing import issue_deficiency_notice
from tasks.exchange import archive
from tasks.waits.human_tasks import ensure_task
from tests.api.conftest import db
from tests.api.helpers import filing_form
from tests.cli.helpers import certflow
from tests.samples import pdf

PDF = pdf("a licence")
# Plain queries over the case, its files and its chain (the chains run on PostgreSQL in tests/db): SQLite pass only.


def _filing_with_a_notice_and_a_material(api, people) -> tuple[int, dict]:
    enterprise = people.make("enterprise")
    filing_id = api.post("/api/v1/filings", json=filing_form(), headers=enterprise).json()["id"]
    uploaded = api.post(f"/api/v1/filings/{filing_id}/materials", data={"kind": "business_licence"},
                        files={"file": ("营业执照.pdf", PDF, "application/pdf")}, headers=enterprise)
    assert uploaded.status_code == 201, uploaded.text
    with db(api) as session:
        task_id = ensure_task(session, key=f"archive:{filing_id}", case_type="filing", case_id=filing_id,
                              step="acceptance", role="officer", jurisdiction="440106", due_working_days=5,
                              flow_run_id=None).id
    officer = people.make("officer", jurisdiction="440000")
    assert api.post(f"/api/v1/tasks/{task_id}/claim", headers=officer).status_code == 200
    decided = api.post(f"/api/v1/tasks/{task_id}/decision", headers=officer,
                       json={"decision": "deficient", "deficiencies": ["缺少近两年职工教育经费使用证明"]})
    assert decided.status_code == 200, decided.text
    with db(api) as session:  # the step the flow takes next (no flows run in the API tests)
        issue_deficiency_notice(session, filing_id=filing_id, round_no=0, officer_id=people.id_of(officer),
                                items=decided.json()["decision_payload"]["deficiencies"])
    return filing_id, officer


def _rezip(content: bytes, change) -> bytes:
    source, target = zipfile.ZipFile(io.BytesIO(content)), io.BytesIO()
    with zipfile.ZipFile(target, "w") as out:
        for name in source.namelist():
            data = change(name, source.read(name))
            if data is not None:
                out.writestr(name, data)
    return target.getvalue()


def test_the_centre_downloads_a_filings_archive_that_verifies_and_a_tampered_copy_does_not(api, people, tmp_path):
    filing_id, officer = _filing_with_a_notice_and_a_material(api, people)
    answer = api.get(f"/api/v1/filings/{filing_id}/archive", headers=officer)
    assert answer.status_code == 200 and answer.headers["content-type"] == "application/zip"
    names = zipfile.ZipFile(io.BytesIO(answer.content)).namelist()
    assert {"case.json", "timeline.json", "audit.json", "manifest.json", "documents/notice-1.pdf"} <= set(names)
    assert any(n.startswith("materials/round-0/business_licence-") and n.endswith("营业执照.pdf") for n in names)
    manifest, problems = archive.verify(io.BytesIO(answer.content))
    assert problems == [] and manifest["case"] == {"type": "filing", "id": filing_id}
    entries = json.loads(zipfile.ZipFile(io.BytesIO(answer.content)).read("audit.json"))
    assert [e["seq"] for e in entries] == list(range(1, len(entries) + 1)) and manifest["audit_chain_head"][
        "length"
    ] == len(entries)

    good = tmp_path / "good.zip"
    good.write_bytes(answer.content)
    done = certflow("archive", "verify", str(good))
    assert done.returncode == 0 and "files match the manifest" in done.stdout, done.stdout + done.stderr

    def swap_material(name: str, data: bytes):
        return b"%PDF-1.4\n% another licence\n%%EOF\n" if name.startswith("materials/") else data

    def forge_audit(name: str, data: bytes):
        if name != "audit.json":
            return data
        forged = json.loads(data)
        forged[0]["actor_role"] = "admin"
        return json.dumps(forged).encode()

    for change, expected in (
        (swap_material, "materials/round-0/"),
        (forge_audit, "audit.json"),
        (lambda name, data: None if name == "documents/notice-1.pdf" else data, "missing"),
    ):
        bad = tmp_path / "bad.zip"
        bad.write_bytes(_rezip(answer.content, change))
        done = certflow("archive", "verify", str(bad))
        assert done.returncode == 1 and expected in done.stdout, done.stdout + done.stderr


def test_the_archive_is_the_centres_the_enterprise_and_other_centres_get_nothing(api, people):
    filing_id, _ = _filing_with_a_notice_and_a_material(api, people)
    assert api.get(f"/api/v1/filings/{filing_id}/archive", headers=people.make("enterprise")).status_code == 403
    assert (
        api.get(
            f"/api/v1/filings/{filing_id}/archive", headers=people.make("officer", jurisdiction="320000")
        ).status_code
        == 404
    )
    assert api.get("/api/v1/filings/999999/archive", headers=people.make("admin")).status_code == 404
    assert api.get(f"/api/v1/filings/{filing_id}/archive", headers=people.make("operations")).status_code == 200


def test_certflow_archive_export_writes_the_same_archive_under_the_data_folder(api, people, tmp_path):
    import os

    filing_id, _ = _filing_with_a_notice_and_a_material(api, people)
    env = {
        **os.environ,
        "CERTFLOW_DATA_DIR": str(api.settings.data_dir),
        "CERTFLOW_DATABASE_URL": api.settings.database_url,
    }
    done = certflow("archive", "export", "--filing", str(filing_id), env=env)
    assert done.returncode == 0, done.stderr
    written = done.stdout.split()[0]
    assert written.startswith(str(api.settings.data_dir / "archives")) and written.endswith(".zip")
    manifest, problems = archive.verify(Path(written))
    assert problems == [] and "documents/notice-1.pdf" in {f["path"] for f in manifest["files"]}
    again = certflow("archive", "export", "--filing", str(filing_id), env=env)
    assert again.returncode == 2 and "exists already" in again.stderr  # never overwrites an archive
    unknown = certflow("archive", "export", "--plan", "999999", env=env)
    assert unknown.returncode == 2 and "does not exist" in unknown.stderr


def _with_manifest_recomputed(content: bytes, change) -> bytes:
    """A forger's copy: members changed by `change`, then the manifest's sums written afresh to match."""
    changed = _rezip(content, change)
    source = zipfile.ZipFile(io.BytesIO(changed))
    manifest = json.loads(source.read("manifest.json"))
    manifest["files"] = [{"path": n, "sha256": hashlib.sha256(source.read(n)).hexdigest(),
                          "size": len(source.read(n))} for n in sorted(source.namelist()) if n != "manifest.json"]
    return _rezip(changed, lambda name, data: json.dumps(manifest).encode() if name == "manifest.json" else data)


def _verify_cli(path: Path, *extra: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess:
    return certflow("archive", "verify", str(path), *extra, env=env)


def test_a_swapped_material_under_a_recomputed_manifest_is_caught_by_its_uploads_audit_entry(api, people, tmp_path):
    filing_id, officer = _filing_with_a_notice_and_a_material(api, people)
    content = api.get(f"/api/v1/filings/{filing_id}/archive", headers=officer).content
    forged = tmp_path / "forged.zip"
    forged.write_bytes(_with_manifest_recomputed(
        content, lambda name, data: b"%PDF-1.4\n% another licence\n%%EOF\n" if name.startswith("materials/") else data))
    done = _verify_cli(forged)
    assert done.returncode == 1 and "differs from the one its upload recorded in the audit trail" in done.stdout


def test_against_the_records_a_manifest_written_afterwards_is_caught_and_the_real_one_holds(api, people, tmp_path):
    filing_id, officer = _filing_with_a_notice_and_a_material(api, people)
    content = api.get(f"/api/v1/filings/{filing_id}/archive", headers=officer).content
    real, rewritten = tmp_path / "real.zip", tmp_path / "rewritten.zip"
    real.write_bytes(content)
    rewritten.write_bytes(_with_manifest_recomputed(content, lambda name, data: data))
    import os

    env = {**os.environ, "CERTFLOW_DATA_DIR": str(api.settings.data_dir),
           "CERTFLOW_DATABASE_URL": api.settings.database_url}
    held = _verify_cli(real, "--records", env=env)
    assert held.returncode == 0 and "this system's records" in held.stdout, held.stdout + held.stderr
    caught = _verify_cli(rewritten, "--records", env=env)
    assert caught.returncode == 1 and "was never exported by this system" in caught.stdout


def test_hostile_archives_are_reported_broken_in_one_line_never_with_a_traceback(api, people, tmp_path):
    filing_id, officer = _filing_with_a_notice_and_a_material(api, people)
    content = api.get(f"/api/v1/filings/{filing_id}/archive", headers=officer).content
    escaping = tmp_path / "escaping.zip"
    escaping.write_bytes(content)
    with zipfile.ZipFile(escaping, "a") as archive_file:
        archive_file.writestr("../../etc/cron.d/evil", b"* * * * * root true\n")
        archive_file.writestr("/tmp/absolute", b"x")
    done = _verify_cli(escaping)
    assert done.returncode == 1 and "../../etc/cron.d/evil: a member name outside" in done.stdout
    assert "/tmp/absolute: a member name outside" in done.stdout
    for name, data in (("truncated.zip", content[: len(content) // 2]), ("garbage.zip", b"PK\x03\x04" + b"\x00" * 64)):
        broken = tmp_path / name
        broken.write_bytes(data)
        done = _verify_cli(broken)
        assert done.returncode == 1 and "Traceback" not in done.stderr, done.stderr
        assert len((done.stdout + done.stderr).strip().splitlines()) == 1 and "BROKEN" in done.stdout
