"""Certificate rendering three ways, and a cached download.

  naive  : a new FontConfiguration and stylesheet per certificate, one core
  reused : the project's Renderer (built once), one core
  pool   : documents.render_batch, one reused renderer per worker, all cores
  cached : GET /api/v1/certificates/{number}.pdf when the PDF is cached (server-side handler time)

Run: .venv/bin/python bench/bench_documents.py [--count 200]
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))


def models(count: int) -> list[dict]:
    from tasks.adapters.pdf import qr_data_uri

    out = []
    for n in range(count):
        number = f"Y000044000001263{n + 1:06d}"
        out.append(
            {
                "number": number,
                "holder_name": f"学员{n}",
                "id_type": "居民身份证",
                "id_number": "440106********1234",
                "occupation_name": "车工",
                "occupation_code": "6-18-01-01",
                "direction": "--",
                "level": "三级/高级工",
                "issued_on": "2026年11月2日",
                "institution": "广州市示范精密机械有限公司",
                "qr_data_uri": qr_data_uri(f"http://127.0.0.1:8000/verify/{number}"),
                "verify_host": "127.0.0.1:8000",
            }
        )
    return out


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--count", type=int, default=200)
    args = parser.parse_args()
    folder = Path(tempfile.mkdtemp(prefix="certflow-docs-"))
    os.environ.update({"CERTFLOW_DATA_DIR": str(folder), "CERTFLOW_CLOCK": "simulated"})

    from tasks.adapters import pdf
    from tasks.exchange import documents

    items = models(args.count)
    pdf.Renderer().pdf("certificate.html", certificates=[items[0]])  # import and font discovery once

    t0 = time.perf_counter()
    for item in items:
        pdf.Renderer().pdf("certificate.html", certificates=[item])
    naive = args.count / (time.perf_counter() - t0)

    renderer = pdf.Renderer()
    t0 = time.perf_counter()
    for item in items:
        renderer.pdf("certificate.html", certificates=[item])
    reused = args.count / (time.perf_counter() - t0)

    # the pool, through the real batch path: a plan with `count` issued certificates
    from certflow.bootstrap import prepare
    from core.settings import Settings, install
    from models.cases import Candidate, Certificate, EvaluationPlan
    from models.db import session_scope
    from tests.api.helpers import person, registered_institution

    settings = install(Settings.from_env())  # the process's settings (the clock finds them)
    prepare(settings)
    now = dt.datetime.now(dt.UTC)
    with session_scope(settings.database_url) as session:
        institution_id = registered_institution(session)
        plan = EvaluationPlan(
            institution_id=institution_id,
            region_code="440106",
            profile_code="guangdong",
            occupation_code="6-18-01-01",
            evaluation_start=dt.date(2026, 10, 19),
            evaluation_end=dt.date(2026, 10, 19),
            filed_on=dt.date(2026, 9, 1),
            staff={},
            created_at=now,
            updated_at=now,
        )
        session.add(plan)
        session.flush()
        for n, item in enumerate(items):
            candidate = Candidate(
                plan_id=plan.id, name=item["holder_name"], id_number=person(n), relation="employee", level=3
            )
            session.add(candidate)
            session.flush()
            session.add(
                Certificate(
                    number=item["number"],
                    serial_scope=item["number"][:16],
                    serial=n + 1,
                    candidate_id=candidate.id,
                    plan_id=plan.id,
                    institution_id=institution_id,
                    holder_name=item["holder_name"],
                    id_number=candidate.id_number,
                    occupation_code="6-18-01-01",
                    occupation_name="车工",
                    level=3,
                    issued_on=dt.date(2026, 11, 2),
                )
            )
        plan_id = plan.id
    t0 = time.perf_counter()
    with session_scope(settings.database_url, readonly=True) as session:
        documents.render_batch(session, plan_id=plan_id, settings=settings)
    pool = args.count / (time.perf_counter() - t0)

    print(f"naive loop (new fonts + CSS each): {naive:6.1f} certificates/s")
    print(f"project renderer, one core       : {reused:6.1f} certificates/s  ({reused / naive:.2f}x naive)")
    print(f"project pool, {os.cpu_count()} cores             : {pool:6.1f} certificates/s  ({pool / naive:.2f}x naive)")

    with session_scope(settings.database_url, readonly=True) as session:
        timings = []
        for item in items[:50]:
            t0 = time.perf_counter()
            documents.certificate_pdf(
                session, number=item["number"], settings=settings
            )
            timings.append(time.perf_counter() - t0)
    print(
        f"cached download (handler lookup + cache hit): median {statistics.median(timings) * 1000:.2f} ms, "
        f"max {max(timings) * 1000:.2f} ms"
    )


if __name__ == "__main__":
    main()
