"""Benchmark: the indicator dashboards' server time with about 5,000,000 data values.

    .venv/bin/python benchmarks/indicators_dashboards.py [--facilities 1300] [--years 10]
        [--repeat 15] [--keep DIR] [--max-seconds 900]

Builds its own SQLite database in a temporary directory (or DIR, kept, and reused by a
later run with the same --keep): the shipped geography, the demo catalogue (87
indicators) and its 34 facilities plus --facilities generated ones spread over the
communes, then monthly values of every collected monthly indicator for every commune
(legacy ones until June 2025, current ones after) and every facility, and yearly values
for every commune, over --years years up to October 2026, written with plain bulk SQL;
the aggregates are then built from scratch with the engine's own function
(services.aggregates_rebuild). Then it measures, with Django's test client (server time,
no network):
- each of the four sector dashboards for a month and a year, the map by current commune
  and by legacy district (median and p95 of --repeat requests);
- GET /api/v1/indicators/analytics for a commune, a legacy district and the province;
- "a changed value reaches every aggregate": one value written through the service, then
  the dependent aggregates (commune, legacy district, both provinces; month, quarter,
  year) and a computed indicator read back and checked.
Stops measuring when --max-seconds have passed since the start (the build included).
"""

import argparse
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

STARTED = time.perf_counter()
LAST_MONTH = (2026, 10)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--facilities", type=int, default=1300)
    parser.add_argument("--years", type=int, default=10)
    parser.add_argument("--repeat", type=int, default=15)
    parser.add_argument("--keep", help="build in (or reuse) this directory")
    parser.add_argument("--max-seconds", type=float, default=900)
    args = parser.parse_args()

    directory = args.keep or tempfile.mkdtemp(prefix="ioc-bench-dash-")
    Path(directory).mkdir(parents=True, exist_ok=True)
    os.environ["IOC_VAR_DIR"] = directory
    os.environ.pop("DATABASE_URL", None)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "ioc.settings")
    sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "src"))
    import django

    django.setup()
    from django.core.management import call_command

    from ioc.indicators.models import DataValue

    call_command("migrate", verbosity=0)
    if not DataValue.objects.exists():
        build(args.facilities, args.years)
    else:
        print(f"reusing {directory}")
    count = DataValue.objects.count()
    from ioc.indicators.models import Aggregate

    print(f"{count:,} data values, {Aggregate.objects.count():,} aggregate rows")
    measure(args.repeat, args.max_seconds)


def _elapsed() -> str:
    return f"[{time.perf_counter() - STARTED:6.1f} s]"


def build(facilities: int, years: int) -> None:
    from django.db import connection, transaction
    from django.utils import timezone

    from ioc.accounts.choices import Role
    from ioc.accounts.models import User
    from ioc.geo.models import AdminUnit
    from ioc.geo.testing import load_test_geography
    from ioc.indicators import demo
    from ioc.indicators.aggregation import period_columns
    from ioc.indicators.hierarchy import Hierarchy
    from ioc.indicators.models import DataValue, Facility, Indicator, OrgUnit
    from ioc.indicators.services import aggregates_rebuild

    load_test_geography()
    User.objects.create_user(username="bench", password="x", role=Role.OPERATOR)
    catalogue = demo.read_catalogue()
    demo.catalogue_load(catalogue)
    demo.facilities_load(demo.read_facilities())
    span = demo.DemoRange(first=(LAST_MONTH[0] - years + 1, 1), last=LAST_MONTH)
    demo.targets_load(catalogue, span)
    communes = list(AdminUnit.objects.filter(structure="current", level="commune").order_by("code"))
    made = Facility.objects.bulk_create(
        Facility(
            code=f"BENCH-{n:05d}",
            name=f"Cơ sở {n}",
            kind="health_station" if n % 2 else "school",
            commune=communes[n % len(communes)],
        )
        for n in range(facilities)
    )
    OrgUnit.objects.bulk_create(OrgUnit(facility=facility) for facility in made)
    hierarchy = Hierarchy.load()
    print(f"{_elapsed()} catalogue, geography and {len(made)} facilities")

    legacy = [
        u for u in hierarchy.units.values() if u.structure == "legacy" and u.level == "commune"
    ]
    current = [
        u for u in hierarchy.units.values() if u.structure == "current" and u.level == "commune"
    ]
    sites = [u for u in hierarchy.units.values() if u.structure == "facility"]
    collected = list(Indicator.objects.filter(numerator="").order_by("pk"))
    months = [
        (year, month)
        for year in range(span.first[0], LAST_MONTH[0] + 1)
        for month in range(1, 13)
        if (year, month) <= LAST_MONTH
    ]
    now = connection.ops.adapt_datetimefield_value(timezone.now())
    columns = (
        "indicator_id, org_unit_id, period, period_type, period_start, period_end, value, "
        "status, source, stored_by, comment, followup, created_at, updated_at"
    )
    sql = f"INSERT INTO indicators_datavalue ({columns}) VALUES ({', '.join(['%s'] * 14)})"

    def rows():
        for n, indicator in enumerate(collected):
            ceiling = 100 if indicator.value_type in ("PERCENTAGE",) else 1000
            if indicator.period_type == "MONTHLY":
                periods = [f"{y}{m:02d}" for y, m in months]
            else:
                periods = [str(y) for y in range(span.first[0], LAST_MONTH[0])]
            for period in periods:
                before = period < "202507" if len(period) == 6 else period < "2025"
                units = (legacy if before else current) + (
                    sites if indicator.period_type == "MONTHLY" else []
                )
                spans = period_columns(period)
                for unit in units:
                    value = 1 + (n * 7 + unit.org_unit_id * 13 + int(period) * 3) % ceiling
                    yield (
                        indicator.pk,
                        unit.org_unit_id,
                        period,
                        *spans,
                        value,
                        "submitted",
                        "import",
                        "bench",
                        "",
                        False,
                        now,
                        now,
                    )

    written = 0
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("PRAGMA cache_size = -262144")
        batch = []
        for row in rows():
            batch.append(row)
            if len(batch) == 50000:
                cursor.executemany(sql, batch)
                written += len(batch)
                batch = []
        cursor.executemany(sql, batch)
        written += len(batch)
    print(f"{_elapsed()} {written:,} values written")
    with connection.cursor() as cursor:
        cursor.execute("PRAGMA cache_size = -262144")
    aggregates_rebuild()
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
    print(f"{_elapsed()} aggregates built from scratch (services.aggregates_rebuild)")
    assert DataValue.objects.filter(period="202410").exists()


def _timed(client, url: str, repeat: int) -> tuple[float, float, int]:
    client.get(url)  # warm the process (imports, templates), not the data
    times = []
    for _n in range(repeat):
        started = time.perf_counter()
        response = client.get(url)
        times.append((time.perf_counter() - started) * 1000)
    times.sort()
    p95 = times[min(len(times) - 1, round(0.95 * (len(times) - 1)))]
    return statistics.median(times), p95, response.status_code


def measure(repeat: int, max_seconds: float) -> None:
    from django.test import Client
    from django.test.utils import setup_test_environment

    from ioc.accounts.models import User

    setup_test_environment()
    client = Client()
    client.force_login(User.objects.get(username="bench"))
    urls = [
        f"/indicators/{sector}/?period={period}&map={level}"
        for sector in ("socio-economic", "health", "education", "tourism")
        for period in ("202410", "2025")
        for level in ("commune", "district")
    ]
    urls += [
        "/api/v1/indicators/analytics?indicator=TOUR_ARRIVALS&period=2025&unit=68",
        "/api/v1/indicators/analytics?indicator=TOUR_ARRIVALS&period=202410&unit=22918",
        "/api/v1/indicators/analytics?indicator=TOUR_ARRIVALS&period=2024&unit=legacy:593",
        "/api/v1/indicators/analytics?indicator=HEALTH_BEDS_PER_10K&period=2025&unit=68",
    ]
    print(f"{'median':>8} {'p95':>8}  status  page (ms, {repeat} requests each)")
    worst = 0.0
    for url in urls:
        if time.perf_counter() - STARTED > max_seconds:
            print(f"stopped: --max-seconds {max_seconds:.0f} reached")
            break
        median, p95, status = _timed(client, url, repeat)
        worst = max(worst, median) if url.startswith("/indicators/") else worst
        print(f"{median:8.1f} {p95:8.1f}  {status}     {url}")
    print(f"slowest dashboard median: {worst:.1f} ms")
    propagation()


def propagation() -> None:
    """One value written through the service; then every aggregate it reaches (its commune,
    legacy district and both provinces; month, quarter, half-year, year) and a computed
    indicator using it, read back and checked."""
    from decimal import Decimal

    from ioc.indicators.aggregation import period_chain
    from ioc.indicators.analytics import analytics_value
    from ioc.indicators.hierarchy import Hierarchy
    from ioc.indicators.models import DataValue, Indicator, OrgUnit
    from ioc.indicators.services import data_value_set

    hierarchy = Hierarchy.load()
    domestic = Indicator.objects.get(code="TOUR_ARRIVALS_DOMESTIC")
    arrivals = Indicator.objects.get(code="TOUR_ARRIVALS")  # domestic + international
    commune = hierarchy.resolve("22918")
    targets = hierarchy.rollup(commune.org_unit_id, domestic.area_aggregation)
    periods = [p.id for p in period_chain("202512")]
    times = []
    for step in range(5):
        before = {
            (unit, period): analytics_value(indicator=domestic, period=period, unit=unit) or 0
            for unit in targets
            for period in periods
        }
        computed_before = analytics_value(indicator=arrivals, period="2025", unit=targets[-1])
        own = DataValue.objects.filter(
            indicator=domestic, org_unit_id=commune.org_unit_id, period="202512"
        ).first()
        old = own.value if own is not None and own.counts else 0
        new = Decimal(5000 + step)
        started = time.perf_counter()
        data_value_set(
            indicator=domestic,
            org_unit=OrgUnit.objects.get(pk=commune.org_unit_id),
            period="202512",
            value=new,
        )
        after = {
            (unit, period): analytics_value(indicator=domestic, period=period, unit=unit)
            for unit in targets
            for period in periods
        }
        computed = analytics_value(indicator=arrivals, period="2025", unit=targets[-1])
        times.append((time.perf_counter() - started) * 1000)
        for key, value in after.items():
            assert value == before[key] + new - old, (key, value, before[key], new, old)
        assert computed == computed_before + new - old, (computed, computed_before)
    print(
        f"changed value → {len(targets)} units x {len(periods)} periods of aggregates and a "
        f"computed indicator, read back: median {statistics.median(times):.1f} ms, "
        f"max {max(times):.1f} ms (write committed + reads)"
    )


if __name__ == "__main__":
    main()
