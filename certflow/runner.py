"""Serve the two process deployments (the embedded mode's worker). Started by `certflow up`."""

from __future__ import annotations

import os


def main() -> None:
    from prefect import serve

    from flows.evaluation_batch import evaluation_batch
    from flows.institution_filing import institution_filing

    limit = int(os.environ.get("CERTFLOW_RUNNER_LIMIT", "8"))
    serve(
        institution_filing.to_deployment(name="certflow", description="Process 1 — institution filing (备案)"),
        evaluation_batch.to_deployment(name="certflow", description="Process 2 — evaluation batch (认定实施)"),
        limit=limit,
        print_starting_message=False,
    )


if __name__ == "__main__":
    main()
