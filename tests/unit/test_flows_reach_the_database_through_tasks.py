"""A flow is orchestration only: it reaches the database through tasks/, never through models or
SQL of its own (flows/steps.py alone opens the unit of work the steps run in)."""

import ast
import pathlib

FLOWS = pathlib.Path(__file__).resolve().parents[2] / "flows"
# what a flow may not import (every import, function-local ones too)
FORBIDDEN = ("models", "sqlmodel", "sqlalchemy", "api")
ALLOWED = {("steps.py", "models.db"), ("steps.py", "sqlmodel")}  # the session the steps' work runs in
PLAIN_DATA = {"models.facts"}  # what a flow knows of its case: frozen dataclasses, no table, no SQL


def test_no_flow_imports_models_sql_or_the_api():
    offenders = []
    for path in sorted(FLOWS.glob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            names = [a.name for a in node.names] if isinstance(node, ast.Import) else (
                [node.module or ""] if isinstance(node, ast.ImportFrom) else [])
            offenders += [f"{path.name}: {n}" for n in names
                          if n.split(".")[0] in FORBIDDEN and (path.name, n) not in ALLOWED and n not in PLAIN_DATA]
    assert offenders == []
