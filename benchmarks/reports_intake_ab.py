"""Intake of two versions of the code side by side, in alternating rounds: which is cheaper.

    git worktree add /tmp/base <commit> && ln -s "$PWD/.venv" /tmp/base/.venv
    .venv/bin/python benchmarks/reports_intake_ab.py --base /tmp/base [--rounds 8]
        [--seconds 6] [--workers 1] [--concurrency 8]

On this VM the speed of the same code drifts by up to ±20 % within minutes, more than
most changes move it. This starts one `ioc serve` of each tree (this one, "new", and
--base, each on its own temporary SQLite database migrated by its own code), then runs
rounds of bare view and intake on one server and then the other, the order swapped every
round, so that both meet the same machine. Prints each round and the medians: rates,
server CPU an answer, and the ratio intake / bare view. Targets 127.0.0.1 only.
"""

import argparse
import contextlib
import io
import os
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

from reports_intake import HOST, ROOT, log_problems, run_phase, wait_until_up
from scratch import scratch_variables


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--base", required=True, help="a work tree of the code to compare")
    parser.add_argument("--rounds", type=int, default=8)
    parser.add_argument("--seconds", type=float, default=6.0, help="time per phase")
    parser.add_argument("--workers", type=int, default=1)
    parser.add_argument("--concurrency", type=int, default=8)
    options = parser.parse_args()
    options.rounds = min(max(options.rounds, 1), 40)
    options.seconds = min(max(options.seconds, 1.0), 60.0)
    trees = {"base": Path(options.base).resolve(), "new": ROOT}
    with tempfile.TemporaryDirectory(prefix="ioc-ab-") as tmp:
        servers = {
            name: start(name, tree, Path(tmp), 8780 + index, options)
            for index, (name, tree) in enumerate(trees.items())
        }
        results: dict[str, list[tuple[float, float, float, float]]] = {name: [] for name in trees}
        try:
            for server in servers.values():
                wait_until_up(server["port"])
            for number in range(options.rounds):
                order = ["base", "new"] if number % 2 == 0 else ["new", "base"]
                line = []
                for name in order:
                    bare, bare_cpu = phase(servers[name], "/healthz", None, options)
                    intake, intake_cpu = phase(
                        servers[name], "/api/v1/reports/", servers[name]["lua"], options
                    )
                    results[name].append((bare, bare_cpu, intake, intake_cpu))
                    line.append(
                        f"{name}: bare {bare:.0f}/s {bare_cpu:.2f} ms, intake {intake:.0f}/s "
                        f"{intake_cpu:.2f} ms, ratio {intake / bare:.2f}"
                    )
                print(f"round {number + 1}: " + " | ".join(line), flush=True)
            for name, rows in results.items():
                print(
                    f"{name} (medians): bare {median(rows, 0):.0f}/s {median(rows, 1):.2f} ms, "
                    f"intake {median(rows, 2):.0f}/s {median(rows, 3):.2f} ms, ratio "
                    f"{statistics.median(row[2] / row[0] for row in rows):.2f}"
                )
        finally:
            for name, server in servers.items():
                server["process"].terminate()
                server["process"].wait(timeout=30)
                problems = log_problems((server["folder"] / "server.log").read_text())
                print(f"{name} server log: {len(problems)} problem(s)", *problems[:3], sep="\n  ")


def median(rows, column: int) -> float:
    return statistics.median(row[column] for row in rows)


def start(name: str, tree: Path, tmp: Path, port: int, options) -> dict:
    """Migrate a database with the tree's code and start its server."""
    folder = tmp / name
    folder.mkdir()
    env = {**os.environ, **scratch_variables(folder), "PYTHONPATH": str(tree / "src")}
    setup = (
        f"import sys; sys.path[:0] = [{str(tree / 'benchmarks')!r}, {str(tree / 'src')!r}]; "
        "import django; django.setup(); from reports_intake import prepare; print(prepare())"
    )
    run = subprocess.run(
        [sys.executable, "-c", setup], env=env, capture_output=True, text=True, check=True
    )
    key = run.stdout.split()[-1]
    log = open(folder / "server.log", "wb")  # noqa: SIM115 (the server writes it until the end)
    command = [str(ROOT / ".venv" / "bin" / "ioc"), "serve", "--host", HOST, "--port", str(port)]
    process = subprocess.Popen(
        [*command, "--workers", str(options.workers)], env=env, stdout=log, stderr=log
    )
    lua = {"IOC_BENCH_KEY": key, "IOC_BENCH_PHOTO": "", "IOC_BENCH_EMAIL": "0"}
    return {"process": process, "port": port, "folder": folder, "lua": lua}


def phase(server: dict, path: str, lua: dict | None, options) -> tuple[float, float]:
    """Requests per second and server CPU (ms) an answer of one wrk phase."""
    settings = argparse.Namespace(
        concurrency=options.concurrency, seconds=options.seconds, port=server["port"]
    )
    with contextlib.redirect_stdout(io.StringIO()):
        result = run_phase("phase", settings, server["folder"], path, server["process"].pid, lua)
    return result.rate, result.cpu_ms


if __name__ == "__main__":
    main()
