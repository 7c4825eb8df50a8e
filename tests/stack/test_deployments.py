"""prefect.yaml names the two process flows and the SLA and inactivity scans by entrypoints that exist."""

import importlib
import pathlib

import pytest
import yaml

ROOT = pathlib.Path(__file__).resolve().parents[2]


def test_every_deployment_entrypoint_resolves_to_a_flow():
    config = yaml.safe_load((ROOT / "prefect.yaml").read_text(encoding="utf-8"))
    names = set()
    for deployment in config["deployments"]:
        path, attribute = deployment["entrypoint"].split(":")
        module = importlib.import_module(path.removesuffix(".py").replace("/", "."))
        flow = getattr(module, attribute)
        names.add(flow.name)
        assert deployment["name"] == "certflow"
    assert names == {"institution_filing", "evaluation_batch", "certificate_revocation", "supervision_case", "sla_scan",
                     "inactivity_scan"}


@pytest.mark.postgres
def test_the_stack_keeps_our_tables_on_the_database_the_suite_was_asked_for(stack, request):
    from models.db import get_engine

    expected = {"sqlite": "sqlite", "postgresql": "postgresql"}[request.config.getoption("--db")]
    assert get_engine(stack.settings.database_url).dialect.name == expected
