"""Flow tests drive the real embedded instance (the session's `stack`, tests/conftest.py) over HTTP
on a simulated clock; each test makes its own enterprise and cases, so tests do not depend on each
other's data."""

from __future__ import annotations

import itertools

import pytest

from tests.stack.driver import Driver

_names = itertools.count(1)


@pytest.fixture(autouse=True)
def leftovers_stay_asleep(request):
    """After a test on the shared stack, its runs still waiting on a timer will never be needed again:
    cancel those timers, so that a later test's clock move does not wake every earlier test's runs at
    once (a burst that made a later test's own runs wait minutes for the runner — a CI flake)."""
    yield
    if "stack" not in request.fixturenames:
        return
    from sqlmodel import select

    from models.db import session_scope
    from models.workflow import Timer

    with session_scope(request.getfixturevalue("stack").settings.database_url) as session:
        for timer in session.exec(select(Timer).where(Timer.status == "pending")):
            timer.status = "cancelled"
            session.add(timer)


@pytest.fixture()
def driver(stack) -> Driver:
    return Driver(stack, prefix=f"t{next(_names)}")


@pytest.fixture()
def driver_in(stack):
    """A driver whose enterprise is registered in the given division (and so under its province's profile)."""
    return lambda region: Driver(stack, prefix=f"t{next(_names)}", region=region)


SICHUAN = "510104"  # 四川: the national practice's steps (publicity, ministry review, one review), all `local`


@pytest.fixture()
def sichuan(driver_in) -> Driver:
    """Tests of publicity, objections and the ministry review run where the profile has those steps."""
    return driver_in(SICHUAN)
