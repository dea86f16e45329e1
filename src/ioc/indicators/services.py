"""Writes of the indicators app: the catalogue, facilities, data values, targets, aggregates.

Every change of a counted value updates the aggregates in the same transaction
(aggregation.py), so a new figure reaches every dashboard as soon as it is committed.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from typing import Any

from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ValidationError
from django.db import connection, transaction
from django.forms.models import model_to_dict
from django.utils import timezone
from django.utils.translation import gettext as _

from ioc.core.models import TimelineEvent
from ioc.core.periods import PeriodError
from ioc.core.services import timeline_record
from ioc.geo.models import AdminUnit
from ioc.indicators import aggregation
from ioc.indicators.alerts import rules_evaluate
from ioc.indicators.choices import (
    DataValueSource,
    DataValueStatus,
    ImportState,
    ImportStrategy,
    ValueType,
)
from ioc.indicators.formulas import FormulaError, is_constant_zero, operand_codes, parse_expression
from ioc.indicators.hierarchy import Hierarchy, UnitError, population_indicator_code
from ioc.indicators.locks import values_locked
from ioc.indicators.models import (
    VALUE_DIGITS,
    VALUE_PLACES,
    DataValue,
    DataValueImport,
    Facility,
    Indicator,
    OrgUnit,
    Target,
    plain_decimal,
)

# An import reports its progress every so many rows: (stage, rows done, rows in all).
Progress = Callable[[str, int, int], None]
PROGRESS_EVERY = 5000
IMPORT_CACHE_KIB = 65536  # SQLite page cache of a big import's connection
# DHIS2's identifiers of the default category option combination ("no disaggregation").
DEFAULT_COMBOS = frozenset({"", "default", "HllvX50cXC0", "bRowv6yZOF2"})
ID_SCHEMES = ("code",)
CATALOGUE_FIELDS = (
    "code",
    "name",
    "name_en",
    "sector",
    "unit",
    "value_type",
    "period_type",
    "area_aggregation",
    "time_aggregation",
    "direction",
    "decimals",
    "definition",
    "source_agency",
    "numerator",
    "denominator",
    "factor",
    "missing_values",
    "is_active",
    "is_public",
)


def _actor(actor: Any) -> tuple[Any, str]:
    """The user (or None) and a label for an actor: a user, an ApiKey, or None (system)."""
    if getattr(actor, "is_authenticated", False):
        return actor, actor.get_username()
    if actor is not None and hasattr(actor, "prefix"):
        return None, f"api-key:{actor.name}"[:150]
    return None, "system"


# -- the catalogue ----------------------------------------------------------------------


def indicator_formula_check(indicator: Indicator) -> None:
    """ValidationError naming the field when a computed indicator's formula is unusable:
    syntax (with the position), unknown codes, cycles, a constant zero denominator."""
    if not indicator.numerator.strip():
        if indicator.denominator.strip():
            raise ValidationError(
                {"numerator": _("A denominator needs a numerator: give both or neither.")}
            )
        return
    trees = {}
    for name in ("numerator", "denominator"):
        text = getattr(indicator, name)
        if name == "denominator" and not text.strip():
            continue
        try:
            trees[name] = parse_expression(text)
        except FormulaError as error:
            raise ValidationError({name: str(error)}) from error
    if "denominator" in trees and is_constant_zero(trees["denominator"]):
        raise ValidationError({"denominator": _("The denominator is always zero.")})
    if indicator.factor == 0:
        raise ValidationError({"factor": _("The factor must not be zero.")})
    graph = {
        code: operand_codes(parse_expression(numerator))
        + (operand_codes(parse_expression(denominator)) if denominator.strip() else [])
        for code, numerator, denominator in Indicator.objects.exclude(numerator="")
        .exclude(pk=indicator.pk)
        .values_list("code", "numerator", "denominator")
    }
    known = set(Indicator.objects.exclude(pk=indicator.pk).values_list("code", flat=True))
    own = []
    for name, tree in trees.items():
        codes = operand_codes(tree)
        unknown = [code for code in codes if code not in known and code != indicator.code]
        if unknown:
            raise ValidationError(
                {name: _("Unknown indicator codes: %(codes)s.") % {"codes": ", ".join(unknown)}}
            )
        own.extend(codes)
    graph[indicator.code] = own
    cycle = _find_cycle(graph, indicator.code)
    if cycle:
        raise ValidationError(
            {
                "numerator": _("The formula refers back to itself: %(cycle)s.")
                % {"cycle": " → ".join(cycle)}
            }
        )


def _find_cycle(graph: dict[str, list[str]], start: str) -> list[str] | None:
    path: list[str] = []
    done: set[str] = set()

    def visit(code: str) -> list[str] | None:
        if code in path:
            return [*path[path.index(code) :], code]
        if code in done:
            return None
        path.append(code)
        for child in graph.get(code, []):
            found = visit(child)
            if found:
                return found
        path.pop()
        done.add(code)
        return None

    return visit(start)


def _catalogue_snapshot(indicator: Indicator) -> dict[str, Any]:
    data = model_to_dict(indicator, fields=CATALOGUE_FIELDS)
    return {
        key: plain_decimal(value) if isinstance(value, Decimal) else value
        for key, value in data.items()
    }


@transaction.atomic
def indicator_create(*, actor: Any = None, **fields: Any) -> Indicator:
    """Add an indicator to the catalogue (validated, formula included) and record it."""
    indicator = Indicator(**fields)
    indicator.full_clean()
    indicator_formula_check(indicator)
    indicator.save()
    user, label = _actor(actor)
    timeline_record(
        target=indicator,
        actor=user,
        actor_label=label,
        verb="indicator_created",
        data={"after": _catalogue_snapshot(indicator)},
    )
    return indicator


@transaction.atomic
def indicator_update(*, indicator: Indicator, actor: Any = None, **changes: Any) -> Indicator:
    """Change catalogue fields; the timeline keeps the fields before and after.

    Changing how values aggregate rebuilds the indicator's aggregates in the same transaction.
    """
    current = Indicator.objects.select_for_update().get(pk=indicator.pk)
    before = _catalogue_snapshot(current)
    for name, value in changes.items():
        if name not in CATALOGUE_FIELDS:
            raise ValueError(f"{name!r} is not a catalogue field")
        setattr(indicator, name, value)
    indicator.full_clean()
    indicator_formula_check(indicator)
    has_values = DataValue.objects.filter(indicator=indicator).exists()
    if has_values and before["period_type"] != indicator.period_type:
        raise ValidationError(
            {"period_type": _("The indicator has values: its period type cannot change.")}
        )
    if has_values and indicator.is_computed:
        raise ValidationError(
            {"numerator": _("The indicator has values: it cannot become a computed one.")}
        )
    operand = f"#{{{before['code']}}}"
    if before["code"] != indicator.code and (
        Indicator.objects.filter(numerator__contains=operand).exists()
        or Indicator.objects.filter(denominator__contains=operand).exists()
    ):
        raise ValidationError(
            {"code": _("Other indicators' formulas use this code: change them first.")}
        )
    indicator.save()
    after = _catalogue_snapshot(indicator)
    changed = {key: [before[key], after[key]] for key in after if before[key] != after[key]}
    if changed:
        user, label = _actor(actor)
        timeline_record(
            target=indicator,
            actor=user,
            actor_label=label,
            verb="indicator_changed",
            data={"before": before, "after": after, "changed": sorted(changed)},
        )
    if {"area_aggregation", "time_aggregation"} & set(changed):
        aggregates_rebuild(indicator=indicator)
    return indicator


@transaction.atomic
def facility_create(*, actor: Any = None, **fields: Any) -> Facility:
    """Add a facility (hospital, school...) and its reporting unit."""
    facility = Facility(**fields)
    facility.full_clean()
    facility.save()
    OrgUnit.objects.create(facility=facility)
    user, label = _actor(actor)
    timeline_record(
        target=facility,
        actor=user,
        actor_label=label,
        verb="facility_created",
        data={"code": facility.code, "commune": facility.commune.code},
    )
    return facility


def org_unit_for(unit: AdminUnit | Facility) -> OrgUnit:
    """The reporting unit of an administrative unit or a facility (made if missing)."""
    if isinstance(unit, Facility):
        return OrgUnit.objects.get_or_create(facility=unit)[0]
    return OrgUnit.objects.get_or_create(admin_unit=unit)[0]


@transaction.atomic
def target_set(
    *, indicator: Indicator, org_unit: OrgUnit, year: int, value: Decimal, actor: Any = None
) -> Target:
    """Set the plan (kế hoạch) of an indicator for a unit and a year."""
    target, _created = Target.objects.update_or_create(
        indicator=indicator, org_unit=org_unit, year=year, defaults={"value": Decimal(value)}
    )
    user, label = _actor(actor)
    timeline_record(
        target=indicator,
        actor=user,
        actor_label=label,
        verb="target_set",
        data={"org_unit": org_unit.pk, "year": year, "value": str(target.value)},
    )
    return target


@transaction.atomic
def aggregates_rebuild(*, indicator: Indicator | None = None) -> int:
    """Recompute the aggregates of one indicator (or all) from their values; rows written.

    Not needed in normal operation (writes keep them current): a repair and a check.
    """
    from ioc.indicators.models import Aggregate

    hierarchy = Hierarchy.load()
    indicators = [indicator] if indicator else list(Indicator.objects.filter(numerator=""))
    written = 0
    for item in indicators:
        Aggregate.objects.filter(indicator=item).delete()
        rows = aggregation.aggregates_from_scratch(item, hierarchy)
        aggregation.aggregates_apply(rows)
        written += len(rows)
    return written


# -- data values ------------------------------------------------------------------------


@dataclass(slots=True)
class ImportRow:
    """One value as a parser read it; `row` and `columns` name it in error messages."""

    data_element: str
    period: str
    org_unit: str
    value: str | None
    category_option_combo: str = ""
    attribute_option_combo: str = ""
    stored_by: str = ""
    comment: str = ""
    followup: bool = False
    row: int = 0
    columns: dict[str, str] = field(default_factory=dict)

    def column(self, name: str) -> str:
        return self.columns.get(name, name)


@dataclass(frozen=True)
class Conflict:
    """DHIS2's conflict (`object`, `value`: the message with its row and column), plus the
    row, the column and the bare message (what a form shows beside the field)."""

    object: str
    value: str
    row: int = 0
    column: str = ""
    message: str = ""

    def as_dhis2(self) -> dict[str, Any]:
        return {"object": self.object, "value": self.value, "row": self.row, "column": self.column}


@dataclass
class ImportSummary:
    """DHIS2's import summary."""

    status: str = "SUCCESS"
    imported: int = 0
    updated: int = 0
    ignored: int = 0
    deleted: int = 0
    conflicts: list[Conflict] = field(default_factory=list)
    dry_run: bool = False
    strategy: str = ImportStrategy.CREATE_AND_UPDATE
    import_id: int | None = None

    def as_dhis2(self) -> dict[str, Any]:
        return {
            "responseType": "ImportSummary",
            "status": self.status,
            "importOptions": {"dryRun": self.dry_run, "importStrategy": self.strategy},
            "description": _("Import done.")
            if self.status == "SUCCESS"
            else _("Nothing was imported: correct the conflicts and send the file again."),
            "importCount": {
                "imported": self.imported,
                "updated": self.updated,
                "ignored": self.ignored,
                "deleted": self.deleted,
            },
            "conflicts": [conflict.as_dhis2() for conflict in self.conflicts],
        }


class DataValueError(ValueError):
    """Values that cannot be written; `errors` maps each field (indicator, period, org_unit,
    value) to its message, as a form shows them, and `by_row` does so for each value of a
    batch (data_values_set), by its position from 1."""

    def __init__(self, conflicts: list[Conflict]) -> None:
        self.conflicts = conflicts
        self.errors = _field_errors(conflicts)
        rows: dict[int, list[Conflict]] = defaultdict(list)
        for conflict in conflicts:
            rows[conflict.row].append(conflict)
        self.by_row = {row: _field_errors(rows[row]) for row in sorted(rows)}
        super().__init__("; ".join(f"{field}: {text}" for field, text in self.errors.items()))


def _field_errors(conflicts: list[Conflict]) -> dict[str, str]:
    return {c.column or "value": c.message or c.value for c in conflicts}


_MAX_INTEGER_DIGITS = VALUE_DIGITS - VALUE_PLACES


def parse_value(text: str, value_type: str, *, shown: str | None = None) -> Decimal:
    """The Decimal of a value of this type (locale-independent: "1250.5"), or ValueError
    with a message for the user naming `shown` (what was typed; else `text`)."""
    cleaned = text.strip()
    value = {"value": text if shown is None else shown}
    try:
        number = Decimal(cleaned)
    except InvalidOperation:
        raise ValueError(_("“%(value)s” is not a number.") % value) from None
    if not number.is_finite():
        raise ValueError(_("“%(value)s” is not a number.") % value)
    if number.adjusted() >= _MAX_INTEGER_DIGITS:
        raise ValueError(_("“%(value)s” is too large.") % value)
    if value_type.startswith("INTEGER") and number != number.to_integral_value():
        raise ValueError(_("“%(value)s” is not a whole number.") % value)
    if value_type == ValueType.INTEGER_POSITIVE and number <= 0:
        raise ValueError(_("“%(value)s” must be greater than zero.") % value)
    if value_type == ValueType.INTEGER_ZERO_OR_POSITIVE and number < 0:
        raise ValueError(_("“%(value)s” must not be negative.") % value)
    if value_type == ValueType.PERCENTAGE and not 0 <= number <= 100:
        raise ValueError(_("“%(value)s” is not a percentage between 0 and 100.") % value)
    if value_type == ValueType.UNIT_INTERVAL and not 0 <= number <= 1:
        raise ValueError(_("“%(value)s” is not between 0 and 1.") % value)
    return number.quantize(aggregation.QUANTUM)


@dataclass(slots=True)
class _Planned:
    row: ImportRow
    indicator: Indicator
    org_unit_id: int
    period: str
    value: Decimal | None  # None: delete
    key: tuple[int, int, str] = field(init=False)  # (indicator id, org unit id, period)

    def __post_init__(self) -> None:
        # `indicator.id` is a plain attribute; `.pk` a property (hot loops read the key).
        self.key = (self.indicator.id, self.org_unit_id, self.period)


def data_values_import(
    *,
    rows: list[ImportRow],
    strategy: str = ImportStrategy.CREATE_AND_UPDATE,
    dry_run: bool = False,
    actor: Any = None,
    id_scheme: str = "code",
    structure: str | None = None,
    source: str = DataValueSource.IMPORT,
    file_format: str = "json",
    job: DataValueImport | None = None,
    progress: Progress | None = None,
) -> ImportSummary:
    """Import values with DHIS2's semantics; all or nothing.

    Every row is checked first; any conflict (unknown data element or unit, a malformed or
    non-existent period, a value of the wrong type, the same key twice...) means nothing
    is written and the summary lists every conflict with its row and column. `dry_run`
    checks and counts but writes nothing. `structure` says how bare unit codes resolve
    (hierarchy.Hierarchy.resolve).

    A background import (import_jobs.py) passes its queued `job`: the values point to it,
    and it is marked done in the same transaction. `progress(stage, done, total)` is
    called every PROGRESS_EVERY rows ("checking", "writing") and once at "aggregating".
    """
    summary = ImportSummary(dry_run=dry_run, strategy=strategy)
    if strategy not in ImportStrategy.values():
        summary.status = "ERROR"
        summary.conflicts.append(
            Conflict(
                strategy,
                _("Unknown import strategy “%(strategy)s”: use %(choices)s.")
                % {"strategy": strategy, "choices": ", ".join(ImportStrategy.values())},
                column="importStrategy",
            )
        )
        return summary
    if id_scheme.lower() not in ID_SCHEMES:
        summary.status = "ERROR"
        summary.conflicts.append(
            Conflict(
                id_scheme,
                _("Only idScheme=code is supported (indicators and units have no DHIS2 uids)."),
                column="idScheme",
            )
        )
        return summary
    if connection.vendor == "sqlite" and len(rows) > PROGRESS_EVERY:
        # A big import touches many index pages: SQLite's default 2 MB page cache makes
        # it re-read them (about 5 % of the time at 100,000 values). For this connection.
        with connection.cursor() as cursor:
            cursor.execute(f"PRAGMA cache_size = -{IMPORT_CACHE_KIB}")
    with transaction.atomic():
        # A dry run may add the missing OrgUnit rows of admin units, then rolls them back.
        hierarchy = Hierarchy.load()
        planned = _plan(rows, strategy, hierarchy, structure, summary, progress=progress)
        _lock_conflicts(planned, hierarchy, summary)
        if not summary.conflicts:
            existing = _existing(planned)
            writes = _classify(planned, existing, strategy, summary)
        if summary.conflicts:
            # All or nothing (DHIS2's atomicMode=ALL): every row is ignored.
            summary.status = "ERROR"
            summary.imported = summary.updated = summary.deleted = 0
            summary.ignored = len(rows)
        if summary.conflicts or dry_run:
            transaction.set_rollback(True)
            return summary
        counts = {
            "status": summary.status,
            "imported": summary.imported,
            "updated": summary.updated,
            "ignored": summary.ignored,
            "deleted": summary.deleted,
        }
        if job is None:
            user, label = _actor(actor)
            batch = DataValueImport.objects.create(
                created_by=user,
                actor_label=label,
                file_format=file_format,
                strategy=strategy,
                dry_run=False,
                rows_total=len(rows),
                **counts,
            )
        else:
            # Marked done with the values: a crash before the commit leaves it running.
            user, label = job.created_by, job.actor_label
            batch = job
            finished = {"state": ImportState.DONE, "finished_at": timezone.now(), **counts}
            DataValueImport.objects.filter(pk=job.pk).update(**finished)
            for name, value in finished.items():
                setattr(job, name, value)
        _write(
            writes,
            existing,
            hierarchy,
            batch=batch,
            source=source,
            stored_by=label,
            progress=progress,
        )
        summary.import_id = batch.pk
        timeline_record(
            target=batch,
            actor=user,
            actor_label=label,
            verb="data_values_imported",
            data=summary.as_dhis2()["importCount"],
        )
    return summary


def _plan(
    rows: list[ImportRow],
    strategy: str,
    hierarchy: Hierarchy,
    structure: str | None,
    summary: ImportSummary,
    *,
    progress: Progress | None = None,
) -> list[_Planned]:
    indicators = {item.code: item for item in Indicator.objects.all()}
    seen: dict[tuple[int, int, str], int] = {}
    planned: list[_Planned] = []
    units: dict[str, Any] = {}
    conflicts = summary.conflicts

    def conflict(row: ImportRow, column: str, obj: str, message: str) -> None:
        where = _("Row %(row)d, column %(column)s") % {
            "row": row.row,
            "column": row.column(column),
        }
        conflicts.append(
            Conflict(obj, f"{where}: {message}", row.row, row.column(column), str(message))
        )

    # What depends only on a cell's text is checked once per distinct text: a file repeats
    # the same few indicators, periods and units over thousands of rows.
    indicator_checks: dict[str, tuple[Indicator | None, str]] = {}
    period_checks: dict[tuple[str, int], tuple[Any, str]] = {}
    unit_errors: dict[str, str] = {}
    parsed: dict[tuple[str, str], Decimal] = {}  # the same figures recur (0, 1, 2...)
    deleting = strategy == ImportStrategy.DELETE
    for first in range(0, len(rows), PROGRESS_EVERY):
        if progress is not None:
            progress("checking", first, len(rows))
        for row in rows[first : first + PROGRESS_EVERY]:
            element = row.data_element
            checked = indicator_checks.get(element)
            if checked is None:
                checked = indicator_checks[element] = _indicator_check(indicators, element)
            indicator, message = checked
            if indicator is None:
                conflict(row, "data_element", element, message)
                continue
            period_text = row.period
            period_key = (period_text, indicator.id)
            period_checked = period_checks.get(period_key)
            if period_checked is None:
                period_checked = period_checks[period_key] = _period_check(period_text, indicator)
            own_period, message = period_checked
            if own_period is None:
                conflict(row, "period", str(period_text), message)
                continue
            code = row.org_unit
            unit = units.get(code)
            if unit is None:
                if code in unit_errors:
                    conflict(row, "org_unit", row.org_unit, unit_errors[code])
                    continue
                try:
                    unit = units[code] = hierarchy.resolve(
                        (code or "").strip(), structure=structure
                    )
                except UnitError as error:
                    unit_errors[code] = str(error)
                    conflict(row, "org_unit", row.org_unit, str(error))
                    continue
            if unit.valid_to is not None and own_period.start > unit.valid_to:
                conflict(
                    row,
                    "org_unit",
                    row.org_unit,
                    _(
                        "“%(code)s” existed only until %(day)s: report %(period)s for the unit "
                        "that succeeded it."
                    )
                    % {
                        "code": unit.qualified_code,
                        "day": f"{unit.valid_to:%d/%m/%Y}",
                        "period": own_period.id,
                    },
                )
                continue
            if (
                row.category_option_combo not in DEFAULT_COMBOS
                or row.attribute_option_combo not in DEFAULT_COMBOS
            ):
                for name in ("category_option_combo", "attribute_option_combo"):
                    if getattr(row, name).strip() not in DEFAULT_COMBOS:
                        conflict(
                            row,
                            name,
                            getattr(row, name),
                            _("Disaggregations (category option combinations) are not supported."),
                        )
            value: Decimal | None = None
            text = "" if row.value is None else str(row.value)
            # A deletion carries no value to check; each distinct text is parsed once.
            key = (text, indicator.value_type)
            if not deleting and key in parsed:
                value = parsed[key]
            elif not deleting and text.strip():
                try:
                    value = parsed[key] = parse_value(text, indicator.value_type)
                except ValueError as error:
                    conflict(row, "value", text, str(error))
                    continue
            item = _Planned(row, indicator, unit.org_unit_id, own_period.id, value)
            earlier = seen.get(item.key)
            if earlier is not None:
                conflict(
                    row,
                    "org_unit",
                    f"{indicator.code}/{own_period.id}/{unit.code}",
                    _("the same indicator, period and unit as row %(first)d.") % {"first": earlier},
                )
                continue
            seen[item.key] = row.row
            planned.append(item)
    return planned


def _indicator_check(
    indicators: dict[str, Indicator], element: str
) -> tuple[Indicator | None, str]:
    """The indicator a dataElement cell names if values of it may be imported, else None
    and the message."""
    indicator = indicators.get((element or "").strip())
    if indicator is None:
        return None, _("“%(code)s” is not an indicator of the catalogue.") % {"code": element}
    if indicator.is_computed:
        message = _("“%(code)s” is computed by a formula: its values cannot be imported.")
        return None, message % {"code": indicator.code}
    if not indicator.is_active:
        return None, _("“%(code)s” is not active.") % {"code": indicator.code}
    return indicator, ""


def _period_check(text: str, indicator: Indicator) -> tuple[Any, str]:
    """The period a cell names if it is of the indicator's type, else None and the message."""
    try:
        own_period = aggregation.period(text.strip())
    except (PeriodError, AttributeError) as error:
        return None, str(error)
    if own_period.type != indicator.period_type:
        message = _("“%(period)s” is not a %(type)s period, as %(code)s is collected.") % {
            "period": text,
            "type": indicator.get_period_type_display(),
            "code": indicator.code,
        }
        return None, message
    return own_period, ""


def _lock_conflicts(planned: list[_Planned], hierarchy: Hierarchy, summary: ImportSummary) -> None:
    """A conflict naming each planned value that may no longer change: its data set's
    report is approved, or the data set's period lock has closed the period (locks.py)."""
    locked = values_locked((item.indicator.pk, item.org_unit_id, item.period) for item in planned)
    if not locked:
        return
    for item in planned:
        lock = locked.get((item.indicator.pk, item.org_unit_id, item.period))
        if lock is None:
            continue
        unit = hierarchy.units[item.org_unit_id]
        value_name = f"{item.indicator.code}/{item.period}/{unit.qualified_code}"
        message = lock.message(value_name)
        where = _("Row %(row)d, column %(column)s") % {
            "row": item.row.row,
            "column": item.row.column("value"),
        }
        summary.conflicts.append(
            Conflict(
                value_name, f"{where}: {message}", item.row.row, item.row.column("value"), message
            )
        )


@dataclass(slots=True)
class _Stored:
    """What the import needs of a value already in the database."""

    id: int
    value: Decimal
    status: str
    deleted_at: Any

    @property
    def counts(self) -> bool:
        return self.deleted_at is None and self.status in DataValueStatus.COUNTED


def _existing(planned: list[_Planned]) -> dict[tuple[int, int, str], _Stored]:
    if not planned:
        return {}
    keys = {p.key for p in planned}
    values = DataValue.objects.filter(
        indicator_id__in={k[0] for k in keys}, period__in={k[2] for k in keys}
    )
    units = {k[1] for k in keys}
    if len(units) < 500:
        # A form (one unit) reads its own values, not every unit's of its indicators.
        values = values.filter(org_unit_id__in=units)
    rows = values.values_list(
        "id", "indicator_id", "org_unit_id", "period", "value", "status", "deleted_at"
    )
    found = {}
    for pk, indicator_id, org_unit_id, period_id, value, status, deleted_at in rows.iterator(
        chunk_size=10000
    ):
        key = (indicator_id, org_unit_id, period_id)
        if key in keys:
            found[key] = _Stored(pk, value, status, deleted_at)
    return found


def _classify(
    planned: list[_Planned],
    existing: dict[tuple[int, int, str], _Stored],
    strategy: str,
    summary: ImportSummary,
) -> list[_Planned]:
    """Count what each row does under the strategy; returns the rows that write."""
    writes = []
    for item in planned:
        current = existing.get(item.key)
        live = current is not None and current.deleted_at is None
        if current is not None and live and current.status == DataValueStatus.APPROVED:
            summary.conflicts.append(
                Conflict(
                    f"{item.indicator.code}/{item.period}",
                    _("Row %(row)d: the value is approved and locked; it cannot be changed.")
                    % {"row": item.row.row},
                    item.row.row,
                    item.row.column("value"),
                )
            )
            continue
        deleting = strategy == ImportStrategy.DELETE or item.value is None
        if deleting:
            if live:
                summary.deleted += 1
                item.value = None
                writes.append(item)
            else:
                summary.ignored += 1
        elif (strategy == ImportStrategy.CREATE and live) or (
            strategy == ImportStrategy.UPDATE and not live
        ):
            summary.ignored += 1
        elif live:
            summary.updated += 1
            writes.append(item)
        else:
            summary.imported += 1
            writes.append(item)
    return writes


def _counted(value: _Stored | None) -> Decimal | None:
    return value.value if value is not None and value.counts else None


_INSERTED = (
    "indicator_id",
    "org_unit_id",
    "period",
    "period_type",
    "period_start",
    "period_end",
    "created_at",
)
_UPDATED = (
    "value",
    "status",
    "source",
    "stored_by",
    "comment",
    "followup",
    "batch_id",
    "updated_at",
    "deleted_at",
)


def _write(
    writes: list[_Planned],
    existing: dict[tuple[int, int, str], _Stored],
    hierarchy: Hierarchy,
    *,
    batch: DataValueImport | None,
    source: str,
    stored_by: str,
    status: str = DataValueStatus.SUBMITTED,
    progress: Progress | None = None,
) -> None:
    """Write the values and their aggregate differences, in the caller's transaction.

    Plain prepared statements run for all rows (executemany): building model instances
    and Django's bulk_update (a CASE per field and row) cost more than the database.
    """
    ops = connection.ops
    now = timezone.now()
    db_now = ops.adapt_datetimefield_value(now)
    batch_id = batch.pk if batch else None
    vendor = connection.vendor
    changes = []
    inserts: list[list] = []
    updates: list[list] = []
    deletes: list[list] = []
    counted = status in DataValueStatus.COUNTED
    change = aggregation.Change
    adapt = ops.adapt_decimalfield_value
    for item in writes:
        key = item.key
        current = existing.get(key)
        new_counted = item.value if counted else None
        old_counted = None if current is None else _counted(current)
        changes.append(change(key[0], key[1], key[2], old_counted, new_counted))
        if item.value is None:
            if current is not None:
                deletes.append([db_now, batch_id, db_now, current.id])
            continue
        fields = [
            adapt(item.value),
            status,
            source,
            (item.row.stored_by or stored_by)[:150],
            item.row.comment,
            item.row.followup,
            batch_id,
            db_now,
            None,
        ]
        if current is None:
            inserts.append(
                [
                    key[0],
                    key[1],
                    item.period,
                    *aggregation.period_columns(item.period, vendor),
                    db_now,
                    *fields,
                ]
            )
        else:
            updates.append([*fields, current.id])
    indicators = {item.key[0]: item.indicator for item in writes}
    before = aggregation.existing_values(
        {(c.indicator_id, c.org_unit_id) for c in changes}, {c.period for c in changes}
    )
    row_deltas = aggregation.deltas(
        changes, indicators=indicators, hierarchy=hierarchy, existing=before
    )
    table = ops.quote_name(DataValue._meta.db_table)
    columns = ", ".join(ops.quote_name(name) for name in (*_INSERTED, *_UPDATED))
    marks = ", ".join(["%s"] * (len(_INSERTED) + len(_UPDATED)))
    assignments = ", ".join(f"{ops.quote_name(name)} = %s" for name in _UPDATED)
    statements = (
        (f"INSERT INTO {table} ({columns}) VALUES ({marks})", inserts),  # noqa: S608
        (f"UPDATE {table} SET {assignments} WHERE id = %s", updates),  # noqa: S608
        (
            f"UPDATE {table} SET deleted_at = %s, batch_id = %s, updated_at = %s "  # noqa: S608
            "WHERE id = %s",
            deletes,
        ),
    )
    done, total = 0, len(writes)
    with connection.cursor() as cursor:
        for sql, params in statements:
            for start in range(0, len(params), PROGRESS_EVERY):
                chunk = params[start : start + PROGRESS_EVERY]
                cursor.executemany(sql, chunk)
                done += len(chunk)
                if progress is not None:
                    progress("writing", done, total)
    if progress is not None:
        progress("aggregating", total, total)
    aggregation.aggregates_apply(row_deltas)
    aggregation.derived_refresh(changes, indicators, hierarchy)
    population = population_indicator_code()
    reweighted = {c.org_unit_id for c in changes if indicators[c.indicator_id].code == population}
    if reweighted:
        # The weights of population-weighted averages changed for these units.
        aggregation.population_reweight(hierarchy, reweighted)
    touched: dict[int, set[tuple[int, str]]] = defaultdict(set)
    for indicator_id, org_unit_id, period_id in row_deltas:
        touched[indicator_id].add((org_unit_id, period_id))
    rules_evaluate(touched)


@dataclass(frozen=True)
class ValueInput:
    """One value to write (data_values_set): None or "" deletes it."""

    indicator: Indicator
    org_unit: OrgUnit
    period: str
    value: Decimal | int | str | None
    comment: str = ""


def data_value_set(
    *,
    indicator: Indicator,
    org_unit: OrgUnit,
    period: str,
    value: Decimal | int | str | None,
    status: str = DataValueStatus.SUBMITTED,
    source: str = DataValueSource.FORM,
    comment: str = "",
    actor: Any = None,
    hierarchy: Hierarchy | None = None,
) -> DataValue | None:
    """Write one value (None or "" deletes it), with its status; DataValueError naming the
    field when it cannot be written. Returns the value (None after a delete). A form's
    several values go together through data_values_set."""
    value_input = ValueInput(indicator, org_unit, period, value, comment)
    return data_values_set(
        values=[value_input],
        status=status,
        source=source,
        actor=actor,
        hierarchy=hierarchy,
    )[0]


@transaction.atomic
def data_values_set(
    *,
    values: list[ValueInput],
    status: str = DataValueStatus.SUBMITTED,
    source: str = DataValueSource.FORM,
    actor: Any = None,
    hierarchy: Hierarchy | None = None,
) -> list[DataValue | None]:
    """Write a form's values, all or nothing, through the import's path: checked together
    (one lock check), written with one aggregate update, the threshold rules evaluated
    once, and a timeline event for each value. DataValueError names every field that
    cannot be written (`by_row`: by position in `values`, from 1); nothing is then written.
    Returns each value's record (None: deleted, or there was nothing to delete)."""
    if status not in DataValueStatus.values():
        raise ValueError(f"Unknown status {status!r}")
    if not values:
        return []
    hierarchy = hierarchy or Hierarchy.load()
    rows = [
        ImportRow(
            data_element=item.indicator.code,
            period=item.period,
            org_unit=hierarchy.units[item.org_unit.pk].qualified_code,
            value="" if item.value is None else str(item.value),
            comment=item.comment,
            row=position,
            columns={"data_element": "indicator", "org_unit": "org_unit"},
        )
        for position, item in enumerate(values, start=1)
    ]
    summary = ImportSummary()
    planned = _plan(rows, ImportStrategy.CREATE_AND_UPDATE, hierarchy, None, summary)
    _lock_conflicts(planned, hierarchy, summary)
    refused = {conflict.row for conflict in summary.conflicts}
    planned = [item for item in planned if item.row.row not in refused]
    existing = _existing(planned)
    message = _("The value is approved and locked; it cannot be changed.")
    for item in planned:
        current = _live(existing.get(item.key))
        if current is not None and current.status == DataValueStatus.APPROVED:
            summary.conflicts.append(Conflict(item.period, message, item.row.row, "value", message))
    if summary.conflicts:
        raise DataValueError(sorted(summary.conflicts, key=lambda conflict: conflict.row))
    # Deleting a value that is not there writes nothing.
    writes = [
        item
        for item in planned
        if item.value is not None or _live(existing.get(item.key)) is not None
    ]
    user, label = _actor(actor)
    _write(writes, existing, hierarchy, batch=None, source=source, stored_by=label, status=status)
    records = _records(writes)
    TimelineEvent.objects.bulk_create(
        _value_event(item, existing.get(item.key), records[item.key], status, user, label)
        for item in writes
    )
    written = {item.row.row: records[item.key] for item in writes if item.value is not None}
    return [written.get(position) for position in range(1, len(values) + 1)]


def _value_event(
    item: _Planned, previous: _Stored | None, record: DataValue, status: str, user: Any, label: str
) -> TimelineEvent:
    """A value's timeline event (as timeline_record writes it), to insert with the others."""
    current = _live(previous)
    return TimelineEvent(
        content_type=ContentType.objects.get_for_model(DataValue),
        object_id=str(record.pk),
        actor=user,
        actor_label=label,
        verb="data_value_deleted" if item.value is None else "data_value_set",
        from_state="" if previous is None else previous.status,
        to_state="" if item.value is None else status,
        data={
            "before": None if current is None else str(current.value),
            "after": None if item.value is None else str(item.value),
        },
    )


def _live(stored: _Stored | None) -> _Stored | None:
    return stored if stored is not None and stored.deleted_at is None else None


def _records(writes: list[_Planned]) -> dict[tuple[int, int, str], DataValue]:
    """The written values' rows, for their timeline events (one query)."""
    if not writes:
        return {}
    keys = {item.key for item in writes}
    found = DataValue.objects.filter(
        indicator_id__in={key[0] for key in keys},
        org_unit_id__in={key[1] for key in keys},
        period__in={key[2] for key in keys},
    )
    records = {(r.indicator_id, r.org_unit_id, r.period): r for r in found}
    return {key: records[key] for key in keys}
