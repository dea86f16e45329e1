"""Reads of figures: an indicator's value for any unit of either structure and any period,
from the incrementally maintained aggregates; year to date, year on year, vs target, status.

    analytics_value(indicator=ind, period="2024Q3", unit=org_unit)  # Decimal | None

Traffic-light thresholds (docs/indicators.md):
- with a target for the year: ratio = actual ÷ expected, where expected is the target, or
  for an indicator summed over time the target x the share of the year elapsed at the end of
  the period (the year-to-date figure is compared). Higher is better: green ≥ 100 %,
  amber ≥ 90 %, red below. Lower is better: green ≤ 100 %, amber ≤ 110 %, red above.
- without a target, the change vs the same period last year: higher is better: green ≥ 0 %,
  amber ≥ -5 %, red below; lower is better: green ≤ 0 %, amber ≤ +5 %, red above.
- neither: unknown.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal
from typing import NamedTuple

from ioc.core.periods import Period, PeriodType, parse_period, year_to_date
from ioc.geo.models import AdminUnit
from ioc.indicators import aggregation
from ioc.indicators.choices import (
    AreaAggregation,
    Direction,
    MissingValues,
    TimeAggregation,
    TrafficLight,
)
from ioc.indicators.formulas import evaluate, operand_codes, parse_expression
from ioc.indicators.models import Aggregate, Facility, Indicator, OrgUnit, Target

GREEN_RATIO = Decimal("1.00")
AMBER_RATIO_HIGHER = Decimal("0.90")
AMBER_RATIO_LOWER = Decimal("1.10")
AMBER_CHANGE_PCT = Decimal(5)
HUNDRED = Decimal(100)

UnitLike = OrgUnit | AdminUnit | Facility | int


def _org_unit_id(unit: UnitLike) -> int | None:
    if isinstance(unit, int):
        return unit
    if isinstance(unit, OrgUnit):
        return unit.pk
    lookup = {"facility": unit} if isinstance(unit, Facility) else {"admin_unit": unit}
    return OrgUnit.objects.filter(**lookup).values_list("pk", flat=True).first()


def _period(period: Period | str) -> Period:
    return period if isinstance(period, Period) else parse_period(period)


def _rank(period_type: str) -> int:
    return aggregation._ORDER.get(PeriodType(period_type), 99)


class Sums(NamedTuple):
    """The four running sums of an aggregate row (all a figure needs)."""

    value_sum: Decimal
    unit_count: int
    weighted_sum: Decimal
    weight_sum: int


SUM_COLUMNS = ("value_sum", "unit_count", "weighted_sum", "weight_sum")


def figure(row: Aggregate | Sums | None, indicator: Indicator) -> Decimal | None:
    """The value an aggregate row stands for, by the indicator's area aggregation."""
    if row is None or row.unit_count <= 0:
        return None
    how = indicator.area_aggregation
    if how == AreaAggregation.AVERAGE:
        return (row.value_sum / row.unit_count).quantize(aggregation.QUANTUM)
    if how == AreaAggregation.POPULATION_WEIGHTED:
        if row.weight_sum:
            return (row.weighted_sum / row.weight_sum).quantize(aggregation.QUANTUM)
        return (row.value_sum / row.unit_count).quantize(aggregation.QUANTUM)
    return row.value_sum


class Reader:
    """Reads aggregate rows once per (indicator, unit, period) within one request (a page,
    an API call): `prefetch_many` reads the rows of many indicators, their formulas'
    operands included, for many units and periods in one query; `value` then computes
    from memory."""

    def __init__(self, catalogue: Iterable[Indicator] | None = None) -> None:
        self.catalogue: dict[str, Indicator] = {i.code: i for i in catalogue or ()}
        self.trees: dict[int, tuple] = {}
        self.rows: dict[tuple[int, int, str], Sums | None] = {}

    def indicator(self, code: str) -> Indicator | None:
        if code not in self.catalogue:
            self.catalogue[code] = Indicator.objects.filter(code=code).first()  # type: ignore[assignment]
        return self.catalogue[code]

    def sources(self, indicator: Indicator) -> list[Indicator]:
        """The collected indicators a figure of `indicator` is read from (itself, or its
        formula's operands, recursively)."""
        found: dict[int, Indicator] = {}
        pending, seen = [indicator], set()
        while pending:
            item = pending.pop()
            if not item.is_computed:
                found[item.pk] = item
                continue
            if item.code in seen:
                continue
            seen.add(item.code)
            _numerator, _denominator, codes = self._tree(item)
            for code in codes:
                operand = self.indicator(code)
                if operand is not None:
                    pending.append(operand)
        return list(found.values())

    def prefetch(self, indicator: Indicator, units: Iterable[int], periods: Iterable[str]) -> None:
        self.prefetch_many([indicator], units, periods)

    def prefetch_many(
        self, indicators: Iterable[Indicator], units: Iterable[int], periods: Iterable[str]
    ) -> None:
        """Read, in one query, the rows of these indicators (computed ones: their operands)
        for every unit and period given, unless already read."""
        units, periods = set(units), set(periods)
        sources = {s.pk for i in indicators for s in self.sources(i)}
        missing = [
            key
            for key in ((i, u, p) for i in sources for u in units for p in periods)
            if key not in self.rows
        ]
        if not missing:
            return
        for key in missing:
            self.rows[key] = None
        rows = Aggregate.objects.filter(
            indicator_id__in={k[0] for k in missing},
            org_unit_id__in={k[1] for k in missing},
            period__in={k[2] for k in missing},
        ).values_list("indicator_id", "org_unit_id", "period", *SUM_COLUMNS)
        for indicator_id, unit_id, period_id, *sums in rows:
            self.rows[(indicator_id, unit_id, period_id)] = Sums(*sums)

    def _tree(self, indicator: Indicator) -> tuple:
        if indicator.pk not in self.trees:
            numerator = parse_expression(indicator.numerator)
            denominator = (
                parse_expression(indicator.denominator) if indicator.denominator.strip() else None
            )
            codes = operand_codes(numerator) + (
                operand_codes(denominator) if denominator is not None else []
            )
            self.trees[indicator.pk] = (numerator, denominator, list(dict.fromkeys(codes)))
        return self.trees[indicator.pk]

    def collected(self, indicator: Indicator, unit_id: int, period: Period) -> Decimal | None:
        if _rank(period.type) < _rank(indicator.period_type):
            return None
        in_ladder = period.type == indicator.period_type or period.type in aggregation.LADDER
        if in_ladder:
            key = (indicator.pk, unit_id, period.id)
            if key not in self.rows:
                self.prefetch(indicator, [unit_id], [period.id])
            return figure(self.rows[key], indicator)
        # Periods the aggregates do not keep (bi-months...): combine the collected periods.
        return self.combined(indicator, unit_id, period.children(indicator.period_type))

    def combined(self, indicator: Indicator, unit_id: int, periods: list[Period]) -> Decimal | None:
        self.prefetch(indicator, [unit_id], [p.id for p in periods])
        values = [self.value(indicator, unit_id, [p]) for p in periods]
        present = [v for v in values if v is not None]
        if not present:
            return None
        if indicator.time_aggregation == TimeAggregation.LAST:
            return present[-1]
        if indicator.time_aggregation == TimeAggregation.AVERAGE:
            return (sum(present) / len(present)).quantize(aggregation.QUANTUM)
        return sum(present)

    def value(self, indicator: Indicator, unit_id: int, periods: list[Period]) -> Decimal | None:
        if indicator.is_computed:
            return self.computed(indicator, unit_id, periods, depth=0)
        if len(periods) == 1:
            return self.collected(indicator, unit_id, periods[0])
        return self.combined(indicator, unit_id, periods)

    def computed(
        self, indicator: Indicator, unit_id: int, periods: list[Period], *, depth: int
    ) -> Decimal | None:
        if depth > 20:  # formulas are checked for cycles when saved; this is a safeguard
            return None
        numerator, denominator, codes = self._tree(indicator)
        values: dict[str, Decimal | None] = {}
        for code in codes:
            operand = self.indicator(code)
            if operand is None:
                values[code] = None
            elif operand.is_computed:
                values[code] = self.computed(operand, unit_id, periods, depth=depth + 1)
            else:
                values[code] = self.value(operand, unit_id, periods)
        present = [v for v in values.values() if v is not None]
        if not present:
            return None
        if len(present) < len(values):
            if indicator.missing_values == MissingValues.SKIP_IF_ANY_MISSING:
                return None
            values = {code: (v if v is not None else Decimal(0)) for code, v in values.items()}
        top = evaluate(numerator, values)
        bottom = evaluate(denominator, values) if denominator is not None else Decimal(1)
        if top is None or bottom is None or bottom == 0:
            return None
        return (top / bottom * indicator.factor).quantize(aggregation.QUANTUM)


def analytics_batch(
    *,
    indicators: Iterable[Indicator],
    units: Iterable[UnitLike],
    periods: Iterable[Period | str],
    reader: Reader | None = None,
) -> dict[tuple[str, int, str], Decimal | None]:
    """Values of many indicators (computed ones included) for many units and periods, by
    (indicator code, org unit id, period id): the aggregate rows are read in one query."""
    reader = reader or Reader()
    indicators = list(indicators)
    for item in indicators:
        reader.catalogue.setdefault(item.code, item)
    unit_ids = [u for u in (_org_unit_id(unit) for unit in units) if u is not None]
    own = [_period(p) for p in periods]
    reader.prefetch_many(indicators, unit_ids, [p.id for p in own])
    return {
        (item.code, u, p.id): reader.value(item, u, [p])
        for item in indicators
        for u in unit_ids
        for p in own
    }


def analytics_value(
    *, indicator: Indicator, period: Period | str, unit: UnitLike
) -> Decimal | None:
    """The indicator's value for a unit (either structure, or a facility) and a period of
    any type at least as coarse as the indicator's; None where there is no data."""
    unit_id = _org_unit_id(unit)
    if unit_id is None:
        return None
    return Reader().value(indicator, unit_id, [_period(period)])


def analytics_values(
    *, indicator: Indicator, periods: Iterable[Period | str], units: Iterable[UnitLike]
) -> dict[tuple[int, str], Decimal | None]:
    """Values for many units and periods at once (a map, a trend), by (org unit id, period
    id); one query per indicator involved."""
    reader = Reader()
    unit_ids = [u for u in (_org_unit_id(unit) for unit in units) if u is not None]
    own = [_period(p) for p in periods]
    if not indicator.is_computed:
        reader.prefetch(indicator, unit_ids, [p.id for p in own])
    return {(u, p.id): reader.value(indicator, u, [p]) for u in unit_ids for p in own}


def year_to_date_value(
    *, indicator: Indicator, period: Period | str, unit: UnitLike
) -> Decimal | None:
    """Lũy kế: the periods of the year up to `period`, combined by the time aggregation
    (computed indicators: their formula over the operands' year-to-date values)."""
    unit_id = _org_unit_id(unit)
    own = _period(period)
    if unit_id is None:
        return None
    if own.type == PeriodType.YEARLY:
        return Reader().value(indicator, unit_id, [own])
    return Reader().value(indicator, unit_id, year_to_date(own))


@dataclass(frozen=True)
class Comparison:
    value: Decimal | None
    previous: Decimal | None
    change: Decimal | None  # value - previous
    change_pct: Decimal | None  # (value - previous) ÷ |previous| x 100


def compare(value: Decimal | None, previous: Decimal | None) -> Comparison:
    if value is None or previous is None:
        return Comparison(value, previous, None, None)
    change = value - previous
    pct = (change / abs(previous) * HUNDRED).quantize(Decimal("0.01")) if previous else None
    return Comparison(value, previous, change, pct)


def year_on_year(*, indicator: Indicator, period: Period | str, unit: UnitLike) -> Comparison:
    """The period's value against the same period last year."""
    own = _period(period)
    unit_id = _org_unit_id(unit)
    if unit_id is None:
        return Comparison(None, None, None, None)
    reader = Reader()
    return compare(
        reader.value(indicator, unit_id, [own]),
        reader.value(indicator, unit_id, [own.same_period_last_year()]),
    )


def period_on_period(*, indicator: Indicator, period: Period | str, unit: UnitLike) -> Comparison:
    """The period's value against the period before it."""
    own = _period(period)
    unit_id = _org_unit_id(unit)
    if unit_id is None:
        return Comparison(None, None, None, None)
    reader = Reader()
    return compare(
        reader.value(indicator, unit_id, [own]),
        reader.value(indicator, unit_id, [own.previous()]),
    )


@dataclass(frozen=True)
class Achievement:
    actual: Decimal | None  # the year-to-date figure for indicators summed over time
    target: Decimal | None  # the year's target
    expected: Decimal | None  # the share of the target due by the end of the period
    achievement_pct: Decimal | None  # actual ÷ target x 100


def target_value(*, indicator: Indicator, year: int, unit: UnitLike) -> Decimal | None:
    unit_id = _org_unit_id(unit)
    return (
        Target.objects.filter(indicator=indicator, org_unit_id=unit_id, year=year)
        .values_list("value", flat=True)
        .first()
    )


def achievement(*, indicator: Indicator, period: Period | str, unit: UnitLike) -> Achievement:
    """Against the year's target: summed indicators compare their year to date (and the
    expected share is pro rata of the days elapsed), others the period's value."""
    own = _period(period)
    year = own.parent(PeriodType.YEARLY) if own.type != PeriodType.YEARLY else own
    target = target_value(indicator=indicator, year=year.start.year, unit=unit)
    unit_id = _org_unit_id(unit)
    if unit_id is None:
        return Achievement(None, target, None, None)
    return achievement_of(Reader(), indicator, own, unit_id, target)


def achievement_periods(indicator: Indicator, period: Period) -> list[Period]:
    """The periods the actual figure of an achievement is read from: the year to date for
    indicators summed over time, else the period."""
    summed = not indicator.is_computed and indicator.time_aggregation == TimeAggregation.SUM
    if summed and period.type != PeriodType.YEARLY:
        return year_to_date(period)
    return [period]


def achievement_of(
    reader: Reader, indicator: Indicator, period: Period, unit_id: int, target: Decimal | None
) -> Achievement:
    """The achievement from a reader (its rows read in batch) and the year's target."""
    own = period
    year = own.parent(PeriodType.YEARLY) if own.type != PeriodType.YEARLY else own
    summed = not indicator.is_computed and indicator.time_aggregation == TimeAggregation.SUM
    actual = reader.value(indicator, unit_id, achievement_periods(indicator, own))
    if target is None:
        return Achievement(actual, None, None, None)
    share = Decimal((own.end - year.start).days + 1) / Decimal(year.days) if summed else 1
    expected = (target * share).quantize(aggregation.QUANTUM)
    pct = (
        (actual / target * HUNDRED).quantize(Decimal("0.01"))
        if actual is not None and target
        else None
    )
    return Achievement(actual, target, expected, pct)


def traffic_light(*, indicator: Indicator, period: Period | str, unit: UnitLike) -> str:
    """green, amber, red or unknown (thresholds in this module's docstring)."""
    result = achievement(indicator=indicator, period=period, unit=unit)
    comparison = year_on_year(indicator=indicator, period=period, unit=unit)
    return traffic_light_of(indicator, result.actual, result.expected, comparison.change_pct)


def traffic_light_of(
    indicator: Indicator,
    actual: Decimal | None,
    expected: Decimal | None,
    change_pct: Decimal | None,
) -> str:
    """The traffic light from figures already read: the actual figure against the expected
    share of the target, else the change in % against the same period last year."""
    higher = indicator.direction == Direction.HIGHER_IS_BETTER
    if actual is not None and expected:
        ratio = actual / expected
        if higher:
            return _light(ratio >= GREEN_RATIO, ratio >= AMBER_RATIO_HIGHER)
        return _light(ratio <= GREEN_RATIO, ratio <= AMBER_RATIO_LOWER)
    if change_pct is None:
        return TrafficLight.UNKNOWN
    pct = change_pct
    if higher:
        return _light(pct >= 0, pct >= -AMBER_CHANGE_PCT)
    return _light(pct <= 0, pct <= AMBER_CHANGE_PCT)


def _light(green: bool, amber: bool) -> str:
    if green:
        return TrafficLight.GREEN
    return TrafficLight.AMBER if amber else TrafficLight.RED
