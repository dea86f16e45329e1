"""Benchmark of Open311 GET requests.{json,xml} returning 1,000 requests.

    .venv/bin/python benchmarks/reports_open311.py [--reports 1000] [--repeat 20]

Sets up a temporary SQLite database and media folder, loads the shipped area, submits
--reports reports through `report_submit` (each with a small photo, so that media_url is
filled), then times the whole Django request (middleware included) of GET
/open311/v2/requests.json and .xml through Django's test client, in process.
"""

import argparse
import random
import statistics
import tempfile
import time

from scratch import scratch_django


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--reports", type=int, default=1000)
    parser.add_argument("--repeat", type=int, default=20)
    options = parser.parse_args()
    options.reports = min(options.reports, 20_000)

    with tempfile.TemporaryDirectory(prefix="ioc-bench-") as tmp:
        scratch_django(tmp)
        run(options.reports, options.repeat)


def run(count: int, repeat: int) -> None:
    from django.test import Client
    from reports_intake import jpeg, prepare

    from ioc.accounts.models import ApiKey
    from ioc.reports import services

    prepare()
    key = ApiKey.objects.get()
    photo = jpeg(160)
    rng = random.Random(1)
    started = time.perf_counter()
    for index in range(count):
        services.report_submit(
            category=rng.choice(["pothole", "streetlight"]),
            description=f"Ổ gà lớn trên đường Trần Hưng Đạo, đoạn số {index}.",
            lat=10.925 + rng.random() * 0.01,
            lon=108.095 + rng.random() * 0.01,
            photos=[photo],
            source="app",
            actor=key,
        )
    print(f"{count} reports submitted in {time.perf_counter() - started:.1f} s")
    client = Client(HTTP_HOST="127.0.0.1")
    for fmt in ("json", "xml"):
        url = f"/open311/v2/requests.{fmt}"
        response = client.get(url)
        assert response.status_code == 200, response.content[:200]
        timings = []
        for _ in range(repeat):
            begin = time.perf_counter()
            client.get(url)
            timings.append(time.perf_counter() - begin)
        print(
            f"GET {url}: {len(response.content):,} bytes; median "
            f"{statistics.median(timings) * 1000:.1f} ms, max {max(timings) * 1000:.1f} ms"
        )


if __name__ == "__main__":
    main()
