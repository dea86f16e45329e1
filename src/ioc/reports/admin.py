"""Administration of categories (with their questions and answer templates), routing rules
and webhook subscriptions. Reports are handled through the services (API, pages), so the
admin shows them read-only."""

from django.contrib import admin

from ioc.core.admin import ReadOnlyAdmin
from ioc.reports.models import (
    AnswerTemplate,
    Category,
    CategoryAttribute,
    Report,
    RoutingRule,
    WebhookSubscription,
)


class CategoryAttributeInline(admin.TabularInline):
    model = CategoryAttribute
    extra = 0


class AnswerTemplateInline(admin.StackedInline):
    model = AnswerTemplate
    extra = 0


@admin.register(Category)
class CategoryAdmin(admin.ModelAdmin):
    list_display = (
        "code",
        "name",
        "name_en",
        "group",
        "deadline_amount",
        "deadline_unit",
        "is_public",
        "is_active",
        "order",
    )
    list_filter = ("is_public", "is_active", "group")
    search_fields = ("code", "name", "name_en", "keywords")
    inlines = [CategoryAttributeInline, AnswerTemplateInline]


@admin.register(RoutingRule)
class RoutingRuleAdmin(admin.ModelAdmin):
    list_display = ("category", "unit", "agency", "is_active", "note")
    list_filter = ("is_active", "agency")
    autocomplete_fields = ("category",)
    raw_id_fields = ("unit",)


@admin.register(WebhookSubscription)
class WebhookSubscriptionAdmin(admin.ModelAdmin):
    list_display = ("name", "url", "agency", "is_active")


@admin.register(Report)
class ReportAdmin(ReadOnlyAdmin):
    list_display = ("tracking_code", "category", "status", "agency", "received_at", "due_at")
    list_filter = ("status", "source", "category")
    search_fields = ("tracking_code", "description")
    date_hierarchy = "received_at"
