"""Incremental aggregates: what a change of values adds to (or takes from) each aggregate.

For one reporting unit and one period P (a value's own period or a coarser one up to the
year), the unit's *contribution* is its values in P combined by the indicator's time
aggregation (sum, last value, average). An aggregate row (indicator, org unit, P) holds
the sums of the contributions of every reporting unit that rolls up to that org unit:
`value_sum`, `unit_count`, and the population-weighted `weighted_sum`/`weight_sum`.

Last-value (stocks) and averaged indicators differ for the longer periods: their rows are
derived from the area's rows of the collected periods with data (`derived_refresh`): the
last one (the level at the end), or the mean of their figures. So units that ended with the
July 2025 reorganisation do not add their June stock, or their half-year average, to the
year.

A change is applied as a difference: the affected units' contributions before and after,
added to each row with one additive upsert per row (`value_sum = value_sum + Δ`), so two
writers never lose each other's changes and nothing is rebuilt from scratch.
"""

from __future__ import annotations

import decimal
import functools
from collections import defaultdict
from collections.abc import Iterable
from datetime import date
from decimal import Decimal
from typing import NamedTuple

from django.db import connection
from django.utils import timezone

from ioc.core.periods import Period, PeriodError, PeriodType, parse_period
from ioc.indicators.choices import AreaAggregation, DataValueStatus, TimeAggregation
from ioc.indicators.hierarchy import Hierarchy
from ioc.indicators.models import VALUE_DIGITS, Aggregate, DataValue, Indicator

QUANTUM = Decimal("0.000001")
ZERO = Decimal(0)
# The coarser periods kept for each collected period, finest first.
LADDER = (
    PeriodType.MONTHLY,
    PeriodType.QUARTERLY,
    PeriodType.SIX_MONTHLY,
    PeriodType.YEARLY,
)
_ORDER = {
    PeriodType.DAILY: 0,
    PeriodType.WEEKLY: 1,
    PeriodType.MONTHLY: 2,
    PeriodType.BI_MONTHLY: 3,
    PeriodType.QUARTERLY: 4,
    PeriodType.SIX_MONTHLY: 5,
    PeriodType.YEARLY: 6,
}


@functools.lru_cache(maxsize=8192)
def period(period_id: str) -> Period:
    return parse_period(period_id)


@functools.lru_cache(maxsize=8192)
def period_chain(period_id: str) -> tuple[Period, ...]:
    """The period and the coarser periods of the ladder containing it (`202403` → `202403`,
    `2024Q1`, `2024S1`, `2024`)."""
    own = period(period_id)
    chain = [own]
    rank = _ORDER.get(own.type, 99)
    for period_type in LADDER:
        if _ORDER[period_type] > rank:
            try:
                chain.append(own.parent(period_type))
            except PeriodError:
                continue
    return tuple(chain)


@functools.lru_cache(maxsize=8192)
def _period_columns(vendor: str, period_id: str) -> tuple[str, object, object]:
    """Type, start and end of a period as the database driver wants them."""
    own = period(period_id)
    ops = connection.ops
    return str(own.type), ops.adapt_datefield_value(own.start), ops.adapt_datefield_value(own.end)


def period_columns(period_id: str, vendor: str | None = None) -> tuple[str, object, object]:
    return _period_columns(vendor or connection.vendor, period_id)


class Change(NamedTuple):
    """A value of a unit that was `old` and becomes `new` (None: no counted value).

    A named tuple: an import makes one per value, and a frozen dataclass costs more."""

    indicator_id: int
    org_unit_id: int
    period: str
    old: Decimal | None
    new: Decimal | None


Vector = tuple[Decimal, int, Decimal, int]  # value_sum, unit_count, weighted_sum, weight_sum
NO_CONTRIBUTION: Vector = (ZERO, 0, ZERO, 0)


def contribution(values: list[tuple[date, Decimal]], how: str, population: int | None) -> Vector:
    """One unit's contribution to one period from its values in it: (start, value) pairs."""
    if not values:
        return NO_CONTRIBUTION
    if len(values) == 1:
        combined = values[0][1]
    elif how == TimeAggregation.LAST:
        combined = max(values)[1]
    elif how == TimeAggregation.AVERAGE:
        combined = (sum([v for _s, v in values], ZERO) / len(values)).quantize(QUANTUM)
    else:
        combined = sum([v for _s, v in values], ZERO)
    if not population:
        return (combined, 1, ZERO, 0)
    return (combined, 1, (combined * population).quantize(QUANTUM), population)


def deltas(
    changes: Iterable[Change],
    *,
    indicators: dict[int, Indicator],
    hierarchy: Hierarchy,
    existing: dict[tuple[int, int], dict[str, Decimal]],
) -> dict[tuple[int, int, str], list]:
    """The differences to add to the aggregate rows, by (indicator, org unit, period).

    `existing` holds each affected unit's counted values before the changes, by period id
    (at least those inside the periods the changes touch).
    """
    by_series: dict[tuple[int, int], list[Change]] = defaultdict(list)
    for change in changes:
        if change.old != change.new:
            by_series[(change.indicator_id, change.org_unit_id)].append(change)
    result: dict[tuple[int, int, str], list] = {}
    for (indicator_id, org_unit_id), series_changes in by_series.items():
        indicator = indicators[indicator_id]
        how = indicator.time_aggregation
        before = existing.get((indicator_id, org_unit_id), {})
        after = dict(before)
        touched: dict[str, Period] = {}
        for change in series_changes:
            if change.new is None:
                after.pop(change.period, None)
            else:
                after[change.period] = change.new
            # Longer periods of last values and averages are derived from the area's rows
            # of the collected periods (derived_refresh), not combined per unit.
            chain = period_chain(change.period)
            for parent in chain if how == TimeAggregation.SUM else chain[:1]:
                touched[parent.id] = parent
        old_buckets = _buckets(before, touched) if before else {}
        new_buckets = _buckets(after, touched)
        # Only population-weighted indicators keep weighted sums: a change of population
        # then re-weights just those (population_reweight).
        weighted = indicator.area_aggregation == AreaAggregation.POPULATION_WEIGHTED
        population = hierarchy.units[org_unit_id].population if weighted else None
        targets = hierarchy.rollup(org_unit_id, indicator.area_aggregation)
        for period_id in touched:
            old = contribution(old_buckets.get(period_id, []), how, population)
            new = contribution(new_buckets.get(period_id, []), how, population)
            if old == new:
                continue
            d_sum, d_count = new[0] - old[0], new[1] - old[1]
            d_weighted, d_weight = new[2] - old[2], new[3] - old[3]
            for target in targets:
                key = (indicator_id, target, period_id)
                row = result.get(key)
                if row is None:
                    result[key] = [d_sum, d_count, d_weighted, d_weight]
                else:
                    row[0] += d_sum
                    row[1] += d_count
                    if d_weight or d_weighted:
                        row[2] += d_weighted
                        row[3] += d_weight
    return result


def _buckets(
    values: dict[str, Decimal], touched: dict[str, Period]
) -> dict[str, list[tuple[date, Decimal]]]:
    buckets: dict[str, list[tuple[date, Decimal]]] = defaultdict(list)
    for period_id, value in values.items():
        chain = period_chain(period_id)
        for parent in chain:
            if parent.id in touched:
                buckets[parent.id].append((chain[0].start, value))
    return buckets


def existing_values(
    series: Iterable[tuple[int, int]], periods: Iterable[str]
) -> dict[tuple[int, int], dict[str, Decimal]]:
    """The counted values of these (indicator, org unit) series in the years of `periods`."""
    series = set(series)
    if not series:
        return {}
    years = {period_chain(p)[-1] for p in periods}
    start = min(p.start for p in years)
    end = max(p.end for p in years)
    indicator_ids = {i for i, _u in series}
    unit_ids = {u for _i, u in series}
    rows = DataValue.objects.filter(
        indicator_id__in=indicator_ids,
        period_start__gte=start,
        period_end__lte=end,
        deleted_at__isnull=True,
        status__in=DataValueStatus.COUNTED,
    )
    if len(unit_ids) < 500:
        rows = rows.filter(org_unit_id__in=unit_ids)
    found: dict[tuple[int, int], dict[str, Decimal]] = defaultdict(dict)
    for indicator_id, org_unit_id, period_id, value in rows.values_list(
        "indicator_id", "org_unit_id", "period", "value"
    ).iterator(chunk_size=10000):
        if (indicator_id, org_unit_id) in series:
            found[(indicator_id, org_unit_id)][period_id] = value
    return found


def aggregates_apply(row_deltas: dict[tuple[int, int, str], list]) -> None:
    """Add the differences to the aggregate rows (creating missing rows), then drop rows no
    unit contributes to any more. Call inside the writing transaction."""
    if not row_deltas:
        return
    table = connection.ops.quote_name(Aggregate._meta.db_table)
    ops = connection.ops
    now = ops.adapt_datetimefield_value(timezone.now())
    sums = ("value_sum", "unit_count", "weighted_sum", "weight_sum")
    update = ", ".join(f"{column} = {table}.{column} + excluded.{column}" for column in sums)
    # The table and column names are ours; the values are parameters.
    sql = (
        f"INSERT INTO {table} (indicator_id, org_unit_id, period, period_type, period_start, "  # noqa: S608
        "period_end, value_sum, unit_count, weighted_sum, weight_sum, updated_at) "
        "VALUES (%s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s) "
        "ON CONFLICT (indicator_id, org_unit_id, period) DO UPDATE SET "
        f"{update}, updated_at = excluded.updated_at"
    )
    params = []
    vendor = connection.vendor
    adapt = ops.adapt_decimalfield_value
    columns: dict[str, tuple[str, object, object]] = {}
    # Sorted: writers lock rows in the same order (no deadlock on PostgreSQL), and SQLite
    # writes the index pages in order (unsorted, an import took 40 % longer).
    for key in sorted(row_deltas):
        value_sum, count, weighted, weight = row_deltas[key]
        if not (value_sum or count or weighted or weight):
            continue
        period_id = key[2]
        spans = columns.get(period_id)
        if spans is None:
            spans = columns[period_id] = period_columns(period_id, vendor)
        params.append(
            (
                key[0],
                key[1],
                period_id,
                *spans,
                adapt(value_sum.quantize(QUANTUM)),
                count,
                adapt(weighted.quantize(QUANTUM)) if weighted else 0,
                weight,
                now,
            )
        )
    with connection.cursor() as cursor:
        for start in range(0, len(params), 2000):
            cursor.executemany(sql, params[start : start + 2000])
    # Only rows that lost a contributing unit can have dropped to none.
    emptied = [list(key) for key, delta in row_deltas.items() if delta[1] < 0]
    if emptied:
        sql = (
            f"DELETE FROM {table} WHERE indicator_id = %s AND org_unit_id = %s "  # noqa: S608
            "AND period = %s AND unit_count <= 0"
        )
        with connection.cursor() as cursor:
            cursor.executemany(sql, emptied)


DERIVED = frozenset({TimeAggregation.LAST, TimeAggregation.AVERAGE})


def _derived_keys(
    changes: Iterable[Change], indicators: dict[int, Indicator], hierarchy: Hierarchy
) -> dict[tuple[int, int], set[str]]:
    """For last-value and averaged indicators: the longer periods of each org unit that a
    change reaches."""
    wanted: dict[tuple[int, int], set[str]] = defaultdict(set)
    for change in changes:
        indicator = indicators[change.indicator_id]
        if indicator.time_aggregation not in DERIVED or change.old == change.new:
            continue
        longer = {p.id for p in period_chain(change.period)[1:]}
        if not longer:
            continue
        for target in hierarchy.rollup(change.org_unit_id, indicator.area_aggregation):
            wanted[(change.indicator_id, target)] |= longer
    return wanted


def _figure(row: list, area: str) -> Decimal:
    """The value a row stands for (as analytics.figure), from its four sums."""
    value_sum, count, weighted, weight = row
    if area == AreaAggregation.POPULATION_WEIGHTED and weight:
        return Decimal(weighted) / weight
    if area in (AreaAggregation.AVERAGE, AreaAggregation.POPULATION_WEIGHTED):
        return Decimal(value_sum) / count
    return Decimal(value_sum)


def _average_row(rows: list[list], area: str) -> list:
    """A row whose figure is the mean of the rows' figures, with the mean unit count and
    population (so it still reads as an average where the area aggregation averages)."""
    n = len(rows)
    if area == AreaAggregation.SUM or area == AreaAggregation.NONE:
        mean = sum([Decimal(row[0]) for row in rows], ZERO) / n
    else:
        mean = sum([_figure(row, area) for row in rows], ZERO) / n
    count = max(1, round(sum(row[1] for row in rows) / n))
    weight = round(sum(row[3] for row in rows) / n)
    averaged = area in (AreaAggregation.AVERAGE, AreaAggregation.POPULATION_WEIGHTED)
    value_sum = (mean * count if averaged else mean).quantize(QUANTUM)
    return [value_sum, count, (mean * weight).quantize(QUANTUM), weight]


def _derive(
    leaves: dict[tuple[int, int], list[tuple[date, str, list]]],
    wanted: dict[tuple[int, int], set[str]],
    indicators: dict[int, Indicator],
) -> dict[tuple[int, int, str], list | None]:
    """Each wanted longer period's row from the area's rows of its collected periods with
    data (None: none, the row goes): a last value's is a copy of the last one (the level
    at the end); an average's has the mean of their figures."""
    result: dict[tuple[int, int, str], list | None] = {}
    for (indicator_id, org_unit_id), period_ids in wanted.items():
        indicator = indicators[indicator_id]
        inside: dict[str, list[list]] = defaultdict(list)
        for _start, leaf_id, row in sorted(
            leaves.get((indicator_id, org_unit_id), []), key=lambda r: r[0]
        ):
            if row[1] > 0:
                for parent in period_chain(leaf_id)[1:]:
                    inside[parent.id].append(row)
        for period_id in period_ids:
            rows = inside.get(period_id)
            if not rows:
                derived = None
            elif indicator.time_aggregation == TimeAggregation.LAST:
                derived = list(rows[-1])
            else:
                derived = _average_row(rows, indicator.area_aggregation)
            result[(indicator_id, org_unit_id, period_id)] = derived
    return result


def derived_refresh(
    changes: list[Change], indicators: dict[int, Indicator], hierarchy: Hierarchy
) -> None:
    """After the collected periods' rows changed: set the longer periods' rows of last-value
    indicators to their level at the end, and of averaged ones to the mean of their months
    (or weeks, days...) with data."""
    wanted = _derived_keys(changes, indicators, hierarchy)
    if not wanted:
        return
    leaves: dict[tuple[int, int], list[tuple[date, str, list]]] = defaultdict(list)
    # One read per collected period type (a data set's form has one), not per indicator.
    by_type: dict[str, tuple[set[int], set[int]]] = defaultdict(lambda: (set(), set()))
    spans: list[Period] = []
    for (indicator_id, org_unit_id), period_ids in wanted.items():
        indicator_ids, units = by_type[indicators[indicator_id].period_type]
        indicator_ids.add(indicator_id)
        units.add(org_unit_id)
        spans.extend(period(p) for p in period_ids)
    start, end = min(p.start for p in spans), max(p.end for p in spans)
    for period_type, (indicator_ids, units) in by_type.items():
        rows = Aggregate.objects.filter(
            indicator_id__in=indicator_ids,
            period_type=period_type,
            period_start__gte=start,
            period_end__lte=end,
        )
        if len(units) < 500:
            rows = rows.filter(org_unit_id__in=units)
        # Read without Django's per-value converters (an import reads 100,000s of rows
        # here); the start day comes from the period id (cached).
        sql, params = rows.values_list(
            "indicator_id",
            "org_unit_id",
            "period",
            "value_sum",
            "unit_count",
            "weighted_sum",
            "weight_sum",
        ).query.sql_with_params()
        with connection.cursor() as cursor:
            cursor.execute(sql, params)
            for row in cursor.fetchall():
                indicator_id, unit, period_id, value_sum, count, weighted, weight = row
                sums = [_decimal(value_sum), count, _decimal(weighted), weight]
                leaves[(indicator_id, unit)].append((period(period_id).start, period_id, sums))
    aggregates_set(_derive(leaves, wanted, indicators))


# How Django converts a decimal column read from SQLite (15 significant digits, then the
# field's places); PostgreSQL's driver gives Decimals already.
_FLOAT_CONTEXT = decimal.Context(prec=15)
_FIELD_CONTEXT = decimal.Context(prec=VALUE_DIGITS)


def _decimal(value: Decimal | float | int) -> Decimal:
    """A decimal column's raw value as Django's converters would give it."""
    if isinstance(value, Decimal):
        return value
    if isinstance(value, int) and -(10**15) < value < 10**15:
        return Decimal(value)  # exact, as the converter gives it (but for the exponent)
    return _FLOAT_CONTEXT.create_decimal_from_float(value).quantize(QUANTUM, context=_FIELD_CONTEXT)


def aggregates_set(rows: dict[tuple[int, int, str], list | None]) -> None:
    """Write rows as given (not added): a list of the four sums, or None to delete."""
    table = connection.ops.quote_name(Aggregate._meta.db_table)
    ops = connection.ops
    vendor = connection.vendor
    now = ops.adapt_datetimefield_value(timezone.now())
    sums = ("value_sum", "unit_count", "weighted_sum", "weight_sum")
    update = ", ".join(f"{column} = excluded.{column}" for column in sums)
    upsert = (
        f"INSERT INTO {table} (indicator_id, org_unit_id, period, period_type, "  # noqa: S608
        "period_start, period_end, value_sum, unit_count, weighted_sum, weight_sum, "
        "updated_at) VALUES (%s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s) "
        "ON CONFLICT (indicator_id, org_unit_id, period) DO UPDATE SET "
        f"{update}, updated_at = excluded.updated_at"
    )
    delete = (
        f"DELETE FROM {table} WHERE indicator_id = %s AND org_unit_id = %s "  # noqa: S608
        "AND period = %s"
    )
    writes, deletes = [], []
    for (indicator_id, org_unit_id, period_id), row in sorted(rows.items()):  # as above
        if row is None:
            deletes.append((indicator_id, org_unit_id, period_id))
            continue
        writes.append(
            (
                indicator_id,
                org_unit_id,
                period_id,
                *period_columns(period_id, vendor),
                ops.adapt_decimalfield_value(Decimal(row[0]).quantize(QUANTUM)),
                row[1],
                ops.adapt_decimalfield_value(Decimal(row[2]).quantize(QUANTUM)),
                row[3],
                now,
            )
        )
    with connection.cursor() as cursor:
        for sql, params in ((upsert, writes), (delete, deletes)):
            for first in range(0, len(params), 2000):
                cursor.executemany(sql, params[first : first + 2000])


def aggregates_from_scratch(
    indicator: Indicator, hierarchy: Hierarchy
) -> dict[tuple[int, int, str], list]:
    """Every aggregate row of an indicator computed from its counted values alone (for
    rebuilding and for checking the incremental rows)."""
    values = DataValue.objects.filter(
        indicator=indicator, deleted_at__isnull=True, status__in=DataValueStatus.COUNTED
    ).values_list("org_unit_id", "period", "value")
    changes = [Change(indicator.pk, unit, p, None, value) for unit, p, value in values]
    indicators = {indicator.pk: indicator}
    rows = deltas(changes, indicators=indicators, hierarchy=hierarchy, existing={})
    wanted = _derived_keys(changes, indicators, hierarchy)
    if wanted:
        leaves: dict[tuple[int, int], list[tuple[date, str, list]]] = defaultdict(list)
        for (indicator_id, org_unit_id, period_id), sums in rows.items():
            leaves[(indicator_id, org_unit_id)].append((period(period_id).start, period_id, sums))
        for key, derived in _derive(leaves, wanted, indicators).items():
            if derived is not None:
                rows[key] = derived
    return rows


def population_reweight(before: Hierarchy, units: set[int]) -> None:
    """After the population indicator's values of `units` changed (in the writing
    transaction): move every population-weighted indicator's weighted sums of those units
    from their old populations (`before`) to their new ones, as a difference: their
    contributions are taken out with the old weights and put back with the new."""
    after = Hierarchy.load(ensure=False)
    changed = {
        unit
        for unit in units
        if unit in before.units
        and unit in after.units
        and before.units[unit].population != after.units[unit].population
    }
    weighted = {
        indicator.pk: indicator
        for indicator in Indicator.objects.filter(
            area_aggregation=AreaAggregation.POPULATION_WEIGHTED, numerator=""
        )
    }
    if not changed or not weighted:
        return
    values = DataValue.objects.filter(
        indicator_id__in=weighted,
        org_unit_id__in=changed,
        deleted_at__isnull=True,
        status__in=DataValueStatus.COUNTED,
    ).values_list("indicator_id", "org_unit_id", "period", "value")
    existing: dict[tuple[int, int], dict[str, Decimal]] = defaultdict(dict)
    taken, given = [], []
    for indicator_id, unit, period_id, value in values:
        existing[(indicator_id, unit)][period_id] = value
        taken.append(Change(indicator_id, unit, period_id, value, None))
        given.append(Change(indicator_id, unit, period_id, None, value))
    rows = deltas(taken, indicators=weighted, hierarchy=before, existing=existing)
    for key, row in deltas(given, indicators=weighted, hierarchy=after, existing={}).items():
        total = rows.setdefault(key, [ZERO, 0, ZERO, 0])
        for index in range(4):
            total[index] += row[index]
    aggregates_apply(rows)
    derived_refresh(given, weighted, after)
