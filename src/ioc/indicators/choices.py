"""Choices of the indicators app: value types, aggregation rules, statuses, sources."""

from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from ioc.core.choices import ChoiceSet
from ioc.core.periods import PeriodType


class ValueType(ChoiceSet):
    """What a value of an indicator may be (DHIS2's numeric value types)."""

    NUMBER = "NUMBER"
    INTEGER = "INTEGER"
    INTEGER_POSITIVE = "INTEGER_POSITIVE"
    INTEGER_ZERO_OR_POSITIVE = "INTEGER_ZERO_OR_POSITIVE"
    PERCENTAGE = "PERCENTAGE"
    UNIT_INTERVAL = "UNIT_INTERVAL"

    CHOICES = [
        (NUMBER, _("Number"), "primary"),
        (INTEGER, _("Integer"), "primary"),
        (INTEGER_POSITIVE, _("Positive integer"), "primary"),
        (INTEGER_ZERO_OR_POSITIVE, _("Zero or positive integer"), "primary"),
        (PERCENTAGE, _("Percentage (0 to 100)"), "info"),
        (UNIT_INTERVAL, _("Fraction (0 to 1)"), "info"),
    ]


class AreaAggregation(ChoiceSet):
    """How values of several units add up to a larger area."""

    SUM = "SUM"
    AVERAGE = "AVERAGE"
    POPULATION_WEIGHTED = "POPULATION_WEIGHTED"
    NONE = "NONE"

    CHOICES = [
        (SUM, _("Sum"), "primary"),
        (AVERAGE, _("Average"), "info"),
        (POPULATION_WEIGHTED, _("Population-weighted average"), "info"),
        (NONE, _("None (only where reported)"), "secondary"),
    ]


class TimeAggregation(ChoiceSet):
    """How the values of one unit over several periods make a longer period."""

    SUM = "SUM"
    LAST = "LAST"
    AVERAGE = "AVERAGE"

    CHOICES = [
        (SUM, _("Sum"), "primary"),
        (LAST, _("Last value"), "info"),
        (AVERAGE, _("Average"), "info"),
    ]


class Direction(ChoiceSet):
    HIGHER_IS_BETTER = "HIGHER"
    LOWER_IS_BETTER = "LOWER"

    CHOICES = [
        (HIGHER_IS_BETTER, _("Higher is better"), "success"),
        (LOWER_IS_BETTER, _("Lower is better"), "warning"),
    ]


class MissingValues(ChoiceSet):
    """How a computed indicator treats operands without data (DHIS2's missing value strategy)."""

    SKIP_IF_ANY_MISSING = "SKIP_IF_ANY_VALUE_MISSING"
    SKIP_IF_ALL_MISSING = "SKIP_IF_ALL_VALUES_MISSING"

    CHOICES = [
        (SKIP_IF_ANY_MISSING, _("No value if any operand is missing"), "secondary"),
        (
            SKIP_IF_ALL_MISSING,
            _("Missing operands count as 0 (no value if all are missing)"),
            "info",
        ),
    ]


class PeriodTypeChoice(ChoiceSet):
    """The period types an indicator may be collected in (ioc.core.periods.PeriodType)."""

    CHOICES = [
        (PeriodType.DAILY.value, _("Daily"), "secondary"),
        (PeriodType.WEEKLY.value, _("Weekly"), "secondary"),
        (PeriodType.MONTHLY.value, _("Monthly"), "primary"),
        (PeriodType.QUARTERLY.value, _("Quarterly"), "info"),
        (PeriodType.SIX_MONTHLY.value, _("Six-monthly"), "info"),
        (PeriodType.YEARLY.value, _("Yearly"), "success"),
    ]


class DataValueStatus(ChoiceSet):
    DRAFT = "draft"
    SUBMITTED = "submitted"
    APPROVED = "approved"

    # A context of their own: other apps' "Submitted" and "Approved" are other words.
    CHOICES = [
        (DRAFT, pgettext_lazy("data value", "Draft"), "secondary"),
        (SUBMITTED, pgettext_lazy("data value", "Submitted"), "info"),
        (APPROVED, pgettext_lazy("data value", "Approved"), "success"),
    ]

    # Drafts are work in progress: they do not reach the aggregates or the dashboards.
    COUNTED = frozenset({SUBMITTED, APPROVED})


class DataValueSource(ChoiceSet):
    FORM = "form"
    IMPORT = "import"
    API = "api"
    COMPUTED = "computed"

    CHOICES = [
        (FORM, _("Data entry form"), "primary"),
        (IMPORT, _("File import"), "info"),
        (API, _("API"), "warning"),
        (COMPUTED, _("Computed"), "secondary"),
    ]


class ImportStrategy(ChoiceSet):
    """DHIS2's import strategies."""

    CREATE = "CREATE"
    UPDATE = "UPDATE"
    CREATE_AND_UPDATE = "CREATE_AND_UPDATE"
    DELETE = "DELETE"

    CHOICES = [
        (CREATE, _("Create new values only"), "success"),
        (UPDATE, _("Update existing values only"), "info"),
        (CREATE_AND_UPDATE, _("Create and update"), "primary"),
        (DELETE, _("Delete"), "danger"),
    ]


class FacilityKind(ChoiceSet):
    HOSPITAL = "hospital"
    HEALTH_STATION = "health_station"
    SCHOOL = "school"
    TOURIST_SITE = "tourist_site"
    ACCOMMODATION = "accommodation"
    OTHER = "other"

    CHOICES = [
        (HOSPITAL, _("Hospital"), "danger"),
        (HEALTH_STATION, _("Health station"), "danger"),
        (SCHOOL, _("School"), "primary"),
        (TOURIST_SITE, _("Tourist site"), "success"),
        (ACCOMMODATION, _("Accommodation establishment"), "info"),
        (OTHER, _("Other"), "secondary"),
    ]


class TrafficLight(ChoiceSet):
    """The status of a figure; the thresholds are in analytics.py and docs/indicators.md."""

    GREEN = "green"
    AMBER = "amber"
    RED = "red"
    UNKNOWN = "unknown"

    CHOICES = [
        (GREEN, _("On track"), "success"),
        (AMBER, _("Needs attention"), "warning"),
        (RED, _("Off track"), "danger"),
        (UNKNOWN, _("No target or comparison"), "secondary"),
    ]


class ThresholdKind(ChoiceSet):
    ABOVE = "above"
    BELOW = "below"
    CHANGE = "change"
    OFF_TARGET = "off_target"

    CHOICES = [
        (ABOVE, _("Value above a threshold"), "danger"),
        (BELOW, _("Value below a threshold"), "danger"),
        (CHANGE, _("Change vs the previous period beyond a percentage"), "warning"),
        (OFF_TARGET, _("Achievement of the target below a percentage"), "warning"),
    ]


class DataSetStatus(ChoiceSet):
    """Where a data set's report for one unit and period stands (DHIS2's completeness
    registration and approval in one row)."""

    SUBMITTED = "submitted"
    APPROVED = "approved"

    CHOICES = [
        (SUBMITTED, pgettext_lazy("data value", "Submitted"), "info"),
        (APPROVED, _("Approved and locked"), "success"),
    ]


class ImportState(ChoiceSet):
    """Where an import stands: big files are queued to the worker (docs/indicators.md)."""

    QUEUED = "queued"
    RUNNING = "running"
    DONE = "done"
    FAILED = "failed"

    CHOICES = [
        (QUEUED, _("Queued"), "secondary"),
        (RUNNING, _("Running"), "info"),
        (DONE, _("Done"), "success"),
        (FAILED, _("Failed"), "danger"),
    ]
