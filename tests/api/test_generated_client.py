"""A client generated from /openapi.json by openapi-python-client (a maintained generator, installed
by scripts/setup in .venv-tools because its typer pin conflicts with Prefect's) drives a filing
through the API: the enterprise files and uploads a material, lists and reads its filing; the officer
claims the acceptance task and issues the one-time deficiency decision; an outsider's read is a
typed 404. If the document stops generating a client, or a generated method no longer fits the API,
this fails."""

from __future__ import annotations

import hashlib
import importlib
import io
import json
import subprocess
import sys
from pathlib import Path

import pytest

from models.schemas import REQUEST_EXAMPLES, FilingCreate
from tests.api.conftest import db
from tests.api.helpers import credit_code
from tests.samples import pdf

GENERATOR = Path(__file__).resolve().parents[2] / ".venv-tools" / "bin" / "openapi-python-client"
PDF = pdf("generated client upload")


@pytest.fixture(scope="module")
def generated(tmp_path_factory):
    assert GENERATOR.exists(), "run scripts/setup: it installs openapi-python-client into .venv-tools"
    from api.app import create_app
    from core.settings import Settings

    folder = tmp_path_factory.mktemp("client")
    document = folder / "openapi.json"
    document.write_text(json.dumps(create_app(Settings(data_dir=folder / "data")).openapi()), encoding="utf-8")
    done = subprocess.run([str(GENERATOR), "generate", "--path", str(document), "--meta", "none"], cwd=folder,
                          capture_output=True, text=True, timeout=120)
    package = folder / "certflow_api_client"
    assert package.is_dir(), done.stdout[-2000:] + done.stderr[-2000:]
    sys.path.insert(0, str(folder))
    try:
        yield lambda name: importlib.import_module(f"certflow_api_client.{name}")
    finally:
        sys.path.remove(str(folder))
        for name in [m for m in sys.modules if m.startswith("certflow_api_client")]:
            del sys.modules[name]


def test_a_generated_client_files_uploads_and_gets_a_deficiency_decision(api, people, generated):
    from tasks.waits.human_tasks import ensure_task

    client = generated("client").Client(base_url="http://testserver")
    client.set_httpx_client(api)  # the TestClient is an httpx.Client: the generated code runs unchanged
    models, types = generated("models"), generated("types")
    enterprise = people.make("enterprise")["Authorization"]

    example = REQUEST_EXAMPLES[FilingCreate] | {"credit_code": credit_code()}
    created = generated("api.filings.create_filing").sync_detailed(
        client=client, body=models.FilingCreate.from_dict(example), authorization=enterprise)
    assert created.status_code == 201, created.content
    assert isinstance(created.parsed, models.FilingSummary)  # typed: the answer's schema became a class
    filing_id = created.parsed.id

    upload = models.BodyUploadFilingMaterial(kind="business_licence", file=types.File(
        payload=io.BytesIO(PDF), file_name="营业执照.pdf", mime_type="application/pdf"))
    uploaded = generated("api.files.upload_filing_material").sync_detailed(
        filing_id, client=client, body=upload, authorization=enterprise)
    assert uploaded.status_code == 201, uploaded.content
    assert uploaded.parsed.media_type == "application/pdf" and uploaded.parsed.sha256 == hashlib.sha256(PDF).hexdigest()

    listed = generated("api.lists.list_filings").sync_detailed(client=client, authorization=enterprise)
    assert [item.id for item in listed.parsed.items] == [filing_id]
    read = generated("api.filings.read_filing").sync_detailed(filing_id, client=client, authorization=enterprise)
    assert read.status_code == 200 and read.parsed.id == filing_id and read.parsed.status == "submitted"

    with db(api) as session:  # the acceptance task the flow would open (no flows run in the API tests)
        task_id = ensure_task(session, key=f"client:{filing_id}:acceptance", case_type="filing", case_id=filing_id,
                              step="acceptance", role="officer", jurisdiction="440106", due_working_days=5,
                              flow_run_id=None).id
    officer = people.make("officer", jurisdiction="440000")["Authorization"]
    claimed = generated("api.tasks.claim").sync_detailed(task_id, client=client, authorization=officer)
    assert claimed.status_code == 200, claimed.content
    decision = models.DecisionIn.from_dict(
        {"decision": "deficient", "deficiencies": ["缺少近两年职工教育经费使用证明"]}
    )
    decided = generated("api.tasks.decide").sync_detailed(task_id, client=client, body=decision, authorization=officer)
    assert decided.status_code == 200, decided.content
    assert decided.parsed.status == "decided" and decided.parsed.decision == "deficient"

    downloaded = generated("api.files.download_filing_material").sync_detailed(
        filing_id, uploaded.parsed.id, client=client, authorization=officer
    )
    assert downloaded.status_code == 200 and downloaded.content == PDF

    outsider = people.make("enterprise")["Authorization"]
    refused = generated("api.filings.read_filing").sync_detailed(filing_id, client=client, authorization=outsider)
    assert refused.status_code == 404 and isinstance(refused.parsed, models.ErrorOut)
