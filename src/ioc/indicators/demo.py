"""The indicators' demo: the default catalogue, facilities and five years of values.

`ioc demo` runs `load_demo_indicators()` (registered in apps.py). Everything goes through
the engine's services: `indicator_create`, `facility_create`, `target_set` and the bulk
`data_values_import` (DHIS2 semantics, aggregates maintained as in production).

The catalogue and the generation rules are data (`data/catalogue.json`, with a `notes`
field per indicator saying what is published and what is generated); the facilities are
in `data/facilities.csv`. Values are generated deterministically: every random draw is
seeded by the indicator, the year (and the unit), so a smaller range gives the same
values for the months it covers, and a second run finds nothing to change.

Values before 1 July 2025 are reported against the legacy units (province 60, its
communes), values from July 2025 against the current ones (province 68, the 45 communes),
as the province's own data would be. Yearly values follow the date they become known
(a school year in September, a budget estimate in January, a year's total at its end).
See docs/indicators-demo-data.md.
"""

from __future__ import annotations

import calendar
import csv
import json
import math
import re
import statistics
import zlib
from collections import defaultdict
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from decimal import ROUND_HALF_EVEN, Decimal
from functools import cached_property
from pathlib import Path
from typing import Any

from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from ioc.accounts.models import Agency
from ioc.core.periods import period_for
from ioc.geo.choices import Level, Structure
from ioc.geo.models import AdminUnit, UnitSuccession
from ioc.geo.selectors import locate
from ioc.indicators.choices import DataValueSource, ImportStrategy
from ioc.indicators.datasets import data_set_define, data_set_register
from ioc.indicators.hierarchy import Hierarchy
from ioc.indicators.models import (
    DataSet,
    DataSetReport,
    DataValue,
    Facility,
    Indicator,
    OrgUnit,
    Sector,
    Target,
)
from ioc.indicators.services import (
    ImportRow,
    data_values_import,
    facility_create,
    indicator_create,
    org_unit_for,
    target_set,
)

DATA_DIR = Path(__file__).resolve().parent / "data"
CATALOGUE_FILE = DATA_DIR / "catalogue.json"
FACILITIES_FILE = DATA_DIR / "facilities.csv"

LEGACY_PROVINCE = "60"
CURRENT_PROVINCE = "68"
REORGANISED = (2025, 7)  # the first month reported against the current units
SEED = "ioc-demo-binh-thuan"
STORED_BY = "demo"
# When a yearly figure becomes known, as (month of the year).
AVAILABLE = {"year_start": 1, "july": 7, "september": 9, "year_end": 12}
# The catalogue fields the services accept (the rest of an entry is for the demo).
INDICATOR_FIELDS = (
    "code",
    "name",
    "name_en",
    "unit",
    "value_type",
    "period_type",
    "area_aggregation",
    "time_aggregation",
    "direction",
    "decimals",
    "definition",
    "numerator",
    "denominator",
    "factor",
    "missing_values",
    "is_public",
)
_NORMAL = statistics.NormalDist()
OPERAND = re.compile(r"#\{([^}]+)\}")

Month = tuple[int, int]


@dataclass(frozen=True)
class DemoRange:
    """The months the demo loads: by default the five calendar years 2022 to 2026, up to
    October 2026 (the last complete month when the demo was written)."""

    first: Month = (2022, 1)
    last: Month = (2026, 10)

    def __post_init__(self) -> None:
        if self.first > self.last:
            raise ValueError(f"{self.first} is after {self.last}")

    def contains(self, month: Month) -> bool:
        return self.first <= month <= self.last

    @property
    def years(self) -> range:
        return range(self.first[0], self.last[0] + 1)


# -- reading the data files -------------------------------------------------------------


def read_catalogue(path: Path = CATALOGUE_FILE) -> dict[str, Any]:
    return json.loads(path.read_text(encoding="utf-8"))


def read_facilities(path: Path = FACILITIES_FILE) -> list[dict[str, str]]:
    with path.open(encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


# -- deterministic randomness and exact splits --------------------------------------------


def _gauss(*key: object) -> float:
    """A standard normal draw fixed by the key (fast, no generator state)."""
    digest = zlib.crc32("|".join(map(str, key)).encode())
    return _NORMAL.inv_cdf((digest + 0.5) / 2**32)


def _lognormal(sigma: float, *key: object) -> float:
    return math.exp(sigma * _gauss(*key)) if sigma else 1.0


def apportion(total: Decimal, weights: list[float], quantum: Decimal) -> list[Decimal]:
    """Split `total` into multiples of `quantum` proportional to `weights`, summing to it
    exactly (largest remainders; ties to the first)."""
    steps = int((Decimal(total) / quantum).to_integral_value(ROUND_HALF_EVEN))
    weight_sum = sum(weights)
    if not weights:
        return []
    if weight_sum <= 0:
        weights, weight_sum = [1.0] * len(weights), float(len(weights))
    raw = [steps * weight / weight_sum for weight in weights]
    base = [math.floor(value) for value in raw]
    order = sorted(range(len(raw)), key=lambda i: (base[i] - raw[i], i))
    for i in order[: steps - sum(base)]:
        base[i] += 1
    return [Decimal(count) * quantum for count in base]


def _quantize(value: float | Decimal, quantum: Decimal) -> Decimal:
    return Decimal(str(value)).quantize(quantum, rounding=ROUND_HALF_EVEN)


def _structure(month: Month) -> str:
    return Structure.CURRENT if month >= REORGANISED else Structure.LEGACY


def _period(month: Month) -> str:
    return f"{month[0]}{month[1]:02d}"


# -- the reporting units and their weights ---------------------------------------------


class Units:
    """Reporting units by structure, with the weights the generated totals are split by."""

    def __init__(self, catalogue: dict[str, Any], facilities: list[dict[str, str]]) -> None:
        self.catalogue = catalogue
        self.facilities = facilities

    @cached_property
    def _legacy_communes(self) -> list[tuple[str, str, str]]:
        return list(
            AdminUnit.objects.filter(structure=Structure.LEGACY, level=Level.COMMUNE)
            .order_by("code")
            .values_list("code", "name", "parent__code")
        )

    @cached_property
    def _successors(self) -> dict[str, list[str]]:
        found: dict[str, list[str]] = defaultdict(list)
        for old, new in UnitSuccession.objects.filter(
            predecessor__structure=Structure.LEGACY,
            predecessor__level=Level.COMMUNE,
            successor__structure=Structure.CURRENT,
        ).values_list("predecessor__code", "successor__code"):
            found[old].append(new)
        return {old: sorted(new) for old, new in found.items()}

    @cached_property
    def population(self) -> dict[str, float]:
        """Generated population weights of the legacy communes: the district totals of the
        catalogue split by the kind of commune (wards and towns larger) and a fixed draw."""
        districts = self.catalogue["weights"]["district_population_2024"]
        raw: dict[str, float] = {}
        for code, name, _district in self._legacy_communes:
            kind = 1.5 if name.startswith("Phường") else 1.4 if name.startswith("Thị trấn") else 1
            raw[code] = kind * _lognormal(0.3, SEED, "population", code)
        by_district: dict[str, float] = defaultdict(float)
        for code, _name, district in self._legacy_communes:
            by_district[district] += raw[code]
        return {
            code: districts.get(district, 0) * raw[code] / by_district[district]
            for code, _name, district in self._legacy_communes
        }

    def legacy_weights(self, name: str) -> dict[str, float]:
        if name == "communes":
            return self.population
        table = self.catalogue["weights"][name]
        return {code: float(weight) for code, weight in table.items()}

    def current_weights(self, legacy: dict[str, float]) -> dict[str, float]:
        """A legacy commune's weight goes to its successors (split equally)."""
        result: dict[str, float] = defaultdict(float)
        for code, weight in legacy.items():
            successors = self._successors.get(code, [])
            for successor in successors:
                result[successor] += weight / len(successors)
        return dict(result)

    @cached_property
    def _facility_weights(self) -> dict[str, dict[str, float]]:
        found: dict[str, dict[str, float]] = defaultdict(dict)
        for row in self.facilities:
            found[row["kind"]][row["code"]] = float(row["weight"])
        return found

    def weights(self, units: str, structure: str) -> dict[str, float]:
        """Import codes (`legacy:22915`, `current:68`, `facility:BV-DK-TINH`) → weights."""
        if units == "province":
            code = CURRENT_PROVINCE if structure == Structure.CURRENT else LEGACY_PROVINCE
            return {f"{structure}:{code}": 1.0}
        if units.startswith("facilities:"):
            found = {}
            for kind in units.partition(":")[2].split("+"):
                for code, weight in self._facility_weights[kind].items():
                    found[f"facility:{code}"] = weight
            return dict(sorted(found.items()))
        if units == "districts":
            # Reported by district before the reorganisation, by commune after it.
            if structure == Structure.LEGACY:
                table = self.catalogue["weights"]["district_population_2024"]
                return {f"legacy:{code}": float(weight) for code, weight in sorted(table.items())}
            units = "communes"
        legacy = self.legacy_weights(units)
        table = legacy if structure == Structure.LEGACY else self.current_weights(legacy)
        return {f"{structure}:{code}": weight for code, weight in sorted(table.items()) if weight}


# -- generating values ------------------------------------------------------------------


Values = dict[tuple[str, str], Decimal]  # (import unit code, period) → value


class Generator:
    def __init__(self, catalogue: dict[str, Any], units: Units, span: DemoRange) -> None:
        self.catalogue = catalogue
        self.units = units
        self.span = span
        self.generated: dict[str, Values] = {}

    def all(self) -> dict[str, Values]:
        for entry in self.catalogue["indicators"]:
            spec = entry.get("demo")
            if spec:
                self.generated[entry["code"]] = getattr(self, spec["kind"])(entry["code"], spec)
        return self.generated

    def _season(self, spec: dict[str, Any], year: int) -> list[float]:
        season = list(self.catalogue["seasons"][spec.get("season", "flat")])
        if spec.get("tet"):
            tet_month = self.catalogue["tet_months"].get(str(year))
            if tet_month:
                season[tet_month - 1] += float(spec["tet"])
        return season

    def flow(self, code: str, spec: dict[str, Any]) -> Values:
        """A quantity summed over time: each year's total split by month (season and
        noise) and each month's by unit (weights and spread), exactly."""
        quantum = Decimal(spec.get("quantum", "1"))
        spread = float(spec.get("spread", 0))
        values: Values = {}
        for year in self.span.years:
            annual = spec["annual"].get(str(year))
            if annual is None:
                continue
            for month_number, total in enumerate(self._months(code, spec, year, annual), 1):
                month = (year, month_number)
                if not self.span.contains(month):
                    continue
                table = self.units.weights(spec["units"], _structure(month))
                unit_weights = [
                    weight * _lognormal(spread, code, unit, month) for unit, weight in table.items()
                ]
                for unit, value in zip(table, apportion(total, unit_weights, quantum), strict=True):
                    values[(unit, _period(month))] = value
        return values

    def _months(self, code: str, spec: dict[str, Any], year: int, annual: Any) -> list[Decimal]:
        """The year's total split over its 12 months; months given in `fixed` (published
        monthly figures, "2024-09") keep their value and the rest share the remainder."""
        quantum = Decimal(spec.get("quantum", "1"))
        noise = float(spec.get("noise", 0))
        fixed = {
            int(key[5:]): Decimal(str(value))
            for key, value in spec.get("fixed", {}).items()
            if key.startswith(f"{year}-")
        }
        season = self._season(spec, year)
        weights = [
            0.0 if m in fixed else w * _lognormal(noise, code, year, m)
            for m, w in enumerate(season, 1)
        ]
        rest = Decimal(str(annual)) - sum(fixed.values(), Decimal(0))
        months = apportion(rest, weights, quantum)
        return [fixed.get(m, months[m - 1]) for m in range(1, 13)]

    def stock(self, code: str, spec: dict[str, Any]) -> Values:
        """A level at the end of each month: geometric between the December anchors, split
        by unit weights."""
        quantum = Decimal(spec.get("quantum", "1"))
        anchors = {tuple(map(int, key.split("-"))): float(v) for key, v in spec["level"].items()}
        values: Values = {}
        for year in self.span.years:
            before, after = anchors.get((year - 1, 12)), anchors.get((year, 12))
            if before is None or after is None:
                continue
            for month_number in range(1, 13):
                month = (year, month_number)
                if not self.span.contains(month):
                    continue
                level = before * (after / before) ** (month_number / 12)
                total = Decimal(str(after)) if month_number == 12 else _quantize(level, quantum)
                table = self.units.weights(spec["units"], _structure(month))
                for unit, value in zip(
                    table, apportion(total, list(table.values()), quantum), strict=True
                ):
                    values[(unit, _period(month))] = value
        return values

    def rate(self, code: str, spec: dict[str, Any]) -> Values:
        """A rate or index per month: the year's mean and noise, for each unit."""
        quantum = Decimal(spec.get("quantum", "0.01"))
        noise = float(spec.get("noise", 0))
        values: Values = {}
        for year in self.span.years:
            mean = spec["mean"].get(str(year))
            if mean is None:
                continue
            for month_number in range(1, 13):
                month = (year, month_number)
                if not self.span.contains(month):
                    continue
                for unit in self.units.weights(spec["units"], _structure(month)):
                    value = mean + noise * _gauss(code, unit, month)
                    values[(unit, _period(month))] = _quantize(value, quantum)
        return values

    def yearly(self, code: str, spec: dict[str, Any]) -> Values:
        """One value a year, split by unit; reported when it becomes known."""
        quantum = Decimal(spec.get("quantum", "1"))
        spread = float(spec.get("spread", 0))
        known_in = AVAILABLE[spec.get("available", "year_end")]
        values: Values = {}
        for year in self.span.years:
            total = spec["values"].get(str(year))
            month = (year, known_in)
            if total is None or not self.span.contains(month):
                continue
            table = self.units.weights(spec["units"], _structure(month))
            weights = [
                weight * _lognormal(spread, code, unit, year) for unit, weight in table.items()
            ]
            for unit, value in zip(
                table, apportion(Decimal(str(total)), weights, quantum), strict=True
            ):
                values[(unit, str(year))] = value
        return values

    def derived(self, code: str, spec: dict[str, Any]) -> Values:
        """From other generated indicators of the same units and periods: their sum times
        a ratio (by year), times the days of the month, a season and noise as asked."""
        quantum = Decimal(spec.get("quantum", "1"))
        noise = float(spec.get("noise", 0))
        sources = [self.generated[source] for source in spec["from"]]
        ratio = spec["ratio"]
        season_name = spec.get("season")
        season = self.catalogue["seasons"][season_name] if season_name else None
        season_mean = sum(season) / len(season) if season else 1
        values: Values = {}
        for key in sources[0]:
            unit, period = key
            year = int(period[:4])
            factor = float(ratio[str(year)] if isinstance(ratio, dict) else ratio)
            base = sum(float(source.get(key, 0)) for source in sources)
            if len(period) == 6:
                month = int(period[4:])
                if spec.get("per_day"):
                    factor *= calendar.monthrange(year, month)[1]
                if season:
                    factor *= season[month - 1] / season_mean
            value = base * factor * _lognormal(noise, code, unit, period)
            if spec.get("cap"):
                value = min(value, base)
            values[key] = _quantize(value, quantum)
        return values


# -- loading ----------------------------------------------------------------------------


def _catalogue_fields(entry: dict[str, Any], defaults: dict[str, Any]) -> dict[str, Any]:
    fields = {**defaults, **{k: v for k, v in entry.items() if k in INDICATOR_FIELDS}}
    if "factor" in fields:
        fields["factor"] = Decimal(str(fields["factor"]))
    return fields


def catalogue_load(catalogue: dict[str, Any]) -> tuple[int, int]:
    """Add the indicators the catalogue lacks (those an administrator already has are left
    as they are), in the file's order (pages list them in the order they were added), each
    computed one as soon as the indicators its formula uses exist."""
    defaults = catalogue.get("defaults", {})
    sectors = {sector.code: sector for sector in Sector.objects.all()}
    agencies = {agency.code: agency for agency in Agency.objects.all()}
    known = set(Indicator.objects.values_list("code", flat=True))
    waiting = [entry for entry in catalogue["indicators"] if entry["code"] not in known]
    created = 0
    while waiting:
        entry = next(
            (
                item
                for item in waiting
                if set(OPERAND.findall(item.get("numerator", "") + item.get("denominator", "")))
                <= known
            ),
            waiting[0],  # an unknown operand: let the service say which
        )
        waiting.remove(entry)
        indicator_create(
            sector=sectors[entry["sector"]],
            source_agency=agencies.get(entry.get("source_agency", "")),
            **_catalogue_fields(entry, defaults),
        )
        known.add(entry["code"])
        created += 1
    return created, len(catalogue["indicators"])


def facilities_load(facilities: list[dict[str, str]]) -> int:
    """Add the facilities that are missing, in the commune and legacy district their point
    lies in (geo.selectors.locate)."""
    existing = set(Facility.objects.values_list("code", flat=True))
    agencies = {agency.code: agency for agency in Agency.objects.all()}
    created = 0
    for row in facilities:
        if row["code"] in existing:
            continue
        lat, lon = float(row["lat"]), float(row["lon"])
        location = locate(lat=lat, lon=lon)
        if location is None or location.commune.code != row["commune"]:
            raise ValueError(
                f"Facility {row['code']}: ({lat}, {lon}) is not in commune {row['commune']}."
            )
        facility_create(
            code=row["code"],
            name=row["name"],
            name_en=row["name_en"],
            kind=row["kind"],
            lat=lat,
            lon=lon,
            commune=AdminUnit.objects.get(pk=location.commune.id),
            legacy_district=AdminUnit.objects.get(pk=location.legacy_district.id)
            if location.legacy_district
            else None,
            agency=agencies.get(row["agency"]),
        )
        created += 1
    return created


def _stored_values(codes: list[str], hierarchy: Hierarchy) -> dict[tuple[str, str, str], Decimal]:
    """The live values of these indicators, by (indicator code, import unit code, period)."""
    ids = dict(Indicator.objects.filter(code__in=codes).values_list("pk", "code"))
    stored = {}
    for indicator_id, org_unit_id, period, value in DataValue.objects.filter(
        indicator_id__in=ids, deleted_at__isnull=True
    ).values_list("indicator_id", "org_unit_id", "period", "value"):
        unit = hierarchy.units[org_unit_id]
        stored[(ids[indicator_id], unit.qualified_code, period)] = value
    return stored


def _rows(generated: dict[str, Values], stored: dict) -> Iterator[ImportRow]:
    number = 0
    for code, values in generated.items():
        for (unit, period), value in values.items():
            if stored.get((code, unit, period)) == value:
                continue
            number += 1
            yield ImportRow(
                data_element=code,
                period=period,
                org_unit=unit,
                value=format(value, "f"),
                stored_by=STORED_BY,
                row=number,
            )


def values_load(generated: dict[str, Values]) -> tuple[int, int]:
    """Import the generated values that are not stored yet (or differ): one all-or-nothing
    DHIS2-style import. Returns (values written, values generated)."""
    hierarchy = Hierarchy.load()
    stored = _stored_values(list(generated), hierarchy)
    rows = list(_rows(generated, stored))
    total = sum(len(values) for values in generated.values())
    if not rows:
        return 0, total
    summary = data_values_import(
        rows=rows,
        strategy=ImportStrategy.CREATE_AND_UPDATE,
        source=DataValueSource.IMPORT,
        file_format="demo",
    )
    if summary.status != "SUCCESS":
        problems = "; ".join(conflict.value for conflict in summary.conflicts[:5])
        raise ValueError(f"The demo values do not import: {problems}")
    return summary.imported + summary.updated, total


def targets_load(catalogue: dict[str, Any], span: DemoRange) -> int:
    """The plans (kế hoạch) per year, set on both provinces (the legacy one and the current
    one cover the same area, and a dashboard may ask either)."""
    provinces = [
        org_unit_for(AdminUnit.objects.get(structure=structure, code=code))
        for structure, code in (
            (Structure.LEGACY, LEGACY_PROVINCE),
            (Structure.CURRENT, CURRENT_PROVINCE),
        )
    ]
    indicators = {indicator.code: indicator for indicator in Indicator.objects.all()}
    current = {
        (indicator_id, org_unit_id, year): value
        for indicator_id, org_unit_id, year, value in Target.objects.values_list(
            "indicator_id", "org_unit_id", "year", "value"
        )
    }
    written = 0
    for entry in catalogue["indicators"]:
        indicator = indicators.get(entry["code"])
        if indicator is None:
            continue
        for year_text, value in entry.get("targets", {}).items():
            year = int(year_text)
            if year not in span.years:
                continue
            wanted = Decimal(str(value))
            for org_unit in provinces:
                if current.get((indicator.pk, org_unit.pk, year)) == wanted:
                    continue
                target_set(indicator=indicator, org_unit=org_unit, year=year, value=wanted)
                written += 1
    return written


# -- data sets ----------------------------------------------------------------------------

# code, Vietnamese name, English name, agency, period type, deadline (days after the
# period), the units (as the generator's `units`), indicators. The units are the current
# ones that the generated values of these indicators come from since July 2025.
DATA_SETS = (
    ("TC-KTXH-THANG", "Báo cáo thu chi ngân sách và giá cả tháng",
     "Monthly budget and prices report", "so-tai-chinh", "MONTHLY", 10, "province",
     ("SE_BUDGET_REVENUE", "SE_BUDGET_EXPENDITURE", "SE_PUBLIC_INVESTMENT_DISBURSED",
      "SE_CPI", "SE_NEW_ENTERPRISES")),
    ("CT-THANG", "Báo cáo công thương tháng", "Monthly industry and trade report",
     "so-cong-thuong", "MONTHLY", 10, "province", ("SE_EXPORTS", "SE_IMPORTS", "SE_IIP")),
    ("YT-KCB-THANG", "Báo cáo khám chữa bệnh tháng", "Monthly medical care report",
     "so-y-te", "MONTHLY", 15, "facilities:hospital+health_station",
     ("HEALTH_EXAMINATIONS", "HEALTH_INPATIENTS", "HEALTH_INPATIENT_DAYS", "HEALTH_BEDS",
      "HEALTH_BED_DAYS", "HEALTH_SURGERIES")),
    ("YT-DICH-TE-THANG", "Báo cáo tiêm chủng và dịch bệnh tháng",
     "Monthly immunisation and disease report", "so-y-te", "MONTHLY", 10, "communes",
     ("HEALTH_FULLY_IMMUNISED", "HEALTH_DENGUE_CASES", "HEALTH_HFMD_CASES")),
    ("GD-NAM", "Báo cáo thống kê giáo dục năm", "Yearly education statistics",
     "so-gddt", "YEARLY", 31, "communes",
     ("EDU_SCHOOLS_PRESCHOOL", "EDU_SCHOOLS_PRIMARY", "EDU_SCHOOLS_LOWER_SECONDARY",
      "EDU_SCHOOLS_UPPER_SECONDARY", "EDU_SCHOOLS_STANDARD", "EDU_STUDENTS_PRESCHOOL",
      "EDU_STUDENTS_PRIMARY", "EDU_STUDENTS_LOWER_SECONDARY", "EDU_STUDENTS_UPPER_SECONDARY",
      "EDU_CLASSES_PRESCHOOL", "EDU_CLASSES_PRIMARY", "EDU_CLASSES_LOWER_SECONDARY",
      "EDU_CLASSES_UPPER_SECONDARY", "EDU_TEACHERS_PRESCHOOL", "EDU_TEACHERS_PRIMARY",
      "EDU_TEACHERS_LOWER_SECONDARY", "EDU_TEACHERS_UPPER_SECONDARY")),
    ("DL-LUU-TRU-THANG", "Báo cáo du lịch và lưu trú tháng", "Monthly tourism and lodging report",
     "so-vhttdl", "MONTHLY", 10, "tourism",
     ("TOUR_ARRIVALS_DOMESTIC", "TOUR_ARRIVALS_INTERNATIONAL", "TOUR_REVENUE",
      "TOUR_OVERNIGHT_GUESTS", "TOUR_GUEST_NIGHTS", "TOUR_ACCOMMODATIONS", "TOUR_ROOMS",
      "TOUR_ROOM_NIGHTS_AVAILABLE", "TOUR_ROOM_NIGHTS_SOLD")),
    ("DL-DIEM-THANG", "Báo cáo khách tham quan điểm du lịch tháng",
     "Monthly tourist site visitors report", "so-vhttdl", "MONTHLY", 10,
     "facilities:tourist_site", ("TOUR_SITE_VISITORS",)),
)  # fmt: skip
REPORTED_PERIODS = 3  # the last periods of the demo with reports registered
SKIPPED_SHARE = 0.12  # of the units that have not submitted the last period (who to chase)


def data_sets_load(units: Units, hierarchy: Hierarchy) -> int:
    """The data sets of the four sectors' agencies, assigned to the current units their
    indicators' values come from (data sets an administrator already has are kept)."""
    existing = set(DataSet.objects.values_list("code", flat=True))
    agencies = {agency.code: agency for agency in Agency.objects.all()}
    indicators = {indicator.code: indicator for indicator in Indicator.objects.all()}
    created = 0
    for code, name, name_en, agency, period_type, days, spec, codes in DATA_SETS:
        if code in existing or agency not in agencies:
            continue
        unit_ids = [
            hierarchy.resolve(qualified).org_unit_id
            for qualified in units.weights(spec, Structure.CURRENT)
        ]
        data_set_define(
            code=code,
            name=name,
            name_en=name_en,
            agency=agencies[agency],
            period_type=period_type,
            deadline_days=days,
            indicators=[indicators[item] for item in codes],
            org_units=list(OrgUnit.objects.filter(pk__in=unit_ids)),
        )
        created += 1
    return created


def data_set_reports_load(span: DemoRange, hierarchy: Hierarchy) -> int:
    """Submissions of the last periods of the demo (since July 2025, when the current units
    report), at a fixed day of each unit: most on time, some late; for the last period a
    share of the units has not submitted yet, so completeness has someone to chase."""
    last_day = date(span.last[0], span.last[1], calendar.monthrange(*span.last)[1])
    first_day = date(*REORGANISED, 1)
    written = 0
    for data_set in DataSet.objects.filter(code__in=[item[0] for item in DATA_SETS]):
        periods = [period_for(data_set.period_type, last_day)]
        while len(periods) < REPORTED_PERIODS:
            periods.append(periods[-1].previous())
        periods = [p for p in periods if p.end <= last_day and p.start >= first_day]
        done = set(
            DataSetReport.objects.filter(data_set=data_set).values_list("org_unit_id", "period")
        )
        for period in periods:
            for org_unit in data_set.org_units.select_related("admin_unit", "facility"):
                if (org_unit.pk, period.id) in done:
                    continue
                # Drawn by the unit's code, not its key: the keys differ between databases.
                unit_code = (
                    f"{org_unit.admin_unit.structure}:{org_unit.admin_unit.code}"
                    if org_unit.admin_unit
                    else f"facility:{org_unit.facility.code}"
                )
                draw = _gauss(SEED, "report", data_set.code, unit_code, period.id)
                if period == periods[0] and _NORMAL.cdf(draw) < SKIPPED_SHARE:
                    continue
                # Most a few days before the deadline; about one in six after it.
                offset = round(data_set.deadline_days - 3 + 3 * draw)
                submitted = datetime.combine(
                    period.end + timedelta(days=max(1, offset)),
                    time(9, 30),
                    tzinfo=timezone.get_default_timezone(),
                )
                data_set_register(
                    data_set=data_set,
                    org_unit=org_unit,
                    period=period,
                    submitted_at=submitted,
                    submitted_by=STORED_BY,
                )
                written += 1
    return written


def load_demo_indicators(span: DemoRange | None = None) -> list[str]:
    """The demo step: catalogue, facilities, values and targets (idempotent)."""
    span = span or DemoRange()
    provinces = AdminUnit.objects.filter(
        Q(structure=Structure.LEGACY, code=LEGACY_PROVINCE)
        | Q(structure=Structure.CURRENT, code=CURRENT_PROVINCE)
    )
    if provinces.count() < 2:
        return [_("No geography of Bình Thuận yet: run “ioc geo_load”, then the demo again.")]
    catalogue = read_catalogue()
    facilities = read_facilities()
    with transaction.atomic():
        created, size = catalogue_load(catalogue)
        new_facilities = facilities_load(facilities)
        generated = Generator(catalogue, Units(catalogue, facilities), span).all()
        written, total = values_load(generated)
        targets = targets_load(catalogue, span)
        hierarchy = Hierarchy.load()
        data_sets = data_sets_load(Units(catalogue, facilities), hierarchy)
        reports = data_set_reports_load(span, hierarchy)
    first, last = span.first, span.last
    return [
        _("%(size)d indicators in the catalogue (%(created)d new)")
        % {"size": size, "created": created},
        _("%(count)d facilities (%(created)d new)")
        % {"count": len(facilities), "created": new_facilities},
        _("%(total)d values from %(first)s to %(last)s (%(written)d written)")
        % {
            "total": total,
            "first": f"{first[1]:02d}/{first[0]}",
            "last": f"{last[1]:02d}/{last[0]}",
            "written": written,
        },
        _("%(count)d targets written") % {"count": targets},
        _("%(count)d data sets (%(created)d new), %(reports)d reports registered")
        % {"count": len(DATA_SETS), "created": data_sets, "reports": reports},
    ]
