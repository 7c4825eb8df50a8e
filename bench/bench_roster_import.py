"""A 5,000-candidate roster (.xlsx): writing the workbook, reading and validating it row by row, and
filing the plan through the API (POST …/plans/import: sheet, the plan's rules, the database) — and the
same roster with 10% bad rows answered as JSON and as the marked workbook.

Run: .venv/bin/python bench/bench_roster_import.py [--candidates 5000]
"""

from __future__ import annotations

import argparse
import datetime as dt
import io
import json
import time

from harness import fresh_instance


def _institution(settings) -> tuple[int, dict[str, str]]:
    from core.clock import wall_now
    from models.cases import Institution, InstitutionOccupation
    from models.db import session_scope
    from policy.identity import credit_code_check_char
    from tasks.people.accounts import create_user

    first17 = "91440106MA0000001"
    with session_scope(settings.database_url) as session:
        institution = Institution(
            name="基准企业",
            credit_code=first17 + credit_code_check_char(first17),
            region_code="440106",
            profile_code="guangdong",
            segment="Y000044000001",
            status="registered",
            created_at=wall_now(),
            pilot_plan_approved_on=dt.date(2026, 1, 5),
        )
        session.add(institution)
        session.flush()
        session.add(InstitutionOccupation(institution_id=institution.id, occupation_code="6-18-01-01", levels="345"))
        institution_id = institution.id
    _, token = create_user(
        settings.database_url, role="enterprise", name="bench-enterprise", institution_id=institution_id
    )
    return institution_id, {"Authorization": f"Bearer {token}"}


def _roster(count: int, bad_every: int = 0) -> bytes:
    from openpyxl import Workbook

    from policy.identity import resident_id_check_char
    from tasks.adapters.spreadsheets import ROSTER

    book = Workbook()
    sheet = book.active
    sheet.append([c.header for c in ROSTER])
    for n in range(count):
        first17 = f"4401061990{(n % 12) + 1:02d}{(n % 27) + 1:02d}{n % 1000:03d}"
        first17 = first17[:6] + str(1960 + n // 1000 % 40) + first17[10:]  # 5,000 different people
        values = {
            "name": f"学员{n}",
            "id_number": first17 + resident_id_check_char(first17),
            "relation": "临时工" if bad_every and n % bad_every == 0 else "本企业职工",
            "level": "四级",
            "workplace_region": "440106",
            "years_in_occupation": 6,
        }
        sheet.append([values.get(c.field) for c in ROSTER])
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--candidates", type=int, default=5000)
    args = parser.parse_args()
    with fresh_instance("roster") as settings:
        from fastapi.testclient import TestClient

        from api.app import create_app
        from tasks.adapters import spreadsheets

        client = TestClient(create_app(settings))
        institution_id, enterprise = _institution(settings)
        started = time.perf_counter()
        content = _roster(args.candidates)
        print(
            f"write a {args.candidates}-row roster: {time.perf_counter() - started:.2f} s ({len(content) // 1024} KB)"
        )
        started = time.perf_counter()
        _, rows = spreadsheets.parse_roster(content)
        print(
            f"read and validate it (every row as CandidateIn, ID check digits): "
            f"{time.perf_counter() - started:.2f} s, {len(rows)} candidates"
        )
        plan = {
            "occupation_code": "6-18-01-01",
            "evaluation_start": "2026-09-21",
            "evaluation_end": "2026-09-21",
            "site": "实训中心",
            "proctors": ["监考"],
            "evaluators": ["考评"],
            "quality_supervisors": ["督导"],
        }
        started = time.perf_counter()
        answer = client.post(
            f"/api/v1/institutions/{institution_id}/plans/import",
            headers=enterprise,
            data={"plan": json.dumps(plan, ensure_ascii=False)},
            files={"roster": ("roster.xlsx", content)},
        )
        elapsed = time.perf_counter() - started
        assert answer.status_code == 201, answer.text[:500]
        print(
            f"POST …/plans/import (sheet + the plan's rules + {len(answer.json()['candidates'])} rows written): "
            f"{elapsed:.2f} s"
        )
        bad = _roster(args.candidates, bad_every=10)
        for problems in ("json", "xlsx"):
            started = time.perf_counter()
            refused = client.post(
                f"/api/v1/institutions/{institution_id}/plans/import",
                headers=enterprise,
                params={"problems": problems},
                data={"plan": json.dumps(plan, ensure_ascii=False)},
                files={"roster": ("roster.xlsx", bad)},
            )
            elapsed = time.perf_counter() - started
            assert refused.status_code == 422
            size = len(refused.json()["detail"]) if problems == "json" else f"{len(refused.content) // 1024} KB"
            print(f"the same with {args.candidates // 10} bad rows, problems as {problems}: {elapsed:.2f} s ({size})")


if __name__ == "__main__":
    main()
