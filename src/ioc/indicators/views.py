"""Staff pages of the indicators: sector dashboards, drill-down to values, the catalogue,
data entry, completeness, imports and the monthly socio-economic report."""

from __future__ import annotations

import time
from decimal import Decimal
from pathlib import Path

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import UploadedFile
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.crypto import get_random_string
from django.utils.http import urlencode
from django.utils.translation import get_language, gettext_lazy, pgettext_lazy
from django.utils.translation import gettext as _

from ioc.accounts.choices import Role
from ioc.accounts.decorators import staff_required
from ioc.core.access import restrict
from ioc.core.filters import FilterError, parse_filters
from ioc.core.htmx import htmx_partial, render_page
from ioc.core.periods import Period, PeriodError, PeriodType, parse_period, period_for
from ioc.core.selectors import timeline_for
from ioc.geo.choices import Structure
from ioc.indicators import dashboards, dhis2, import_jobs
from ioc.indicators.choices import DataSetStatus, DataValueStatus, ImportState
from ioc.indicators.datasets import (
    DataSetError,
    data_set_approve,
    data_set_completeness,
    data_set_deadline,
    data_set_indicators,
    data_set_may,
    data_set_period,
    data_set_period_closed,
    data_set_report,
    data_set_save,
    data_set_unapprove,
    data_set_units,
    data_set_unlock,
    data_sets_list,
)
from ioc.indicators.forms import ImportForm, IndicatorForm
from ioc.indicators.hierarchy import Hierarchy, Unit, UnitError
from ioc.indicators.models import (
    DataSet,
    DataSetReport,
    DataValue,
    DataValueImport,
    Indicator,
    OrgUnit,
    Sector,
)
from ioc.indicators.selectors import (
    indicators_list,
    reporting_status,
    values_list,
    writable_indicator_ids,
)
from ioc.indicators.services import (
    Conflict,
    DataValueError,
    ImportSummary,
    data_value_set,
    data_values_import,
    indicator_create,
    indicator_update,
)

DASHBOARD_ROLES = Role.STAFF
ENTRY_ROLES = frozenset({Role.AGENCY_STAFF, Role.AGENCY_HEAD, Role.OPERATOR, Role.ADMIN})
ADMIN_ROLES = frozenset({Role.ADMIN})
VALUES_PER_PAGE = 100
HEADLINE_TILES = 8  # the first indicators get a tile with a sparkline; the rest a table
MAP_TRIES = 6
IMPORT_DIR = "indicator-imports"


def _language() -> str:
    return get_language() or "vi"


def _filters(request):
    try:
        return parse_filters(request.GET)
    except FilterError:
        # The shell shows the error in the top bar; the page shows the default period.
        return parse_filters({})


def _sector(code: str) -> Sector:
    return get_object_or_404(Sector, code=code, is_active=True)


def _map_settings() -> dict:
    return {
        "map_tile_url": settings.IOC_MAP_TILE_URL,
        "map_tile_attribution": settings.IOC_MAP_TILE_ATTRIBUTION,
    }


# -- dashboards ------------------------------------------------------------------------


@staff_required(DASHBOARD_ROLES)
def dashboard(request, sector: str):
    started = time.perf_counter()
    language = _language()
    sector_row = _sector(sector)
    filters = _filters(request)
    hierarchy = Hierarchy.load()
    unit = dashboards.area_unit(hierarchy, filters)
    # The catalogue's own order (as the indicators were added), not the codes' alphabet.
    indicators = sorted(
        indicators_list(viewer=request.user, sector=sector_row.code), key=lambda i: i.pk
    )
    level = request.GET.get("map", "commune")
    if level not in dashboards.MAP_LEVELS:
        level = "commune"
    asked = next((i for i in indicators if i.code == request.GET.get("indicator")), None)
    figures = dashboards.Figures()
    tiles, trend, ranking, map_values = [], None, [], {}
    if unit is not None:
        tiles = dashboards.tiles_for(indicators, filters.period, unit, language, figures)
    chosen = asked
    if unit is not None and chosen is None:
        # By default, the first indicator with figures by area (not one of the province only).
        for candidate in [i for i in indicators if i.area_aggregation != "NONE"][:MAP_TRIES]:
            ranking = dashboards.ranking(
                candidate, filters.period, hierarchy, level, language, figures
            )
            if any(row.value is not None for row in ranking):
                chosen = candidate
                break
        chosen = chosen or (indicators[0] if indicators else None)
    if chosen is not None and unit is not None:
        trend = dashboards.trend(chosen, filters.period, unit, language, figures)
        ranking = dashboards.ranking(chosen, filters.period, hierarchy, level, language, figures)
        map_values = {
            row.unit.code: dashboards.as_float(row.value, chosen.decimals) for row in ranking
        }
    chosen_period = dashboards.indicator_period(chosen, filters.period) if chosen else None
    has_data = any(t.value is not None for t in tiles)
    context = {
        "sector": sector_row,
        "sector_name": sector_row.display_name(language),
        "indicators": indicators,
        "chosen": chosen,
        "chosen_name": chosen.display_name(language) if chosen else "",
        "chosen_period": chosen_period,
        "area_unit": unit,
        "area_name": unit.display_name(language) if unit else "",
        "tiles": tiles[:HEADLINE_TILES],
        "more_tiles": tiles[HEADLINE_TILES:],
        "ranked": [row for row in ranking if row.value is not None],
        "unranked": [row for row in ranking if row.value is None],
        "has_data": has_data,
        "ranking": ranking,
        "level": level,
        "geojson_url": reverse("api:units_geojson")
        + ("?level=commune" if level == "commune" else "?level=district&structure=legacy"),
        "chart_data": {
            "trend": trend,
            "map": map_values,
            "sparks": {
                t.indicator.code: {"labels": t.spark_labels, "values": t.spark_values}
                for t in tiles
            },
            "unit": chosen.unit if chosen else "",
            "labels": {"noData": _("No data"), "value": _("Value")},
        },
        "can_enter": request.user.is_superuser or request.user.role in ENTRY_ROLES,
        "query_keep": _query_keep(request, drop=("indicator", "map")),
        **_map_settings(),
    }
    response = render_page(request, "indicators/dashboard.html", context)
    response["Server-Timing"] = f"app;dur={(time.perf_counter() - started) * 1000:.1f}"
    return response


def _query_keep(request, *, drop: tuple[str, ...]) -> str:
    params = request.GET.copy()
    for name in drop:
        params.pop(name, None)
    return params.urlencode()


@staff_required(DASHBOARD_ROLES)
def values(request, code: str):
    """Drill-down: the values behind a figure, with who, when, source and status."""
    language = _language()
    indicator = indicators_list(viewer=request.user, active_only=False).filter(code=code).first()
    if indicator is None:
        raise Http404(code)
    filters = _filters(request)
    hierarchy = Hierarchy.load()
    unit = dashboards.area_unit(hierarchy, filters)
    if request.GET.get("unit"):
        try:
            unit = hierarchy.resolve(request.GET["unit"])
        except UnitError:
            unit = None
    shown = dashboards.indicator_period(indicator, filters.period)
    rows = DataValue.objects.none()
    if unit is not None:
        rows = values_list(
            viewer=request.user,
            indicator=indicator,
            period=shown,
            org_unit_ids=hierarchy.descendants(unit.org_unit_id),
        )
    page = Paginator(rows, VALUES_PER_PAGE).get_page(request.GET.get("page"))
    context = {
        "indicator": indicator,
        "indicator_name": indicator.display_name(language),
        "period": shown,
        "period_label": shown.label(language),
        "unit": unit,
        "unit_name": unit.display_name(language) if unit else "",
        "page": page,
        "rows": [
            {
                "value": value,
                "unit": hierarchy.units.get(value.org_unit_id),
                "status_colour": DataValueStatus.colour(value.status),
            }
            for value in page
        ],
        "language": language,
        "query_keep": _query_keep(request, drop=("page",)),
    }
    return render_page(request, "indicators/values.html", context, partial="table")


# -- catalogue -------------------------------------------------------------------------


@staff_required(ADMIN_ROLES)
def catalogue(request):
    language = _language()
    sectors = []
    indicators = list(indicators_list(viewer=request.user, active_only=False))
    for sector in Sector.objects.order_by("order", "code"):
        rows = [i for i in indicators if i.sector_id == sector.pk]
        sectors.append({"sector": sector, "name": sector.display_name(language), "rows": rows})
    return render_page(
        request,
        "indicators/catalogue.html",
        {"sectors": sectors, "language": language, "total": len(indicators)},
    )


def _apply_errors(form, error: ValidationError) -> None:
    if hasattr(error, "error_dict"):
        for name, errors in error.message_dict.items():
            form.add_error(name if name in form.fields else None, errors)
    else:
        form.add_error(None, error.messages)


@staff_required(ADMIN_ROLES)
def indicator_edit(request, code: str | None = None):
    indicator = get_object_or_404(Indicator, code=code) if code else None
    form = IndicatorForm(request.POST or None, instance=indicator)
    if request.method == "POST" and form.is_valid():
        fields = {name: form.cleaned_data[name] for name in form.Meta.fields}
        try:
            if indicator is None:
                saved = indicator_create(actor=request.user, **fields)
                messages.success(request, _("Indicator %(code)s added.") % {"code": saved.code})
            else:
                fresh = Indicator.objects.get(pk=indicator.pk)
                saved = indicator_update(indicator=fresh, actor=request.user, **fields)
                messages.success(request, _("Indicator %(code)s saved.") % {"code": saved.code})
        except ValidationError as error:
            _apply_errors(form, error)
        else:
            return redirect("indicators:indicator-edit", code=saved.code)
    history = []
    if indicator is not None:
        for event in timeline_for(target=indicator).select_related("actor").order_by("-created_at"):
            history.append(
                {
                    "event": event,
                    "who": event.actor.get_username() if event.actor else event.actor_label,
                    "changes": [
                        (
                            name,
                            event.data.get("before", {}).get(name),
                            event.data["after"].get(name),
                        )
                        for name in event.data.get("changed", [])
                    ],
                }
            )
    codes = list(Indicator.objects.order_by("code").values_list("code", flat=True))
    return render_page(
        request,
        "indicators/indicator_form.html",
        {"form": form, "indicator": indicator, "history": history, "codes": codes},
    )


# -- data entry ------------------------------------------------------------------------


def _entry_units(hierarchy: Hierarchy, language: str) -> list[tuple[str, list[tuple[str, str]]]]:
    """The units a form can be filled for, grouped: the province, communes, facilities."""
    current = hierarchy.by_code[Structure.CURRENT].values()
    facilities = hierarchy.by_code["facility"].values()

    def options(units):
        return [
            (u.qualified_code, f"{u.display_name(language)} ({u.code})")
            for u in sorted(units, key=lambda u: u.code)
        ]

    return [
        (_("Province"), options(u for u in current if u.level == "province")),
        (_("Communes and wards"), options(u for u in current if u.level == "commune")),
        (_("Facilities"), options(facilities)),
    ]


def _entry_period(request) -> tuple[Period, str]:
    text = (request.POST.get("period") or request.GET.get("period") or "").strip()
    if not text:
        return period_for(PeriodType.MONTHLY, timezone.localdate()).previous(), ""
    try:
        return parse_period(text), ""
    except PeriodError as error:
        return period_for(PeriodType.MONTHLY, timezone.localdate()).previous(), str(error)


def _param(request, name: str) -> str:
    return (request.POST.get(name) or request.GET.get(name) or "").strip()


def _chosen_data_set(request, action: str) -> tuple[list[DataSet], DataSet | None]:
    """The data sets the user may use for `action` and the one asked for (or the first,
    unless a sector is asked for: the entry of indicators that are in no data set)."""
    data_sets = list(data_sets_list(user=request.user, action=action))
    code = _param(request, "dataset")
    if code:
        chosen = next((d for d in data_sets if d.code == code), None)
        if chosen is None:
            raise Http404(code)
        return data_sets, chosen
    if "sector" in request.GET or "sector" in request.POST or not data_sets:
        return data_sets, None
    return data_sets, data_sets[0]


def _data_set_period(data_set: DataSet, request) -> tuple[Period, str]:
    """The asked period of the data set, or the last one ended (the one being reported)."""
    text = _param(request, "period")
    default = period_for(data_set.period_type, timezone.localdate()).previous()
    if not text:
        return default, ""
    try:
        return data_set_period(data_set, text), ""
    except DataSetError as error:
        return default, error.errors["period"]


@staff_required(ENTRY_ROLES)
def entry(request):
    """Data entry: a data set's form for one period and assigned unit (save as draft,
    submit, approve); or, with `sector`, a grid of the indicators that are in no data set."""
    data_sets, data_set = _chosen_data_set(request, "add")
    if data_set is not None:
        return _data_set_entry(request, data_sets, data_set)
    return _sector_entry(request, data_sets)


def _data_set_entry(request, data_sets: list[DataSet], data_set: DataSet):
    language = _language()
    hierarchy = Hierarchy.load()
    period, period_error = _data_set_period(data_set, request)
    units = data_set_units(data_set, hierarchy)
    unit_code = _param(request, "unit")
    unit = next((u for u in units if u.qualified_code == unit_code), None)
    unit_error = ""
    if unit_code and unit is None:
        unit_error = _("“%(unit)s” does not report %(data_set)s.") % {
            "unit": unit_code,
            "data_set": data_set.code,
        }
    elif not unit_code and units:
        unit = units[0]
    indicators = data_set_indicators(data_set)
    errors: dict[str, str] = {}
    posted: dict[str, str] = {}
    if request.method == "POST" and unit is not None and not period_error:
        posted = {i.code: request.POST.get(f"value-{i.code}", "") for i in indicators}
        submit = request.POST.get("action") == "submit"
        try:
            data_set_save(
                data_set=data_set,
                org_unit=OrgUnit.objects.get(pk=unit.org_unit_id),
                period=period,
                values=posted,
                submit=submit,
                actor=request.user,
            )
        except DataSetError as error:
            errors = error.errors
            messages.error(
                request,
                errors.get("report")
                or _("Nothing was saved: correct the values marked in red and save again."),
            )
        else:
            messages.success(
                request,
                _("The report is submitted.") if submit else _("The values are saved as a draft."),
            )
            return redirect(_entry_url(data_set, period, unit))
    report = data_set_report(data_set, unit.org_unit_id, period) if unit else None
    closed_on = data_set_period_closed(data_set, unit.org_unit_id, period) if unit else None
    locked = (report is not None and report.is_locked) or closed_on is not None
    current = _current_values(indicators, unit, period) if unit is not None else {}
    rows = _entry_rows(indicators, current, posted, errors, language, locked=locked)
    may_change = data_set_may(user=request.user, data_set=data_set, action="change")
    may_approve = data_set.approval_required and may_change
    context = {
        "mode": "data_set",
        "data_sets": [(d.code, d.display_name(language)) for d in data_sets],
        "data_set": data_set,
        "data_set_name": data_set.display_name(language),
        "period": period,
        "period_label": period.label(language),
        "period_error": period_error,
        "deadline": data_set_deadline(data_set, period),
        "overdue": report is None and timezone.localdate() > data_set_deadline(data_set, period),
        "unit": unit,
        "unit_name": unit.display_name(language) if unit else "",
        "unit_error": unit_error,
        "unit_options": [
            (u.qualified_code, f"{u.display_name(language)} ({u.code})") for u in units
        ],
        "rows": rows,
        "report": report,
        "report_colour": DataSetStatus.colour(report.status) if report else "",
        "locked": locked,
        "closed_on": closed_on,
        "may_unlock": may_change and closed_on is not None,
        "may_approve": may_approve and report is not None and not locked,
        "may_unapprove": may_approve and report is not None and report.is_locked,
        "history": _report_history(report),
        "language": language,
    }
    return render_page(request, "indicators/entry.html", context)


def _entry_url(data_set: DataSet, period: Period, unit: Unit) -> str:
    query = urlencode({"dataset": data_set.code, "period": period.id, "unit": unit.qualified_code})
    return f"{reverse('indicators:entry')}?{query}"


def _report_history(report: DataSetReport | None) -> list:
    if report is None:
        return []
    return list(timeline_for(target=report).select_related("actor").order_by("-created_at"))


@staff_required(ENTRY_ROLES)
def report_review(request, pk: int, decision: str):
    """Approve or unapprove (with a reason) a unit's report; back to its form."""
    if request.method != "POST":
        return HttpResponse(status=405, headers={"Allow": "POST"})
    report = get_object_or_404(
        restrict(DataSetReport.objects.select_related("data_set"), request.user, "view"), pk=pk
    )
    try:
        if decision == "approve":
            data_set_approve(report=report, actor=request.user)
            messages.success(request, _("The report is approved: its values are locked."))
        else:
            data_set_unapprove(
                report=report, actor=request.user, reason=request.POST.get("reason", "")
            )
            messages.success(request, _("The report is unapproved: its values can be corrected."))
    except DataSetError as error:
        messages.error(request, "; ".join(error.errors.values()))
    unit = Hierarchy.load(ensure=False).units[report.org_unit_id]
    period = parse_period(report.period)
    return redirect(_entry_url(report.data_set, period, unit))


@staff_required(ENTRY_ROLES)
def period_unlock(request):
    """Unlock a closed period of a data set for one unit (with a reason); back to its form."""
    if request.method != "POST":
        return HttpResponse(status=405, headers={"Allow": "POST"})
    data_set = get_object_or_404(
        data_sets_list(user=request.user), code=request.POST.get("dataset", "")
    )
    code = _param(request, "unit")
    units = data_set_units(data_set, Hierarchy.load(ensure=False))
    unit = next((u for u in units if u.qualified_code == code), None)
    if unit is None:
        raise Http404(code)
    try:
        period = data_set_period(data_set, _param(request, "period"))
    except DataSetError as error:
        messages.error(request, error.errors["period"])
        return redirect(f"{reverse('indicators:entry')}?dataset={data_set.code}")
    try:
        data_set_unlock(
            data_set=data_set,
            org_unit=OrgUnit.objects.get(pk=unit.org_unit_id),
            period=period,
            actor=request.user,
            reason=request.POST.get("reason", ""),
        )
    except DataSetError as error:
        messages.error(request, "; ".join(error.errors.values()))
    else:
        messages.success(request, _("The period is unlocked for this unit: its values can change."))
    return redirect(_entry_url(data_set, period, unit))


def _sector_entry(request, data_sets: list[DataSet]):
    """A grid of a sector's indicators that are in no data set, for one period and unit:
    saved through data_value_set, an error under each cell that could not be saved."""
    language = _language()
    sectors = list(Sector.objects.filter(is_active=True).order_by("order", "code"))
    sector_code = _param(request, "sector") or (sectors[0].code if sectors else "")
    period, period_error = _entry_period(request)
    hierarchy = Hierarchy.load()
    units = _entry_units(hierarchy, language)
    unit_code = _param(request, "unit")
    unit: Unit | None = None
    unit_error = ""
    if unit_code:
        try:
            unit = hierarchy.resolve(unit_code)
        except UnitError as error:
            unit_error = str(error)
    elif units[0][1]:
        unit = hierarchy.resolve(units[0][1][0][0])
    writable = writable_indicator_ids(actor=request.user)
    in_data_sets = set(
        DataSet.indicators.through.objects.filter(dataset__is_active=True).values_list(
            "indicator_id", flat=True
        )
    )
    indicators = [
        i
        for i in indicators_list(viewer=request.user, sector=sector_code)
        if not i.is_computed and (writable is None or i.pk in writable) and i.pk not in in_data_sets
    ]
    in_period = [i for i in indicators if i.period_type == period.type]
    other_types = sorted(
        {i.get_period_type_display() for i in indicators if i.period_type != period.type}
    )
    errors: dict[str, str] = {}
    posted: dict[str, str] = {}
    if request.method == "POST" and unit is not None and not period_error:
        org_unit = OrgUnit.objects.get(pk=unit.org_unit_id)
        saved = 0
        current = _current_values(in_period, unit, period)
        for indicator in in_period:
            text = request.POST.get(f"value-{indicator.code}", "").strip().replace(",", ".")
            posted[indicator.code] = request.POST.get(f"value-{indicator.code}", "")
            before = current.get(indicator.pk)
            if text == ("" if before is None else _plain(before.value)):
                continue
            try:
                data_value_set(
                    indicator=indicator,
                    org_unit=org_unit,
                    period=period.id,
                    value=text or None,
                    actor=request.user,
                )
                saved += 1
            except DataValueError as error:
                errors[indicator.code] = "; ".join(error.errors.values())
        if errors:
            messages.error(
                request,
                _("%(saved)d values saved; %(failed)d could not be saved: see the red cells.")
                % {"saved": saved, "failed": len(errors)},
            )
        else:
            messages.success(request, _("%(saved)d values saved.") % {"saved": saved})
            return redirect(
                f"{reverse('indicators:entry')}?sector={sector_code}&period={period.id}"
                f"&unit={unit.qualified_code}"
            )
    current = _current_values(in_period, unit, period) if unit is not None else {}
    rows = _entry_rows(in_period, current, posted, errors, language, locked=False)
    context = {
        "mode": "sector",
        "data_sets": [(d.code, d.display_name(language)) for d in data_sets],
        "sectors": [(s.code, s.display_name(language)) for s in sectors],
        "sector_code": sector_code,
        "period": period,
        "period_label": period.label(language),
        "period_error": period_error,
        "unit": unit,
        "unit_name": unit.display_name(language) if unit else "",
        "unit_error": unit_error,
        "unit_groups": units,
        "rows": rows,
        "other_types": other_types,
        "language": language,
    }
    return render_page(request, "indicators/entry.html", context)


def _entry_rows(
    indicators, current: dict, posted, errors: dict, language: str, *, locked: bool
) -> list[dict]:
    """One row of the entry grid per indicator: its stored value, the text to show (what
    was posted, else the stored value), its error, and whether it is read-only (the whole
    report locked, or the value approved)."""
    rows = []
    for indicator in indicators:
        stored = current.get(indicator.pk)
        rows.append(
            {
                "indicator": indicator,
                "name": indicator.display_name(language),
                "stored": stored,
                "status_colour": DataValueStatus.colour(stored.status) if stored else "",
                "text": posted.get(indicator.code, _plain(stored.value) if stored else ""),
                "error": errors.get(indicator.code, ""),
                "locked": locked
                or (stored is not None and stored.status == DataValueStatus.APPROVED),
            }
        )
    return rows


def _plain(value: Decimal) -> str:
    return format(value.normalize(), "f")


def _current_values(indicators, unit: Unit, period: Period) -> dict[int, DataValue]:
    return {
        value.indicator_id: value
        for value in DataValue.objects.filter(
            indicator__in=indicators,
            org_unit_id=unit.org_unit_id,
            period=period.id,
            deleted_at__isnull=True,
        )
    }


@staff_required(ENTRY_ROLES | {Role.LEADER})
def completeness(request):
    """Who has reported a data set for a period (when, on time or late) and who has not
    (overdue after the deadline); with `sector`, the indicators that are in no data set."""
    data_sets, data_set = _chosen_data_set(request, "view")
    if data_set is not None:
        return _data_set_completeness(request, data_sets, data_set)
    return _sector_completeness(request, data_sets)


def _data_set_completeness(request, data_sets: list[DataSet], data_set: DataSet):
    language = _language()
    hierarchy = Hierarchy.load()
    period, period_error = _data_set_period(data_set, request)
    result = data_set_completeness(data_set=data_set, period=period, hierarchy=hierarchy)
    may_enter = data_set_may(user=request.user, data_set=data_set, action="add")
    context = {
        "mode": "data_set",
        "data_sets": [(d.code, d.display_name(language)) for d in data_sets],
        "data_set": data_set,
        "data_set_name": data_set.display_name(language),
        "period": period,
        "period_label": period.label(language),
        "period_error": period_error,
        "result": result,
        "rows": [
            {
                "row": row,
                "name": row.unit.display_name(language),
                "colour": COMPLETENESS_COLOURS[row.state],
                "state_label": COMPLETENESS_LABELS[row.state],
                "entry_url": _entry_url(data_set, period, row.unit) if may_enter else "",
            }
            for row in result.rows
        ],
        "today": timezone.localdate(),
    }
    return render_page(request, "indicators/completeness.html", context)


COMPLETENESS_COLOURS = {
    "approved": "success",
    "on_time": "info",
    "late": "warning",
    "missing": "secondary",
    "overdue": "danger",
}
COMPLETENESS_LABELS = {
    "approved": pgettext_lazy("data value", "Approved"),
    "on_time": gettext_lazy("Submitted on time"),
    "late": gettext_lazy("Submitted late"),
    "missing": gettext_lazy("Not reported yet"),
    "overdue": gettext_lazy("Overdue"),
}


def _sector_completeness(request, data_sets: list[DataSet]):
    """Completeness of a sector's indicators by value counts: units expected by the data
    sets' assignments, and (for indicators in no data set) by their history."""
    language = _language()
    sectors = list(Sector.objects.filter(is_active=True).order_by("order", "code"))
    sector_code = request.GET.get("sector") or (sectors[0].code if sectors else "")
    period, period_error = _entry_period(request)
    hierarchy = Hierarchy.load()
    indicators = [
        i
        for i in indicators_list(viewer=request.user, sector=sector_code)
        if not i.is_computed and i.period_type == period.type
    ]
    status = reporting_status(indicators=indicators, period=period)
    rows = []
    for org_unit_id, (reported, expected) in status.items():
        unit = hierarchy.units.get(org_unit_id)
        if unit is None:
            continue
        rows.append(
            {
                "unit": unit,
                "name": unit.display_name(language),
                "reported": reported,
                "expected": expected,
                "complete": reported >= expected,
                "pct": round(100 * reported / expected) if expected else 100,
            }
        )
    rows.sort(key=lambda r: (r["complete"], r["pct"], r["name"]))
    context = {
        "mode": "sector",
        "data_sets": [(d.code, d.display_name(language)) for d in data_sets],
        "sectors": [(s.code, s.display_name(language)) for s in sectors],
        "sector_code": sector_code,
        "period": period,
        "period_label": period.label(language),
        "period_error": period_error,
        "rows": rows,
        "missing": sum(1 for r in rows if not r["complete"]),
        "indicator_count": len(indicators),
    }
    return render_page(request, "indicators/completeness.html", context)


@staff_required(ENTRY_ROLES | {Role.LEADER})
def data_set_list(request):
    """The data sets the user may see: who reports what, by when, with links to the
    form and to completeness; administrators edit them in the admin."""
    language = _language()
    today = timezone.localdate()
    rows = []
    for data_set in data_sets_list(user=request.user).prefetch_related("indicators"):
        period = period_for(data_set.period_type, today).previous()
        rows.append(
            {
                "data_set": data_set,
                "name": data_set.display_name(language),
                "agency": data_set.agency,
                "indicators": len(data_set.indicators.all()),
                "units": data_set.org_units.count(),
                "period": period,
                "period_label": period.label(language),
                "deadline": data_set_deadline(data_set, period),
                "may_enter": data_set_may(user=request.user, data_set=data_set, action="add"),
            }
        )
    return render_page(
        request,
        "indicators/data_sets.html",
        {"rows": rows, "is_admin": request.user.is_superuser or request.user.role == Role.ADMIN},
    )


# -- imports ---------------------------------------------------------------------------


def _forbidden(rows, allowed: set[int] | None) -> ImportSummary | None:
    """Rows of indicators the user may not write: the whole file is refused, naming them."""
    if allowed is None:
        return None
    codes = dict(Indicator.objects.values_list("code", "pk"))
    summary = ImportSummary(status="ERROR")
    for row in rows:
        pk = codes.get(row.data_element)
        if pk is not None and pk not in allowed:
            summary.conflicts.append(
                Conflict(
                    row.data_element,
                    _("Row %(row)d: your agency is not the source of “%(code)s”.")
                    % {"row": row.row, "code": row.data_element},
                    row=row.row,
                    column=row.columns.get("data_element", "dataelement"),
                )
            )
    if not summary.conflicts:
        return None
    summary.ignored = len(rows)
    return summary


@staff_required(ENTRY_ROLES)
def import_values(request):
    """Upload a DHIS2 JSON/CSV file or the XLSX template: a dry run first, then the import."""
    form = ImportForm(request.POST or None, request.FILES or None)
    summary: ImportSummary | None = None
    token = ""
    file_name = ""
    error = ""
    if request.method == "POST" and request.POST.get("token"):
        token = request.POST["token"]
        if not token.isalnum():
            raise Http404(token)
        file_format = request.POST.get("file_format_confirmed", "")
        path = f"{IMPORT_DIR}/{token}.{file_format}"
        if file_format not in ("json", "csv", "xlsx") or not default_storage.exists(path):
            error = _("The checked file is no longer available: upload it again.")
        else:
            with default_storage.open(path, "rb") as handle:
                content = handle.read()
            summary, error, job = _run_import(
                request, content, file_format, dry_run=False, stored=path
            )
            if job is not None:
                return redirect("indicators:import-job", pk=job.pk)
            if summary is not None and summary.status != "ERROR":
                default_storage.delete(path)
                token = ""
        file_name = request.POST.get("file_name", "")
    elif request.method == "POST" and form.is_valid():
        upload: UploadedFile = form.cleaned_data["file"]
        file_name = upload.name
        file_format = form.detected_format()
        if not file_format:
            form.add_error(
                "file_format",
                _("Choose the format: the file name ends in none of .json, .csv, .xlsx."),
            )
        else:
            try:
                dhis2.check_size(upload.size)
            except dhis2.PayloadError as exc:
                form.add_error("file", str(exc))
            else:
                content = upload.read()
                request.session["indicator_import_options"] = {
                    "strategy": form.cleaned_data["strategy"],
                    "structure": form.cleaned_data["structure"],
                }
                summary, error, job = _run_import(request, content, file_format, dry_run=True)
                if job is not None:
                    return redirect("indicators:import-job", pk=job.pk)
                if summary is not None and summary.status != "ERROR":
                    token = get_random_string(32)
                    default_storage.save(f"{IMPORT_DIR}/{token}.{file_format}", _Content(content))
    context = {
        "form": form,
        "summary": summary,
        "result": summary.as_dhis2() if summary else None,
        "token": token,
        "file_name": file_name,
        "file_format": locals().get("file_format", ""),
        "error": error,
        "templates": _template_links(request),
    }
    return render_page(request, "indicators/import.html", context)


class _Content:
    """Bytes for default_storage.save (a File needs chunks())."""

    def __init__(self, content: bytes) -> None:
        from django.core.files.base import ContentFile

        self.file = ContentFile(content)

    def __getattr__(self, name):
        return getattr(self.file, name)


def _run_import(
    request, content: bytes, file_format: str, *, dry_run: bool, stored: str = ""
) -> tuple[ImportSummary | None, str, DataValueImport | None]:
    """(summary, error, None), or (None, "", the queued job) for a file of more rows than
    IOC_INDICATORS_IMPORT_BACKGROUND_ROWS (the worker imports `stored`, or a new copy)."""
    options = request.session.get("indicator_import_options", {})
    if request.method == "POST" and not dry_run:
        strategy = options.get("strategy", "CREATE_AND_UPDATE")
        structure = options.get("structure", "current")
    else:
        strategy = request.POST.get("strategy", "CREATE_AND_UPDATE")
        structure = request.POST.get("structure", "current")
    try:
        rows = dhis2.parse(content, file_format)
    except dhis2.PayloadError as exc:
        return None, str(exc), None
    forbidden = _forbidden(rows, writable_indicator_ids(actor=request.user))
    if forbidden is not None:
        forbidden.dry_run = dry_run
        return forbidden, "", None
    if len(rows) > import_jobs.background_rows():
        job = import_jobs.import_job_create(
            upload=stored or import_jobs.upload_store(content, file_format),
            file_format=file_format,
            rows_total=len(rows),
            strategy=strategy,
            structure=structure,
            dry_run=dry_run,
            actor=request.user,
        )
        return None, "", job
    summary = data_values_import(
        rows=rows,
        strategy=strategy,
        dry_run=dry_run,
        actor=request.user,
        structure=structure,
        file_format=file_format,
    )
    return summary, "", None


@staff_required(ENTRY_ROLES)
def import_job(request, pk: int):
    """A background import of the user's: a progress bar (htmx polls it every second while
    the worker runs), then the DHIS2 summary, as the import page shows it."""
    job = get_object_or_404(DataValueImport, pk=pk, created_by=request.user)
    progress = import_jobs.import_job_progress(job)
    result = import_jobs.import_job_summary(job)
    token = ""
    checked = result is not None and job.dry_run and job.state == ImportState.DONE
    if checked and job.status != "ERROR" and default_storage.exists(job.upload):
        token = Path(job.upload).stem
    context = {
        "job": job,
        "progress": progress,
        "finished": result is not None,
        "summary": job,
        "result": result,
        "token": token,
        "file_name": "",
        "file_format": job.file_format,
    }
    if htmx_partial(request):
        return render(request, "indicators/import_job.html#job", context)
    return render_page(request, "indicators/import_job.html", context)


def _template_links(request) -> list[dict]:
    """Templates per sector and period type, for the last complete period (the API's
    template endpoint: one row per indicator and current commune)."""
    language = _language()
    today = timezone.localdate()
    writable = writable_indicator_ids(actor=request.user)
    base = reverse("api:indicators_data_value_sets_template", kwargs={"file_format": "csv"})
    links = []
    for sector in Sector.objects.filter(is_active=True).order_by("order", "code"):
        by_type: dict[str, list[str]] = {}
        for indicator in indicators_list(viewer=request.user, sector=sector.code):
            if not indicator.is_computed and (writable is None or indicator.pk in writable):
                by_type.setdefault(indicator.period_type, []).append(indicator.code)
        for period_type, codes in by_type.items():
            period = period_for(period_type, today).previous()
            query = f"?dataElement={','.join(codes)}&period={period.id}"
            links.append(
                {
                    "name": sector.display_name(language),
                    "period": period.label(language),
                    "count": len(codes),
                    "csv": base + query,
                    "xlsx": base.replace(".csv", ".xlsx") + query,
                }
            )
    return links


# -- the monthly report ----------------------------------------------------------------


@staff_required(DASHBOARD_ROLES)
def monthly_report(request, month: str, file_format: str):
    from ioc.indicators import reports_export

    try:
        period = parse_period(month)
    except PeriodError as error:
        return HttpResponse(str(error), status=400, content_type="text/plain; charset=utf-8")
    if period.type != PeriodType.MONTHLY:
        return HttpResponse(
            _("“%(month)s” is not a month: use YYYYMM.") % {"month": month},
            status=400,
            content_type="text/plain; charset=utf-8",
        )
    report = reports_export.monthly_report(viewer=request.user, month=period, language=_language())
    if file_format == "xlsx":
        content = reports_export.monthly_xlsx(report)
        content_type = dhis2.XLSX_TYPE
    else:
        content = reports_export.monthly_pdf(report)
        content_type = "application/pdf"
    response = HttpResponse(content, content_type=content_type)
    response["Content-Disposition"] = (
        f'attachment; filename="bao-cao-kinh-te-xa-hoi-{period.id}.{file_format}"'
    )
    return response
