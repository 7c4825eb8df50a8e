"""A real browser (Debian's /usr/bin/chromium driven by playwright): its fixtures (`browser`, `shots`,
`opened`) are the root conftest's, one Chromium per test process for the browser tests on the stack and on a
replay instance alike (two playwright instances in one thread refuse to start: each marks its loop as running)."""

from tests.conftest import SCREENSHOTS

__all__ = ["SCREENSHOTS"]
