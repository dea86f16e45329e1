"""What one report submission costs the server, counted in instructions: a figure that
does not move with the machine's load, unlike rates on this VM (±15 % between runs).

    .venv/bin/python benchmarks/reports_intake_cost.py [--submissions 100]

Needs valgrind (Debian's package `valgrind`). Runs an in-process script under callgrind
with its instrumentation off while it sets up (migrations, the shipped area) and warms
up (100 submissions and 100 bare requests), switches it on (callgrind_control) for N
requests only, and prints the instructions a request. Each submission goes through
Django's whole request path in process (test client: middleware, ninja, the service, the
group commit, SQLite), the same multipart hotline report as benchmarks/reports_intake.py,
without the server's threads and sockets. A bare GET /healthz is counted the same way.
SQLite's automatic checkpoints are off in the counted run: where one fell in the window
moved the count by ±3 %; their cost is timed separately (docs/performance.md, session
8). Takes about 2 minutes; the same code gives the same count to 0.1 %.
"""

import argparse
import os
import re
import subprocess
import sys
import tempfile

from scratch import scratch_django

WARM_UP = 100


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--submissions", type=int, default=100)
    parser.add_argument("--run", choices=["intake", "bare"], help=argparse.SUPPRESS)
    parser.add_argument("--count", type=int, help=argparse.SUPPRESS)
    options = parser.parse_args()
    if options.run:
        run_in_process(options.run, options.count)
        return
    count = min(max(options.submissions, 10), 2000)
    for what in ("bare", "intake"):
        print(f"{what}: {instructions(what, count) / count / 1e6:.2f} M instructions a request")


def instructions(what: str, count: int) -> int:
    """Instructions of `count` requests, counted under callgrind after the warm-up."""
    with tempfile.TemporaryDirectory(prefix="ioc-cost-") as tmp:
        command = [
            "valgrind",
            "--tool=callgrind",
            "--instr-atstart=no",
            f"--callgrind-out-file={tmp}/callgrind.out",
            sys.executable,
            __file__,
            "--run",
            what,
            "--count",
            str(count),
        ]
        # The same string hashes in every run: dict and set orders, and so the counts, repeat.
        env = {**os.environ, "PYTHONHASHSEED": "0"}
        run = subprocess.run(command, capture_output=True, text=True, check=False, env=env)
    if run.returncode != 0:
        tail = "\n".join(run.stderr.splitlines()[-15:])
        raise SystemExit(f"{what}, {count} requests, failed:\n{tail}")
    return int(re.search(r"Collected : (\d+)", run.stderr).group(1))


def run_in_process(what: str, count: int) -> None:
    import random

    with tempfile.TemporaryDirectory(prefix="ioc-cost-") as tmp:
        scratch_django(tmp)
        from django.db import connections
        from django.test import Client
        from reports_intake import prepare

        options = connections["default"].settings_dict["OPTIONS"]
        options["init_command"] += " PRAGMA wal_autocheckpoint=0;"
        client = Client(HTTP_X_API_KEY=prepare(), HTTP_HOST="127.0.0.1")
        rng = random.Random(1)

        def request(number: int) -> None:
            if what == "bare":
                assert client.get("/healthz").status_code == 200
                return
            answer = client.post(
                "/api/v1/reports/",
                {
                    "category": rng.choice(["pothole", "streetlight"]),
                    "description": f"Ổ gà lớn trên đường Trần Hưng Đạo, đoạn số {number}.",
                    "lat": f"{10.925 + rng.random() * 0.01:.6f}",
                    "lon": f"{108.095 + rng.random() * 0.01:.6f}",
                    "source": "phone",
                    "device_id": f"bench-{number % 50}",
                },
            )
            assert answer.status_code == 201, answer.content

        for number in range(WARM_UP):
            request(number)
        _instrumentation("on")
        for number in range(count):
            request(WARM_UP + number)
        _instrumentation("off")


def _instrumentation(state: str) -> None:
    subprocess.run(
        ["callgrind_control", "-i", state, str(os.getpid())], check=True, capture_output=True
    )


if __name__ == "__main__":
    main()
