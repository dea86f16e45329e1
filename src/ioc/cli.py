"""The `ioc` command: `ioc serve`, `ioc worker`, `ioc demo`, `ioc apikey`, and Django's commands."""

import argparse
import os
import signal
import subprocess
import sys

# Short names for the project's own management commands.
ALIASES = {
    "apikey": "accounts_apikey",
    "demo": "core_demo",
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
    """Serve the IOC with uvicorn (DEBUG off), optionally with a task worker beside it."""
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
    options = parser.parse_args(args)
    os.environ["IOC_DEBUG"] = "0"

    import uvicorn

    worker = None
    if options.with_worker:
        worker = subprocess.Popen([sys.executable, "-m", "ioc.cli", "worker"])
    try:
        uvicorn.run(
            "ioc.asgi:application",
            host=options.host,
            port=options.port,
            workers=options.workers,
            log_level=os.environ.get("IOC_LOG_LEVEL", "info").lower(),
            proxy_headers=True,
            lifespan="off",  # Django has no lifespan handlers
            forwarded_allow_ips=os.environ.get("IOC_FORWARDED_ALLOW_IPS", "127.0.0.1"),
        )
    finally:
        if worker is not None:
            worker.send_signal(signal.SIGTERM)
            worker.wait(timeout=30)


if __name__ == "__main__":
    main()
