"""The catalogue of indicators and its editing form (administrators)."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import get_object_or_404, redirect
from django.utils.translation import gettext as _

from ioc.accounts.decorators import staff_required
from ioc.core.htmx import render_page
from ioc.core.selectors import timeline_for
from ioc.indicators.forms import IndicatorForm
from ioc.indicators.models import Indicator, Sector
from ioc.indicators.selectors import indicators_list
from ioc.indicators.services import indicator_create, indicator_update
from ioc.indicators.views.common import ADMIN_ROLES, _language


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
