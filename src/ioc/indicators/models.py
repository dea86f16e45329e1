"""The indicator engine's tables: the catalogue, reporting units, values, aggregates, targets.

- `Sector` and `Indicator` are the catalogue administrators edit (history in the timeline).
- `Facility` is a reporting unit below a commune; `OrgUnit` wraps an AdminUnit (of either
  structure) or a Facility, so values, aggregates and targets have one unit key.
- `DataValue` is one reported figure, keyed by (indicator, org unit, DHIS2 period).
- `Aggregate` holds, per indicator x org unit x period, the running sums every dashboard
  reads; services.py keeps it up to date in the same transaction as each value change.
- `DataSet` is a form an agency reports per period (its indicators, its units, a deadline);
  `DataSetReport` records one unit's report of a period: submitted (on time or late),
  then approved (its values locked) by the agency's head; `DataSetUnlock` reopens a period
  that the data set's period lock has closed, for one unit.
"""

from decimal import Decimal

from django.conf import settings
from django.core.validators import MinValueValidator, RegexValidator
from django.db import models
from django.db.models import Q
from django.utils.formats import number_format
from django.utils.translation import gettext_lazy as _

from ioc.core.access import AccessPolicy, RestrictedQuerySet
from ioc.core.periods import PeriodType
from ioc.indicators.choices import (
    AreaAggregation,
    DataSetStatus,
    DataValueSource,
    DataValueStatus,
    Direction,
    FacilityKind,
    ImportState,
    ImportStrategy,
    MissingValues,
    PeriodTypeChoice,
    ThresholdKind,
    TimeAggregation,
    ValueType,
)
from ioc.indicators.formulas import CODE_PATTERN

VALUE_DIGITS = 24
VALUE_PLACES = 6

code_validator = RegexValidator(
    rf"^{CODE_PATTERN}$", _("Use letters, digits, “_” and “-” only (no spaces).")
)
colour_validator = RegexValidator(r"^#[0-9a-fA-F]{6}$", _("Use a colour such as #1f77b4."))


def plain_decimal(value: Decimal) -> str:
    """A stored value as plain text, without trailing zeros or an exponent: 1250.500000 →
    "1250.5", 1000.000000 → "1000" (APIs, CSV, messages; pages use core.formats)."""
    return format(value.normalize(), "f")


def readable_decimal(value: Decimal | float | int, decimal_pos: int | None = None) -> str:
    """A value as a person reads it in the active language: 1250.500000 → "1.250,5" in
    Vietnamese, "1,250.5" in English (pages' figures, and texts stored for people such as
    alert messages). Without `decimal_pos`, a Decimal loses its trailing zeros."""
    shown = value.normalize() if decimal_pos is None and isinstance(value, Decimal) else value
    return number_format(shown, decimal_pos=decimal_pos, use_l10n=True, force_grouping=True)


def value_field(verbose_name, **kwargs) -> models.DecimalField:
    return models.DecimalField(
        verbose_name, max_digits=VALUE_DIGITS, decimal_places=VALUE_PLACES, **kwargs
    )


class Sector(models.Model):
    """A field of the catalogue (socio-economic, health...): rows the province may add."""

    code = models.SlugField(_("code"), max_length=50, unique=True)
    name = models.CharField(_("name (Vietnamese)"), max_length=150)
    name_en = models.CharField(_("name (English)"), max_length=150, blank=True)
    colour = models.CharField(
        _("colour"), max_length=7, default="#0d6efd", validators=[colour_validator]
    )
    order = models.PositiveSmallIntegerField(_("order"), default=100)
    is_active = models.BooleanField(_("active"), default=True)

    objects = RestrictedQuerySet.as_manager()
    access_policy = AccessPolicy(public=Q(is_active=True))

    class Meta:
        verbose_name = _("sector")
        verbose_name_plural = _("sectors")
        ordering = ["order", "code"]

    def __str__(self) -> str:
        return self.name

    def display_name(self, language: str) -> str:
        return self.name_en if language == "en" and self.name_en else self.name


class Indicator(models.Model):
    """One figure the province tracks: collected (values reported) or computed by formula."""

    code = models.CharField(_("code"), max_length=50, unique=True, validators=[code_validator])
    name = models.CharField(_("name (Vietnamese)"), max_length=255)
    name_en = models.CharField(_("name (English)"), max_length=255, blank=True)
    sector = models.ForeignKey(
        Sector, on_delete=models.PROTECT, related_name="indicators", verbose_name=_("sector")
    )
    unit = models.CharField(_("unit of measure"), max_length=50, blank=True)
    value_type = models.CharField(
        _("value type"), max_length=30, choices=ValueType, default=ValueType.NUMBER
    )
    period_type = models.CharField(
        _("period type"), max_length=20, choices=PeriodTypeChoice, default=PeriodType.MONTHLY
    )
    area_aggregation = models.CharField(
        _("aggregation across areas"),
        max_length=30,
        choices=AreaAggregation,
        default=AreaAggregation.SUM,
    )
    time_aggregation = models.CharField(
        _("aggregation over time"),
        max_length=10,
        choices=TimeAggregation,
        default=TimeAggregation.SUM,
    )
    direction = models.CharField(
        _("direction"), max_length=10, choices=Direction, default=Direction.HIGHER_IS_BETTER
    )
    decimals = models.PositiveSmallIntegerField(_("decimals"), default=1)
    definition = models.TextField(_("definition"), blank=True)
    source_agency = models.ForeignKey(
        "accounts.Agency",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="indicators",
        verbose_name=_("source agency"),
    )
    numerator = models.TextField(
        _("numerator"),
        blank=True,
        help_text=_("For a computed indicator: an expression such as #{CODE_A} + #{CODE_B}."),
    )
    denominator = models.TextField(
        _("denominator"),
        blank=True,
        help_text=_("Optional: an expression the numerator is divided by (empty: 1)."),
    )
    factor = models.DecimalField(
        _("factor"),
        max_digits=18,
        decimal_places=6,
        default=1,
        help_text=_("Multiplies numerator ÷ denominator: 1, 100 (percent), 10000..."),
    )
    missing_values = models.CharField(
        _("missing operands"),
        max_length=30,
        choices=MissingValues,
        default=MissingValues.SKIP_IF_ANY_MISSING,
    )
    is_active = models.BooleanField(_("active"), default=True)
    is_public = models.BooleanField(
        _("public"), default=False, help_text=_("Shown on the public figures page and API.")
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    objects = RestrictedQuerySet.as_manager()
    # Staff of the whole deployment see every indicator; an agency its own; the public the
    # published ones. Only administrators change the catalogue.
    access_policy = AccessPolicy(
        agency="source_agency_id",
        public=Q(is_public=True, is_active=True),
        admin_actions=frozenset({"add", "change", "delete"}),
        relations={"add": (), "change": (), "delete": ()},
    )

    class Meta:
        verbose_name = _("indicator")
        verbose_name_plural = _("indicators")
        ordering = ["sector__order", "code"]

    def __str__(self) -> str:
        return f"{self.code} · {self.name}"

    @property
    def is_computed(self) -> bool:
        return bool(self.numerator.strip())

    def display_name(self, language: str) -> str:
        return self.name_en if language == "en" and self.name_en else self.name


class Facility(models.Model):
    """A reporting unit below the commune: a hospital, a health station, a school, a site."""

    code = models.CharField(_("code"), max_length=50, unique=True, validators=[code_validator])
    name = models.CharField(_("name (Vietnamese)"), max_length=255)
    name_en = models.CharField(_("name (English)"), max_length=255, blank=True)
    kind = models.CharField(_("kind"), max_length=30, choices=FacilityKind)
    lat = models.FloatField(_("latitude"), null=True, blank=True)
    lon = models.FloatField(_("longitude"), null=True, blank=True)
    commune = models.ForeignKey(
        "geo.AdminUnit",
        on_delete=models.PROTECT,
        related_name="facilities",
        limit_choices_to={"structure": "current", "level": "commune"},
        verbose_name=_("commune (since 1 July 2025)"),
    )
    legacy_district = models.ForeignKey(
        "geo.AdminUnit",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="legacy_facilities",
        limit_choices_to={"structure": "legacy", "level": "district"},
        verbose_name=_("district (before 1 July 2025)"),
    )
    agency = models.ForeignKey(
        "accounts.Agency",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="facilities",
        verbose_name=_("managing agency"),
    )
    is_active = models.BooleanField(_("active"), default=True)

    objects = RestrictedQuerySet.as_manager()
    access_policy = AccessPolicy(public=Q(pk__isnull=False))

    class Meta:
        verbose_name = _("facility")
        verbose_name_plural = _("facilities")
        ordering = ["kind", "code"]

    def __str__(self) -> str:
        return self.name


class OrgUnit(models.Model):
    """A unit values are reported for: exactly one administrative unit or one facility.

    One table wrapping both keeps a single integer key for values, aggregates and targets
    (and their indexes), where two nullable keys would double every lookup.
    """

    admin_unit = models.OneToOneField(
        "geo.AdminUnit",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="org_unit",
    )
    facility = models.OneToOneField(
        Facility, null=True, blank=True, on_delete=models.PROTECT, related_name="org_unit"
    )

    class Meta:
        verbose_name = _("reporting unit")
        verbose_name_plural = _("reporting units")
        constraints = [
            models.CheckConstraint(
                condition=(Q(admin_unit__isnull=False) & Q(facility__isnull=True))
                | (Q(admin_unit__isnull=True) & Q(facility__isnull=False)),
                name="org_unit_is_one_unit_or_one_facility",
            )
        ]

    def __str__(self) -> str:
        return str(self.admin_unit or self.facility)


class DataValueImport(models.Model):
    """One import (file or API call): who, what, the DHIS2 summary. Values point to it."""

    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("by"),
    )
    actor_label = models.CharField(_("by (label)"), max_length=150, blank=True)
    api_key = models.ForeignKey(
        "accounts.ApiKey",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("API key"),
    )
    file_format = models.CharField(_("format"), max_length=20)
    strategy = models.CharField(_("strategy"), max_length=20, choices=ImportStrategy)
    dry_run = models.BooleanField(_("dry run"), default=False)
    status = models.CharField(_("status"), max_length=10)
    imported = models.PositiveIntegerField(_("imported"), default=0)
    updated = models.PositiveIntegerField(_("updated"), default=0)
    ignored = models.PositiveIntegerField(_("ignored"), default=0)
    deleted = models.PositiveIntegerField(_("deleted"), default=0)
    conflicts = models.JSONField(_("conflicts"), default=list, blank=True)
    created_at = models.DateTimeField(_("time"), auto_now_add=True)
    # A background import (a file above IOC_INDICATORS_IMPORT_BACKGROUND_ROWS): the worker
    # reads `upload` (in the default storage), the page and the API poll `state`.
    state = models.CharField(
        _("state"), max_length=10, choices=ImportState, default=ImportState.DONE
    )
    rows_total = models.PositiveIntegerField(_("rows"), default=0)
    conflict_count = models.PositiveIntegerField(_("conflicts (count)"), default=0)
    structure = models.CharField(_("bare codes are"), max_length=10, blank=True)
    source = models.CharField(
        _("source"), max_length=10, choices=DataValueSource, default=DataValueSource.IMPORT
    )
    upload = models.CharField(_("stored file"), max_length=255, blank=True)
    error = models.TextField(_("error"), blank=True)
    # The language of whoever started the job: the worker writes its conflicts and errors
    # in it, not in the worker's own.
    language = models.CharField(_("language"), max_length=10, blank=True)
    started_at = models.DateTimeField(_("started"), null=True, blank=True)
    finished_at = models.DateTimeField(_("finished"), null=True, blank=True)

    class Meta:
        verbose_name = _("data value import")
        verbose_name_plural = _("data value imports")
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.file_format} {self.strategy} {self.created_at:%Y-%m-%d %H:%M}"


class DataValue(models.Model):
    """One figure for one indicator, unit and period, with who, when, how and its status."""

    # No index of its own: the key and the indexes below start with the indicator.
    indicator = models.ForeignKey(
        Indicator,
        on_delete=models.PROTECT,
        related_name="values",
        verbose_name=_("indicator"),
        db_index=False,
    )
    org_unit = models.ForeignKey(
        OrgUnit, on_delete=models.PROTECT, related_name="values", verbose_name=_("unit")
    )
    period = models.CharField(_("period"), max_length=20)
    period_type = models.CharField(_("period type"), max_length=20)
    period_start = models.DateField(_("period start"))
    period_end = models.DateField(_("period end"))
    value = value_field(_("value"))
    status = models.CharField(
        _("status"), max_length=10, choices=DataValueStatus, default=DataValueStatus.SUBMITTED
    )
    source = models.CharField(
        _("source"), max_length=10, choices=DataValueSource, default=DataValueSource.FORM
    )
    stored_by = models.CharField(_("stored by"), max_length=150, blank=True)
    comment = models.TextField(_("comment"), blank=True)
    followup = models.BooleanField(_("follow up"), default=False)
    batch = models.ForeignKey(
        DataValueImport,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="values",
        verbose_name=_("import"),
    )
    created_at = models.DateTimeField(_("created"))
    updated_at = models.DateTimeField(_("updated"))
    # DHIS2's soft delete: a deleted value keeps its row (nothing submitted is erased) and
    # comes back to life when the same key is written again.
    deleted_at = models.DateTimeField(_("deleted"), null=True, blank=True)

    objects = RestrictedQuerySet.as_manager()
    access_policy = AccessPolicy(
        agency="indicator__source_agency_id",
        public=Q(indicator__is_public=True, deleted_at__isnull=True),
        admin_actions=frozenset({"delete"}),
    )

    class Meta:
        verbose_name = _("data value")
        verbose_name_plural = _("data values")
        ordering = ["indicator_id", "period_start", "org_unit_id"]
        constraints = [
            models.UniqueConstraint(
                fields=["indicator", "org_unit", "period"], name="data_value_key"
            )
        ]
        indexes = [
            models.Index(fields=["indicator", "org_unit", "period_start"]),
            models.Index(fields=["indicator", "period_start"]),
        ]

    def __str__(self) -> str:
        return f"{self.indicator_id}/{self.org_unit_id}/{self.period} = {self.value}"

    @property
    def counts(self) -> bool:
        """Whether the value reaches the aggregates (not deleted, not a draft)."""
        return self.deleted_at is None and self.status in DataValueStatus.COUNTED


class Aggregate(models.Model):
    """Running sums of one indicator for one org unit (and everything it contains) and one
    period (the values' own and every coarser one up to the year).

    `unit_count` reporting units contributed; `value_sum` is the sum of their time-aggregated
    values, `weighted_sum`/`weight_sum` the same weighted by population. The analytics
    turn them into a value by the indicator's area aggregation. Written only by services.
    """

    indicator = models.ForeignKey(
        Indicator, on_delete=models.CASCADE, related_name="+", db_index=False
    )
    org_unit = models.ForeignKey(OrgUnit, on_delete=models.CASCADE, related_name="+")
    period = models.CharField(max_length=20)
    period_type = models.CharField(max_length=20)
    period_start = models.DateField()
    period_end = models.DateField()
    value_sum = value_field(_("sum"), default=0)
    unit_count = models.IntegerField(_("reporting units"), default=0)
    weighted_sum = value_field(_("population-weighted sum"), default=0)
    weight_sum = models.BigIntegerField(_("population"), default=0)
    updated_at = models.DateTimeField()

    class Meta:
        verbose_name = _("aggregate")
        verbose_name_plural = _("aggregates")
        constraints = [
            models.UniqueConstraint(
                fields=["indicator", "org_unit", "period"], name="aggregate_key"
            )
        ]
        indexes = [models.Index(fields=["indicator", "period_type", "period_start"])]

    def __str__(self) -> str:
        return f"{self.indicator_id}/{self.org_unit_id}/{self.period}"


class Target(models.Model):
    """The plan (kế hoạch) of an indicator for a unit and a year."""

    indicator = models.ForeignKey(
        Indicator, on_delete=models.CASCADE, related_name="targets", verbose_name=_("indicator")
    )
    org_unit = models.ForeignKey(
        OrgUnit, on_delete=models.PROTECT, related_name="targets", verbose_name=_("unit")
    )
    year = models.PositiveSmallIntegerField(_("year"), validators=[MinValueValidator(1900)])
    value = value_field(_("target"))
    comment = models.TextField(_("comment"), blank=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    objects = RestrictedQuerySet.as_manager()
    access_policy = AccessPolicy(
        agency="indicator__source_agency_id",
        public=Q(indicator__is_public=True),
        admin_actions=frozenset({"delete"}),
    )

    class Meta:
        verbose_name = _("target")
        verbose_name_plural = _("targets")
        ordering = ["indicator_id", "year"]
        constraints = [
            models.UniqueConstraint(fields=["indicator", "org_unit", "year"], name="target_key")
        ]

    def __str__(self) -> str:
        return f"{self.indicator_id}/{self.org_unit_id}/{self.year} = {plain_decimal(self.value)}"


class ThresholdRule(models.Model):
    """A condition on an indicator's figure that raises an alert when a value changes."""

    indicator = models.ForeignKey(
        Indicator, on_delete=models.CASCADE, related_name="rules", verbose_name=_("indicator")
    )
    org_unit = models.ForeignKey(
        OrgUnit,
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="+",
        verbose_name=_("unit"),
        help_text=_("Empty: every unit whose figure changes."),
    )
    kind = models.CharField(_("kind"), max_length=20, choices=ThresholdKind)
    threshold = models.DecimalField(
        _("threshold"),
        max_digits=VALUE_DIGITS,
        decimal_places=VALUE_PLACES,
        help_text=_("A value (above, below) or a percentage (change, off target)."),
    )
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        verbose_name = _("threshold rule")
        verbose_name_plural = _("threshold rules")
        ordering = ["indicator_id", "kind"]

    def __str__(self) -> str:
        return f"{self.indicator_id} {self.kind} {self.threshold}"


class IndicatorAlert(models.Model):
    """A rule found true for a unit and period; the operations centre consumes these."""

    rule = models.ForeignKey(ThresholdRule, on_delete=models.CASCADE, related_name="alerts")
    indicator = models.ForeignKey(Indicator, on_delete=models.CASCADE, related_name="alerts")
    org_unit = models.ForeignKey(OrgUnit, on_delete=models.CASCADE, related_name="+")
    period = models.CharField(_("period"), max_length=20)
    value = value_field(_("value"))
    message = models.TextField(_("message"))
    created_at = models.DateTimeField(_("raised"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)
    acknowledged_at = models.DateTimeField(_("acknowledged"), null=True, blank=True)

    class Meta:
        verbose_name = _("indicator alert")
        verbose_name_plural = _("indicator alerts")
        ordering = ["-created_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["rule", "org_unit", "period"], name="indicator_alert_once"
            )
        ]

    def __str__(self) -> str:
        return self.message


class DataSet(models.Model):
    """A form an agency reports each period: its indicators, the units that report it,
    a deadline in days after the end of the period, and whether reports need approval."""

    code = models.CharField(_("code"), max_length=50, unique=True, validators=[code_validator])
    name = models.CharField(_("name (Vietnamese)"), max_length=255)
    name_en = models.CharField(_("name (English)"), max_length=255, blank=True)
    agency = models.ForeignKey(
        "accounts.Agency",
        on_delete=models.PROTECT,
        related_name="data_sets",
        verbose_name=_("reporting agency"),
    )
    period_type = models.CharField(
        _("period type"), max_length=20, choices=PeriodTypeChoice, default=PeriodType.MONTHLY
    )
    indicators = models.ManyToManyField(
        Indicator,
        related_name="data_sets",
        limit_choices_to={"numerator": ""},
        verbose_name=_("indicators"),
    )
    org_units = models.ManyToManyField(
        OrgUnit, blank=True, related_name="data_sets", verbose_name=_("reporting units")
    )
    deadline_days = models.PositiveSmallIntegerField(
        _("deadline (days after the period)"),
        default=15,
        help_text=_(
            "Reports submitted up to this many days after the end of the period are on time."
        ),
    )
    lock_days = models.PositiveSmallIntegerField(
        _("lock (days after the deadline)"),
        null=True,
        blank=True,
        help_text=_(
            "A period's values can no longer change this many days after its deadline, "
            "unless an approver unlocks it for a unit. Empty: never."
        ),
    )
    approval_required = models.BooleanField(
        _("approval required"),
        default=True,
        help_text=_("The agency's head approves each report, which locks its values."),
    )
    is_active = models.BooleanField(_("active"), default=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    objects = RestrictedQuerySet.as_manager()
    # Its agency (and the heads above it) view and fill it; whole-deployment roles view
    # all; operators fill all. "change" is approving: the agency's heads and administrators.
    access_policy = AccessPolicy(
        agency="agency_id",
        manager="agency_id",
        admin_actions=frozenset({"change", "delete"}),
        relations={"change": ("manager",), "delete": ()},
    )

    class Meta:
        verbose_name = _("data set")
        verbose_name_plural = _("data sets")
        ordering = ["code"]

    def __str__(self) -> str:
        return f"{self.code} · {self.name}"

    def display_name(self, language: str) -> str:
        return self.name_en if language == "en" and self.name_en else self.name


class DataSetReport(models.Model):
    """One unit's report of a data set for one period: DHIS2's completeDataSetRegistration
    (who submitted, when, on time or late) and its approval, which locks the values."""

    data_set = models.ForeignKey(
        DataSet, on_delete=models.PROTECT, related_name="reports", verbose_name=_("data set")
    )
    org_unit = models.ForeignKey(
        OrgUnit, on_delete=models.PROTECT, related_name="+", verbose_name=_("unit")
    )
    period = models.CharField(_("period"), max_length=20)
    status = models.CharField(
        _("status"), max_length=10, choices=DataSetStatus, default=DataSetStatus.SUBMITTED
    )
    deadline = models.DateField(_("deadline"))
    submitted_at = models.DateTimeField(_("submitted"))
    submitted_by = models.CharField(_("submitted by"), max_length=150)
    on_time = models.BooleanField(_("on time"))
    approved_at = models.DateTimeField(_("approved"), null=True, blank=True)
    approved_by = models.CharField(_("approved by"), max_length=150, blank=True)

    objects = RestrictedQuerySet.as_manager()
    access_policy = AccessPolicy(
        agency="data_set__agency_id",
        manager="data_set__agency_id",
        admin_actions=frozenset({"change", "delete"}),
        relations={"change": ("manager",), "delete": ()},
    )

    class Meta:
        verbose_name = _("data set report")
        verbose_name_plural = _("data set reports")
        ordering = ["data_set_id", "period", "org_unit_id"]
        constraints = [
            models.UniqueConstraint(
                fields=["data_set", "org_unit", "period"], name="data_set_report_key"
            )
        ]
        indexes = [models.Index(fields=["period", "org_unit", "status"])]

    def __str__(self) -> str:
        return f"{self.data_set_id}/{self.org_unit_id}/{self.period} {self.status}"

    @property
    def is_locked(self) -> bool:
        return self.status == DataSetStatus.APPROVED


class DataSetUnlock(models.Model):
    """An approver's exception to a data set's period lock for one unit and period (DHIS2's
    lock exception): its values can change again, and the report can be submitted late."""

    data_set = models.ForeignKey(
        DataSet, on_delete=models.PROTECT, related_name="unlocks", verbose_name=_("data set")
    )
    org_unit = models.ForeignKey(
        OrgUnit, on_delete=models.PROTECT, related_name="+", verbose_name=_("unit")
    )
    period = models.CharField(_("period"), max_length=20)
    reason = models.TextField(_("reason"))
    unlocked_by = models.CharField(_("unlocked by"), max_length=150)
    created_at = models.DateTimeField(_("unlocked"), auto_now_add=True)

    objects = RestrictedQuerySet.as_manager()
    access_policy = AccessPolicy(
        agency="data_set__agency_id",
        manager="data_set__agency_id",
        admin_actions=frozenset({"change", "delete"}),
        relations={"change": ("manager",), "delete": ()},
    )

    class Meta:
        verbose_name = _("period unlock")
        verbose_name_plural = _("period unlocks")
        ordering = ["-created_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["data_set", "org_unit", "period"], name="data_set_unlock_key"
            )
        ]

    def __str__(self) -> str:
        return f"{self.data_set_id}/{self.org_unit_id}/{self.period}"
