"""Writes of the core app: the timeline entry every service of every app records."""

from typing import Any

from django.contrib.contenttypes.models import ContentType
from django.db import models

from ioc.core.models import TimelineEvent


def timeline_record(
    *,
    target: models.Model,
    actor: Any = None,
    verb: str,
    from_state: str = "",
    to_state: str = "",
    reason: str = "",
    data: dict | None = None,
    actor_label: str = "",
) -> TimelineEvent:
    """Record that `actor` did `verb` to `target`; call it inside the service's transaction."""
    user = actor if getattr(actor, "is_authenticated", False) else None
    return TimelineEvent.objects.create(
        content_type=ContentType.objects.get_for_model(target),
        object_id=str(target.pk),
        actor=user,
        actor_label=actor_label or (user.get_username() if user else "system"),
        verb=verb,
        from_state=from_state,
        to_state=to_state,
        reason=reason,
        data=data or {},
    )
