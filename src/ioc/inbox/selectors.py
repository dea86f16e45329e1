"""Reads of the inbox: the bell's count and the list of a user's notifications."""

from typing import Any

from django.db.models import QuerySet

from ioc.inbox.models import Notification


def unread_count(*, user: Any) -> int:
    """How many unread notifications the user has (one indexed COUNT)."""
    if not getattr(user, "is_authenticated", False):
        return 0
    return Notification.objects.filter(recipient=user, read_at=None).count()


def notification_list(*, user: Any, unread_only: bool = False) -> QuerySet[Notification]:
    """The user's notifications, newest first."""
    notifications = Notification.objects.filter(recipient=user)
    if unread_only:
        notifications = notifications.filter(read_at=None)
    return notifications.order_by("-created_at", "-pk")
