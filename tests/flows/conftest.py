"""Flow tests drive the real embedded instance (the session's `stack`, tests/conftest.py) over HTTP
on a simulated clock; each test makes its own enterprise and cases, so tests do not depend on each
other's data."""

from __future__ import annotations

import itertools

import pytest

from tests.flows.driver import Driver


_names = itertools.count(1)


@pytest.fixture()
def driver(stack) -> Driver:
    return Driver(stack, prefix=f"t{next(_names)}")
