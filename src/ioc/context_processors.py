"""What every page's shell needs: the deployment, the sidebar for the role, the filters."""

from django.utils.translation import get_language

from ioc.core.filters import FilterError, parse_filters, period_choices
from ioc.core.navigation import items_for
from ioc.core.periods import DateRange
from ioc.geo.selectors import deployment, units_for_area_filter


def shell(request):
    user = getattr(request, "user", None)
    language = get_language() or "vi"
    context = {
        "deployment": deployment().localized(language),
        "nav_items": items_for(user),
        "user_role_label": user.get_role_display()
        if getattr(user, "is_authenticated", False)
        else "",
    }
    if getattr(user, "is_authenticated", False) and user.is_staff_role:
        context.update(_filters(request, language))
    return context


def _filters(request, language: str) -> dict:
    try:
        filters = parse_filters(request.GET)
        error = ""
    except FilterError as exc:
        filters, error = parse_filters({}), str(exc)
    choices = period_choices(language=language)
    groups = units_for_area_filter(language=language)
    return {
        "filters": filters,
        "filter_error": error,
        "filter_period_choices": choices,
        "filter_period_listed": any(
            value == getattr(filters.period, "id", None) for value, _ in choices
        ),
        "filter_period_label": filters.period.label(language),
        "filter_is_custom": isinstance(filters.period, DateRange),
        "filter_area_groups": groups,
    }
