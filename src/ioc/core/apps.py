from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CoreConfig(AppConfig):
    name = "ioc.core"
    label = "core"
    verbose_name = _("Core")


# Django 6.1 labels an empty choice "- Select an option -", which its own Vietnamese
# catalogue does not translate yet; naming the string here puts it in core's catalogue,
# which Django consults before its own.
BLANK_CHOICE_LABEL = _("- Select an option -")
