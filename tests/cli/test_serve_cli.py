"""`certflow serve ROLE`: each part starts on its own, with its flags, and stops on SIGTERM."""

import os
import signal
import socket
import subprocess
import sys
import time

import httpx


def _port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _serve(*args, data_dir):
    env = {**os.environ, "CERTFLOW_DATA_DIR": str(data_dir)}
    env.pop("CERTFLOW_DATABASE_URL", None)
    return subprocess.Popen([sys.executable, "-m", "certflow.cli", "serve", *args], env=env,
                            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)


def _answers(url: str, process, timeout: float = 60) -> httpx.Response:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        assert process.poll() is None, process.stdout.read()
        try:
            return httpx.get(url, timeout=2)
        except httpx.HTTPError:
            time.sleep(0.2)
    raise AssertionError(f"nothing answered at {url}")


def test_the_api_and_the_simulator_each_start_alone_and_stop_on_sigterm(tmp_path):
    subprocess.run([sys.executable, "-m", "certflow.cli", "calendar", "show", "2026"], check=True, capture_output=True,
                   env={**os.environ, "CERTFLOW_DATA_DIR": str(tmp_path)})  # a prepared data folder
    api_port, sim_port = _port(), _port()
    api = _serve("api", "--port", str(api_port), "--workers", "1", data_dir=tmp_path)
    sim = _serve("simulator", "--port", str(sim_port), data_dir=tmp_path)
    try:
        assert _answers(f"http://127.0.0.1:{api_port}/healthz", api).json() == {"status": "ok"}
        assert _answers(f"http://127.0.0.1:{sim_port}/_stats", sim).status_code == 200
    finally:
        for process in (api, sim):
            process.send_signal(signal.SIGTERM)
            assert process.wait(timeout=30) is not None


def test_a_runner_or_tick_without_a_prefect_server_is_refused_with_the_flag_to_use(tmp_path):
    env = {k: v for k, v in os.environ.items() if k != "PREFECT_API_URL"}
    for role in ("runner", "tick"):
        done = subprocess.run([sys.executable, "-m", "certflow.cli", "serve", role], capture_output=True, text=True,
                              env={**env, "CERTFLOW_DATA_DIR": str(tmp_path)}, timeout=60)
        assert done.returncode == 2 and "--prefect-api-url" in done.stderr


def test_a_setting_with_an_impossible_value_stops_the_command_naming_the_variable(tmp_path):
    done = subprocess.run([sys.executable, "-m", "certflow.cli", "calendar", "show", "2026"], capture_output=True,
                          text=True, timeout=60, env={**os.environ, "CERTFLOW_DATA_DIR": str(tmp_path),
                                                      "CERTFLOW_CLOCK": "sometimes"})
    assert done.returncode == 2
    assert "CERTFLOW_CLOCK" in done.stderr and "Traceback" not in done.stderr
