"""Figures pages: the public figures of the reports and the operators' and leaders' dashboard
(tiles with their change from the previous period, sparklines, map, trend, tables)."""

from datetime import date, timedelta

from django.shortcuts import render
from django.template.defaultfilters import floatformat
from django.utils import formats, timezone
from django.utils.translation import gettext as _

from ioc.accounts.choices import Role
from ioc.accounts.decorators import staff_required
from ioc.core.filters import FilterError, parse_filters
from ioc.core.periods import DateRange
from ioc.geo.models import AdminUnit
from ioc.geo.selectors import communes, legacy_districts
from ioc.reports import selectors
from ioc.reports.models import Category
from ioc.reports.views.common import (
    _language,
    _map_settings,
)

DASHBOARD_ROLES = frozenset({Role.OPERATOR, Role.LEADER, Role.ADMIN, Role.AGENCY_HEAD})


def _year_start(today: date) -> date:
    return date(today.year, 1, 1)


def report_figures(request):
    """The public figures: every number counted from the records by report_stats."""
    language = _language()
    today = timezone.localdate()
    params = request.GET
    errors = []
    start, end = _year_start(today), today
    try:
        if params.get("from"):
            start = date.fromisoformat(params["from"])
        if params.get("to"):
            end = date.fromisoformat(params["to"])
    except ValueError:
        errors.append(_("Give the dates as YYYY-MM-DD."))
        start, end = _year_start(today), today
    if end < start:
        errors.append(_("The end of the period is before its start."))
        start, end = _year_start(today), today
    # Figures are counted as they stand at the end of the period: not beyond today.
    end = min(end, today)
    start = min(start, end)
    filters = {}
    for field, queryset in (
        ("commune", communes()),
        ("legacy_district", legacy_districts()),
        ("category", Category.objects.filter(is_active=True)),
    ):
        code = params.get(field, "")
        if code and queryset.filter(code=code).exists():
            filters[field] = code
        elif code:
            errors.append(_("Unknown %(field)s “%(code)s”.") % {"field": field, "code": code[:30]})
    by = params.get("by", "commune")
    if by not in ("commune", "legacy_district", "category"):
        by = "commune"
    stats, groups = selectors.report_stats_with_groups(group=by, start=start, end=end, **filters)
    rows = [
        {"code": g.code, "name": g.label(language) or _("Not set"), "stats": g.stats}
        for g in groups
    ]
    chart = {
        "names": [row["name"] for row in rows],
        "received": [row["stats"].received for row in rows],
        "completed": [row["stats"].completed for row in rows],
        "labels": {"received": _("Received"), "completed": _("Completed")},
    }
    context = {
        "stats": stats,
        "tiles": _figure_tiles(stats),
        "rows": rows,
        "chart": chart,
        "by": by,
        "start": start,
        "end": end,
        "filters": filters,
        "errors": errors,
        "communes": [(c.code, c.display_name(language)) for c in communes().order_by("name")],
        "districts": [
            (d.code, d.display_name(language)) for d in legacy_districts().order_by("name")
        ],
        "categories": [(c.code, c.display_name(language)) for c in selectors.category_list()],
        "by_choices": [
            ("commune", _("Commune or ward")),
            ("legacy_district", _("District (before 1 July 2025)")),
            ("category", _("Category")),
        ],
    }
    return render(request, "reports/figures.html", context, status=400 if errors else 200)


def _figure_tiles(stats, median_hours: float | None = None, *, with_median: bool = False):
    tiles = [
        {"key": "received", "value": stats.received, "label": _("reports received")},
        {"key": "completed", "value": stats.completed, "label": _("completed")},
        {"key": "in_progress", "value": stats.in_progress, "label": _("in progress")},
        {"key": "overdue", "value": stats.overdue, "label": _("overdue")},
        {"key": "ratings", "value": stats.ratings, "label": _("ratings")},
        {"key": "satisfied", "value": stats.satisfied, "label": _("satisfied (4-5 stars)")},
        {
            "key": "satisfied_pct",
            "value": stats.satisfied_pct,
            # xgettext:no-python-format
            "label": _("% satisfied"),
            "pct": True,
        },
        {
            "key": "on_time_pct",
            "value": stats.on_time_pct,
            # xgettext:no-python-format
            "label": _("% completed on time"),
            "pct": True,
        },
    ]
    if with_median:
        tiles.append(
            {
                "key": "median_hours",
                "value": median_hours,
                "label": _("median hours to resolve"),
                "hours": True,
            }
        )
    return tiles


@staff_required(DASHBOARD_ROLES)
def dashboard(request):
    """Operators' and leaders' dashboard (agency heads: their agencies), reading the
    shell's area and period filters."""
    user = request.user
    language = _language()
    try:
        shell_filters = parse_filters(request.GET)
    except FilterError:
        shell_filters = parse_filters({})
    filters: dict = {}
    area = shell_filters.area
    if area.kind == "commune":
        filters["commune"] = area.code
    elif area.kind == "district":
        filters["legacy_district"] = area.code
    if user.role == Role.AGENCY_HEAD and not user.is_superuser:
        filters["agency_ids"] = user._agency_ids()
    # A period still running is counted up to today: "overdue at its end" must not
    # count reports whose deadline is still ahead.
    start, end = shell_filters.start, min(shell_filters.end, timezone.localdate())
    figures = selectors.report_dashboard_figures(start=start, end=end, **filters)
    stats, median, trend = figures.stats, figures.median_hours, figures.trend
    by_commune, by_agency, by_category = figures.by_commune, figures.by_agency, figures.by_category
    before_start, before_end = _previous_period(shell_filters.period, start, end)
    # Without the previous period's median: its histogram reads the boundary months row
    # by row, ≈ 40 ms of a past year's dashboard at 1 M reports (docs/performance.md).
    before = selectors.report_figures(start=before_start, end=before_end, **filters)
    tiles = _figure_tiles(stats, median, with_median=True)
    _compare_tiles(tiles, before, before_start, before_end)
    # The sparklines: the period's months, or the last twelve for a short period.
    sparkline_trend = trend
    if len(trend) < 6:
        sparkline_start = (end.replace(day=1) - timedelta(days=335)).replace(day=1)
        sparkline_trend = selectors.report_monthly_trend(start=sparkline_start, end=end, **filters)
    _add_sparklines(tiles, sparkline_trend)
    choropleth = {
        g.code: {
            "received": g.stats.received,
            "overdue": g.stats.overdue,
            "name": g.label(language),
        }
        for g in by_commune
        if g.code
    }
    context = {
        "tiles": tiles,
        "stats": stats,
        "choropleth": choropleth,
        "trend": {
            "months": [row["month"] for row in trend],
            "received": [row["received"] for row in trend],
            "completed": [row["completed"] for row in trend],
            "labels": {"received": _("Received"), "completed": _("Completed")},
        },
        "by_agency": sorted(
            by_agency, key=lambda g: (-g.stats.overdue, -g.stats.in_progress, g.name)
        ),
        "by_category": by_category,
        "language": language,
        "period_label": shell_filters.period.label(language),
        "start": start,
        "end": end,
        "scope_agency": user.agency if "agency_ids" in filters else None,
        "area_label": _area_label(area, language),
        **_map_settings(),
    }
    return render(request, "reports/dashboard.html", context)


# Whether a rise of the figure is good news (True), bad news (False) or neither (None).
RISE_IS_GOOD = {
    "received": None,
    "completed": True,
    "in_progress": False,
    "overdue": False,
    "ratings": True,
    "satisfied": True,
    "satisfied_pct": True,
    "on_time_pct": True,
    "median_hours": False,
}


def _previous_period(period, start: date, end: date) -> tuple[date, date]:
    """The period before, as long as the one shown: last month's first 25 days for this
    month up to the 25th; the same number of days before a custom range."""
    if isinstance(period, DateRange):
        days = end - start
        return start - days - timedelta(days=1), start - timedelta(days=1)
    before = period.shift(-1)
    if end >= period.end:
        return before.start, before.end
    return before.start, min(before.end, before.start + (end - start))


def _compare_tiles(tiles, before, before_start: date, before_end: date) -> None:
    """Add to each tile its change from the previous period: ▲/▼ and the change in %
    (in points for a percentage), coloured as good or bad news. The median tile has none:
    `before` holds no median."""
    values = before.as_dict()
    for tile in tiles:
        now, then = tile["value"], values.get(tile["key"])
        if now is None or then is None:
            continue
        if tile.get("pct"):
            change = round(now - then, 1)
            text = _("%(change)s points") % {"change": floatformat(abs(change), "-1g")}
        elif then:
            change = round(100 * (now - then) / then, 1)
            text = f"{floatformat(abs(change), '-1g')}%"
        else:
            continue
        good = RISE_IS_GOOD.get(tile["key"])
        tone = (
            "secondary"
            if good is None or not change
            else ("success" if (change > 0) == good else "danger")
        )
        tile["change"] = {
            "arrow": "▲" if change > 0 else "▼" if change < 0 else "=",
            "text": text,
            "tone": tone,
            "title": _("%(value)s from %(start)s to %(end)s")
            % {
                "value": floatformat(then, "1g" if tile.get("pct") else "g"),
                "start": formats.date_format(before_start, "SHORT_DATE_FORMAT"),
                "end": formats.date_format(before_end, "SHORT_DATE_FORMAT"),
            },
        }


def _add_sparklines(tiles, trend: list[dict]) -> None:
    """A line of the months under the received and completed tiles."""
    for tile in tiles:
        if tile["key"] not in ("received", "completed") or len(trend) < 3:
            continue
        values = [row[tile["key"]] for row in trend]
        top = max(values) or 1
        step = 100 / (len(values) - 1)
        tile["sparkline"] = {
            "points": " ".join(
                f"{i * step:.1f},{22 - 20 * value / top:.1f}" for i, value in enumerate(values)
            ),
            "label": _("%(first)s to %(last)s: %(values)s")
            % {
                "first": trend[0]["month"],
                "last": trend[-1]["month"],
                "values": ", ".join(floatformat(value, "g") for value in values),
            },
        }


def _area_label(area, language: str) -> str:
    if area.is_whole_deployment:
        return _("Whole deployment")
    structure = "current" if area.kind == "commune" else "legacy"
    unit = AdminUnit.objects.filter(structure=structure, code=area.code).first()
    return unit.display_name(language) if unit else area.code
