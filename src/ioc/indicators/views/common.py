"""What the indicator pages share: who may open them, the language and filters, the
chosen data set and period, and the link to a unit's form."""

from __future__ import annotations

from django.http import Http404
from django.urls import reverse
from django.utils import timezone
from django.utils.http import urlencode
from django.utils.translation import get_language

from ioc.accounts.choices import Role
from ioc.core.filters import FilterError, parse_filters
from ioc.core.periods import Period, PeriodError, PeriodType, parse_period, period_for
from ioc.indicators.datasets import DataSetError, data_set_period, data_sets_list
from ioc.indicators.hierarchy import Unit
from ioc.indicators.models import DataSet

DASHBOARD_ROLES = Role.STAFF
ENTRY_ROLES = frozenset({Role.AGENCY_STAFF, Role.AGENCY_HEAD, Role.OPERATOR, Role.ADMIN})
ADMIN_ROLES = frozenset({Role.ADMIN})


def _language() -> str:
    return get_language() or "vi"


def _filters(request):
    try:
        return parse_filters(request.GET)
    except FilterError:
        # The shell shows the error in the top bar; the page shows the default period.
        return parse_filters({})


def _query_keep(request, *, drop: tuple[str, ...]) -> str:
    params = request.GET.copy()
    for name in drop:
        params.pop(name, None)
    return params.urlencode()


def _param(request, name: str) -> str:
    return (request.POST.get(name) or request.GET.get(name) or "").strip()


def _entry_period(request) -> tuple[Period, str]:
    text = (request.POST.get("period") or request.GET.get("period") or "").strip()
    if not text:
        return period_for(PeriodType.MONTHLY, timezone.localdate()).previous(), ""
    try:
        return parse_period(text), ""
    except PeriodError as error:
        return period_for(PeriodType.MONTHLY, timezone.localdate()).previous(), str(error)


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


def _entry_url(data_set: DataSet, period: Period, unit: Unit) -> str:
    query = urlencode({"dataset": data_set.code, "period": period.id, "unit": unit.qualified_code})
    return f"{reverse('indicators:entry')}?{query}"
