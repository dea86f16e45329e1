"""`ioc serve`: two web processes on one port (--workers 2), the intake's writer process
and the task worker beside them (--with-worker), each pinned to its CPUs, stopped
together by SIGTERM."""

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


def _command_of(pid: int) -> str:
    return Path(f"/proc/{pid}/cmdline").read_bytes().replace(b"\0", b" ").decode()


def _by_role(pid: int) -> dict[str, list[int]]:
    """The children of `pid`: web processes, the intake's writer, the task worker."""
    roles: dict[str, list[int]] = {"web": [], "writer": [], "worker": []}
    for child in _children(pid):
        command = _command_of(child)
        if "intake_writer" in command:
            roles["writer"].append(child)
        else:
            roles["worker" if "worker" in command else "web"].append(child)
    return roles


def _gone(pids: list[int]) -> bool:
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline and any(Path(f"/proc/{pid}").exists() for pid in pids):
        time.sleep(0.1)
    return not any(Path(f"/proc/{pid}").exists() for pid in pids)


def _migrated(tmp_path) -> None:
    subprocess.run(
        [sys.executable, "-m", "ioc.cli", "migrate", "-v", "0"],
        env=_environment(tmp_path),
        check=True,
    )


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
    command += ["--cpus", "none"]  # the intake's writer runs whatever the CPUs
    server = subprocess.Popen(command, env=_environment(tmp_path))  # noqa: S603 (ours)
    try:
        answered = _answers(port, 20)
        children = _by_role(server.pid)

        assert answered == 20
        assert len(children["web"]) == 2
        assert len(children["writer"]) == 1  # one for both
    finally:
        server.send_signal(signal.SIGTERM)
        server.wait(timeout=30)
    assert server.returncode == 0
    assert _gone(children["web"] + children["writer"])


def test_the_task_worker_stops_with_the_web_process(tmp_path):
    port = _free_port()
    _migrated(tmp_path)
    command = [sys.executable, "-m", "ioc.cli", "serve", "--port", str(port), "--with-worker"]
    server = subprocess.Popen(command, env=_environment(tmp_path))  # noqa: S603 (ours)
    try:
        answered = _answers(port, 1)
        children = _by_role(server.pid)

        assert answered == 1
        assert len(children["worker"]) == 1
    finally:
        server.send_signal(signal.SIGTERM)
        server.wait(timeout=30)
    assert server.returncode == 128 + signal.SIGTERM
    assert _gone(children["worker"] + children["writer"])


@pytest.mark.skipif(len(os.sched_getaffinity(0)) < 2, reason="needs two CPUs")
def test_the_web_process_has_a_cpu_and_the_intake_writer_the_others(tmp_path):
    port = _free_port()
    _migrated(tmp_path)
    socket_path = tmp_path / "serve.sqlite3.intake.sock"
    command = [sys.executable, "-m", "ioc.cli", "serve", "--port", str(port)]
    server = subprocess.Popen(command, env=_environment(tmp_path))  # noqa: S603 (ours)
    try:
        assert _answers(port, 1) == 1
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline and not socket_path.exists():
            time.sleep(0.1)
        children = _by_role(server.pid)
        allowed = os.sched_getaffinity(0)

        assert socket_path.exists()
        assert os.sched_getaffinity(server.pid) == {min(allowed)}
        assert os.sched_getaffinity(children["writer"][0]) == allowed - {min(allowed)}
    finally:
        server.send_signal(signal.SIGTERM)
        server.wait(timeout=30)
    assert _gone(children["writer"])
    assert not socket_path.exists()


@pytest.mark.skipif(len(os.sched_getaffinity(0)) < 2, reason="needs two CPUs")
def test_web_processes_on_every_cpu_write_their_reports_without_a_writer(tmp_path):
    port = _free_port()
    two_cpus = set(sorted(os.sched_getaffinity(0))[:2])
    command = [sys.executable, "-m", "ioc.cli", "serve", "--port", str(port), "--workers", "2"]
    server = subprocess.Popen(  # noqa: S603 (ours)
        command,
        env=_environment(tmp_path),
        stderr=subprocess.PIPE,
        text=True,
        preexec_fn=lambda: os.sched_setaffinity(0, two_cpus),  # the CPUs it may use
    )
    try:
        answered = _answers(port, 1)
        children = _by_role(server.pid)

        assert answered == 1
        assert len(children["web"]) == 2
        assert children["writer"] == []
        assert sorted(os.sched_getaffinity(pid).pop() for pid in children["web"]) == sorted(
            two_cpus
        )
    finally:
        server.send_signal(signal.SIGTERM)
        _out, errors = server.communicate(timeout=30)
    assert "the web processes take every CPU; each writes the reports it receives" in errors
    assert _gone(children["web"])


def test_a_cpu_list_naming_a_cpu_out_of_reach_is_refused(tmp_path):
    command = [sys.executable, "-m", "ioc.cli", "serve", "--cpus", "4096"]
    run = subprocess.run(  # noqa: S603 (ours)
        command, env=_environment(tmp_path), capture_output=True, text=True, check=False
    )

    assert run.returncode == 2
    assert "--cpus 4096: this process may use CPUs" in run.stderr
