"""Notifications in the admin: read-only, for support ("did this user get told?")."""

from django.contrib import admin

from ioc.core.admin import ReadOnlyAdmin
from ioc.inbox.models import GroupNotification, Notification


@admin.register(Notification)
class NotificationAdmin(ReadOnlyAdmin):
    list_display = ("created_at", "recipient", "kind", "__str__", "read_at")
    list_filter = ("kind",)
    search_fields = ("recipient__username", "url")
    date_hierarchy = "created_at"
    list_select_related = ("recipient",)


@admin.register(GroupNotification)
class GroupNotificationAdmin(ReadOnlyAdmin):
    """What went to a whole agency or to the operators (each member's copy is above)."""

    list_display = ("created_at", "audience", "kind", "__str__")
    list_filter = ("kind",)
    search_fields = ("audience", "url")
    date_hierarchy = "created_at"
