"""Report figures at scale: a monthly summary kept at write time, and raw reads of the
edges of a period, giving exactly the figures of selectors.report_stats ("each report
counted as it stood at the end of the period") in a few milliseconds at 1,000,000 reports.

How (docs/reports.md, "Figures at scale"): a report whose completion, rating and deadline
all fall within LATE_AFTER of its receipt ("no late event") is counted in the ReportFigures
row of its month of receipt, commune, legacy district, category and agency. For a period
ending on day E, every report received before E - RAW_DAYS with no late event had all its
events by E, so its figures as they stood at E are its figures now: whole months of such
reports are read from the summary. The rest is read row by row: the first partial month,
the last RAW_DAYS (or so) of the period, and the few reports with a late event.

Services call report_written() after each write of a report, in the same transaction.
"""

import functools
from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Any

from django.db import IntegrityError, transaction
from django.db.models import Case, Count, F, Q, QuerySet, Sum, When
from django.utils import timezone

from ioc.core import statements
from ioc.reports.models import Report, ReportFigures

# An event later than this after receipt makes the report "late": read row by row.
LATE_AFTER = timedelta(days=31)
# Reports received in the month of (end - RAW_DAYS) or later are read row by row; with
# RAW_DAYS > LATE_AFTER the rest had all their events by the end of the period.
RAW_DAYS = 32
# Upper edges (hours) of the buckets of time to completion: h0 < 1 h, h1 < 2 h, ...
HOUR_EDGES: tuple[int, ...] = (1, 2, 3, 4, 6, 8, 12, 16, 24, 36, 48, 72, 96, 120, 168, 240)
HOUR_EDGES += (336, 504, 744, 1440, 2880)
BUCKETS = tuple(f"h{index}" for index in range(len(HOUR_EDGES) + 1))
DIMENSIONS = ("commune_id", "legacy_district_id", "category_id", "agency_id")
COUNTS = ("received", "completed", "completed_on_time", "overdue", "ratings", "satisfied")
# Each cell also holds its figures as they stood at the end of its month (suffix _a) and
# of the next one (_b): with the final ones, a period ending at the end of a month reads
# every whole month from the summary.
SNAPSHOTS = ("_a", "_b")
SNAPSHOT_COUNTS = tuple(f"{name}{suffix}" for suffix in SNAPSHOTS for name in COUNTS[1:])
FIGURES = (*COUNTS, "completed_m0", "completed_m1", "completed_m2", *BUCKETS, *SNAPSHOT_COUNTS)
# Summary rows: one per cell (month and four dimensions), and roll-ups of the cells of a
# month in total and per one dimension, for the figures with no filter.
CELL, TOTAL = 0, 1
ROLLUPS = {None: TOTAL, "commune_id": 2, "legacy_district_id": 3, "category_id": 4, "agency_id": 5}
SATISFIED_MIN_RATING = 4


# Months are the deployment's (TIME_ZONE), whatever zone a request may activate; its zone is
# also read without the look-up of the active one (an asgiref Local, ≈ 2 µs a time).
def start_of(day: date) -> datetime:
    return datetime.combine(day, time.min, tzinfo=timezone.get_default_timezone())


def _month_of(moment: datetime) -> date:
    return moment.astimezone(timezone.get_default_timezone()).date().replace(day=1)


def _next_month(month: date) -> date:
    return date(month.year + 1, 1, 1) if month.month == 12 else date(month.year, month.month + 1, 1)


# -- the write side ----------------------------------------------------------------------


def cell_key(report: Report) -> str | None:
    """The key of the summary row a report is counted in (month of receipt and its four
    dimensions); None for a report not yet received."""
    return key_of_cell(report.figures_cell())


def key_of_cell(cell: tuple | None) -> str | None:
    """The key of a Report.figures_cell(): "YYYY-MM|commune|legacy district|category|
    agency", an empty place for a dimension without value."""
    if cell is None or cell[0] is None:
        return None
    received_at, *ids = cell
    return "|".join(
        [f"{_month_of(received_at):%Y-%m}", *("" if i is None else str(i) for i in ids)]
    )


def completion_bucket(received_at: datetime, completed_at: datetime | None) -> int | None:
    if completed_at is None:
        return None
    hours = (completed_at - received_at).total_seconds() / 3600
    return next((i for i, edge in enumerate(HOUR_EDGES) if hours < edge), len(HOUR_EDGES))


def has_late_event(received_at: datetime, *events: datetime | None) -> bool:
    return any(event is not None and event - received_at > LATE_AFTER for event in events)


# The report's own fields that the figures keep (refresh_flags sets them).
FLAG_FIELDS = ["has_late_event", "completion_bucket"]


def refresh_flags(report: Report) -> None:
    """Set the late flag and the completion bucket of a report about to be saved (a save
    with update_fields names FLAG_FIELDS too), so that report_written needs no UPDATE."""
    report.has_late_event = has_late_event(
        report.received_at, report.completed_at, report.rated_at, report.due_at
    )
    report.completion_bucket = completion_bucket(report.received_at, report.completed_at)


def reports_added(reports: list[Report]) -> None:
    """Count reports just inserted (their flags set by refresh_flags) in the summary:
    one UPDATE per cell they fall in. Call inside the transaction of the INSERT."""
    deltas: dict[str, dict[str, int]] = defaultdict(_empty)
    for report in reports:
        key = cell_key(report)
        report._figures_cell = report.figures_cell()  # type: ignore[attr-defined]
        if key is not None and not report.has_late_event:
            row = tuple(getattr(report, field) for field in ROW_FIELDS)
            _count_row(deltas[key], _month_of(report.received_at), row)
    for key, delta in deltas.items():
        _add(key, delta)


def report_written(report: Report) -> None:
    """Keep the figures of a report just changed (moved, rated, re-dated, transferred):
    its late flag and completion bucket (an UPDATE if the save did not refresh them) and
    the summary rows it leaves and joins. Call inside the transaction of the write."""
    late = has_late_event(report.received_at, report.completed_at, report.rated_at, report.due_at)
    bucket = completion_bucket(report.received_at, report.completed_at)
    if (late, bucket) != (report.has_late_event, report.completion_bucket):
        Report.objects.filter(pk=report.pk).update(has_late_event=late, completion_bucket=bucket)
        report.has_late_event, report.completion_bucket = late, bucket
    key = cell_key(report)
    old = key_of_cell(getattr(report, "_figures_cell", None))
    for changed in {key, old}:
        if changed is not None:
            _recount(changed)
    report._figures_cell = report.figures_cell()  # type: ignore[attr-defined]


def _cell_filter(key: str) -> tuple[date, Q]:
    month_text, *ids = key.split("|")
    month = date.fromisoformat(f"{month_text}-01")
    condition = Q(received_at__gte=start_of(month), received_at__lt=start_of(_next_month(month)))
    for field, value in zip(DIMENSIONS, ids, strict=True):
        condition &= Q(**{field: int(value)}) if value else Q(**{f"{field}__isnull": True})
    return month, condition


ROW_FIELDS = ("received_at", "completed_at", "completed_on_time", "due_at", "rating", "rated_at")


def _count_row(figures: dict[str, int], month: date, row: tuple) -> None:
    """Add one report with no late event to a summary row's figures."""
    received_at, completed_at, on_time, due_at, rating, rated_at = row
    figures["received"] += 1
    if completed_at is not None:
        figures["completed"] += 1
        figures["completed_on_time"] += bool(on_time)
        done = _month_of(completed_at)
        offset = (done.year - month.year) * 12 + done.month - month.month
        figures[f"completed_m{min(max(offset, 0), 2)}"] += 1
        figures[BUCKETS[completion_bucket(received_at, completed_at) or 0]] += 1
    elif due_at is not None:
        figures["overdue"] += 1
    if rating is not None and rated_at is not None:
        figures["ratings"] += 1
        figures["satisfied"] += rating >= SATISFIED_MIN_RATING
    for suffix, moment in zip(SNAPSHOTS, _month_ends(month), strict=True):
        finished = completed_at is not None and completed_at < moment
        figures[f"completed{suffix}"] += finished
        figures[f"completed_on_time{suffix}"] += finished and bool(on_time)
        figures[f"overdue{suffix}"] += not finished and due_at is not None and due_at < moment
        rated = rating is not None and rated_at is not None and rated_at < moment
        figures[f"ratings{suffix}"] += rated
        figures[f"satisfied{suffix}"] += rated and rating >= SATISFIED_MIN_RATING


@functools.lru_cache(maxsize=512)
def _month_ends(month: date) -> tuple[datetime, datetime]:
    """The ends of a month and of the next one (local midnight)."""
    following = _next_month(month)
    return start_of(following), start_of(_next_month(following))


def _empty() -> dict[str, int]:
    return dict.fromkeys(FIGURES, 0)


def _rollups(month: date, ids: list[int | None]) -> list[tuple[str, dict[str, Any]]]:
    """The keys and fields of the roll-up rows a cell adds to."""
    result = []
    for dimension, level in ROLLUPS.items():
        fields: dict[str, Any] = {"month": month, "level": level}
        key = f"{month:%Y-%m}|*{level}"
        if dimension is not None:
            value = ids[DIMENSIONS.index(dimension)]
            fields[dimension] = value
            key += f"|{'' if value is None else value}"
        result.append((key, fields))
    return result


def _recount(key: str) -> None:
    """Count one cell again from its reports (a few dozen), under a row lock, and carry
    the difference to the cell and its roll-ups."""
    month, condition = _cell_filter(key)
    old = ReportFigures.objects.select_for_update().filter(key=key).values(*FIGURES).first()
    figures = _empty()
    rows = Report.objects.filter(condition, has_late_event=False).values_list(*ROW_FIELDS)
    for row in rows:
        _count_row(figures, month, row)
    _add(key, {name: figures[name] - (old or _empty())[name] for name in FIGURES})


@functools.lru_cache(maxsize=4096)
def _summary_rows(key: str) -> tuple[tuple[tuple[str, dict[str, Any]], ...], tuple[str, ...]]:
    """The rows a cell's figures add to, the cell's and its roll-ups' (their keys and
    fields), and their keys: the same for every report of the cell (shared: read only)."""
    month_text, *values = key.split("|")
    month = date.fromisoformat(f"{month_text}-01")
    ids = [int(value) if value else None for value in values]
    rows = [(key, {"month": month, **dict(zip(DIMENSIONS, ids, strict=True))})]
    rows += _rollups(month, ids)
    return tuple(rows), tuple(row_key for row_key, _fields in rows)


def _add(key: str, delta: dict[str, int]) -> None:
    """Add `delta` to a cell and its roll-ups (one UPDATE), creating the rows missing and
    deleting those left with no report."""
    increments = {name: change for name, change in delta.items() if change}
    if not increments:
        return
    rows, keys = _summary_rows(key)
    if statements.add_to_columns(ReportFigures, increments, where="key", values=keys) < len(keys):
        changes = {name: F(name) + change for name, change in increments.items()}
        present = set(ReportFigures.objects.filter(key__in=keys).values_list("key", flat=True))
        for row_key, fields in rows:
            if row_key not in present:
                try:
                    with transaction.atomic():
                        ReportFigures.objects.create(key=row_key, **fields, **delta)
                except IntegrityError:  # created meanwhile by another transaction
                    ReportFigures.objects.filter(key=row_key).update(**changes)
    if delta["received"] < 0:
        ReportFigures.objects.filter(key__in=keys, received=0).delete()


@transaction.atomic
def figures_rebuild(
    *, batch: int = 5000, report_model: Any = Report, figures_model: Any = ReportFigures
) -> int:
    """Recount every report's late flag and bucket and the whole summary (after a bulk
    import, or in a migration with its historical models); returns the summary's rows."""
    cells: dict[str, dict[str, int]] = defaultdict(_empty)
    months: dict[str, date] = {}
    rollups: dict[str, dict[str, Any]] = {}
    fixes: dict[tuple[bool, int | None], list[int]] = defaultdict(list)
    columns = ("pk", "has_late_event", "completion_bucket", *DIMENSIONS, *ROW_FIELDS)
    for row in report_model.objects.order_by().values_list(*columns).iterator(chunk_size=batch):
        pk, was_late, was_bucket, *ids = row[:7]
        values = row[7:]
        received_at, completed_at, _on_time, due_at, _rating, rated_at = values
        late = has_late_event(received_at, completed_at, rated_at, due_at)
        bucket = completion_bucket(received_at, completed_at)
        if (late, bucket) != (was_late, was_bucket):
            fixes[(late, bucket)].append(pk)
        if late:
            continue
        month = _month_of(received_at)
        key = "|".join([f"{month:%Y-%m}", *("" if i is None else str(i) for i in ids)])
        months[key] = month
        _count_row(cells[key], month, values)
    for key, figures in list(cells.items()):
        ids = [int(value) if value else None for value in key.split("|")[1:]]
        for rollup_key, fields in _rollups(months[key], ids):
            rollups.setdefault(rollup_key, fields)
            total = cells[rollup_key]
            for name, count in figures.items():
                total[name] += count
    for (late, bucket), pks in fixes.items():
        for index in range(0, len(pks), batch):
            report_model.objects.filter(pk__in=pks[index : index + batch]).update(
                has_late_event=late, completion_bucket=bucket
            )
    figures_model.objects.all().delete()

    def summary_row(key: str, figures: dict[str, int]) -> Any:
        if key in rollups:
            return figures_model(key=key, **rollups[key], **figures)
        ids = [int(value) if value else None for value in key.split("|")[1:]]
        return figures_model(
            key=key, month=months[key], **dict(zip(DIMENSIONS, ids, strict=True)), **figures
        )

    figures_model.objects.bulk_create(
        (summary_row(key, figures) for key, figures in cells.items()), batch_size=batch
    )
    return len(cells)


# -- the read side -----------------------------------------------------------------------


@dataclass(frozen=True)
class Plan:
    """Where the figures of a period are read from: the row-by-row querysets (each with
    the first day it covers) and the whole months [from, to) of the summary, if any."""

    period_end: datetime
    raw: tuple[tuple[QuerySet[Report], date], ...]
    summary_months: tuple[date, date] | None
    filters: dict[str, list[int]]
    # Open reports of the summary's months whose deadline is after the end of a period
    # ending today: the summary counts them as overdue, they are not yet.
    not_yet_due: QuerySet[Report] | None = None
    # For a period ending at the end of a month in the past: that month (read as it
    # stood at its end, _a), the one before (_b); earlier months are final.
    last_month: date | None = None
    # The reports with a late event in the summary's months (also in `raw`).
    late: QuerySet[Report] | None = None

    def sum_of(self, name: str) -> Sum:
        """The sum of a figure over the summary rows, as they stood at the end."""
        if self.last_month is None or name not in COUNTS[1:]:
            return Sum(name)
        before = (self.last_month - timedelta(days=1)).replace(day=1)
        return Sum(
            Case(
                When(month=self.last_month, then=F(f"{name}_a")),
                When(month=before, then=F(f"{name}_b")),
                default=F(name),
            )
        )

    @property
    def querysets(self) -> list[QuerySet[Report]]:
        return [queryset for queryset, _first_day in self.raw]

    def dimension_q(self) -> Q:
        return Q(**{f"{field}__in": ids for field, ids in self.filters.items()})

    def summary(self, dimension: str | None = None) -> QuerySet[ReportFigures] | None:
        """The summary rows to add up, grouped by `dimension` or not: a roll-up when at
        most one dimension is filtered or grouped by, the cells otherwise."""
        if self.summary_months is None:
            return None
        dimensions = set(self.filters) | ({dimension} if dimension else set())
        level = CELL if len(dimensions) > 1 else ROLLUPS[next(iter(dimensions), None)]
        first, last = self.summary_months
        return ReportFigures.objects.filter(
            level=level,
            month__gte=first,
            month__lt=last,
            **{f"{field}__in": ids for field, ids in self.filters.items()},
        ).order_by()


def plan(
    *, start: date, end: date, filters: Mapping[str, Iterable[int]], today: date | None = None
) -> Plan:
    """Split the period: the summary for whole months received before end - RAW_DAYS
    (reports with no late event), rows for the rest. A period ending today or later
    stands as the reports stand now: the summary serves every whole month up to this
    one, but for the deadlines still ahead."""
    chosen = {field: list(ids) for field, ids in filters.items()}
    dimension_q = Q(**{f"{field}__in": ids for field, ids in chosen.items()})
    period_end = start_of(end + timedelta(days=1))
    first_full = start if start.day == 1 else _next_month(start)
    today = today or timezone.localdate()
    up_to_now = end >= today
    month_end = (end + timedelta(days=1)).day == 1
    if up_to_now:
        summary_to = _next_month(today.replace(day=1))
    elif month_end:
        summary_to = _next_month(end.replace(day=1))
    else:
        summary_to = (end - timedelta(days=RAW_DAYS)).replace(day=1)
    reports = Report.objects.filter(dimension_q).order_by()

    def received(low: date, high: datetime, **more: Any) -> QuerySet[Report]:
        return reports.filter(received_at__gte=start_of(low), received_at__lt=high, **more)

    if first_full >= summary_to:
        return Plan(period_end, ((received(start, period_end), start),), None, chosen)
    # The few reports with a late event, by their partial index: "+ 0" keeps the
    # planner off the (commune, received_at)-like indexes, which would read them all.
    unindexed = Report.objects.alias(**{f"{field}_plus": F(field) + 0 for field in chosen}).filter(
        received_at__gte=start_of(first_full),
        received_at__lt=start_of(summary_to),
        **{f"{field}_plus__in": ids for field, ids in chosen.items()},
    )
    late = unindexed.filter(has_late_event=True).order_by()
    raw: list[tuple[QuerySet[Report], date]] = [(late, first_full)]
    if not up_to_now and not month_end:
        raw.append((received(summary_to, period_end), summary_to))
    if start < first_full:
        raw.append((received(start, start_of(first_full)), start))
    not_yet_due = None
    if up_to_now:
        not_yet_due = unindexed.filter(
            completed_at__isnull=True, has_late_event=False, due_at__gte=period_end
        ).order_by()
    last_month = end.replace(day=1) if month_end and not up_to_now else None
    return Plan(
        period_end, tuple(raw), (first_full, summary_to), chosen, not_yet_due, last_month, late
    )


def raw_aggregates(period_end: datetime) -> dict[str, Any]:
    """The figures of report_stats as Count expressions over reports (row by row)."""
    completed_q = Q(completed_at__lt=period_end)
    rated_q = Q(rating__isnull=False, rated_at__lt=period_end)
    return {
        "received": Count("id"),
        "completed": Count("id", filter=completed_q),
        "completed_on_time": Count("id", filter=completed_q & Q(completed_on_time=True)),
        "overdue": Count("id", filter=~completed_q & Q(due_at__lt=period_end)),
        "ratings": Count("id", filter=rated_q),
        "satisfied": Count("id", filter=rated_q & Q(rating__gte=SATISFIED_MIN_RATING)),
    }


def figure_total(the_plan: Plan) -> list[int]:
    """The figures (COUNTS) of the period: the summary's whole months plus the rows."""
    totals = [0] * len(COUNTS)
    rows = [
        queryset.aggregate(**raw_aggregates(the_plan.period_end)) for queryset in the_plan.querysets
    ]
    summary = the_plan.summary()
    if summary is not None:
        rows.append(summary.aggregate(**{name: the_plan.sum_of(name) for name in COUNTS}))
    for row in rows:
        totals = [total + (row[name] or 0) for total, name in zip(totals, COUNTS, strict=True)]
    if the_plan.not_yet_due is not None:
        totals[COUNTS.index("overdue")] -= the_plan.not_yet_due.count()
    return totals


def figure_groups(the_plan: Plan, dimension: str) -> dict[int | None, list[int]]:
    """The figures (COUNTS) of the period per id of one dimension (commune_id, ...)."""
    return figure_groupings(the_plan, (dimension,))[dimension]


def figure_groupings(
    the_plan: Plan, dimensions: tuple[str, ...]
) -> dict[str, dict[int | None, list[int]]]:
    """The figures (COUNTS) of the period per id of each dimension, reading the rows once
    (grouped by all the dimensions) and the summary's roll-ups once per dimension."""
    result: dict[str, dict[int | None, list[int]]] = {
        dimension: defaultdict(lambda: [0] * len(COUNTS)) for dimension in dimensions
    }

    def add(dimension: str, value: int | None, row: Any, suffix: str = "") -> None:
        figures = result[dimension][value]
        for index, name in enumerate(COUNTS):
            figures[index] += row[f"{name}{suffix}"] or 0

    # Grouped by "dimension + 0": grouping by the bare column makes SQLite walk an index
    # on it (in group order) over the whole table instead of the period's covering index.
    groups = {f"g{index}": F(dimension) + 0 for index, dimension in enumerate(dimensions)}
    for queryset in the_plan.querysets:
        rows: Any = queryset.values(**groups).annotate(**raw_aggregates(the_plan.period_end))
        for row in rows:
            for index, dimension in enumerate(dimensions):
                add(dimension, row[f"g{index}"], row)
    for dimension in dimensions:
        summary = the_plan.summary(dimension)
        if summary is not None:
            sums = {f"{name}_sum": the_plan.sum_of(name) for name in COUNTS}
            for row in summary.values(group=F(dimension)).annotate(**sums):
                add(dimension, row["group"], row, "_sum")
    if the_plan.not_yet_due is not None:
        # Counted here, not by GROUP BY, which would make SQLite read the whole table in
        # the order of an index on the dimension rather than the few open reports.
        for values in the_plan.not_yet_due.values_list(*dimensions):
            for dimension, value in zip(dimensions, values, strict=True):
                result[dimension][value][COUNTS.index("overdue")] -= 1
    return {dimension: dict(groups) for dimension, groups in result.items()}


def hours_histogram(the_plan: Plan) -> list[int]:
    """Reports completed by the end of the period per bucket of hours to completion."""
    counts = [0] * len(BUCKETS)
    querysets = the_plan.querysets
    summary = the_plan.summary()
    if summary is not None and the_plan.last_month is not None:
        # The buckets hold final completions: the last two months are read row by row
        # (all their reports, on the covering index; the late ones not twice).
        before = (the_plan.last_month - timedelta(days=1)).replace(day=1)
        first = max(before, (the_plan.summary_months or (before,))[0])
        summary = summary.filter(month__lt=before)
        querysets = [
            queryset.filter(received_at__lt=start_of(first))
            if queryset is the_plan.late
            else queryset
            for queryset in querysets
        ]
        querysets.append(
            Report.objects.filter(
                the_plan.dimension_q(),
                received_at__gte=start_of(first),
                received_at__lt=the_plan.period_end,
            ).order_by()
        )
    for queryset in querysets:
        rows = (
            queryset.filter(completed_at__lt=the_plan.period_end, completion_bucket__isnull=False)
            .values("completion_bucket")
            .annotate(count=Count("id"))
            .values_list("completion_bucket", "count")
        )
        for bucket, count in rows:
            counts[bucket or 0] += count
    if summary is not None:
        sums = summary.aggregate(**{name: Sum(name) for name in BUCKETS})
        for index, name in enumerate(BUCKETS):
            counts[index] += sums[name] or 0
    return counts


def median_from_histogram(counts: list[int]) -> float | None:
    """The median hours, interpolated linearly inside its bucket (one decimal)."""
    total = sum(counts)
    if not total:
        return None

    def value_at(rank: int) -> float:
        below = 0
        for index, count in enumerate(counts):
            if rank < below + count:
                low = HOUR_EDGES[index - 1] if index else 0
                high = HOUR_EDGES[index] if index < len(HOUR_EDGES) else low
                return low + (high - low) * (rank - below + 0.5) / count
            below += count
        return float(HOUR_EDGES[-1])

    return round((value_at((total - 1) // 2) + value_at(total // 2)) / 2, 1)


def monthly(the_plan: Plan, *, start: date, end: date) -> dict[date, list[int]]:
    """Per month of the period: [received, completed in that month by the end]."""
    months = []
    month = start.replace(day=1)
    while month <= end:
        months.append(month)
        month = _next_month(month)
    result = {month: [0, 0] for month in months}
    period_start = start_of(start)
    for queryset, first_day in the_plan.raw:
        aggregates: dict[str, Any] = {}
        for index, month in enumerate(months):
            if _next_month(month) <= first_day:
                continue
            low, high = max(start_of(month), period_start), start_of(_next_month(month))
            aggregates[f"r{index}"] = Count(
                "id", filter=Q(received_at__gte=low, received_at__lt=high)
            )
            aggregates[f"c{index}"] = Count(
                "id",
                filter=Q(completed_at__gte=low, completed_at__lt=min(high, the_plan.period_end)),
            )
        row = queryset.aggregate(**aggregates)
        for index, month in enumerate(months):
            result[month][0] += row.get(f"r{index}", 0)
            result[month][1] += row.get(f"c{index}", 0)
    summary = the_plan.summary()
    if summary is not None:
        months_rows = summary.values("month").annotate(
            received_sum=Sum("received"),
            m0=Sum("completed_m0"),
            m1=Sum("completed_m1"),
            m2=Sum("completed_m2"),
        )
        for month_row in months_rows:
            month = month_row["month"]
            result[month][0] += month_row["received_sum"]
            for completed in (month_row["m0"], month_row["m1"], month_row["m2"]):
                if month in result:
                    result[month][1] += completed
                month = _next_month(month)
    return result
