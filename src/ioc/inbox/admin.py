"""Notifications in the admin: read-only, for support ("did this user get told?")."""

from django.contrib import admin

from ioc.inbox.models import Notification


@admin.register(Notification)
class NotificationAdmin(admin.ModelAdmin):
    list_display = ("created_at", "recipient", "kind", "__str__", "read_at")
    list_filter = ("kind",)
    search_fields = ("recipient__username", "url")
    date_hierarchy = "created_at"
    list_select_related = ("recipient",)

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False
