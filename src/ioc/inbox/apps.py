from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class InboxConfig(AppConfig):
    name = "ioc.inbox"
    label = "inbox"
    verbose_name = _("Notifications")

    def ready(self) -> None:
        from ioc.inbox import signals  # noqa: F401 (connects its receivers)
