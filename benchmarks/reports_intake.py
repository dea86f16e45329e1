"""Benchmark of report intake through the API, against a bare Django view served the same way.

    .venv/bin/python benchmarks/reports_intake.py [--count 2000] [--seconds 30]
        [--concurrency 8] [--workers 1] [--photo-side 640] [--with-email] [--no-photo]
        [--with-worker]

Sets up a temporary SQLite database and media folder (IOC_VAR_DIR, DATABASE_URL,
IOC_MEDIA_ROOT in a temporary folder), migrates, loads the shipped area, creates two
categories with routing rules and an API key of scope "reports", then starts
`ioc serve` on 127.0.0.1 only and measures, in one run:

1. the bare view: GET /healthz (one SQL query), the baseline of the stack;
2. intake without a photo: POST /api/v1/reports/ (multipart: a hotline report with its
   category, routing, deadline, timeline, webhooks outbox) at random points of Phan Thiết;
3. intake with a photo: the same with one JPEG (--photo-side wide, random pixels, so
   hard to compress), checked by its header and queued; the task worker re-encodes it
   and publishes it (skipped with --no-photo).

With --with-worker, `ioc serve --with-worker` runs the task worker beside the web
process(es), on the same cores, as `make run` does; at the end the script waits for it to
publish the queued photos and prints how long that took.

The submissions carry the API key of a trusted client (a call centre), so that the
anonymous per-IP limit (every request comes from 127.0.0.1) does not stop them. Each
phase stops after --count requests or --seconds, whichever comes first. Prints the rate,
the latency percentiles, the errors and the ratio intake / bare view of each phase, then
checks that every 201 is a stored report.
"""

import argparse
import io
import os
import random
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from http.client import HTTPConnection
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
HOST = "127.0.0.1"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--count", type=int, default=2000, help="requests per phase (max)")
    parser.add_argument("--seconds", type=float, default=30.0, help="time per phase (max)")
    parser.add_argument("--concurrency", type=int, default=8)
    parser.add_argument("--workers", type=int, default=1, help="uvicorn processes")
    parser.add_argument("--port", type=int, default=8765)
    parser.add_argument("--photo-side", type=int, default=640)
    parser.add_argument("--with-email", action="store_true", help="reporters give an e-mail")
    parser.add_argument("--no-photo", action="store_true", help="hotline reports, no photo")
    parser.add_argument(
        "--with-worker", action="store_true", help="run the task worker during the run"
    )
    options = parser.parse_args()
    options.count = min(options.count, 100_000)
    options.seconds = min(options.seconds, 300.0)

    with tempfile.TemporaryDirectory(prefix="ioc-bench-") as tmp:
        env = {
            **os.environ,
            "IOC_VAR_DIR": tmp,
            "DATABASE_URL": f"sqlite:///{Path(tmp) / 'bench.sqlite3'}",
            "IOC_MEDIA_ROOT": str(Path(tmp) / "media"),
            "DJANGO_SETTINGS_MODULE": "ioc.settings",
            "IOC_LOG_LEVEL": "WARNING",
        }
        os.environ.update(env)
        sys.path.insert(0, str(ROOT / "src"))
        import django

        django.setup()
        raw_key = prepare()
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
            ],
            env=env,
            stdout=server_log,
            stderr=subprocess.STDOUT,
        )
        try:
            wait_until_up(options.port)
            print(f"{options.workers} uvicorn worker(s), {options.concurrency} concurrent clients")
            bare, _accepted = run_phase(
                "bare view GET /healthz", options, lambda c, i: get_healthz(c)
            )
            phases = [("without a photo", b"")]
            if not options.no_photo:
                phases.append(("with one photo", jpeg(options.photo_side)))
            accepted = 0
            for offset, (label, photo) in enumerate(phases, start=1):
                first = offset * 1_000_000  # distinct reports (and devices) per phase

                def submit(connection, index, photo=photo, first=first):
                    return post_report(
                        connection, raw_key, photo, first + index, options.with_email
                    )

                rate, created = run_phase(f"intake {label}", options, submit)
                accepted += created
                print(f"  intake {label} / bare view: {rate / bare:.2f}")
            report_count(accepted)
            if options.with_worker:
                wait_for_photos()
        finally:
            server.terminate()
            server.wait(timeout=30)
            server_log.close()
            errors = [
                line
                for line in (Path(tmp) / "server.log").read_text(errors="replace").splitlines()
                if "ERROR" in line or "Traceback" in line
            ]
            print(f"server log: {len(errors)} error line(s)", *errors[:5], sep="\n  ")


def prepare() -> str:
    from django.core.management import call_command

    from ioc.accounts.services import agency_create, apikey_create
    from ioc.geo.testing import load_test_geography
    from ioc.reports import services
    from ioc.reports.choices import DeadlineUnit

    call_command("migrate", verbosity=0)
    load_test_geography()
    agency = agency_create(
        code="phan-thiet", name="UBND phường Phan Thiết", kind="commune_committee"
    )
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


def get_healthz(connection: HTTPConnection) -> int:
    connection.request("GET", "/healthz")
    response = connection.getresponse()
    response.read()
    return response.status


def post_report(
    connection: HTTPConnection, raw_key: str, photo: bytes, index: int, with_email: bool
) -> int:
    rng = random.Random(index)
    fields = {
        "category": rng.choice(["pothole", "streetlight"]),
        "description": f"Ổ gà lớn trên đường Trần Hưng Đạo, đoạn số {index}, xe máy dễ ngã.",
        "lat": f"{10.925 + rng.random() * 0.01:.6f}",
        "lon": f"{108.095 + rng.random() * 0.01:.6f}",
        "source": "app" if photo else "phone",
        "device_id": f"bench-{index % 50}",
    }
    if with_email:
        fields["email"] = f"citizen{index}@example.invalid"
    boundary = uuid.uuid4().hex
    parts = []
    for name, value in fields.items():
        header = f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"\r\n\r\n'
        parts.append(f"{header}{value}\r\n".encode())
    if photo:
        parts.append(
            f'--{boundary}\r\nContent-Disposition: form-data; name="photos"; filename="p.jpg"\r\n'
            "Content-Type: image/jpeg\r\n\r\n".encode()
            + photo
            + b"\r\n"
        )
    parts.append(f"--{boundary}--\r\n".encode())
    body = b"".join(parts)
    connection.request(
        "POST",
        "/api/v1/reports/",
        body=body,
        headers={
            "Content-Type": f"multipart/form-data; boundary={boundary}",
            "X-API-Key": raw_key,
        },
    )
    response = connection.getresponse()
    response.read()
    return response.status


def run_phase(name: str, options, call) -> tuple[float, int]:
    """(requests per second, number of 201 answers)."""
    latencies: list[float] = []
    errors: dict[int, int] = {}
    created = 0
    lock = threading.Lock()
    counter = iter(range(options.count))
    stop_at = time.monotonic() + options.seconds

    def worker() -> None:
        nonlocal created
        connection = HTTPConnection(HOST, options.port, timeout=30)
        while time.monotonic() < stop_at:
            with lock:
                index = next(counter, None)
            if index is None:
                return
            started = time.perf_counter()
            try:
                status = call(connection, index)
            except OSError:
                status = 0
                connection = HTTPConnection(HOST, options.port, timeout=30)
            elapsed = time.perf_counter() - started
            with lock:
                latencies.append(elapsed)
                created += status == 201
                if status not in (200, 201):
                    errors[status] = errors.get(status, 0) + 1

    threads = [threading.Thread(target=worker) for _ in range(options.concurrency)]
    started = time.perf_counter()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    duration = time.perf_counter() - started
    done = len(latencies)
    rate = done / duration if duration else 0.0
    cuts = statistics.quantiles(latencies, n=100) if done > 1 else [0.0] * 99
    print(
        f"{name}: {done} requests in {duration:.1f} s = {rate:.0f}/s; "
        f"latency p50 {cuts[49] * 1000:.1f} ms, p95 {cuts[94] * 1000:.1f} ms; "
        f"errors {errors or 'none'}"
    )
    return rate, created


def report_count(accepted: int) -> None:
    from ioc.reports.models import Report, ReportPhoto

    stored = Report.objects.count()
    verdict = "every 201 is stored" if stored == accepted else "MISMATCH"
    print(
        f"answered 201: {accepted}; stored: {stored} reports ({verdict}); photos published: "
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
