"""Server time of the main pages on the demo database (Django's test client, no network).

    .venv/bin/ioc demo            # once, on the database of var/ (make run does it)
    .venv/bin/python benchmarks/pages_demo.py [--repeat 10]

Logs in as demo.operator, warms each page once, then prints the median of --repeat
requests: the time Django spends in the view and template, without HTTP or the browser.
Reads only; the database of var/ (or DATABASE_URL) is not changed.
"""

import argparse
import os
import statistics
import time

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "ioc.settings")

import django

django.setup()

from django.test import Client  # noqa: E402
from django.test.utils import setup_test_environment  # noqa: E402

from ioc.accounts.models import User  # noqa: E402

PAGES = [
    "/",
    "/staff/",
    "/reports/dashboard/?period=2024",
    "/reports/figures/?from=2022-12-10&to=2024-11-21&legacy_district=593",
    "/reports/queue/",
    "/reports/public/",
    "/indicators/socio-economic/?period=2024",
    "/indicators/health/?period=2024",
    "/indicators/education/?period=2024",
    "/indicators/tourism/?period=2024",
    "/api/v1/reports/stats?from=2022-12-10&to=2024-11-21&legacy_district=593",
    "/api/v1/indicators/analytics?indicator=TOUR_ARRIVALS&period=2024&unit=60",
]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=10)
    options = parser.parse_args()
    setup_test_environment()
    client = Client()
    client.force_login(User.objects.get(username="demo.operator"))
    for url in PAGES:
        client.get(url)
        times = []
        for _ in range(options.repeat):
            started = time.perf_counter()
            response = client.get(url)
            times.append((time.perf_counter() - started) * 1000)
        print(f"{response.status_code}  median {statistics.median(times):6.1f} ms  {url}")
        if url.startswith("/api/"):
            print(f"      {response.content.decode()[:300]}")


if __name__ == "__main__":
    main()
