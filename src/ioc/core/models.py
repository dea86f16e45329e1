"""Models every app shares: the timeline (audit trail) of who did what, when and why."""

from django.conf import settings
from django.contrib.contenttypes.fields import GenericForeignKey
from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from ioc.core.choices import HolidayKind


class TimelineEvent(models.Model):
    """One change to one record: who, when, what (verb), from what state to what, and why."""

    # Indexed by (content_type, object_id, created_at) below.
    content_type = models.ForeignKey(ContentType, on_delete=models.PROTECT, db_index=False)
    object_id = models.CharField(max_length=64)
    target = GenericForeignKey("content_type", "object_id")
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("actor"),
        db_index=False,  # a partial index (Meta): citizens' and systems' events have none
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
        indexes = [
            models.Index(fields=["content_type", "object_id", "created_at"]),
            models.Index(fields=["actor"], condition=Q(actor__isnull=False), name="event_actor"),
        ]

    def __str__(self) -> str:
        return f"{self.verb} {self.content_type.model}#{self.object_id}"


class Holiday(models.Model):
    """A day that differs from the usual working week: a public holiday or a day off on a
    weekday, or a weekend day made a working day (Vietnam sometimes swaps a Saturday).
    Read by the working-day calendar (ioc.core.calendar) that counts deadlines.
    """

    date = models.DateField(_("date"), unique=True)
    name = models.CharField(_("name"), max_length=200)
    name_en = models.CharField(_("name (English)"), max_length=200, blank=True)
    kind = models.CharField(
        _("kind"), max_length=20, choices=HolidayKind, default=HolidayKind.HOLIDAY
    )
    source = models.TextField(
        _("source"), blank=True, help_text=_("The announcement this day comes from.")
    )
    provisional = models.BooleanField(
        _("provisional"),
        default=False,
        help_text=_("Not yet confirmed by an official announcement."),
    )
    from_file = models.BooleanField(
        _("from the shipped file"),
        default=False,
        help_text=_(
            "Loaded from the holiday file shipped with the IOC; the loader may update or "
            "remove it. Saving it in the admin clears this, and the loader then leaves it alone."
        ),
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    class Meta:
        verbose_name = _("holiday")
        verbose_name_plural = _("holidays")
        ordering = ["date"]

    def __str__(self) -> str:
        return f"{self.date:%d/%m/%Y} {self.name}"

    @property
    def is_day_off(self) -> bool:
        return self.kind != HolidayKind.WORKING_DAY
