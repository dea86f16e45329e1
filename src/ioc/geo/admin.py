"""Administration of the administrative units and their successions."""

from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from ioc.geo.models import AdminUnit, UnitSuccession


class SuccessorInline(admin.TabularInline):
    model = UnitSuccession
    fk_name = "predecessor"
    extra = 0
    autocomplete_fields = ["successor"]
    verbose_name = _("successor")
    verbose_name_plural = _("successors (since the reorganisation)")


class PredecessorInline(admin.TabularInline):
    model = UnitSuccession
    fk_name = "successor"
    extra = 0
    autocomplete_fields = ["predecessor"]
    verbose_name = _("predecessor")
    verbose_name_plural = _("predecessors (before the reorganisation)")


@admin.register(AdminUnit)
class AdminUnitAdmin(admin.ModelAdmin):
    list_display = ["code", "name", "name_en", "structure", "level", "division_type", "parent"]
    list_filter = ["structure", "level", "division_type"]
    search_fields = ["code", "name", "name_en"]
    list_select_related = ["parent"]
    autocomplete_fields = ["parent"]
    inlines = [SuccessorInline, PredecessorInline]
    readonly_fields = ["boundary_summary", "updated_at"]
    exclude = ["boundary"]  # tens of kilobytes of coordinates: summarised, changed by geo_load
    fieldsets = [
        (None, {"fields": ["code", "structure", "level", "name", "name_en", "division_type"]}),
        (_("Place"), {"fields": ["parent", "valid_from", "valid_to"]}),
        (
            _("Boundary"),
            {
                "fields": [
                    "boundary_summary",
                    "centroid_lat",
                    "centroid_lon",
                    "area_km2",
                    "population",
                    "updated_at",
                ]
            },
        ),
    ]

    def get_queryset(self, request):
        # Lists never show the boundary; the change form reads it when it needs it.
        return super().get_queryset(request).defer("boundary", "parent__boundary")

    @admin.display(description=_("boundary"))
    def boundary_summary(self, unit: AdminUnit) -> str:
        boundary = unit.boundary
        if not boundary:
            return _("No boundary published")
        polygons = boundary.get("coordinates", [])
        if boundary.get("type") == "Polygon":
            polygons = [polygons]
        points = sum(len(ring) for polygon in polygons for ring in polygon)
        return _("%(type)s, %(parts)d part(s), %(points)d points") % {
            "type": boundary.get("type", "?"),
            "parts": len(polygons),
            "points": points,
        }


@admin.register(UnitSuccession)
class UnitSuccessionAdmin(admin.ModelAdmin):
    list_display = ["predecessor", "successor", "effective_on", "partial"]
    list_filter = ["partial", "effective_on"]
    search_fields = [
        "predecessor__code",
        "predecessor__name",
        "successor__code",
        "successor__name",
    ]
    list_select_related = ["predecessor", "successor"]
    autocomplete_fields = ["predecessor", "successor"]
