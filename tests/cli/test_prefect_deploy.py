"""At scale the flows run on Prefect process workers: `prefect deploy --all` from the checkout creates the
deployments of prefect.yaml, and a process worker runs one of them to completion."""

import os
import subprocess
import sys
from pathlib import Path

import httpx
import pytest

from certflow import prefect_template
from certflow.embedded import _stop, _wait_http, free_port
from tests.cli.helpers import certflow

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture()
def prefect_server(tmp_path):
    port = free_port()
    env = {**os.environ, "PREFECT_HOME": str(tmp_path / "prefect"), "PREFECT_SERVER_ANALYTICS_ENABLED": "false",
           "PREFECT_API_URL": f"http://127.0.0.1:{port}/api", "PREFECT_SERVER_ALLOW_EPHEMERAL_MODE": "false",
           "PREFECT_LOGGING_LEVEL": "WARNING"}
    prefect_template.seed(tmp_path / "prefect")  # a migrated database when this machine has one (~8 s less)
    log = open(tmp_path / "server.log", "wb")  # noqa: SIM115
    server = subprocess.Popen([sys.executable, "-m", "prefect", "server", "start", "--host", "127.0.0.1", "--port",
                               str(port)], env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
    try:
        _wait_http(f"http://127.0.0.1:{port}/api/health", 120, "the Prefect server", server, tmp_path / "server.log")
        yield env
    finally:
        _stop(server)
        log.close()


def _prefect(env, *args, timeout=180):
    done = subprocess.run([sys.executable, "-m", "prefect", *args], env=env, cwd=ROOT, capture_output=True,
                          text=True, timeout=timeout)
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-3000:]
    return done.stdout


def test_prefect_deploy_all_creates_the_deployments_and_a_process_worker_runs_one(prefect_server, tmp_path):
    env = prefect_server | {"CERTFLOW_HOME": str(ROOT), "CERTFLOW_DATA_DIR": str(tmp_path / "data")}
    certflow("calendar", "show", "2026", data_dir=tmp_path / "data", check=True)  # a prepared data folder
    _prefect(env, "work-pool", "create", "certflow", "--type", "process")
    _prefect(env, "--no-prompt", "deploy", "--all")
    api = env["PREFECT_API_URL"]
    deployments = httpx.post(f"{api}/deployments/filter", json={}).json()
    names = {(d["name"], d["entrypoint"]) for d in deployments}
    assert names == {("certflow", "flows/institution_filing.py:institution_filing"),
                     ("certflow", "flows/evaluation_batch.py:evaluation_batch"),
                     ("certflow", "flows/certificate_revocation.py:certificate_revocation"),
                     ("certflow", "flows/supervision_case.py:supervision_case"),
                     ("certflow", "flows/sla_scan.py:sla_scan"),
                     ("certflow", "flows/inactivity_scan.py:inactivity_scan")}

    # a run asked for over the API (what `prefect deployment run` does, without another CLI process's ~4 s)
    sla_scan = next(d["id"] for d in deployments if d["entrypoint"] == "flows/sla_scan.py:sla_scan")
    run_id = httpx.post(f"{api}/deployments/{sla_scan}/create_flow_run", json={}).json()["id"]
    _prefect(env, "worker", "start", "--pool", "certflow", "--run-once")
    run = httpx.get(f"{api}/flow_runs/{run_id}").json()
    assert run["state_type"] == "COMPLETED", run["state"]
