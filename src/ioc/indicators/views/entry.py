"""Data entry: a data set's form for one unit and period (save as draft, submit, approve,
unapprove, unlock), and the grid of a sector's indicators that are in no data set."""

from __future__ import annotations

from decimal import Decimal

from django.contrib import messages
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from ioc.accounts.decorators import staff_required
from ioc.core.access import restrict
from ioc.core.htmx import render_page
from ioc.core.periods import Period, parse_period
from ioc.core.selectors import timeline_for
from ioc.geo.choices import Structure
from ioc.indicators.choices import DataSetStatus, DataValueStatus
from ioc.indicators.datasets import (
    DataSetError,
    data_set_approve,
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
from ioc.indicators.hierarchy import Hierarchy, Unit, UnitError
from ioc.indicators.models import DataSet, DataSetReport, DataValue, OrgUnit, Sector
from ioc.indicators.selectors import indicators_list, writable_indicator_ids
from ioc.indicators.services import DataValueError, data_value_set
from ioc.indicators.typed_numbers import typed_as_shown, typed_display, typed_value
from ioc.indicators.views.common import (
    ENTRY_ROLES,
    _chosen_data_set,
    _data_set_period,
    _entry_period,
    _entry_url,
    _language,
    _param,
)


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
                hierarchy=hierarchy,
                language=language,
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
            posted[indicator.code] = request.POST.get(f"value-{indicator.code}", "")
            before = current.get(indicator.pk)
            if typed_as_shown(posted[indicator.code], before.value if before else None, language):
                continue
            try:
                text = typed_value(posted[indicator.code], indicator.value_type, language)
            except ValueError as error:
                errors[indicator.code] = str(error)
                continue
            if text and before is not None and Decimal(text) == before.value:
                continue
            if not text and before is None:
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
                "text": posted.get(
                    indicator.code, typed_display(stored.value, language) if stored else ""
                ),
                "error": errors.get(indicator.code, ""),
                "locked": locked
                or (stored is not None and stored.status == DataValueStatus.APPROVED),
            }
        )
    return rows


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
