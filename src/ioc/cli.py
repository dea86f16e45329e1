"""The `ioc` command: `ioc serve`, `ioc worker`, `ioc demo`, `ioc apikey`, and Django's commands."""

import argparse
import os
import signal
import socket
import subprocess
import sys
import time

from ioc.core.cpus import CpuListError, cpu_plan, pin

# Short names for the project's own management commands.
ALIASES = {
    "apikey": "accounts_apikey",
    "demo": "core_demo",
    "intake_writer": "reports_intake_writer",
    "worker": "db_worker",
}


def main(argv: list[str] | None = None) -> None:
    argv = list(sys.argv if argv is None else argv)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "ioc.settings")
    command = argv[1] if len(argv) > 1 else "help"
    if command == "serve":
        serve(argv[2:])
        return
    from django.core.management import execute_from_command_line

    if command in ALIASES:
        argv[1] = ALIASES[command]
    execute_from_command_line(argv)


def serve(args: list[str]) -> None:
    """Serve the IOC with uvicorn (DEBUG off), with the intake's writer process beside it on
    SQLite, and optionally a task worker."""
    parser = argparse.ArgumentParser(prog="ioc serve", description=serve.__doc__)
    parser.add_argument("--host", default=os.environ.get("HOST", "127.0.0.1"))
    parser.add_argument("--port", type=int, default=int(os.environ.get("PORT", "8000")))
    parser.add_argument(
        "--workers",
        type=int,
        default=int(os.environ.get("IOC_WEB_WORKERS", "1")),
        help="web processes (each answers requests)",
    )
    parser.add_argument(
        "--with-worker", action="store_true", help="also run one background task worker"
    )
    parser.add_argument(
        "--no-intake-writer",
        action="store_true",
        help="on SQLite, each web process writes the reports it receives itself",
    )
    parser.add_argument(
        "--cpus",
        default=os.environ.get("IOC_WEB_CPUS", "auto"),
        help="CPUs for the web processes, one each in turn (0,1 or 0-3); the other "
        "processes run on the rest. auto: the CPUs this process may use; none: no pinning",
    )
    parser.add_argument("--reuse-port", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--cpu", type=int, help=argparse.SUPPRESS)  # a supervised process's
    options = parser.parse_args(args)
    os.environ["IOC_DEBUG"] = "0"
    if options.reuse_port:  # started by _supervise below, which starts the helpers
        _serve_one(options, options.cpu)
        return
    try:
        plan = cpu_plan(options.cpus, options.workers)
    except CpuListError as error:
        parser.error(str(error))

    helpers = []
    if options.with_worker:
        helpers.append(subprocess.Popen([sys.executable, "-m", "ioc.cli", "worker"]))
    wants_writer = not options.no_intake_writer
    if wants_writer and plan.cpu_left:  # one for all web processes
        # On a SQLite file: writes the reports of every web process (reports/intake.py);
        # otherwise it says so and ends.
        helpers.append(subprocess.Popen([sys.executable, "-m", "ioc.cli", "intake_writer"]))
    elif wants_writer:
        print(
            "ioc serve: the web processes take every CPU; each writes the reports it "
            "receives (no intake writer process)",
            file=sys.stderr,
        )
    for helper in helpers:
        pin(helper.pid, plan.helpers)
    if helpers:
        # uvicorn stops on SIGTERM and then raises it again; with Python's default action
        # that ended this process before the `finally` below, and the helpers ran on alone.
        signal.signal(signal.SIGTERM, _exit_on_signal)
    try:
        if options.workers > 1:
            one = ["--host", options.host, "--port", str(options.port), "--reuse-port"]
            commands = [
                [sys.executable, "-m", "ioc.cli", "serve", *one]
                + (["--cpu", str(cpu)] if cpu is not None else [])
                for cpu in plan.web
            ]
            _supervise(commands)
        else:
            _serve_one(options, plan.web[0])
    finally:
        for helper in helpers:
            if helper.poll() is None:
                helper.send_signal(signal.SIGTERM)
        for helper in helpers:
            helper.wait(timeout=30)


def _exit_on_signal(signum: int, _frame: object) -> None:
    raise SystemExit(128 + signum)


def _serve_one(options: argparse.Namespace, cpu: int | None) -> None:
    # Before any thread starts: the threads of the server inherit it.
    pin(0, None if cpu is None else {cpu})
    import uvicorn

    config = uvicorn.Config(
        "ioc.asgi:application",
        host=options.host,
        port=options.port,
        log_level=os.environ.get("IOC_LOG_LEVEL", "info").lower(),
        proxy_headers=True,
        lifespan="off",  # Django has no lifespan handlers
        forwarded_allow_ips=os.environ.get("IOC_FORWARDED_ALLOW_IPS", "127.0.0.1"),
    )
    server = uvicorn.Server(config)
    server.run(
        sockets=[_reuse_port_socket(options.host, options.port)] if options.reuse_port else None
    )


# Several web processes each listen on a socket of their own on the same port
# (SO_REUSEPORT), and the kernel spreads new connections between them. uvicorn's own
# --workers shares one socket, and the process that wakes first accepts every waiting
# connection: 8 keep-alive clients arriving together all landed on one process, the
# other one idle (docs/performance.md).
def _reuse_port_socket(host: str, port: int) -> socket.socket:
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    listener = socket.socket(family, socket.SOCK_STREAM)
    listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEPORT, 1)
    listener.bind((host, port))
    return listener


def _supervise(commands: list[list[str]]) -> None:
    """Run each of `commands` (the web processes), restart one that dies, stop them all on
    SIGTERM or Ctrl-C. A process that dies within its first 5 s (the port is taken, say)
    stops everything: restarting it would fail the same way."""
    started = time.monotonic()
    children = [subprocess.Popen(command) for command in commands]  # noqa: S603 (ours)
    stopping: list[int] = []
    for signum in (signal.SIGTERM, signal.SIGINT):
        signal.signal(signum, lambda received, _frame: stopping.append(received))
    try:
        while not stopping:
            for index, child in enumerate(children):
                if child.poll() is None:
                    continue
                if time.monotonic() - started < 5:
                    raise SystemExit(
                        f"A web process stopped at start (exit code {child.returncode})."
                    )
                print(
                    f"ioc serve: web process {child.pid} stopped; starting another", file=sys.stderr
                )
                children[index] = subprocess.Popen(commands[index])  # noqa: S603 (ours)
            time.sleep(0.5)
    finally:
        for child in children:
            if child.poll() is None:
                child.send_signal(signal.SIGTERM)
        for child in children:
            child.wait(timeout=30)


if __name__ == "__main__":
    main()
