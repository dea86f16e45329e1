"""Reads of the core app."""

from django.contrib.contenttypes.models import ContentType
from django.db import models

from ioc.core.models import TimelineEvent


def timeline_for(*, target: models.Model) -> models.QuerySet[TimelineEvent]:
    """The timeline of one record, oldest first. Callers reach `target` through restrict()."""
    return TimelineEvent.objects.filter(
        content_type=ContentType.objects.get_for_model(target), object_id=str(target.pk)
    ).select_related("actor")
