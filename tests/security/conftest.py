"""The probes run on the same in-process app as the API tests (SQLite folder, simulated clock)."""

from tests.api.conftest import api, people  # noqa: F401  (fixtures)
