"""How long a new data folder's embedded stack takes to answer (Prefect server, simulator, runner with its
deployments, API): started as `certflow up` starts it, each phase timed from its progress lines, then stopped.
With --without-template the folder's Prefect database is migrated from empty (the first start on a machine);
by default it starts from the migrated copy kept in ~/.cache/certflow (certflow/prefect_template.py).

Run: .venv/bin/python bench/bench_startup.py [--runs 3] [--without-template]
"""

from __future__ import annotations

import argparse
import statistics
import tempfile
import time
from pathlib import Path
from unittest import mock


def one_start(without_template: bool) -> float:
    from certflow import prefect_template
    from certflow.embedded import Stack
    from core.settings import Settings

    started = time.perf_counter()
    phases: list[str] = []

    def progress(message: str) -> None:
        phases.append(f"  {time.perf_counter() - started:5.1f} s  {message[:60]}")

    stack = Stack(Settings(data_dir=Path(tempfile.mkdtemp(prefix="certflow-bench-start-")), clock="simulated"),
                  api_port=0)
    # without the template: no copy to start from, and the fresh database is not kept as one either
    patches = [mock.patch.object(prefect_template, "seed", return_value=False),
               mock.patch.object(prefect_template, "keep")] if without_template else []
    for patch in patches:
        patch.start()
    try:
        stack.start(progress=progress)
        answered = time.perf_counter() - started
    finally:
        stack.stop()
        for patch in patches:
            patch.stop()
    print("\n".join(phases))
    return answered


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--without-template", action="store_true")
    args = parser.parse_args()
    times = []
    for n in range(args.runs):
        print(f"start {n + 1}:")
        times.append(one_start(args.without_template))
        print(f"  answering after {times[-1]:.1f} s")
    kind = "migrated from empty" if args.without_template else "from the template"
    print(f"a new folder's stack, Prefect database {kind}: median {statistics.median(times):.1f} s, "
          f"min {min(times):.1f} s, max {max(times):.1f} s over {len(times)} starts")


if __name__ == "__main__":
    main()
