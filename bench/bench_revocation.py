"""Revoking a 5,000-certificate batch (撤销证书): the time from the approved revocation to every
certificate verifying as revoked (the revoke step is one transaction: all at once), a sample of public
verifications answered after it, and how many national-system calls the revocation makes (SQLite).

Run: .venv/bin/python bench/bench_revocation.py [--certificates 5000]
"""

from __future__ import annotations

import argparse
import datetime as dt
import time

from harness import fresh_instance


def seed(url: str, count: int) -> tuple[int, int, list[str]]:
    from sqlalchemy import insert

    from models.accounts import User
    from models.cases import Candidate, Certificate, EvaluationPlan, Institution
    from models.db import get_engine, session_scope

    now = dt.datetime.now(dt.UTC)
    with session_scope(url) as session:
        institution = Institution(name="基准", credit_code="91440101MA5900000X", region_code="440106",
                                  profile_code="guangdong", segment="Y000044000001", status="registered",
                                  created_at=now)
        session.add(institution)
        session.flush()
        plan = EvaluationPlan(institution_id=institution.id, region_code="440106", handling_centre="440100",
                              profile_code="guangdong", occupation_code="6-18-01-01",
                              evaluation_start=dt.date(2026, 8, 3), evaluation_end=dt.date(2026, 8, 3),
                              filed_on=dt.date(2026, 7, 1), staff={}, status="completed", created_at=now,
                              updated_at=now)
        officer = User(name="基准审核员", role="officer", jurisdiction="440100", created_at=now)
        session.add_all([plan, officer])
        session.flush()
        ids = (institution.id, plan.id, officer.id)
    numbers = [f"Y000044000001263{n + 1:06d}" for n in range(count)]
    with get_engine(url).begin() as connection:
        connection.execute(insert(Candidate), [{"id": n + 1, "plan_id": ids[1], "name": f"持证人{n}",
                                                "id_number": f"{n:018d}", "relation": "employee", "level": 3,
                                                "eligibility": {}, "enterprise_title": ""} for n in range(count)])
        connection.execute(insert(Certificate), [
            {"number": number, "serial_scope": number[:16], "serial": n + 1, "candidate_id": n + 1, "plan_id": ids[1],
             "institution_id": ids[0], "holder_name": f"持证人{n}", "id_number": f"{n:018d}",
             "occupation_code": "6-18-01-01", "occupation_name": "车工", "level": 3, "enterprise_title": "",
             "issued_on": dt.date(2026, 8, 10), "status": "valid", "holder_link_version": 0}
            for n, number in enumerate(numbers)])
    return ids[1], ids[2], numbers


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--certificates", type=int, default=5000)
    args = parser.parse_args()
    with fresh_instance("revocation") as settings:
        from fastapi.testclient import TestClient

        from api.app import create_app
        from models.accounts import User
        from models.db import session_scope
        from models.schemas import RevocationCreate
        from tasks.cases import revocations

        plan_id, officer_id, numbers = seed(settings.database_url, args.certificates)
        with session_scope(settings.database_url) as session:
            body = RevocationCreate(
                plan_id=plan_id, whole_batch=True, category="fraud", reason="倒查发现整批考核记录伪造"
            )
            revocation = revocations.request_revocation(session, user=session.get(User, officer_id), body=body)
            revocation_id = revocation.id
        started = time.perf_counter()
        with session_scope(settings.database_url) as session:
            revoked = revocations.revoke(session, revocation_id=revocation_id, approved_by=None)
        elapsed = time.perf_counter() - started
        with session_scope(settings.database_url, readonly=True) as session:
            calls = len(revocations.national_payloads(session, revocation_id=revocation_id))
        client = TestClient(create_app(settings))
        sample = numbers[:: max(1, len(numbers) // 10)]  # the public route is rate-limited per client
        answers = {str(client.get(f"/api/v1/public/certificates/{n}").json().get("status")) for n in sample}
        print(
            f"revoked {revoked} certificates in {elapsed:.2f} s (one transaction: every verification answers "
            f"revoked from its commit)"
        )
        print(f"sampled {len(sample)} public verifications after it: {sorted(answers)}")
        print(f"national-system calls for the revocation: {calls} ({revocations.CHUNK} certificates each)")


if __name__ == "__main__":
    main()
