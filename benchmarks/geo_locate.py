"""Benchmark of geo.selectors.locate(): point -> current commune and legacy district.

    .venv/bin/python benchmarks/geo_locate.py [--points 100000] [--seed 1]

Sets Django up on a temporary SQLite database (IOC_VAR_DIR and DATABASE_URL point at a
temporary folder), migrates, loads the shipped area, then times `locate` on random points
of the area's bounding box, one call at a time, as a request or an import would call it.
The points are timed twice: the first time nearly each falls in a cell of ≈ 54 m that
locate has not classified yet (its worst case), the second time every cell is known.
"""

import argparse
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--points", type=int, default=100_000)
    parser.add_argument("--seed", type=int, default=1)
    options = parser.parse_args()

    with tempfile.TemporaryDirectory(prefix="ioc-bench-") as tmp:
        os.environ["IOC_VAR_DIR"] = tmp
        os.environ["DATABASE_URL"] = f"sqlite:///{Path(tmp) / 'bench.sqlite3'}"
        os.environ["DJANGO_SETTINGS_MODULE"] = "ioc.settings"
        os.environ.setdefault("IOC_LOG_LEVEL", "WARNING")
        sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "src"))
        import django

        django.setup()
        run(options.points, options.seed)


def run(count: int, seed: int) -> None:
    import random

    from django.core.management import call_command

    from ioc.geo.selectors import area_bounds, geo_cache_clear, locate, units_geojson_layer
    from ioc.geo.testing import load_test_geography

    call_command("migrate", verbosity=0)
    started = time.perf_counter()
    load_test_geography()
    first_load = time.perf_counter() - started
    started = time.perf_counter()
    load_test_geography()
    second_load = time.perf_counter() - started

    geo_cache_clear()
    started = time.perf_counter()
    locate(lat=10.9289, lon=108.1021)
    build = time.perf_counter() - started

    min_lon, min_lat, max_lon, max_lat = area_bounds()
    rng = random.Random(seed)
    points = [(rng.uniform(min_lat, max_lat), rng.uniform(min_lon, max_lon)) for _ in range(count)]
    for lat, lon in points[:1000]:  # warm-up
        locate(lat=lat, lon=lon)

    first_pass = timed(points)
    again = timed(points)
    found = sum(1 for location in first_pass[1] if location is not None)
    with_district = sum(1 for location in first_pass[1] if location and location.legacy_district)

    geo_cache_clear()
    started = time.perf_counter()
    layer = units_geojson_layer(level="commune")
    geojson_build = time.perf_counter() - started
    started = time.perf_counter()
    for _ in range(1000):
        units_geojson_layer(level="commune")
    geojson_cached = (time.perf_counter() - started) / 1000

    print(
        f"load the area: first {first_load * 1000:.0f} ms, again (no change) "
        f"{second_load * 1000:.0f} ms"
    )
    print(f"build the locate index (45 communes + 10 districts): {build * 1000:.1f} ms")
    print(
        f"locate, {count:,} random points in the bounding box "
        f"{min_lon:.3f},{min_lat:.3f} to {max_lon:.3f},{max_lat:.3f}:"
    )
    for label, (micro, _locations) in (("cells new", first_pass), ("cells known", again)):
        print(
            f"  {label}: mean {statistics.fmean(micro):.1f} µs, p50 {micro[len(micro) // 2]:.1f}"
            f" µs, p99 {micro[int(len(micro) * 0.99)]:.1f} µs, max {micro[-1]:.0f} µs"
        )
    print(
        f"  found {found / count:.1%} (in a commune), {with_district / max(found, 1):.1%} "
        f"of those with a legacy district"
    )
    print(
        f"units.geojson (communes): build {geojson_build * 1000:.0f} ms, cached "
        f"{geojson_cached * 1e6:.1f} µs; {len(layer.content) / 1024:.0f} KiB, "
        f"gzip {len(layer.gzipped) / 1024:.0f} KiB"
    )


def timed(points):
    """(sorted timings in µs, the answers) of locating each point once."""
    from ioc.geo.selectors import locate

    timings, locations = [], []
    clock = time.perf_counter_ns
    for lat, lon in points:
        before = clock()
        locations.append(locate(lat=lat, lon=lon))
        timings.append(clock() - before)
    return sorted(t / 1000 for t in timings), locations


if __name__ == "__main__":
    main()
