"""Two commits' engine figures, run back to back on this machine, and their ratios (issue 31: regressions caught
without an absolute threshold in any test — a shared machine's speed moves by half within an hour).

  .venv/bin/python bench/compare_engine.py OLD NEW [bench_engine options…]
      checks each commit out into a temporary worktree, runs this checkout's bench/bench_engine.py there with
      --json (the same options and .venv; each commit's code and migrations), then prints both and NEW/OLD
  .venv/bin/python bench/compare_engine.py --files old.json new.json
      compares two figure files written before

A ratio is marked when it is worse by more than 20 %: a hint to look, not a verdict (each run also records a
CPU probe: if the probes differ as much, the machine moved, not the code).
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
# figure → True when higher is better
FIGURES = {"intake_per_s": True, "intake_p50_ms": False, "intake_p99_ms": False, "intake_errors": False,
           "drain_runs_per_s": True, "drain_s": False, "lost": False, "doubled": False,
           "decision_p50_s": False, "decision_p99_s": False, "decision_max_s": False, "cpu_probe_s": False,
           "burst_core_s_per_filing": False, "decision_core_s_per_step": False}
WORSE_BY = 0.20


def run_at(commit: str, options: list[str], out: Path) -> dict:
    """bench_engine.py of `commit`, from a worktree of its own, with this checkout's interpreter."""
    with tempfile.TemporaryDirectory(prefix=f"certflow-bench-{commit[:8]}-") as folder:
        worktree = Path(folder) / "tree"
        subprocess.run(["git", "worktree", "add", "--detach", str(worktree), commit], cwd=ROOT, check=True,
                       capture_output=True)
        for script in ("bench_engine.py", "harness.py"):  # this checkout's measurement, each commit's code
            shutil.copy(ROOT / "bench" / script, worktree / "bench" / script)
        try:
            print(f"— {commit}: bench/bench_engine.py {' '.join(options)}", flush=True)
            # the worktree's code, not the checkout's editable install (the stack's processes run from it too)
            subprocess.run([sys.executable, "bench/bench_engine.py", *options, "--json", str(out)], cwd=worktree,
                           env={**os.environ, "PYTHONPATH": str(worktree)}, check=True)
        finally:
            subprocess.run(["git", "worktree", "remove", "--force", str(worktree)], cwd=ROOT, capture_output=True)
    return json.loads(out.read_text(encoding="utf-8"))


def table(old: dict, new: dict) -> str:
    lines = [f"{'figure':18} {old.get('commit', 'old'):>12} {new.get('commit', 'new'):>12}   new/old"]
    for name, higher_is_better in FIGURES.items():
        if name not in old or name not in new:
            continue
        a, b = float(old[name]), float(new[name])
        ratio = b / a if a else (1.0 if b == a else float("inf"))
        worse = (ratio < 1 - WORSE_BY) if higher_is_better else (ratio > 1 + WORSE_BY)
        lines.append(f"{name:18} {a:12.3f} {b:12.3f}   {ratio:6.2f}{'  ← worse' if worse and a else ''}")
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--files", nargs=2, metavar=("OLD_JSON", "NEW_JSON"), help="compare two figure files")
    parser.add_argument("commits", nargs="*", help="OLD NEW, then bench_engine.py's options")
    args, options = parser.parse_known_args()
    if args.files:
        missing = [f for f in args.files if not Path(f).is_file()]
        if missing:
            parser.error(f"no such figure file: {', '.join(missing)}")
        old, new = (json.loads(Path(f).read_text(encoding="utf-8")) for f in args.files)
    else:
        if len(args.commits) < 2:
            parser.error("give two commits (or --files OLD_JSON NEW_JSON)")
        (first, second), options = args.commits[:2], args.commits[2:] + options
        with tempfile.TemporaryDirectory(prefix="certflow-compare-") as folder:
            old = run_at(first, options, Path(folder) / "old.json")
            new = run_at(second, options, Path(folder) / "new.json")
    print(table(old, new))


if __name__ == "__main__":
    main()
