"""A new account's mark in the group notifications: it gets those made from now on."""

from django.conf import settings
from django.db.models.signals import post_save
from django.dispatch import receiver

from ioc.inbox.services import group_mark_start


@receiver(post_save, sender=settings.AUTH_USER_MODEL, dispatch_uid="inbox_group_delivery")
def account_made(sender, instance, created, raw=False, **kwargs):
    if created and not raw:
        group_mark_start(user=instance)
