"""The README's "Integrate in ten minutes", run as written against the session's stack with an enterprise's
token: the occupation is found, the filing is made (once, whatever the retries), the material uploaded, and the
feed tells of the filing."""

from __future__ import annotations

import json
import os
import subprocess
from pathlib import Path

from tests.samples import pdf
from tests.stack.driver import Driver

ROOT = Path(__file__).resolve().parents[2]


def integrate_commands() -> str:
    section = (ROOT / "README.md").read_text(encoding="utf-8").split("## Integrate in ten minutes", 1)[1]
    return section.split("```bash\n", 1)[1].split("```", 1)[0]


def answers(output: str) -> list[dict]:
    """curl prints each JSON answer without a newline after it: the answers one after another."""
    decoder, found, at = json.JSONDecoder(), [], 0
    while at < len(output):
        if output[at].isspace():
            at += 1
            continue
        value, at = decoder.raw_decode(output, at)
        found.append(value)
    return found


def test_the_readmes_integration_commands_file_upload_and_read_the_feed(stack, tmp_path):
    driver = Driver(stack, prefix="integrate")
    script = integrate_commands()
    assert script.startswith("export CERTFLOW=http://127.0.0.1:8000 TOKEN=cf_your_enterprise_token\n")
    script = script.split("\n", 1)[1]  # the values of this machine's stack instead of the example's
    (tmp_path / "licence.pdf").write_bytes(pdf("business licence of the README's enterprise"))
    env = {**os.environ, "CERTFLOW": stack.api_url, "TOKEN": driver.tokens["enterprise"]}
    ran = subprocess.run(["bash", "-euo", "pipefail", "-c", script], cwd=tmp_path, env=env, capture_output=True,
                         text=True, timeout=120)
    assert ran.returncode == 0, ran.stderr
    occupations, stored, filing, feed = answers(ran.stdout)
    assert occupations["items"][0]["code"] == "6-18-01-01" and occupations["items"][0]["self_evaluable"]
    assert stored["kind"] == "business_licence"
    assert filing["status"] not in ("rejected", "closed") and filing["profile"] == "guangdong"
    assert filing["enterprise_name"] == "广州示例机械有限公司"
    assert ("filing.submitted", filing["id"]) in [(e["type"], e["case_id"]) for e in feed["items"]]

    again = subprocess.run(["bash", "-euo", "pipefail", "-c", script], cwd=tmp_path, env=env, capture_output=True,
                           text=True, timeout=120)  # a retry of the whole script: the key answers the same filing
    assert again.returncode == 0, again.stderr
    assert answers(again.stdout)[2]["id"] == filing["id"]
