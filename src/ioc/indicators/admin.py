"""Admin of the indicator catalogue: administrators add and adjust indicators here.

Saving goes through the services, so a formula is validated (syntax with its position,
unknown codes, cycles, a zero denominator) and every change lands in the timeline with
the fields before and after.
"""

from typing import Any

from django import forms
from django.contrib import admin
from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _

from ioc.core.admin import ReadOnlyAdmin
from ioc.core.services import timeline_record
from ioc.indicators.datasets import data_set_indicators_check
from ioc.indicators.models import (
    DataSet,
    DataSetReport,
    DataSetUnlock,
    DataValue,
    DataValueImport,
    Facility,
    Indicator,
    IndicatorAlert,
    OrgUnit,
    Sector,
    Target,
    ThresholdRule,
)
from ioc.indicators.services import (
    CATALOGUE_FIELDS,
    facility_create,
    indicator_create,
    indicator_formula_check,
    indicator_update,
)
from ioc.indicators.typed_numbers import TypedNumberField


@admin.register(Sector)
class SectorAdmin(admin.ModelAdmin):
    list_display = ("code", "name", "name_en", "colour", "order", "is_active")
    list_editable = ("order", "is_active")
    search_fields = ("code", "name", "name_en")

    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        timeline_record(
            target=obj,
            actor=request.user,
            verb="sector_changed" if change else "sector_created",
            data={"fields": sorted(form.changed_data), "via": "admin"},
        )


class IndicatorForm(forms.ModelForm):
    class Meta:
        model = Indicator
        fields = CATALOGUE_FIELDS

    def _post_clean(self):
        super()._post_clean()
        try:
            indicator_formula_check(self.instance)
        except ValidationError as error:
            self._update_errors(error)


@admin.register(Indicator)
class IndicatorAdmin(admin.ModelAdmin):
    form = IndicatorForm
    list_display = (
        "code",
        "name",
        "sector",
        "unit",
        "period_type",
        "area_aggregation",
        "time_aggregation",
        "is_active",
        "is_public",
    )
    list_filter = ("sector", "period_type", "is_active", "is_public", "source_agency")
    search_fields = ("code", "name", "name_en", "definition")
    autocomplete_fields = ("source_agency",)
    fieldsets = (
        (None, {"fields": ("code", "name", "name_en", "sector", "unit", "definition")}),
        (
            _("Collection and aggregation"),
            {
                "fields": (
                    "value_type",
                    "period_type",
                    "area_aggregation",
                    "time_aggregation",
                    "direction",
                    "decimals",
                    "source_agency",
                )
            },
        ),
        (
            _("Formula (computed indicators only)"),
            {"fields": ("numerator", "denominator", "factor", "missing_values")},
        ),
        (_("Publication"), {"fields": ("is_active", "is_public")}),
    )

    def save_model(self, request, obj, form, change):
        if change:
            changes = {name: form.cleaned_data[name] for name in form.changed_data}
            indicator_update(indicator=obj, actor=request.user, **changes)
        else:
            created = indicator_create(
                actor=request.user, **{name: form.cleaned_data[name] for name in CATALOGUE_FIELDS}
            )
            obj.pk = created.pk

    def has_delete_permission(self, request, obj=None):
        # Indicators with values are protected; retire them with "active" instead.
        return False


class FacilityForm(forms.ModelForm):
    class Meta:
        model = Facility
        fields = (
            "code",
            "name",
            "name_en",
            "kind",
            "lat",
            "lon",
            "commune",
            "legacy_district",
            "agency",
            "is_active",
        )


@admin.register(Facility)
class FacilityAdmin(admin.ModelAdmin):
    form = FacilityForm
    list_display = ("code", "name", "kind", "commune", "legacy_district", "is_active")
    list_filter = ("kind", "is_active")
    search_fields = ("code", "name", "name_en")
    autocomplete_fields = ("commune", "legacy_district", "agency")

    def save_model(self, request, obj, form, change):
        if change:
            super().save_model(request, obj, form, change)
            timeline_record(
                target=obj,
                actor=request.user,
                verb="facility_changed",
                data={"fields": sorted(form.changed_data), "via": "admin"},
            )
        else:
            created = facility_create(
                actor=request.user,
                **{name: form.cleaned_data[name] for name in FacilityForm.Meta.fields},
            )
            obj.pk = created.pk


# Values typed by people follow the page's language (typed_numbers).
TYPED_NUMBERS: dict[Any, dict[str, Any]] = {models.DecimalField: {"form_class": TypedNumberField}}


@admin.register(Target)
class TargetAdmin(admin.ModelAdmin):
    list_display = ("indicator", "org_unit", "year", "value")
    list_filter = ("year", "indicator__sector")
    search_fields = ("indicator__code", "indicator__name")
    raw_id_fields = ("org_unit",)
    autocomplete_fields = ("indicator",)
    formfield_overrides = TYPED_NUMBERS


@admin.register(ThresholdRule)
class ThresholdRuleAdmin(admin.ModelAdmin):
    list_display = ("indicator", "kind", "threshold", "org_unit", "is_active")
    list_filter = ("kind", "is_active")
    raw_id_fields = ("org_unit",)
    autocomplete_fields = ("indicator",)
    formfield_overrides = TYPED_NUMBERS


@admin.register(IndicatorAlert)
class IndicatorAlertAdmin(ReadOnlyAdmin):
    list_display = ("created_at", "indicator", "org_unit", "period", "value", "message")
    list_filter = ("indicator",)


@admin.register(DataValueImport)
class DataValueImportAdmin(ReadOnlyAdmin):
    list_display = (
        "created_at",
        "actor_label",
        "file_format",
        "strategy",
        "status",
        "imported",
        "updated",
        "ignored",
        "deleted",
    )
    list_filter = ("file_format", "strategy", "status")


@admin.register(DataValue)
class DataValueAdmin(ReadOnlyAdmin):
    list_display = ("indicator", "org_unit", "period", "value", "status", "source", "updated_at")
    list_filter = ("status", "source", "period_type", "indicator__sector")
    search_fields = ("indicator__code", "period")
    list_select_related = ("indicator", "org_unit__admin_unit", "org_unit__facility")


class DataSetForm(forms.ModelForm):
    class Meta:
        model = DataSet
        fields = (
            "code",
            "name",
            "name_en",
            "agency",
            "period_type",
            "deadline_days",
            "lock_days",
            "approval_required",
            "is_active",
            "indicators",
            "org_units",
        )

    def clean(self):
        cleaned = super().clean()
        if "indicators" in cleaned and cleaned.get("period_type"):
            try:
                data_set_indicators_check(cleaned["period_type"], list(cleaned["indicators"]))
            except ValidationError as error:
                self.add_error(None, error)  # the error names the field
        return cleaned


@admin.register(DataSet)
class DataSetAdmin(admin.ModelAdmin):
    """Data sets: administrators define who reports what, by when (docs/indicators.md)."""

    form = DataSetForm
    list_display = (
        "code",
        "name",
        "agency",
        "period_type",
        "deadline_days",
        "lock_days",
        "approval_required",
        "is_active",
    )
    list_filter = ("period_type", "agency", "approval_required", "is_active")
    search_fields = ("code", "name", "name_en")
    autocomplete_fields = ("agency",)
    filter_horizontal = ("indicators", "org_units")

    def formfield_for_manytomany(self, db_field, request, **kwargs):
        if db_field.name == "org_units":
            kwargs["queryset"] = OrgUnit.objects.select_related("admin_unit", "facility")
        elif db_field.name == "indicators":
            kwargs["queryset"] = Indicator.objects.filter(numerator="")
        return super().formfield_for_manytomany(db_field, request, **kwargs)

    def save_related(self, request, form, formsets, change):
        super().save_related(request, form, formsets, change)
        timeline_record(
            target=form.instance,
            actor=request.user,
            verb="data_set_changed" if change else "data_set_created",
            data={
                "fields": sorted(form.changed_data),
                "indicators": sorted(i.code for i in form.instance.indicators.all()),
                "via": "admin",
            },
        )


@admin.register(DataSetReport)
class DataSetReportAdmin(ReadOnlyAdmin):
    """Reports are submitted, approved and unapproved from the data entry page."""

    list_display = (
        "data_set",
        "org_unit",
        "period",
        "status",
        "submitted_at",
        "submitted_by",
        "on_time",
        "approved_by",
    )
    list_filter = ("status", "on_time", "data_set")
    search_fields = ("period", "data_set__code")


@admin.register(DataSetUnlock)
class DataSetUnlockAdmin(ReadOnlyAdmin):
    """Unlocks are made from the data entry page, with their reason."""

    list_display = ("data_set", "org_unit", "period", "unlocked_by", "created_at", "reason")
    list_filter = ("data_set",)
