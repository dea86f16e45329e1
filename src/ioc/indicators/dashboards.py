"""Read models of the indicator pages: a sector dashboard's tiles, trend, map and ranking.

Every figure comes from the engine (analytics.py): one query for all the tiles and their
sparklines (Figures.preload), one per indicator for the map's units, so a dashboard makes a
few small queries whatever the size of the data.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from ioc.core.filters import DashboardFilters
from ioc.core.periods import DateRange, Period, PeriodType, period_for
from ioc.geo.choices import Structure
from ioc.indicators import analytics
from ioc.indicators.analytics import Achievement, compare
from ioc.indicators.choices import Direction, TrafficLight
from ioc.indicators.hierarchy import Hierarchy, Unit
from ioc.indicators.models import Indicator, Target

SPARK_LENGTH = {
    PeriodType.DAILY: 30,
    PeriodType.WEEKLY: 12,
    PeriodType.MONTHLY: 12,
    PeriodType.QUARTERLY: 8,
    PeriodType.SIX_MONTHLY: 6,
    PeriodType.YEARLY: 5,
}
MAP_LEVELS = {
    # map level → (structure, admin level) of the units drawn
    "commune": (Structure.CURRENT, "commune"),
    "district": (Structure.LEGACY, "district"),
}
RANK = {
    PeriodType.DAILY: 0,
    PeriodType.WEEKLY: 1,
    PeriodType.MONTHLY: 2,
    PeriodType.QUARTERLY: 3,
    PeriodType.SIX_MONTHLY: 4,
    PeriodType.YEARLY: 5,
}


def indicator_period(indicator: Indicator, period: Period | DateRange) -> Period:
    """The period an indicator is shown for under the top bar's period filter: the filter
    itself when the indicator has figures for it (a month for a monthly indicator, a year
    for any), the period of the indicator's type containing its end otherwise (a yearly
    indicator under "11/2024" shows 2024; a custom range shows its last collected period)."""
    own = PeriodType(indicator.period_type)
    if isinstance(period, Period) and RANK.get(PeriodType(period.type), 0) >= RANK[own]:
        return period
    return period_for(own, period.end)


def area_unit(hierarchy: Hierarchy, filters: DashboardFilters) -> Unit | None:
    """The reporting unit of the top bar's area (the current province for the whole area)."""
    area = filters.area
    if area.kind == "commune":
        return hierarchy.by_code[Structure.CURRENT].get(area.code)
    if area.kind == "district":
        return hierarchy.by_code[Structure.LEGACY].get(area.code)
    return province_unit(hierarchy)


def province_unit(hierarchy: Hierarchy) -> Unit | None:
    provinces = [u for u in hierarchy.by_code[Structure.CURRENT].values() if u.level == "province"]
    return min(provinces, key=lambda u: u.code) if provinces else None


def map_units(hierarchy: Hierarchy, level: str) -> list[Unit]:
    structure, admin_level = MAP_LEVELS[level]
    return sorted(
        (u for u in hierarchy.by_code[structure].values() if u.level == admin_level),
        key=lambda u: u.code,
    )


def as_float(value: Decimal | None, decimals: int) -> float | None:
    return None if value is None else float(round(value, decimals))


class Figures:
    """The engine's reader shared by one page (analytics.Reader): the catalogue read once,
    the aggregate rows of every indicator a page shows (and of their formulas' operands)
    read in one query for all its units and periods (`preload`), the targets at once."""

    def __init__(self, catalogue: list[Indicator] | None = None) -> None:
        indicators = catalogue if catalogue is not None else list(Indicator.objects.all())
        self.reader = analytics.Reader(indicators)
        self.targets: dict[tuple[int, int, int], Decimal] | None = None

    def preload(self, indicators: list[Indicator], periods: list[Period], unit_ids: list[int]):
        """Read the rows of all these indicators for these units and periods at once."""
        self.reader.prefetch_many(indicators, unit_ids, [p.id for p in periods])

    def values(
        self, indicator: Indicator, periods: list[Period], unit_ids: list[int]
    ) -> dict[tuple[int, str], Decimal | None]:
        self.reader.prefetch_many([indicator], unit_ids, [p.id for p in periods])
        return {(u, p.id): self.reader.value(indicator, u, [p]) for u in unit_ids for p in periods}

    def target(self, indicator: Indicator, year: int, unit_id: int) -> Decimal | None:
        if self.targets is None:
            self.targets = {
                (row.indicator_id, row.org_unit_id, row.year): row.value
                for row in Target.objects.filter(org_unit_id=unit_id)
            }
        return self.targets.get((indicator.pk, unit_id, year))

    def achievement(self, indicator: Indicator, period: Period, unit_id: int) -> Achievement:
        """The engine's achievement (analytics.achievement_of) from the rows already read."""
        target = self.target(indicator, period.start.year, unit_id)
        if target is None:
            return Achievement(None, None, None, None)
        return analytics.achievement_of(self.reader, indicator, period, unit_id, target)


def tile_periods(indicator: Indicator, period: Period | DateRange) -> list[Period]:
    """The periods a tile reads: its sparkline, the same period last year, the year to date."""
    shown = indicator_period(indicator, period)
    spark = [shown.shift(-step) for step in range(SPARK_LENGTH[PeriodType(shown.type)] - 1, -1, -1)]
    return [*spark, shown.same_period_last_year(), *analytics.achievement_periods(indicator, shown)]


def tiles_for(
    indicators: list[Indicator],
    period: Period | DateRange,
    unit: Unit,
    language: str,
    figures: Figures,
) -> list[Tile]:
    """Every tile of a page, their rows read in one query."""
    periods = {p.id: p for i in indicators for p in tile_periods(i, period)}
    figures.preload(indicators, list(periods.values()), [unit.org_unit_id])
    return [tile_for(i, period, unit, language, figures) for i in indicators]


@dataclass
class Tile:
    indicator: Indicator
    period: Period
    value: Decimal | None
    last_year: Decimal | None
    change_pct: Decimal | None
    target: Decimal | None
    achievement_pct: Decimal | None
    light: str
    spark_labels: list[str] = field(default_factory=list)
    spark_values: list[float | None] = field(default_factory=list)

    @property
    def light_colour(self) -> str:
        return TrafficLight.colour(self.light)

    @property
    def light_label(self) -> str:
        return TrafficLight.label(self.light)

    @property
    def change_is_good(self) -> bool | None:
        if self.change_pct is None:
            return None
        if self.indicator.direction == Direction.LOWER_IS_BETTER:
            return self.change_pct <= 0
        return self.change_pct >= 0


def tile_for(
    indicator: Indicator, period: Period | DateRange, unit: Unit, language: str, figures: Figures
) -> Tile:
    """One headline tile: value, vs the same period last year, vs target, a sparkline."""
    shown = indicator_period(indicator, period)
    spark = [shown.shift(-step) for step in range(SPARK_LENGTH[PeriodType(shown.type)] - 1, -1, -1)]
    last_year = shown.same_period_last_year()
    values = figures.values(indicator, [*spark, last_year], [unit.org_unit_id])
    value = values[(unit.org_unit_id, shown.id)]
    previous = values[(unit.org_unit_id, last_year.id)]
    comparison = compare(value, previous)
    plan = figures.achievement(indicator, shown, unit.org_unit_id)
    return Tile(
        indicator=indicator,
        period=shown,
        value=value,
        last_year=previous,
        change_pct=comparison.change_pct,
        target=plan.target,
        achievement_pct=plan.achievement_pct,
        light=analytics.traffic_light_of(
            indicator, plan.actual, plan.expected, comparison.change_pct
        ),
        spark_labels=[p.label(language) for p in spark],
        spark_values=[
            as_float(values[(unit.org_unit_id, p.id)], indicator.decimals) for p in spark
        ],
    )


def trend(
    indicator: Indicator, period: Period, unit: Unit, language: str, figures: Figures
) -> dict[str, Any]:
    """This year against last year, period by period (months of a monthly indicator); the
    last years for a yearly one."""
    shown = indicator_period(indicator, period)
    if shown.type == PeriodType.YEARLY:
        years = [shown.shift(-step) for step in range(SPARK_LENGTH[PeriodType.YEARLY] - 1, -1, -1)]
        values = figures.values(indicator, years, [unit.org_unit_id])
        return {
            "labels": [p.label(language) for p in years],
            "series": [
                {
                    "name": indicator.display_name(language),
                    "values": [
                        as_float(values[(unit.org_unit_id, p.id)], indicator.decimals)
                        for p in years
                    ],
                }
            ],
        }
    year = shown.parent(PeriodType.YEARLY)
    this_year = year.children(indicator.period_type)
    last_year = year.previous().children(indicator.period_type)
    values = figures.values(indicator, [*this_year, *last_year], [unit.org_unit_id])
    return {
        "labels": [p.label(language) for p in this_year],
        "series": [
            {
                "name": year.previous().label(language),
                "values": [
                    as_float(values[(unit.org_unit_id, p.id)], indicator.decimals)
                    for p in last_year
                ],
            },
            {
                "name": year.label(language),
                "values": [
                    as_float(values[(unit.org_unit_id, p.id)], indicator.decimals)
                    if p.start <= shown.end
                    else None
                    for p in this_year
                ],
            },
        ],
    }


@dataclass
class RankRow:
    unit: Unit
    value: Decimal | None
    last_year: Decimal | None
    change_pct: Decimal | None
    name: str


def ranking(
    indicator: Indicator,
    period: Period,
    hierarchy: Hierarchy,
    level: str,
    language: str,
    figures: Figures,
) -> list[RankRow]:
    """Every commune (or legacy district) with its figure, best first; no data last."""
    shown = indicator_period(indicator, period)
    units = map_units(hierarchy, level)
    last_year = shown.same_period_last_year()
    values = figures.values(indicator, [shown, last_year], [u.org_unit_id for u in units])
    rows = []
    for unit in units:
        value = values[(unit.org_unit_id, shown.id)]
        previous = values[(unit.org_unit_id, last_year.id)]
        rows.append(
            RankRow(
                unit=unit,
                value=value,
                last_year=previous,
                change_pct=compare(value, previous).change_pct,
                name=unit.display_name(language),
            )
        )
    lower = indicator.direction == Direction.LOWER_IS_BETTER
    with_data = sorted(
        (r for r in rows if r.value is not None),
        key=lambda r: r.value,  # type: ignore[arg-type, return-value]
        reverse=not lower,
    )
    return with_data + sorted((r for r in rows if r.value is None), key=lambda r: r.name)
