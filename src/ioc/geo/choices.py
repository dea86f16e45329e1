"""Levels and structures of administrative units."""

from django.utils.translation import gettext_lazy as _

from ioc.core.choices import ChoiceSet


class Level(ChoiceSet):
    PROVINCE = "province"
    DISTRICT = "district"
    COMMUNE = "commune"

    CHOICES = [
        (PROVINCE, _("Province"), "primary"),
        (DISTRICT, _("District"), "info"),
        (COMMUNE, _("Commune"), "success"),
    ]


class Structure(ChoiceSet):
    """Generations of the administrative map; units of both stay loaded (as MapIt does)."""

    LEGACY = "legacy"  # until 30/06/2025: province, district, commune
    CURRENT = "current"  # since 01/07/2025: province, commune (no district level)

    CHOICES = [
        (LEGACY, _("Before 1 July 2025"), "secondary"),
        (CURRENT, _("Since 1 July 2025"), "primary"),
    ]
