"""Several tick processes: one leads, the others stand by and take over when it stops or dies
(on SQLite by a file lock, on PostgreSQL by an advisory lock; --db=postgresql runs the latter)."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time

import pytest

from engine.leader import Leadership

pytestmark = pytest.mark.postgres  # on PostgreSQL too: the tick's leadership lock


def test_one_tick_leads_and_another_takes_over_when_it_stops(settings):
    first, second = (Leadership(settings.database_url, check_every=0) for _ in range(2))
    assert first.held() is True
    assert second.held() is False and second.held() is False
    assert first.held() is True  # leading is kept, not re-won each pass
    first.release()
    assert second.held() is True
    assert first.held() is False
    second.release()


def test_a_tick_killed_with_sigkill_leaves_the_lead_to_a_standby(settings):
    holder = subprocess.Popen([sys.executable, "-c", (
        "import sys, time\n"
        "from engine.leader import Leadership\n"
        f"lead = Leadership({settings.database_url!r}, check_every=0)\n"
        "print(lead.held(), flush=True)\n"
        "time.sleep(300)\n")], stdout=subprocess.PIPE, text=True, env={**os.environ},
        cwd=os.path.dirname(os.path.dirname(os.path.dirname(__file__))))
    try:
        assert holder.stdout.readline().strip() == "True"
        standby = Leadership(settings.database_url, check_every=0)
        assert standby.held() is False
        os.kill(holder.pid, signal.SIGKILL)
        holder.wait(timeout=30)
        deadline = time.monotonic() + 30  # PostgreSQL notices the closed session at once; allow for a busy machine
        while not standby.held():
            assert time.monotonic() < deadline, "the standby never took over"
            time.sleep(0.1)
        standby.release()
    finally:
        if holder.poll() is None:
            holder.kill()
