"""`ioc serve --workers 2`: two web processes on one port, stopped together by SIGTERM."""

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


def test_two_web_processes_answer_on_one_port_and_stop_together(tmp_path):
    port = _free_port()
    environment = {
        **os.environ,
        "IOC_VAR_DIR": str(tmp_path),
        "DATABASE_URL": f"sqlite:///{tmp_path / 'serve.sqlite3'}",
        "IOC_LOG_LEVEL": "WARNING",
    }
    command = [sys.executable, "-m", "ioc.cli", "serve", "--port", str(port), "--workers", "2"]
    server = subprocess.Popen(command, env=environment)  # noqa: S603 (ours)
    try:
        answered = 0
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline and answered < 20:
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=5) as reply:
                    answered += reply.status == 200
            except OSError:
                time.sleep(0.2)
        children = _children(server.pid)

        assert answered == 20
        assert len(children) == 2
    finally:
        server.send_signal(signal.SIGTERM)
        server.wait(timeout=30)
    assert server.returncode == 0
    assert not any(Path(f"/proc/{child}").exists() for child in children)
