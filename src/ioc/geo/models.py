"""Administrative units of both structures, their boundaries, and how they merged."""

from django.db import models
from django.utils.translation import gettext_lazy as _

from ioc.core.access import AccessPolicy, RestrictedQuerySet
from ioc.geo.choices import Level, Structure


class AdminUnit(models.Model):
    """A province, district or commune of one structure (legacy or current).

    Official codes are reused across structures (the new Phường Mũi Né is 22918, the old
    Phường Hàm Tiến was 22918 too), so a code is unique only within its structure.
    """

    code = models.CharField(_("code"), max_length=10)
    structure = models.CharField(_("structure"), max_length=10, choices=Structure)
    level = models.CharField(_("level"), max_length=10, choices=Level)
    name = models.CharField(_("name"), max_length=150)
    name_en = models.CharField(_("name (English)"), max_length=150, blank=True)
    division_type = models.CharField(_("type"), max_length=30, blank=True)
    parent = models.ForeignKey(
        "self",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="children",
        verbose_name=_("parent"),
    )
    valid_from = models.DateField(_("valid from"), null=True, blank=True)
    valid_to = models.DateField(_("valid until"), null=True, blank=True)
    # GeoJSON geometry (WGS84 lon/lat); empty where no boundary is published.
    boundary = models.JSONField(_("boundary"), null=True, blank=True)
    centroid_lat = models.FloatField(_("centroid latitude"), null=True, blank=True)
    centroid_lon = models.FloatField(_("centroid longitude"), null=True, blank=True)
    area_km2 = models.FloatField(_("area (km²)"), null=True, blank=True)
    population = models.PositiveIntegerField(_("population"), null=True, blank=True)
    successors = models.ManyToManyField(
        "self",
        through="UnitSuccession",
        symmetrical=False,
        related_name="predecessors",
        blank=True,
        verbose_name=_("successors"),
    )
    updated_at = models.DateTimeField(auto_now=True)

    objects = RestrictedQuerySet.as_manager()
    # The administrative map is public. Not `Q()`: an empty Q vanishes when OR-ed with
    # core.access's starting `Q(pk__in=[])`, which would leave nothing visible.
    access_policy = AccessPolicy(public=models.Q(pk__isnull=False))

    class Meta:
        verbose_name = _("administrative unit")
        verbose_name_plural = _("administrative units")
        ordering = ["structure", "level", "code"]
        constraints = [
            models.UniqueConstraint(fields=["structure", "code"], name="unit_code_per_structure")
        ]
        indexes = [models.Index(fields=["structure", "level"])]

    def __str__(self) -> str:
        return self.name

    def display_name(self, language: str) -> str:
        return self.name_en if language == "en" and self.name_en else self.name


class UnitSuccession(models.Model):
    """A legacy unit (or part of it) became a current unit on the reorganisation date."""

    predecessor = models.ForeignKey(
        AdminUnit, on_delete=models.CASCADE, related_name="succession_to"
    )
    successor = models.ForeignKey(
        AdminUnit, on_delete=models.CASCADE, related_name="succession_from"
    )
    effective_on = models.DateField(_("effective on"))
    # True when the predecessor was split between several successors.
    partial = models.BooleanField(_("split between several units"), default=False)

    class Meta:
        verbose_name = _("succession")
        verbose_name_plural = _("successions")
        constraints = [
            models.UniqueConstraint(
                fields=["predecessor", "successor"], name="unit_succession_unique"
            )
        ]

    def __str__(self) -> str:
        return f"{self.predecessor} → {self.successor}"
