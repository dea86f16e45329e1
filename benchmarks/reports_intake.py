"""Benchmark of report intake through the API, against a bare Django view served the same way.

    .venv/bin/python benchmarks/reports_intake.py [--seconds 10] [--rounds 3]
        [--concurrency 8[,16,32]] [--workers 2] [--photo-side 640] [--with-email] [--no-photo]
        [--with-worker] [--anonymous]

Sets up a temporary SQLite database and media folder (IOC_VAR_DIR, DATABASE_URL,
IOC_MEDIA_ROOT in a temporary folder), migrates, loads the shipped area, creates two
categories with routing rules, the agency's three people (each report sends them an
in-app notice) and an API key of scope "reports", then starts
`ioc serve` on 127.0.0.1 only and measures, in one run:

1. the bare view: GET /healthz (one SQL query), the baseline of the stack;
2. intake without a photo: POST /api/v1/reports/ (multipart: a hotline report with its
   category, routing, deadline, timeline, webhooks outbox) at random points of Phan Thiết;
3. intake with a photo: the same with one JPEG (--photo-side wide, random pixels, so
   hard to compress), checked by its header and queued; the task worker re-encodes it
   and publishes it (skipped with --no-photo);
4. with --anonymous, citizens without an account or key: one photo each (the app's
   channel requires one), each request from a random address (X-Forwarded-For, which
   uvicorn believes from 127.0.0.1) and device, so that the per-address and per-device
   limits are read as in real use and rarely reached.

With --with-worker, `ioc serve --with-worker` runs the task worker beside the web
process(es), on the same cores, as `make run` does; at the end the script waits for it to
publish the queued photos and prints how long that took.

The load comes from wrk (Debian's package `wrk`, a C client: `apt-get install wrk`), with
a Lua script that sends each request with its own random point and text, so that the
client takes little of the two cores the server runs on. Each phase lasts --seconds with
--concurrency connections (kept alive). The submissions carry the API key of a trusted
client (a call centre), so that the anonymous per-IP limit (every request comes from
127.0.0.1) does not stop them. Prints the rate, the latency percentiles, the answers and
the ratio intake / bare view of each phase, then checks that every 201 is a stored report.

The bare view and the intake without a photo run in --rounds alternating pairs (bare,
intake, bare, intake...), each pair giving a ratio, and the script prints their median:
on this VM the speed of the same code drifts by up to ±20 % within minutes, and a pair
measured seconds apart sees the same machine. The photo phase runs once, after them.
With several levels of --concurrency (8,16,32), each round measures both at each level
and also compares their best rates, each at its own best level: the group commit makes
intake's rate grow with the requests waiting, a bare view's does not.
Before the rounds, 3 s of each endpoint warm the server up, uncounted: the first
seconds after a start build locate()'s cells (a boundary's first test builds GEOS's
state of it, up to 76 ms) and fill SQLite's pages.
"""

import argparse
import contextlib
import io
import os
import random
import re
import shutil
import signal
import statistics
import subprocess
import tempfile
import time
from dataclasses import dataclass
from http.client import HTTPConnection
from pathlib import Path

from scratch import scratch_django

ROOT = Path(__file__).resolve().parent.parent
HOST = "127.0.0.1"
WARM_UP_SECONDS = 3

# wrk runs this for each request (one Lua state per wrk thread): a report at a random
# point of Phan Thiết, multipart like the app's, counting the answers by status.
INTAKE_LUA = r"""
local key = os.getenv("IOC_BENCH_KEY")
local photo_path = os.getenv("IOC_BENCH_PHOTO")
local with_email = os.getenv("IOC_BENCH_EMAIL") == "1"
local anonymous = os.getenv("IOC_BENCH_ANONYMOUS") == "1"
local photo = ""
if photo_path ~= "" then
  local file = io.open(photo_path, "rb"); photo = file:read("*all"); file:close()
end
local boundary, counter, categories = "iocbench7d1f", 0, {"pothole", "streetlight"}
statuses = {}
function init(args) math.randomseed(os.time()) end
local function part(name, headers, value)
  return "--" .. boundary .. "\r\nContent-Disposition: form-data; name=\"" .. name .. "\""
    .. headers .. "\r\n\r\n" .. value .. "\r\n"
end
function request()
  counter = counter + 1
  local parts = {
    part("category", "", categories[math.random(2)]),
    part("description", "", "Ổ gà lớn trên đường Trần Hưng Đạo, đoạn số " .. counter
      .. ", xe máy dễ ngã."),
    part("lat", "", string.format("%.6f", 10.925 + math.random() * 0.01)),
    part("lon", "", string.format("%.6f", 108.095 + math.random() * 0.01)),
    part("source", "", photo ~= "" and "app" or "phone"),
    part("device_id", "", anonymous and string.format("phone-%08x", math.random(0, 2^31))
      or "bench-" .. (counter % 50)),
  }
  if with_email then
    table.insert(parts, part("email", "", "citizen" .. counter .. "@example.invalid"))
  end
  if photo ~= "" then
    table.insert(parts, part("photos", "; filename=\"p.jpg\"\r\nContent-Type: image/jpeg", photo))
  end
  table.insert(parts, "--" .. boundary .. "--\r\n")
  local headers = {["Content-Type"] = "multipart/form-data; boundary=" .. boundary}
  if anonymous then  -- a citizen's phone at its own address (uvicorn believes 127.0.0.1)
    headers["X-Forwarded-For"] = string.format("10.%d.%d.%d",
      math.random(0, 255), math.random(0, 255), math.random(1, 254))
  else
    headers["X-API-Key"] = key
  end
  return wrk.format("POST", "/api/v1/reports/", headers, table.concat(parts))
end
"""
# Every phase: count the answers by status in each wrk thread, add them up at the end.
COUNT_LUA = r"""
threads = {}
statuses = {}
codes = {}
function setup(thread) table.insert(threads, thread) end
function response(status, headers, body)
  statuses[status] = (statuses[status] or 0) + 1
  if status == 201 then table.insert(codes, body:match('"tracking_code":%s*"([^"]+)"')) end
end
function done(summary, latency, requests)
  local total, line = {}, "ANSWERS"
  local codes_file = io.open(os.getenv("IOC_BENCH_CODES"), "a")
  for _, thread in ipairs(threads) do
    for status, count in pairs(thread:get("statuses")) do
      total[status] = (total[status] or 0) + count
    end
    for _, code in ipairs(thread:get("codes")) do codes_file:write(code .. "\n") end
  end
  codes_file:close()
  for status, count in pairs(total) do line = line .. " " .. status .. "=" .. count end
  io.write(line .. "\n")
  io.write(string.format("LATENCY p50=%.1f p95=%.1f\n",
    latency:percentile(50) / 1000, latency:percentile(95) / 1000))
end
"""


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=10.0, help="time per phase")
    parser.add_argument(
        "--rounds", type=int, default=3, help="pairs of bare view and intake without a photo"
    )
    parser.add_argument(
        "--concurrency",
        default="8",
        help="connections; a list (8,16,32) measures both at each level in every round",
    )
    parser.add_argument("--workers", type=int, default=2, help="uvicorn processes")
    parser.add_argument("--port", type=int, default=8765)
    parser.add_argument("--photo-side", type=int, default=640)
    parser.add_argument("--with-email", action="store_true", help="reporters give an e-mail")
    parser.add_argument("--no-photo", action="store_true", help="hotline reports, no photo")
    parser.add_argument(
        "--with-worker", action="store_true", help="run the task worker during the run"
    )
    parser.add_argument(
        "--no-intake-writer",
        action="store_true",
        help="each web process writes its reports itself (no writer process)",
    )
    parser.add_argument(
        "--cpus", default="auto", help="ioc serve --cpus: auto (one CPU a web process), none"
    )
    parser.add_argument(
        "--anonymous",
        action="store_true",
        help="also citizens without an account, one photo each, from random addresses",
    )
    options = parser.parse_args()
    options.seconds = min(max(options.seconds, 1.0), 300.0)
    options.rounds = min(max(options.rounds, 1), 20)
    levels = connection_levels(options.concurrency)
    options.concurrency = levels[0]
    if shutil.which("wrk") is None:
        raise SystemExit("wrk is needed: apt-get install wrk")

    with tempfile.TemporaryDirectory(prefix="ioc-bench-") as tmp:
        env = {**os.environ, **scratch_django(tmp)}
        raw_key = prepare()
        photo_path = Path(tmp) / "photo.jpg"
        photo_path.write_bytes(jpeg(options.photo_side))
        server_log = open(Path(tmp) / "server.log", "wb")  # noqa: SIM115 (closed below)
        server = subprocess.Popen(
            [
                str(ROOT / ".venv" / "bin" / "ioc"),
                "serve",
                "--host",
                HOST,
                "--port",
                str(options.port),
                "--workers",
                str(options.workers),
                *(["--with-worker"] if options.with_worker else []),
                *(["--no-intake-writer"] if options.no_intake_writer else []),
                "--cpus",
                options.cpus,
            ],
            env=env,
            stdout=server_log,
            stderr=subprocess.STDOUT,
        )
        try:
            wait_until_up(options.port)
            print(
                f"{options.workers} uvicorn worker(s), "
                f"{', '.join(map(str, levels))} connections, "
                f"{options.seconds:.0f} s a phase"
            )

            def intake(
                label: str, photo: str, phase_options=options, anonymous: bool = False
            ) -> float:
                lua_env = {
                    "IOC_BENCH_KEY": raw_key,
                    "IOC_BENCH_PHOTO": photo,
                    "IOC_BENCH_EMAIL": "1" if options.with_email else "0",
                    "IOC_BENCH_ANONYMOUS": "1" if anonymous else "0",
                }
                path = "/api/v1/reports/"
                return run_phase(
                    f"intake {label}", phase_options, Path(tmp), path, server.pid, lua_env
                ).rate

            # A server that has run for a while has its caches warm (the cells of the map
            # that locate() has seen, the reference data, SQLite's pages): warm them for a
            # few seconds first, uncounted.
            warm_up = argparse.Namespace(**{**vars(options), "seconds": WARM_UP_SECONDS})
            with contextlib.redirect_stdout(io.StringIO()):
                run_phase("warm-up", warm_up, Path(tmp), "/healthz", server.pid)
                intake("warm-up", "", warm_up)
            print(f"warm-up: {WARM_UP_SECONDS} s of each, not counted")
            ratios: dict[int, list[float]] = {level: [] for level in levels}
            best_ratios = []
            last_bare: dict[int, float] = {}
            for round_number in range(1, options.rounds + 1):
                print(f"round {round_number} of {options.rounds}")
                best_bare = best_intake = 0.0
                for level in levels:
                    at_level = argparse.Namespace(**{**vars(options), "concurrency": level})
                    suffix = f", {level} connections" if len(levels) > 1 else ""
                    bare = run_phase(
                        f"bare view GET /healthz{suffix}",
                        at_level,
                        Path(tmp),
                        "/healthz",
                        server.pid,
                    ).rate
                    rate = intake(f"without a photo{suffix}", "", at_level)
                    ratios[level].append(rate / bare)
                    last_bare[level] = bare
                    best_bare, best_intake = max(best_bare, bare), max(best_intake, rate)
                    print(f"  intake without a photo / bare view{suffix}: {ratios[level][-1]:.2f}")
                if len(levels) > 1:
                    best_ratios.append(best_intake / best_bare)
                    print(f"  best intake rate / best bare view rate: {best_ratios[-1]:.2f}")
            for level, level_ratios in ratios.items():
                print(
                    f"intake without a photo / bare view, {level} connections, median of "
                    f"{len(level_ratios)} round(s): {median_of(level_ratios)}"
                )
            if best_ratios:
                print(
                    "best intake rate / best bare view rate (each at its best number of "
                    f"connections), median of {len(best_ratios)} round(s): {median_of(best_ratios)}"
                )
            bare = last_bare[levels[0]]  # the photo phases run with the first level
            if not options.no_photo:
                rate = intake("with one photo", str(photo_path))
                print(f"  intake with one photo / bare view of the last round: {rate / bare:.2f}")
            if options.anonymous:
                rate = intake("anonymous, one photo", str(photo_path), anonymous=True)
                print(f"  anonymous, one photo / bare view of the last round: {rate / bare:.2f}")
            report_count(Path(tmp) / "codes.txt")
            if options.with_worker:
                wait_for_photos()
        finally:
            server.terminate()
            server.wait(timeout=30)
            server_log.close()
            problems = log_problems((Path(tmp) / "server.log").read_text(errors="replace"))
            errors = [line for line in problems if not line.startswith("WARNING")]
            warnings = [line for line in problems if line.startswith("WARNING")]
            print(f"server log: {len(errors)} error(s)", *errors[:5], sep="\n  ")
            if warnings:
                print(
                    f"server log: {len(warnings)} warning(s) with a traceback",
                    *warnings[:5],
                    sep="\n  ",
                )


def connection_levels(text: str) -> list[int]:
    """The numbers of connections of --concurrency ("8" or "8,16,32"), each 1 to 256."""
    try:
        levels = [int(part) for part in text.split(",")]
    except ValueError:
        message = f"--concurrency: {text!r} is not a list of numbers (8 or 8,16,32)"
        raise SystemExit(message) from None
    return [min(max(level, 1), 256) for level in dict.fromkeys(levels)]


def median_of(ratios: list[float]) -> str:
    """ "0.52 (rounds: 0.50, 0.52, 0.55)"."""
    rounds = ", ".join(f"{ratio:.2f}" for ratio in ratios)
    return f"{statistics.median(ratios):.2f} (rounds: {rounds})"


def log_problems(log: str) -> list[str]:
    """Each ERROR line, and each traceback as the line before it and its last line (the
    exception); a traceback logged as a WARNING (the designed retry of a batch whose
    tracking code was taken already) starts with "WARNING"."""
    lines, problems = log.splitlines(), []
    for index, line in enumerate(lines):
        chained = index > 1 and lines[index - 2].startswith(("The above", "During handling"))
        if line.startswith("Traceback") and not chained:  # a chained one is the same record
            end = next(
                (i for i in range(index + 1, len(lines)) if not lines[i].startswith(" ")),
                len(lines) - 1,
            )
            before = lines[index - 1] if index else ""
            level = "WARNING " if " WARNING " in f" {before} " else ""
            problems.append(f"{level}{before} ... {lines[end]}")
        elif "ERROR" in line:
            problems.append(line)
    return problems


def process_tree(root_pid: int) -> dict[int, tuple[int, int]]:
    """The CPU ticks (in user space, in the kernel) used so far by a process and each of
    its descendants, from /proc."""
    tree, stats = {root_pid}, {}
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
            except OSError:  # ended meanwhile
                continue
            stats[int(entry.name)] = (int(fields[1]), (int(fields[11]), int(fields[12])))
    grown = True
    while grown:
        children = {pid for pid, (parent, _ticks) in stats.items() if parent in tree}
        grown = not children <= tree
        tree |= children
    return {pid: stats[pid][1] for pid in tree if pid in stats}


def cpu_seconds(root_pid: int) -> dict[str, float]:
    """CPU time (user + system) used so far by a process and its children, by role:
    web processes, the intake's writer process, the task worker; and under "kernel" the
    part of it spent in the kernel (system calls: socket and file writes, fsync...)."""
    by_role: dict[str, float] = {}
    kernel = 0
    for pid, (user, system) in process_tree(root_pid).items():
        ticks = user + system
        kernel += system
        try:
            command = Path(f"/proc/{pid}/cmdline").read_bytes().split(b"\0")
        except OSError:  # ended meanwhile
            continue
        role = "web"
        if b"intake_writer" in command:
            role = "writer"
        elif b"worker" in command:
            role = "worker"
        by_role[role] = by_role.get(role, 0.0) + ticks / os.sysconf("SC_CLK_TCK")
    return {**by_role, KERNEL: kernel / os.sysconf("SC_CLK_TCK")}


KERNEL = "kernel"  # not a role: the part of every role's time spent in the kernel


def count_switches(root_pid: int) -> subprocess.Popen | None:
    """perf counting the context switches of the server's processes (and of the threads
    they start) until it is interrupted; None without perf (Debian's linux-perf)."""
    if shutil.which("perf") is None:
        return None
    pids = ",".join(str(pid) for pid in process_tree(root_pid))
    return subprocess.Popen(
        ["perf", "stat", "-x,", "-e", "context-switches", "-p", pids],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
    )


def switches_counted(perf: subprocess.Popen | None) -> int | None:
    if perf is None:
        return None
    perf.send_signal(signal.SIGINT)
    output = perf.communicate(timeout=30)[1]
    found = re.search(r"^(\d+),[^,]*,context-switches", output, re.MULTILINE)
    return int(found.group(1)) if found else None


@dataclass
class Phase:
    rate: float  # answers a second
    cpu_ms: float  # the server's CPU time an answer


def run_phase(
    name: str,
    options,
    folder: Path,
    path: str,
    server_pid: int,
    lua_env: dict[str, str] | None = None,
) -> Phase:
    """Run wrk for one phase; returns its rate and the server's CPU time (all its
    processes) an answer, a cost that varies less than rates on a busy VM. The tracking
    codes of the 201 answers are added to codes.txt in `folder`. Prints both, and with
    perf the context switches an answer (thread hand-overs, the GIL's included)."""
    script = folder / "phase.lua"
    script.write_text(COUNT_LUA + (INTAKE_LUA if lua_env else ""))
    command = [
        "wrk",
        "-t1",
        f"-c{options.concurrency}",
        f"-d{options.seconds:.0f}s",
        "--timeout",
        "30s",
        "-s",
        str(script),
        f"http://{HOST}:{options.port}{path}",
    ]
    lua_env = {**(lua_env or {}), "IOC_BENCH_CODES": str(folder / "codes.txt")}
    cpu_before = cpu_seconds(server_pid)
    perf = count_switches(server_pid)
    output = subprocess.run(
        command, env={**os.environ, **lua_env}, capture_output=True, text=True, check=True
    ).stdout
    cpu_after = cpu_seconds(server_pid)
    by_role = {role: spent - cpu_before.get(role, 0.0) for role, spent in cpu_after.items()}
    kernel = by_role.pop(KERNEL)
    cpu = sum(by_role.values())
    switches = switches_counted(perf)
    rate = float(re.search(r"Requests/sec:\s+([\d.]+)", output).group(1))
    answers = dict(re.findall(r"(\d{3})=(\d+)", output.split("ANSWERS", 1)[1].splitlines()[0]))
    latency = re.search(r"LATENCY p50=([\d.]+) p95=([\d.]+)", output)
    errors = {
        status: int(count) for status, count in answers.items() if status not in ("200", "201")
    }
    socket_errors = re.search(r"Socket errors:.*", output)
    count = sum(int(c) for c in answers.values())
    print(
        f"{name}: {count} answers = {rate:.0f}/s; "
        f"latency p50 {latency.group(1)} ms, p95 {latency.group(2)} ms; "
        f"errors {errors or 'none'}" + (f"; {socket_errors.group(0)}" if socket_errors else "")
    )
    print(
        f"  server CPU: {1000 * cpu / max(count, 1):.2f} ms an answer ("
        + ", ".join(f"{role} {1000 * spent / max(count, 1):.2f}" for role, spent in by_role.items())
        + f"; in the kernel {1000 * kernel / max(count, 1):.2f})"
        + (f"; {switches / max(count, 1):.0f} context switches" if switches is not None else "")
    )
    return Phase(rate, 1000 * cpu / max(count, 1))


def prepare() -> str:
    from django.core.management import call_command

    from ioc.accounts.choices import Role
    from ioc.accounts.services import agency_create, apikey_create, user_create
    from ioc.geo.testing import load_test_geography
    from ioc.reports import services
    from ioc.reports.choices import DeadlineUnit

    call_command("migrate", verbosity=0)
    load_test_geography()
    agency = agency_create(
        code="phan-thiet", name="UBND phường Phan Thiết", kind="commune_committee"
    )
    # The agency's people, each told of every report it is given (an in-app notice).
    for number, role in enumerate([Role.AGENCY_HEAD, Role.AGENCY_STAFF, Role.AGENCY_STAFF]):
        user_create(username=f"bench-staff-{number}", role=role, agency=agency)
    pothole = services.category_create(code="pothole", name="Ổ gà", deadline_amount=3)
    light = services.category_create(
        code="streetlight",
        name="Đèn đường",
        deadline_amount=24,
        deadline_unit=DeadlineUnit.WORKING_HOURS,
    )
    services.routing_rule_create(agency=agency, category=pothole)
    services.routing_rule_create(agency=agency, category=light)
    _key, raw_key = apikey_create(name="benchmark", scopes=["reports"])
    return raw_key


def wait_until_up(port: int) -> None:
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        try:
            connection = HTTPConnection(HOST, port, timeout=2)
            connection.request("GET", "/healthz")
            if connection.getresponse().status == 200:
                return
        except OSError:
            time.sleep(0.2)
    raise SystemExit("The server did not start within 30 s.")


def jpeg(side: int) -> bytes:
    from PIL import Image

    rng = random.Random(1)
    image = Image.new("RGB", (side, side * 3 // 4))
    image.putdata(
        [(rng.randrange(256), rng.randrange(256), 90) for _ in range(image.width * image.height)]
    )
    output = io.BytesIO()
    image.save(output, format="JPEG", quality=85)
    return output.getvalue()


def report_count(codes_file: Path) -> None:
    """Check that every report answered 201 is stored. wrk stops counting at the end of a
    phase while the last requests are still served, so a few more may be stored."""
    from ioc.inbox.models import GroupNotification
    from ioc.reports.models import Report, ReportPhoto

    codes = codes_file.read_text().split()
    stored = Report.objects.filter(tracking_code__in=codes).count()
    verdict = "every 201 is stored" if stored == len(codes) else "SOME ARE MISSING"
    print(
        f"answered 201: {len(codes)}; of them stored: {stored} ({verdict}); reports in all: "
        f"{Report.objects.count()}; notices to the agency: "
        f"{GroupNotification.objects.filter(kind='report.assigned').count()}; photos published: "
        f"{ReportPhoto.objects.count()}, waiting for the worker: {queued_photo_tasks()}"
    )


def queued_photo_tasks() -> int:
    from django_tasks_db.models import DBTaskResult

    return (
        DBTaskResult.objects.filter(task_path__endswith="publish_report_photos")
        .exclude(status__in=["SUCCESSFUL", "FAILED"])
        .count()
    )


def wait_for_photos() -> None:
    from ioc.reports.models import ReportPhoto

    started = time.monotonic()
    while queued_photo_tasks() and time.monotonic() - started < 300:
        time.sleep(0.5)
    print(
        f"worker: queue empty {time.monotonic() - started:.1f} s after the last phase; "
        f"photos published: {ReportPhoto.objects.count()}"
    )


if __name__ == "__main__":
    main()
