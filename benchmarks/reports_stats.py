"""Benchmark of the report figures at 1,000,000 reports (issue 3: dashboard and stats
≤ 150 ms server time; a new report shows in the figures within 5 s).

    .venv/bin/python benchmarks/reports_stats.py [--reports 1000000] [--quick] [--repeat 15]

Sets up a temporary SQLite database (IOC_VAR_DIR, DATABASE_URL in a temporary folder),
migrates, loads the shipped area (45 communes, 10 legacy districts), creates 30
categories, 51 agencies (one people's committee per commune, six departments) and their
routing rules, then writes --reports reports received over the last two years (bulk
inserts, 5,000 rows a statement) with plausible handling: most resolved after a
log-normal time (median about 2.5 days), some rejected, a few still open, a third rated;
counts the figures summary once (figures_rebuild) and measures, through Django's test
client (server time, no network), the median and p95 of --repeat requests of:

- GET /api/v1/reports/stats for the last whole month, quarter, year and the whole
  history, with no filter, with a commune and with a category;
- the operators' dashboard /reports/dashboard/ for this month and for last year;
- the public figures /reports/figures/ by default (this year to date) and for last year;
- a new report, submitted through report_submit: the time until the stats of the whole
  history count it.

--quick writes 100,000 reports. The generator is seeded: two runs write the same data.
"""

import argparse
import math
import random
import statistics
import tempfile
import time
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

from scratch import scratch_django

BATCH = 5000
CATEGORIES = 30
DEPARTMENTS = ("dien-luc", "cap-nuoc", "moi-truong", "xay-dung", "giao-thong", "cong-an")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--reports", type=int, default=1_000_000)
    parser.add_argument("--quick", action="store_true", help="100,000 reports")
    parser.add_argument("--repeat", type=int, default=15, help="requests per measure")
    parser.add_argument(
        "--keep", type=Path, help="keep the database in this folder; reuse it if it is there"
    )
    options = parser.parse_args()
    count = 100_000 if options.quick else min(options.reports, 2_000_000)
    repeat = max(3, min(options.repeat, 100))

    with tempfile.TemporaryDirectory(prefix="ioc-bench-") as tmp:
        if options.keep:
            options.keep.mkdir(parents=True, exist_ok=True)
            tmp = str(options.keep.resolve())
        reuse = (Path(tmp) / "bench.sqlite3").exists()
        scratch_django(tmp)
        from django.conf import settings

        settings.ALLOWED_HOSTS = ["*"]
        if reuse:
            world = reload()
        else:
            world = prepare()
            started = time.perf_counter()
            write_reports(world, count)
            print(f"wrote {count:,} reports in {time.perf_counter() - started:.1f} s")
            from ioc.reports.figures import figures_rebuild

            started = time.perf_counter()
            rows = figures_rebuild()
            print(f"figures summary: {rows:,} rows in {time.perf_counter() - started:.1f} s")
        measure(world, repeat)


def prepare() -> dict:
    from django.core.management import call_command

    from ioc.accounts.choices import AgencyKind, Role
    from ioc.accounts.models import User
    from ioc.accounts.services import agency_create
    from ioc.geo.models import AdminUnit
    from ioc.geo.selectors import locate
    from ioc.geo.testing import load_test_geography
    from ioc.reports import services

    call_command("migrate", verbosity=0)
    load_test_geography()
    communes = []
    for unit in AdminUnit.objects.filter(
        structure="current", level="commune", centroid_lat__isnull=False
    ).order_by("code"):
        location = locate(lat=unit.centroid_lat, lon=unit.centroid_lon)
        district = location.legacy_district.id if location and location.legacy_district else None
        agency = agency_create(
            code=f"ubnd-{unit.code}",
            name=f"UBND {unit.name}",
            kind=AgencyKind.COMMUNE_COMMITTEE,
        )
        services.routing_rule_create(agency=agency, unit=unit)
        communes.append((unit, district, agency))
    departments = [
        agency_create(code=code, name=code.upper(), kind=AgencyKind.DEPARTMENT)
        for code in DEPARTMENTS
    ]
    categories = []
    for index in range(CATEGORIES):
        category = services.category_create(
            code=f"cat-{index:02d}", name=f"Lĩnh vực {index}", deadline_amount=1 + index % 10
        )
        if index < 12:
            services.routing_rule_create(
                agency=departments[index % len(departments)], category=category
            )
        categories.append(category)
    operator = User.objects.create_user(username="operator", role=Role.OPERATOR)
    return {
        "communes": communes,
        "departments": departments,
        "categories": categories,
        "operator": operator,
    }


def reload() -> dict:
    """The world of a database kept by an earlier run (--keep)."""
    from ioc.accounts.models import Agency, User
    from ioc.geo.models import AdminUnit
    from ioc.geo.selectors import locate
    from ioc.reports.models import Category

    communes = []
    for unit in AdminUnit.objects.filter(
        structure="current", level="commune", centroid_lat__isnull=False
    ).order_by("code"):
        location = locate(lat=unit.centroid_lat, lon=unit.centroid_lon)
        district = location.legacy_district.id if location and location.legacy_district else None
        communes.append((unit, district, Agency.objects.get(code=f"ubnd-{unit.code}")))
    return {
        "communes": communes,
        "departments": [Agency.objects.get(code=code) for code in DEPARTMENTS],
        "categories": list(Category.objects.filter(code__startswith="cat-").order_by("code")),
        "operator": User.objects.get(username="operator"),
    }


def write_reports(world: dict, count: int) -> None:
    from django.db import connection, transaction

    from ioc.reports.figures import completion_bucket, has_late_event

    rng = random.Random(2026)
    now = datetime.now(UTC).replace(microsecond=0)
    first = now - timedelta(days=730)
    communes = world["communes"]
    commune_weights = [1 / (rank + 1) ** 0.8 for rank in range(len(communes))]
    categories = world["categories"]
    category_weights = [1 / (rank + 1) for rank in range(len(categories))]
    sqlite = connection.vendor == "sqlite"

    def stamp(moment: datetime | None):
        if moment is None:
            return None
        return moment.strftime("%Y-%m-%d %H:%M:%S") if sqlite else moment

    columns = (
        "tracking_code, category_id, description, address, lat, lon, commune_id, "
        "legacy_district_id, attributes, media_url, status, reject_reason, priority, agency_id, "
        "reporter_name, reporter_phone, reporter_email, is_anonymous, source, device_id, "
        "published, received_at, due_at, expected_at, resolved_at, closed_at, completed_at, "
        "completed_on_time, rating, rating_comment, rated_at, updated_at, has_late_event, "
        "completion_bucket"
    )
    marks = ", ".join(["%s"] * len(columns.split(", ")))
    sql = f"INSERT INTO reports_report ({columns}) VALUES ({marks})"
    rows = []
    with transaction.atomic(), connection.cursor() as cursor:
        for index in range(count):
            unit, district, committee = rng.choices(communes, commune_weights)[0]
            position = rng.choices(range(len(categories)), category_weights)[0]
            category = categories[position]
            agency = (
                world["departments"][position % len(DEPARTMENTS)] if position < 12 else committee
            )
            day = rng.random() * 730
            received = first + timedelta(days=day, hours=rng.gauss(0, 3))
            received = min(received, now - timedelta(minutes=5))
            due = received + timedelta(days=category.deadline_amount * 1.4)
            fate = rng.random()
            completed = resolved = closed = rated = None
            rating, status, reject_reason = None, "in_progress", ""
            if fate < 0.04:
                completed = received + timedelta(hours=rng.uniform(0.5, 30))
                status, reject_reason = "rejected", "out_of_scope"
            elif fate < 0.985:
                completed = received + timedelta(hours=math.exp(rng.gauss(4.1, 1.1)))
                resolved, status = completed, "resolved"
            if completed is not None and completed > now:
                completed = resolved = None
                status, reject_reason = "in_progress", ""
            if resolved is not None and rng.random() < 0.35:
                rated = resolved + timedelta(hours=rng.expovariate(1 / 48))
                if rated < now:
                    rating = rng.choices([5, 4, 3, 2, 1], [40, 30, 12, 8, 10])[0]
                    closed, status = rated, "closed" if rating >= 3 else "reopened"
                else:
                    rated = None
            elif resolved is not None and resolved + timedelta(days=7) < now:
                closed, status = resolved + timedelta(days=7), "closed"
            lat = unit.centroid_lat + rng.uniform(-0.005, 0.005)
            lon = unit.centroid_lon + rng.uniform(-0.005, 0.005)
            rows.append(
                (
                    f"PA-BM-{index:08d}",
                    category.id,
                    "Phản ánh hiện trường (dữ liệu đo hiệu năng).",
                    "",
                    lat,
                    lon,
                    unit.id,
                    district,
                    "{}",
                    "",
                    status,
                    reject_reason,
                    "normal",
                    agency.id,
                    "",
                    "",
                    "",
                    False,
                    "phone",
                    "",
                    True,
                    stamp(received),
                    stamp(due),
                    stamp(due),
                    stamp(resolved),
                    stamp(closed),
                    stamp(completed),
                    None if completed is None else completed <= due,
                    rating,
                    "",
                    stamp(rated),
                    stamp(closed or completed or received),
                    has_late_event(received, completed, rated, due),
                    completion_bucket(received, completed),
                )
            )
            if len(rows) == BATCH:
                cursor.executemany(sql, rows)
                rows.clear()
        if rows:
            cursor.executemany(sql, rows)
    if sqlite:
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")


def timed(client, url: str, repeat: int) -> tuple[float, float]:
    times = []
    for _ in range(repeat):
        started = time.perf_counter()
        response = client.get(url)
        times.append((time.perf_counter() - started) * 1000)
        assert response.status_code == 200, (url, response.status_code)
    times.sort()
    return statistics.median(times), times[min(len(times) - 1, math.ceil(0.95 * len(times)) - 1)]


def measure(world: dict, repeat: int) -> None:
    from django.test import Client
    from django.utils import timezone

    today = timezone.localdate()
    month_end = today.replace(day=1) - timedelta(days=1)
    month = (month_end.replace(day=1), month_end)
    quarter_first = date(today.year, 3 * ((today.month - 1) // 3) + 1, 1)
    quarter_end = quarter_first - timedelta(days=1)
    quarter = (date(quarter_end.year, quarter_end.month - 2, 1), quarter_end)
    year = (date(today.year - 1, 1, 1), date(today.year - 1, 12, 31))
    whole = (today - timedelta(days=731), today)
    commune = world["communes"][0][0].code
    category = world["categories"][0].code
    client = Client()
    client.force_login(world["operator"])
    client.get("/reports/figures/")  # warm up: URLconf, templates, geography caches
    print(f"\n{'request':<72} {'median':>8} {'p95':>8}")
    for label, (start, end) in (
        ("month", month),
        ("quarter", quarter),
        ("year", year),
        ("whole history", whole),
    ):
        for extra in ("", f"&commune={commune}", f"&category={category}"):
            url = f"/api/v1/reports/stats?from={start}&to={end}{extra}"
            median, p95 = timed(client, url, repeat)
            print(f"stats {label:<14} {url[23:]:<57} {median:7.1f}ms {p95:7.1f}ms")
    for url in (
        "/reports/dashboard/",
        f"/reports/dashboard/?period={today.year - 1}",
        "/reports/figures/",
        f"/reports/figures/?from={year[0]}&to={year[1]}",
    ):
        median, p95 = timed(client, url, repeat)
        print(f"{url:<72} {median:7.1f}ms {p95:7.1f}ms")
    new_report_latency(client, world, whole)


def new_report_latency(client, world: dict, period: tuple[date, date]) -> None:
    from ioc.reports import services

    url = f"/api/v1/reports/stats?from={period[0]}&to={period[1]}"
    before = client.get(url).json()["received"]
    unit = world["communes"][0][0]
    started = time.perf_counter()
    services.report_submit(
        category=world["categories"][20],
        description="Đèn đường hỏng trước nhà số 12, tối không thấy đường.",
        lat=unit.centroid_lat,
        lon=unit.centroid_lon,
        source="phone",
        actor=world["operator"],
    )
    submitted = time.perf_counter()
    while client.get(url).json()["received"] != before + 1:
        if time.perf_counter() - started > 10:
            print("new report: NOT counted within 10 s")
            return
    seen = time.perf_counter()
    print(
        f"new report: submitted in {(submitted - started) * 1000:.1f} ms, "
        f"counted by the stats {(seen - started) * 1000:.1f} ms after the submission began"
    )


if __name__ == "__main__":
    main()
