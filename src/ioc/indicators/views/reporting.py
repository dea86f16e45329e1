"""Who reports what: the completeness and timeliness of a period, and the data sets."""

from __future__ import annotations

from django.utils import timezone
from django.utils.translation import gettext_lazy, pgettext_lazy

from ioc.accounts.choices import Role
from ioc.accounts.decorators import staff_required
from ioc.core.htmx import render_page
from ioc.core.periods import period_for
from ioc.indicators.datasets import (
    data_set_completeness,
    data_set_deadline,
    data_set_may,
    data_sets_list,
)
from ioc.indicators.hierarchy import Hierarchy
from ioc.indicators.models import DataSet, Sector
from ioc.indicators.selectors import indicators_list, reporting_status
from ioc.indicators.views.common import (
    ENTRY_ROLES,
    _chosen_data_set,
    _data_set_period,
    _entry_period,
    _entry_url,
    _language,
)


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
