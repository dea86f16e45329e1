"""Admin of the core app: the holiday calendar (editable) and the timeline (read-only)."""

from django.contrib import admin
from django.db.models.functions import ExtractYear
from django.utils.dates import WEEKDAYS_ABBR
from django.utils.translation import gettext_lazy as _

from ioc.core.calendar import calendar_cache_clear
from ioc.core.models import Holiday, TimelineEvent


class YearFilter(admin.SimpleListFilter):
    title = _("year")
    parameter_name = "year"

    def lookups(self, request, model_admin):
        years = (
            Holiday.objects.annotate(year=ExtractYear("date"))
            .values_list("year", flat=True)
            .distinct()
            .order_by("-year")
        )
        return [(str(year), str(year)) for year in years]

    def queryset(self, request, queryset):
        if self.value():
            return queryset.filter(date__year=self.value())
        return queryset


class ReadOnlyAdmin(admin.ModelAdmin):
    """A log shown in the admin: nobody adds, edits or deletes its rows there."""

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(Holiday)
class HolidayAdmin(admin.ModelAdmin):
    list_display = ["date", "weekday", "name", "name_en", "kind", "provisional", "from_file"]
    list_filter = [YearFilter, "kind", "provisional", "from_file"]
    search_fields = ["name", "name_en", "source"]
    date_hierarchy = "date"
    ordering = ["date"]
    readonly_fields = ["from_file", "created_at", "updated_at"]
    fields = ["date", "name", "name_en", "kind", "provisional", "source", *readonly_fields]

    @admin.display(description=_("weekday"))
    def weekday(self, obj: Holiday) -> str:
        return str(WEEKDAYS_ABBR[obj.date.weekday()])

    def save_model(self, request, obj, form, change):
        # An administrator's row is theirs: the holiday file loader leaves it alone.
        obj.from_file = False
        super().save_model(request, obj, form, change)
        calendar_cache_clear()

    def delete_model(self, request, obj):
        super().delete_model(request, obj)
        calendar_cache_clear()

    def delete_queryset(self, request, queryset):
        super().delete_queryset(request, queryset)
        calendar_cache_clear()


@admin.register(TimelineEvent)
class TimelineEventAdmin(ReadOnlyAdmin):
    """The audit trail: readable by administrators, never edited."""

    list_display = ["created_at", "verb", "content_type", "object_id", "actor_display"]
    list_filter = ["verb", "content_type"]
    search_fields = ["object_id", "actor_label", "reason"]
    list_select_related = ["content_type", "actor"]
    date_hierarchy = "created_at"

    @admin.display(description=_("actor"))
    def actor_display(self, obj: TimelineEvent) -> str:
        return obj.actor_label or str(obj.actor or "")
