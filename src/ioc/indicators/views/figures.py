"""The sector dashboards, the drill-down to the values behind a figure, and the monthly
socio-economic report."""

from __future__ import annotations

import time

from django.conf import settings
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.utils.translation import gettext as _

from ioc.accounts.decorators import staff_required
from ioc.core.htmx import render_page
from ioc.core.periods import PeriodError, PeriodType, parse_period
from ioc.indicators import dashboards, dhis2
from ioc.indicators.choices import DataValueStatus
from ioc.indicators.hierarchy import Hierarchy, UnitError
from ioc.indicators.models import DataValue, Sector
from ioc.indicators.selectors import indicators_list, values_list
from ioc.indicators.views.common import (
    DASHBOARD_ROLES,
    ENTRY_ROLES,
    _filters,
    _language,
    _query_keep,
)

VALUES_PER_PAGE = 100
HEADLINE_TILES = 8  # the first indicators get a tile with a sparkline; the rest a table
MAP_TRIES = 6


def _sector(code: str) -> Sector:
    return get_object_or_404(Sector, code=code, is_active=True)


def _map_settings() -> dict:
    return {
        "map_tile_url": settings.IOC_MAP_TILE_URL,
        "map_tile_attribution": settings.IOC_MAP_TILE_ATTRIBUTION,
    }


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
