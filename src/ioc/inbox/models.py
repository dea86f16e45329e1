"""In-app notifications: a short message to one user about one object, read or not.

The title and body are stored in every language of the deployment (rendered when the
notification is made), so the recipient reads them in the language they chose, even one
different from the language of whoever caused the event.

A notification for a whole group (an agency's staff, the operators) is stored once, as a
GroupNotification; each member's own copy, a Notification they read and mark like any
other, is made when they next look at their inbox (services.group_notifications_deliver).
"""

from collections.abc import Mapping

from django.conf import settings
from django.db import models
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _


def text_in(texts: Mapping[str, str], language: str) -> str:
    """The text of {language: text} in `language`, else in the deployment's language."""
    return texts.get(language) or texts.get(settings.LANGUAGE_CODE) or ""


class Message(models.Model):
    """What a notification says, for one user or for a group."""

    # What happened, as a dotted code ("report.status_changed"): lets a page filter or
    # style notifications without parsing their text.
    kind = models.CharField(_("kind"), max_length=50)
    url = models.CharField(_("link"), max_length=300, blank=True)
    title = models.JSONField(_("title"), default=dict)
    body = models.JSONField(_("text"), default=dict, blank=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    class Meta:
        abstract = True

    def __str__(self) -> str:
        return self.title_text()

    def _localized(self, texts: dict, language: str | None) -> str:
        return text_in(texts, (language or get_language() or settings.LANGUAGE_CODE)[:2])

    def title_text(self, language: str | None = None) -> str:
        return self._localized(self.title, language)

    def body_text(self, language: str | None = None) -> str:
        return self._localized(self.body, language)


class Notification(Message):
    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="notifications",
        verbose_name=_("recipient"),
        db_index=False,  # the indexes below start with it
    )
    read_at = models.DateTimeField(_("read"), null=True, blank=True)

    class Meta:
        verbose_name = _("notification")
        verbose_name_plural = _("notifications")
        ordering = ["-created_at", "-pk"]
        indexes = [
            # The bell's count and the list page: one user's notifications, newest first.
            models.Index(fields=["recipient", "read_at"], name="inbox_recipient_read"),
            models.Index(fields=["recipient", "-created_at"], name="inbox_recipient_created"),
        ]

    @property
    def is_read(self) -> bool:
        return self.read_at is not None


class GroupNotification(Message):
    """A notification for every member of an audience (services.audiences_of), stored once
    when it happens and copied to each member's inbox when they next look: the intake of a
    report wrote one row per member of its agency's staff in the report's transaction."""

    # "agency:<id>" (its active staff and head) or "operators".
    audience = models.CharField(_("audience"), max_length=40)

    class Meta:
        verbose_name = _("group notification")
        verbose_name_plural = _("group notifications")
        ordering = ["-pk"]
        indexes = [
            # A member's look: the audience's notifications after the last one copied.
            models.Index(fields=["audience", "id"], name="inbox_group_audience"),
        ]


class GroupDelivery(models.Model):
    """How far each user's inbox has copied the group notifications (the last one's key)."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        primary_key=True,
        related_name="group_delivery",
        verbose_name=_("user"),
    )
    through = models.BigIntegerField(_("copied through"), default=0)

    class Meta:
        verbose_name = _("group notifications copied")
        verbose_name_plural = _("group notifications copied")

    def __str__(self) -> str:
        return f"{self.user_id}: {self.through}"
