"""What operations watch is what the app exports (issue 30, item 4): every metric the alert rules and the Grafana
panels query is in a scrape of /metrics (HTTP counters and histograms by their series' names), and promtool reads
the rules and the scrape configuration as valid."""

from __future__ import annotations

import json
import re
import shutil
import subprocess
from pathlib import Path

import pytest
import yaml

from engine.tick import beat
from models.db import session_scope
from models.integration import WebhookEndpoint
from models.workflow import Incident

DEPLOY = Path(__file__).resolve().parents[2] / "deploy"
METRIC = re.compile(r"\bcertflow_[a-z_]+")


def _queried() -> dict[str, set[str]]:
    rules = yaml.safe_load((DEPLOY / "prometheus" / "alerts.yml").read_text())
    dashboard = json.loads((DEPLOY / "grafana" / "certflow-dashboard.json").read_text())
    return {
        "alerts": {m for group in rules["groups"] for rule in group["rules"] for m in METRIC.findall(rule["expr"])},
        "dashboard": {m for panel in dashboard["panels"] for target in panel["targets"]
                      for m in METRIC.findall(target["expr"])},
    }


def test_every_metric_the_alerts_and_the_dashboard_query_is_exported(api, people):
    import datetime as dt

    now = dt.datetime.now(dt.UTC)
    with session_scope(api.settings.database_url) as session:  # one of each kind of row the gauges count
        session.add(Incident(kind="certificate_upload", case_type="plan", case_id=1, error="502", created_at=now))
        session.add(WebhookEndpoint(owner_id=people.id_of(people.make("enterprise")), url="https://example.org/h",
                                    secret="s" * 32, event_types=[], enabled=False, created_at=now, updated_at=now))
    beat(api.settings)  # the leading tick's heartbeat
    api.get("/healthz")  # a request: the HTTP counters and histograms have series
    scrape = api.get("/metrics", headers=people.make("operations")).text
    exported = {line.split("{")[0].split(" ")[0] for line in scrape.splitlines() if line.startswith("certflow_")}
    for family, kind in re.findall(r"^# TYPE (certflow_\w+) (\w+)", scrape, re.M):  # families with no series yet
        exported |= {family} | ({f"{family}_{part}" for part in ("bucket", "count", "sum")} if kind == "histogram"
                                else set())
    queried = _queried()
    assert queried["alerts"] and queried["dashboard"]
    for where, names in queried.items():
        assert names <= exported, f"{where} query metrics the app does not export: {sorted(names - exported)}"
    assert 'certflow_incidents_open{kind="certificate_upload"} 1.0' in scrape
    assert 'certflow_webhook_endpoints{state="disabled"} 1.0' in scrape
    assert re.search(r"^certflow_tick_heartbeat_age_seconds \d", scrape, re.M)


@pytest.mark.skipif(shutil.which("promtool") is None, reason="promtool: Debian's prometheus package (scripts/setup)")
def test_promtool_reads_the_alert_rules_and_the_scrape_configuration_as_valid(tmp_path):
    rules = subprocess.run(["promtool", "check", "rules", str(DEPLOY / "prometheus" / "alerts.yml")],
                           capture_output=True, text=True, timeout=60)
    assert rules.returncode == 0, rules.stdout + rules.stderr
    assert f"SUCCESS: {len(yaml.safe_load((DEPLOY / 'prometheus' / 'alerts.yml').read_text())['groups'][0]['rules'])}" \
        in rules.stdout
    token = tmp_path / "token"
    token.write_text("t")
    config = (DEPLOY / "prometheus" / "prometheus.yml").read_text().replace("/etc/prometheus/certflow-metrics-token",
                                                                           str(token))
    (tmp_path / "prometheus.yml").write_text(config)
    shutil.copy(DEPLOY / "prometheus" / "alerts.yml", tmp_path / "alerts.yml")
    checked = subprocess.run(["promtool", "check", "config", str(tmp_path / "prometheus.yml")], capture_output=True,
                             text=True, timeout=60)
    assert checked.returncode == 0, checked.stdout + checked.stderr
