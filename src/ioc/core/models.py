"""Models every app shares: the timeline (audit trail) of who did what, when and why."""

from django.conf import settings
from django.contrib.contenttypes.fields import GenericForeignKey
from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.utils.translation import gettext_lazy as _


class TimelineEvent(models.Model):
    """One change to one record: who, when, what (verb), from what state to what, and why."""

    content_type = models.ForeignKey(ContentType, on_delete=models.PROTECT)
    object_id = models.CharField(max_length=64)
    target = GenericForeignKey("content_type", "object_id")
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("actor"),
    )
    # Who acted when it was not a logged-in user: an API key's name, "system", a command.
    actor_label = models.CharField(_("actor label"), max_length=150, blank=True)
    verb = models.CharField(_("action"), max_length=50)
    from_state = models.CharField(_("from"), max_length=50, blank=True)
    to_state = models.CharField(_("to"), max_length=50, blank=True)
    reason = models.TextField(_("reason"), blank=True)
    data = models.JSONField(_("details"), default=dict, blank=True)
    created_at = models.DateTimeField(_("time"), auto_now_add=True, db_index=True)

    class Meta:
        verbose_name = _("timeline event")
        verbose_name_plural = _("timeline events")
        ordering = ["created_at", "id"]
        indexes = [models.Index(fields=["content_type", "object_id", "created_at"])]

    def __str__(self) -> str:
        return f"{self.verb} {self.content_type.model}#{self.object_id}"
