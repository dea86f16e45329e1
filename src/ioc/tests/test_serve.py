"""`ioc serve`: two web processes on one port (--workers 2), and the task worker beside
them (--with-worker), stopped together by SIGTERM."""

import os
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

pytestmark = pytest.mark.skipif(
    not hasattr(socket, "SO_REUSEPORT"), reason="needs SO_REUSEPORT (Linux, BSD)"
)


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _children(pid: int) -> list[int]:
    found = Path(f"/proc/{pid}/task/{pid}/children")
    return [int(child) for child in found.read_text().split()] if found.exists() else []


def _environment(tmp_path) -> dict[str, str]:
    return {
        **os.environ,
        "IOC_VAR_DIR": str(tmp_path),
        "DATABASE_URL": f"sqlite:///{tmp_path / 'serve.sqlite3'}",
        "IOC_LOG_LEVEL": "WARNING",
    }


def _answers(port: int, wanted: int) -> int:
    """How many of `wanted` GET /healthz were answered 200 within a minute."""
    answered = 0
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline and answered < wanted:
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=5) as reply:
                answered += reply.status == 200
        except OSError:
            time.sleep(0.2)
    return answered


def test_two_web_processes_answer_on_one_port_and_stop_together(tmp_path):
    port = _free_port()
    command = [sys.executable, "-m", "ioc.cli", "serve", "--port", str(port), "--workers", "2"]
    server = subprocess.Popen(command, env=_environment(tmp_path))  # noqa: S603 (ours)
    try:
        answered = _answers(port, 20)
        children = _children(server.pid)

        assert answered == 20
        assert len(children) == 2
    finally:
        server.send_signal(signal.SIGTERM)
        server.wait(timeout=30)
    assert server.returncode == 0
    assert not any(Path(f"/proc/{child}").exists() for child in children)


def test_the_task_worker_stops_with_the_web_process(tmp_path):
    port = _free_port()
    subprocess.run(
        [sys.executable, "-m", "ioc.cli", "migrate", "-v", "0"],
        env=_environment(tmp_path),
        check=True,
    )
    command = [sys.executable, "-m", "ioc.cli", "serve", "--port", str(port), "--with-worker"]
    server = subprocess.Popen(command, env=_environment(tmp_path))  # noqa: S603 (ours)
    try:
        answered = _answers(port, 1)
        children = _children(server.pid)

        assert answered == 1
        assert len(children) == 1  # the worker
    finally:
        server.send_signal(signal.SIGTERM)
        server.wait(timeout=30)
    assert server.returncode == 128 + signal.SIGTERM
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline and Path(f"/proc/{children[0]}").exists():
        time.sleep(0.1)
    assert not Path(f"/proc/{children[0]}").exists()
