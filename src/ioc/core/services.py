"""Writes of the core app: the timeline entry every service of every app records."""

from typing import Any

from django.contrib.contenttypes.models import ContentType
from django.db import models

from ioc.core.models import TimelineEvent


def timeline_record(**fields: Any) -> TimelineEvent:
    """Record that `actor` did `verb` to `target` (the arguments of timeline_event); call
    it inside the service's transaction."""
    event = timeline_event(**fields)
    event.save()
    return event


def timeline_event(*, target: models.Model, **fields: Any) -> TimelineEvent:
    """The event timeline_record() writes, not saved: for a bulk INSERT. `fields` are
    timeline_values' arguments. A target not yet saved gets its object_id later, from the
    caller."""
    event = TimelineEvent(
        content_type=ContentType.objects.get_for_model(target),
        object_id="" if target.pk is None else str(target.pk),
        **timeline_values(**fields),
    )
    if event.actor_id is not None:
        event.actor = fields["actor"]  # the row at hand, not read again
    return event


def timeline_values(
    *,
    actor: Any = None,
    verb: str,
    from_state: str = "",
    to_state: str = "",
    reason: str = "",
    data: dict | None = None,
    actor_label: str = "",
) -> dict[str, Any]:
    """An event's fields but its target, as plain values (timeline_event's arguments): for
    an event made in another process (the intake's writer, reports/intake.py)."""
    user = actor if getattr(actor, "is_authenticated", False) else None
    return {
        "actor_id": user.pk if user else None,
        "actor_label": actor_label or (user.get_username() if user else "system"),
        "verb": verb,
        "from_state": from_state,
        "to_state": to_state,
        "reason": reason,
        "data": data or {},
    }
