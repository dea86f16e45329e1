"""Benchmark: DHIS2 CSV import into the indicator engine on SQLite (values per second).

    .venv/bin/python benchmarks/indicators_import.py [--indicators 10] [--years 3]

Sets up its own database in a temporary directory (IOC_VAR_DIR), migrates, loads the
shipped geography, creates indicators, then imports one DHIS2 CSV of monthly values for
every current commune and every legacy commune until June 2025 (with --replace, imports
it again as updates). The time includes parsing, validation, the writes and the
incremental aggregates; then single writes and reads are timed.
"""

import argparse
import os
import sys
import tempfile
import time
from pathlib import Path


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--indicators", type=int, default=10)
    parser.add_argument("--years", type=int, default=3)
    parser.add_argument("--replace", action="store_true", help="import again (updates)")
    parser.add_argument("--rules", action="store_true", help="an 'above' rule per indicator")
    parser.add_argument(
        "--progress",
        action="store_true",
        help="report progress to a file every 5,000 rows, as a background import does",
    )
    args = parser.parse_args()

    directory = tempfile.mkdtemp(prefix="ioc-bench-")
    os.environ["IOC_VAR_DIR"] = directory
    os.environ.pop("DATABASE_URL", None)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "ioc.settings")
    sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "src"))
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    from ioc.geo.models import AdminUnit
    from ioc.geo.testing import load_test_geography
    from ioc.indicators.dhis2 import parse_csv
    from ioc.indicators.models import Aggregate, Sector
    from ioc.indicators.services import data_values_import, indicator_create

    load_test_geography()
    sector = Sector.objects.get(code="socio-economic")
    codes = [f"BENCH_{n:02d}" for n in range(args.indicators)]
    for n, code in enumerate(codes):
        indicator_create(
            code=code,
            name=code,
            sector=sector,
            time_aggregation=("SUM", "LAST", "AVERAGE")[n % 3],
            area_aggregation=("SUM", "AVERAGE")[n % 2],
        )
    if args.rules:
        from ioc.indicators.models import Indicator, ThresholdRule

        for indicator in Indicator.objects.filter(code__in=codes):
            ThresholdRule.objects.create(indicator=indicator, kind="above", threshold=900)
    units = [
        ("" if structure == "current" else "legacy:") + code
        for structure, code in AdminUnit.objects.filter(level="commune").values_list(
            "structure", "code"
        )
    ]
    months = [f"{2022 + y}{m:02d}" for y in range(args.years) for m in range(1, 13)]
    lines = ["dataelement,period,orgunit,categoryoptioncombo,attributeoptioncombo,value"]
    for n, code in enumerate(codes):
        for i, unit in enumerate(units):
            for j, month in enumerate(months):
                if unit.startswith("legacy:") and month >= "202507":
                    continue  # legacy communes ended on 30/06/2025
                lines.append(f'"{code}","{month}","{unit}","","","{(n * 7 + i * 3 + j) % 997}"')
    content = ("\n".join(lines) + "\n").encode()
    count = len(lines) - 1

    def run(label: str) -> None:
        started, cpu = time.perf_counter(), time.process_time()
        rows = parse_csv(content)
        summary = data_values_import(rows=rows, strategy="CREATE_AND_UPDATE", progress=progress)
        elapsed = time.perf_counter() - started
        cpu = time.process_time() - cpu
        assert summary.status == "SUCCESS", summary.conflicts[:3]
        # The CPU time too: on a shared machine the wall time counts others' work.
        print(
            f"{label}: {count} values ({len(content) / 1e6:.1f} MB) in {elapsed:.2f} s = "
            f"{count / elapsed:,.0f} values/s (CPU {cpu:.2f} s = {count / cpu:,.0f} values/s); "
            f"imported {summary.imported}, updated {summary.updated}"
        )

    progress = None
    if args.progress:
        progress_path = Path(directory) / "progress.json"

        def progress(stage: str, done: int, total: int) -> None:
            temporary = progress_path.with_suffix(".tmp")
            temporary.write_text(f'{{"stage": "{stage}", "done": {done}, "total": {total}}}')
            os.replace(temporary, progress_path)

    run("import")
    print(f"aggregate rows: {Aggregate.objects.count()}")
    if args.replace:
        run("re-import (updates)")
    single_writes(codes[0])


def single_writes(code: str) -> None:
    """One value changed through the service, and read back through the analytics."""
    from ioc.indicators.analytics import analytics_value
    from ioc.indicators.hierarchy import Hierarchy
    from ioc.indicators.models import Indicator, OrgUnit
    from ioc.indicators.services import data_value_set

    indicator = Indicator.objects.get(code=code)
    hierarchy = Hierarchy.load()
    commune = OrgUnit.objects.get(pk=hierarchy.resolve("22918").org_unit_id)
    province = hierarchy.resolve("68").org_unit_id
    writes, reads = [], []
    for n in range(20):
        started = time.perf_counter()
        data_value_set(indicator=indicator, org_unit=commune, period="202403", value=n)
        writes.append(time.perf_counter() - started)
        started = time.perf_counter()
        analytics_value(indicator=indicator, period="2024", unit=province)
        reads.append(time.perf_counter() - started)
    loads = []
    for _n in range(20):
        started = time.perf_counter()
        Hierarchy.load()
        loads.append(time.perf_counter() - started)
    print(f"loading the reporting units (Hierarchy.load): median {sorted(loads)[10] * 1000:.1f} ms")
    print(
        f"single write (value + every aggregate, committed): median "
        f"{sorted(writes)[10] * 1000:.1f} ms; analytics read: median "
        f"{sorted(reads)[10] * 1000:.1f} ms"
    )


if __name__ == "__main__":
    main()
