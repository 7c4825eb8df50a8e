"""The policy rules import no framework: they are tested and reasoned about alone."""

import ast
import pathlib
import subprocess
import sys

POLICY = pathlib.Path(__file__).resolve().parents[2] / "policy"
FORBIDDEN = {"prefect", "sqlmodel", "sqlalchemy", "fastapi", "jinja2", "starlette", "weasyprint"}


def test_no_policy_module_imports_a_framework():
    offenders = []
    for path in POLICY.rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            names = [a.name for a in node.names] if isinstance(node, ast.Import) else (
                [node.module or ""] if isinstance(node, ast.ImportFrom) else [])
            offenders += [f"{path.name}: {n}" for n in names if n.split(".")[0] in FORBIDDEN]
    assert offenders == []


def test_importing_every_policy_module_loads_no_framework():
    code = (
        "import sys, policy.working_days, policy.numbering, policy.identity, policy.levels, "
        "policy.eligibility, policy.profiles, policy.occupations, policy.regions\n"
        f"bad = sorted(m for m in sys.modules if m.split('.')[0] in {sorted(FORBIDDEN)!r})\n"
        "print(','.join(bad))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True,
                         cwd=POLICY.parent).stdout.strip()
    assert out == ""
