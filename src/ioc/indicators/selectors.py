"""Reads of the indicators app: the catalogue, reporting units, exported values.

Figures (aggregated values, year to date, targets, status) are in analytics.py.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.db.models import QuerySet

from ioc.core.access import restrict
from ioc.core.periods import Period
from ioc.geo.choices import Structure
from ioc.indicators.hierarchy import Hierarchy, Unit
from ioc.indicators.models import DataSet, DataValue, Indicator, plain_decimal


def _is_api_key(viewer: Any) -> bool:
    return viewer is not None and hasattr(viewer, "key_hash")


def indicators_list(
    *, viewer: Any = None, sector: str | None = None, active_only: bool = True
) -> QuerySet[Indicator]:
    """The catalogue a viewer may see: a user through restrict(); an API key of scope
    `indicators` (a machine of the deployment) the whole catalogue; nobody the public part."""
    queryset: QuerySet[Indicator] = Indicator.objects.select_related("sector", "source_agency")
    if not _is_api_key(viewer):
        queryset = restrict(queryset, viewer, "view")
    if active_only:
        queryset = queryset.filter(is_active=True)
    if sector:
        queryset = queryset.filter(sector__code=sector)
    return queryset.order_by("sector__order", "code")


def indicator_by_code(*, code: str, viewer: Any = None) -> Indicator | None:
    return indicators_list(viewer=viewer, active_only=False).filter(code=code).first()


def writable_indicator_ids(*, actor: Any) -> set[int] | None:
    """Indicators whose values an actor may write; None means all of them.

    Administrators, operators and API keys without an agency write every indicator; agency
    staff and keys of an agency write the indicators their agency is the source of.
    """
    if _is_api_key(actor):
        if actor.agency_id is None:
            return None
        return set(
            Indicator.objects.filter(source_agency_id=actor.agency_id).values_list("pk", flat=True)
        )
    scope = actor.access_scope("add")
    if scope.everything or scope.is_admin:
        return None
    return set(
        Indicator.objects.filter(source_agency_id__in=scope.agency_ids).values_list("pk", flat=True)
    )


def export_code(unit: Unit) -> str:
    """The orgUnit code written in exports: bare for a current unit (how a bare code is
    resolved), prefixed (`legacy:22918`, `facility:BV-01`) otherwise, so a file re-imports."""
    return unit.code if unit.structure == Structure.CURRENT else unit.qualified_code


def data_values_export(
    *,
    viewer: Any,
    indicators: Iterable[Indicator],
    periods: Iterable[Period] = (),
    units: Iterable[Unit] = (),
    children: bool = False,
    hierarchy: Hierarchy,
    limit: int | None = None,
) -> list[dict[str, Any]]:
    """Values (not deleted) as DHIS2 `dataValues` items. `periods` match values whose period
    lies inside one of them (a year gives its months); `children` adds every unit whose
    values roll up to the given units (both structures, facilities)."""
    queryset: QuerySet[DataValue] = DataValue.objects.filter(
        indicator__in=list(indicators), deleted_at__isnull=True
    ).select_related("indicator")
    if not _is_api_key(viewer):
        queryset = restrict(queryset, viewer, "view")
    periods = list(periods)
    if periods:
        from django.db.models import Q

        window = Q(pk__in=[])
        for period in periods:
            window |= Q(period_start__gte=period.start, period_end__lte=period.end)
        queryset = queryset.filter(window)
    unit_ids: set[int] = set()
    for unit in units:
        unit_ids |= hierarchy.descendants(unit.org_unit_id) if children else {unit.org_unit_id}
    if unit_ids:
        queryset = queryset.filter(org_unit_id__in=unit_ids)
    queryset = queryset.order_by("indicator__code", "period_start", "org_unit_id")
    if limit:
        queryset = queryset[:limit]
    return [
        {
            "dataElement": value.indicator.code,
            "period": value.period,
            "orgUnit": export_code(hierarchy.units[value.org_unit_id]),
            "value": plain_decimal(value.value),
            "storedBy": value.stored_by,
            "lastUpdated": value.updated_at.isoformat(),
            "created": value.created_at.isoformat(),
            "comment": value.comment,
            "followup": value.followup,
            "status": value.status,
        }
        for value in queryset
    ]


# -- the staff pages' reads (views.py) ------------------------------------------------------


def values_list(
    *, viewer: Any, indicator: Indicator, period: Period, org_unit_ids: Iterable[int]
) -> QuerySet[DataValue]:
    """The values (not deleted) of an indicator inside a period for some units, newest
    first: the drill-down behind a dashboard figure, with who, when, source and status."""
    queryset: QuerySet[DataValue] = DataValue.objects.filter(
        indicator=indicator,
        deleted_at__isnull=True,
        period_start__gte=period.start,
        period_end__lte=period.end,
        org_unit_id__in=list(org_unit_ids),
    ).select_related("batch")
    return restrict(queryset, viewer, "view").order_by("-period_start", "org_unit_id")


def reporting_status(
    *, indicators: Iterable[Indicator], period: Period
) -> dict[int, tuple[int, int]]:
    """Completeness of a period by values: for each reporting unit expected to report,
    (values reported, values expected). A unit is expected to report an indicator when
    a data set holding it is assigned to the unit; an indicator in no data set, when the
    unit reported it for the period before or the same period last year (a guess from
    the history, kept only for those)."""
    indicators = list(indicators)
    if not indicators:
        return {}
    ids = {indicator.pk for indicator in indicators}
    data_set_indicators: dict[int, set[int]] = {}
    for data_set_id, indicator_id in DataSet.indicators.through.objects.filter(
        dataset__is_active=True, indicator_id__in=ids
    ).values_list("dataset_id", "indicator_id"):
        data_set_indicators.setdefault(data_set_id, set()).add(indicator_id)
    in_data_sets = {pk for members in data_set_indicators.values() for pk in members}
    assigned = {
        (org_unit_id, indicator_id)
        for data_set_id, org_unit_id in DataSet.org_units.through.objects.filter(
            dataset_id__in=data_set_indicators, dataset__period_type=period.type
        ).values_list("dataset_id", "orgunit_id")
        for indicator_id in data_set_indicators[data_set_id]
    }
    earlier = [period.previous().id, period.same_period_last_year().id]
    guessed = set(
        DataValue.objects.filter(
            indicator__in=[i for i in indicators if i.pk not in in_data_sets],
            period__in=earlier,
            deleted_at__isnull=True,
        ).values_list("org_unit_id", "indicator_id")
    )
    reported_keys = set(
        DataValue.objects.filter(
            indicator__in=indicators, period=period.id, deleted_at__isnull=True
        ).values_list("org_unit_id", "indicator_id")
    )
    status: dict[int, list[int]] = {}
    for org_unit_id, _indicator_id in assigned | guessed | reported_keys:
        status.setdefault(org_unit_id, [0, 0])[1] += 1
    for org_unit_id, _indicator_id in reported_keys:
        status[org_unit_id][0] += 1
    return {key: (reported, expected) for key, (reported, expected) in status.items()}
