"""The code stands in floors, each importing only its own floor and those below, with no import circle
anywhere. Every import counts, function-local ones too (they hide a dependency, they do not remove it).

    top      certflow/   the command line, the process roles, the embedded stack, the demo
    api      api/        HTTP and the dashboard
    engine   engine/     the one Prefect client, the tick's passes, leader election
    flows    flows/      the processes as Prefect flows
    tasks    tasks/      the steps' work on the database
    models   models/     tables, the database session, the stored business clock, the migrations
    core     core/       settings, time as people read it, the evidence chain's arithmetic (no table)
    policy   policy/     the rules, framework-free (tests/unit/test_policy_is_framework_free.py)

Inside tasks/ the rooms stand in floors of their own (tasks/__init__.py says what each holds), bottom up:
errors, adapters, records, people, waits, queries, cases, exchange.

Relative imports count as their absolute module; Alembic's migrations are modules of models/ like any
other (they are loaded by Alembic, but what they import is still a dependency).
"""

from __future__ import annotations

import ast
import pathlib

ROOT = pathlib.Path(__file__).resolve().parents[2]
FLOORS = [("policy", {"policy"}), ("core", {"core"}), ("models", {"models"}), ("tasks", {"tasks"}),
          ("flows", {"flows"}), ("engine", {"engine"}), ("api", {"api"}), ("top", {"certflow"})]
LEVEL = {package: level for level, (_, packages) in enumerate(FLOORS) for package in packages}
TASK_ROOMS = ["errors", "adapters", "records", "people", "waits", "queries", "cases", "exchange"]


def _modules() -> dict[str, pathlib.Path]:
    found = {}
    for package in LEVEL:
        for path in (ROOT / package).rglob("*.py"):
            name = ".".join(path.relative_to(ROOT).with_suffix("").parts).removesuffix(".__init__")
            found[name] = path
    return found


def _absolute(module: str, path: pathlib.Path, node: ast.ImportFrom) -> str:
    """The module a `from . import x` / `from ..a import x` in `module` names."""
    if node.level == 0:
        return node.module or ""
    package = module.split(".") if path.name == "__init__.py" else module.split(".")[:-1]
    base = package[: len(package) - (node.level - 1)]
    return ".".join([*base, *([node.module] if node.module else [])])


def _imports() -> dict[str, set[str]]:
    """Module → our modules it imports (a `from a import b` names a.b when b is a module)."""
    modules = _modules()

    def resolve(name: str) -> str:
        while name and name not in modules:
            name = name.rpartition(".")[0]
        return name

    edges: dict[str, set[str]] = {name: set() for name in modules}
    for name, path in modules.items():
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Import):
                targets = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom) and (module := _absolute(name, path, node)):
                targets = [f"{module}.{a.name}" if f"{module}.{a.name}" in modules else module
                           for a in node.names]
            else:
                continue
            edges[name] |= {resolve(t) for t in targets if t.split(".")[0] in LEVEL and resolve(t) not in ("", name)}
    return edges


def _floor(module: str) -> int:
    return LEVEL[module.split(".")[0]]


def test_every_import_points_to_the_same_floor_or_one_below():
    upward = sorted(f"{a} ({FLOORS[_floor(a)][0]}) imports {b} ({FLOORS[_floor(b)][0]})"
                    for a, targets in _imports().items() for b in targets if _floor(b) > _floor(a))
    assert upward == []


def test_no_module_reaches_itself_through_its_imports():
    edges = _imports()
    circles = []
    for start in sorted(edges):
        path, seen, stack = {start: [start]}, {start}, [start]
        while stack:
            current = stack.pop()
            for nxt in sorted(edges[current]):
                if nxt == start:
                    circles.append(" → ".join(path[current] + [start]))
                elif nxt not in seen:
                    seen.add(nxt)
                    path[nxt] = path[current] + [nxt]
                    stack.append(nxt)
    assert circles == []


def _room(module: str) -> str:
    return module.split(".")[1] if module.count(".") else "tasks"  # the package itself stands above its rooms


def test_inside_tasks_every_import_points_to_the_same_room_or_one_below():
    order = [*TASK_ROOMS, "tasks"]
    upward = sorted(f"{a} imports {b}" for a, targets in _imports().items() if a.startswith("tasks")
                    for b in targets if b.startswith("tasks") and order.index(_room(b)) > order.index(_room(a)))
    assert upward == []


def test_every_room_of_tasks_has_its_floor_and_holds_no_loose_module():
    rooms = {p.name for p in (ROOT / "tasks").iterdir() if (p / "__init__.py").exists()}
    loose = {p.stem for p in (ROOT / "tasks").glob("*.py")} - {"__init__", "errors"}
    assert rooms == set(TASK_ROOMS) - {"errors"} and loose == set()


def test_function_local_imports_of_our_own_code_live_only_on_the_top_floor():
    """Below the command line a dependency is declared at the top of the module. The command line
    imports its commands' code late on purpose: `certflow --help` must not load Prefect."""
    hidden = []
    for name, path in _modules().items():
        if _floor(name) == LEVEL["certflow"]:
            continue
        for function in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if not isinstance(function, (ast.FunctionDef, ast.AsyncFunctionDef)):
                continue
            for node in ast.walk(function):
                names = ([a.name for a in node.names] if isinstance(node, ast.Import) else
                         [node.module or ""] if isinstance(node, ast.ImportFrom) else [])
                hidden += [f"{name}:{node.lineno} {n}" for n in names if n.split(".")[0] in LEVEL]
    assert hidden == []


def test_the_floor_test_reads_every_python_file_of_every_floor():
    """It would pass on an empty tree: so it counts what it reads against the files there are."""
    files = [p for package in LEVEL for p in (ROOT / package).rglob("*.py")]
    assert len(files) > 150 and len(_modules()) == len(files)
    assert any(".migrations." in name for name in _modules())


def test_relative_imports_are_read_as_the_module_they_name():
    tree = ast.parse("from . import clock\nfrom ..policy import steps\n")
    here = ROOT / "models" / "db.py"
    first, second = tree.body
    assert _absolute("models.db", here, first) == "models"
    assert _absolute("models.db", here, second) == "policy"


def test_the_floors_cover_every_package_of_ours():
    packages = {p.name for p in ROOT.iterdir() if (p / "__init__.py").exists() and p.name != "tests"}
    assert packages - set(LEVEL) == set(), "a new package needs its floor here"
