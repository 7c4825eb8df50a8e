"""What must hold when writers race, on SQLite and (with --db=postgresql) on PostgreSQL: certificate
numbers gap-free and unique, institution segments unique, one of two simultaneous decisions wins."""

from __future__ import annotations

import datetime as dt
import threading

import pytest
from sqlmodel import select

from core.clock import wall_now
from models.cases import Candidate, Certificate, EvaluationPlan, Institution, Score
from models.db import get_engine, session_scope
from models.workflow import HumanTask
from policy.identity import resident_id_check_char
from tasks.cases import batch
from tasks.waits import human_tasks
from tests.db.helpers import filing_with_acceptance_task

pytestmark = pytest.mark.postgres  # on PostgreSQL too: locking and counters under concurrent writers


def test_the_suite_runs_on_the_database_it_was_asked_for(settings, request):
    expected = {"sqlite": "sqlite", "postgresql": "postgresql"}[request.config.getoption("--db")]
    assert get_engine(settings.database_url).dialect.name == expected


def _person(n: int) -> str:
    first17 = f"4401061990{(n % 12) + 1:02d}{(n % 27) + 1:02d}{n % 1000:03d}"
    return first17 + resident_id_check_char(first17)


def _plans_with_passing_candidates(url: str, plans: int, candidates: int) -> list[int]:
    now = wall_now()
    with session_scope(url) as session:
        institution = Institution(name="并发", credit_code="91440106MA5C00001Y", region_code="440106",
                                  profile_code="guangdong", segment="Y000044000001", status="registered",
                                  created_at=now)
        session.add(institution)
        session.flush()
        ids = []
        for p in range(plans):
            plan = EvaluationPlan(institution_id=institution.id, region_code="440106", profile_code="guangdong",
                                  occupation_code="6-18-01-01", evaluation_start=dt.date(2026, 10, 19),
                                  evaluation_end=dt.date(2026, 10, 19), filed_on=dt.date(2026, 9, 1), staff={},
                                  status="uploading", created_at=now, updated_at=now)
            session.add(plan)
            session.flush()
            for c in range(candidates):
                candidate = Candidate(plan_id=plan.id, name=f"考生{p}-{c}", id_number=_person(p * 100 + c),
                                      relation="employee", level=3)
                session.add(candidate)
                session.flush()
                session.add(Score(candidate_id=candidate.id, theory=80, practical=80, passed=True, submitted_at=now))
            ids.append(plan.id)
    return ids


def _at_once(work) -> list[BaseException]:  # callables started together
    barrier = threading.Barrier(len(work))
    failures: list[BaseException] = []

    def run(job) -> None:
        barrier.wait()
        try:
            job()
        except BaseException as failure:  # noqa: BLE001
            failures.append(failure)

    threads = [threading.Thread(target=run, args=(job,)) for job in work]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    return failures


def test_certificate_numbers_issued_by_concurrent_batches_are_gap_free_and_unique(settings):
    url = settings.database_url
    plans = _plans_with_passing_candidates(url, plans=4, candidates=15)

    def issue(plan_id: int):
        def job() -> None:
            with session_scope(url) as session:
                batch.number_certificates(session, plan_id=plan_id)
        return job

    assert _at_once([issue(p) for p in plans]) == []
    with session_scope(url, readonly=True) as session:
        serials = sorted(c.serial for c in session.exec(select(Certificate)).all())
    assert serials == list(range(1, 61))


def test_of_two_officers_deciding_one_task_at_the_same_instant_exactly_one_wins(settings):
    url = settings.database_url
    _, task_id = filing_with_acceptance_task(url)

    def decide(decision: str):
        def job() -> None:
            with session_scope(url) as session:
                human_tasks.decide(session, session.get(HumanTask, task_id), decision=decision, payload={},
                                   user_id=None, role="officer")
        return job

    failures = _at_once([decide("approve"), decide("reject")])
    assert len(failures) == 1 and isinstance(failures[0], human_tasks.TaskConflict)
    with session_scope(url, readonly=True) as session:
        task = session.get(HumanTask, task_id)
        assert task.status == "decided" and task.version == 1


@pytest.mark.parametrize("provinces", [("44", "44", "44", "44")])
def test_institution_segments_assigned_at_the_same_instant_are_unique(settings, provinces):
    from models.cases import SegmentCounter
    from models.db import locked_row
    from policy.numbering import next_institution_segment

    url = settings.database_url
    segments: list[str] = []

    def assign() -> None:
        with session_scope(url) as session:
            counter = locked_row(session, SegmentCounter, "44", last_serial=0)
            segment = next_institution_segment("Y", "44", counter.last_serial)
            counter.last_serial = segment.serial
            session.add(counter)
            segments.append(str(segment))

    assert _at_once([assign for _ in provinces]) == []
    assert sorted(segments) == [f"Y000044{n:06d}" for n in range(1, len(provinces) + 1)]
