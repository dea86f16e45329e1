"""Choices of field reports, and their workflow declared as a table."""

from django.utils.translation import gettext_lazy as _

from ioc.core.choices import ChoiceSet
from ioc.core.workflow import Workflow


class ReportStatus(ChoiceSet):
    NEW = "new"
    TRIAGE = "triage"
    ASSIGNED = "assigned"
    IN_PROGRESS = "in_progress"
    REOPENED = "reopened"
    RESOLVED = "resolved"
    CLOSED = "closed"
    REJECTED = "rejected"

    CHOICES = [
        (NEW, _("New"), "secondary"),
        (TRIAGE, _("Awaiting triage"), "warning"),
        (ASSIGNED, _("Assigned"), "info"),
        (IN_PROGRESS, _("In progress"), "primary"),
        (REOPENED, _("Reopened"), "danger"),
        (RESOLVED, _("Resolved"), "success"),
        (CLOSED, _("Closed"), "dark"),
        (REJECTED, _("Rejected"), "light"),
    ]

    # Still waiting for someone to act: what counts as "in progress" in the figures.
    OPEN = frozenset({NEW, TRIAGE, ASSIGNED, IN_PROGRESS, REOPENED})
    # Handled: the first move into one of these sets Report.completed_at.
    DONE = frozenset({RESOLVED, CLOSED, REJECTED})
    # States in which the responsible agency works on the report (and may ask for time).
    WORKING = frozenset({ASSIGNED, IN_PROGRESS, REOPENED})


# Who may move a report where. Transfers are a move to ASSIGNED with another agency (or
# back to TRIAGE when the agency does not know who is responsible).
REPORT_WORKFLOW = Workflow(
    {
        ReportStatus.NEW: {ReportStatus.TRIAGE, ReportStatus.ASSIGNED, ReportStatus.REJECTED},
        ReportStatus.TRIAGE: {ReportStatus.ASSIGNED, ReportStatus.REJECTED},
        ReportStatus.ASSIGNED: {
            ReportStatus.ASSIGNED,
            ReportStatus.TRIAGE,
            ReportStatus.IN_PROGRESS,
            ReportStatus.RESOLVED,
            ReportStatus.REJECTED,
        },
        ReportStatus.IN_PROGRESS: {
            ReportStatus.ASSIGNED,
            ReportStatus.TRIAGE,
            ReportStatus.RESOLVED,
            ReportStatus.REJECTED,
        },
        ReportStatus.REOPENED: {
            ReportStatus.ASSIGNED,
            ReportStatus.TRIAGE,
            ReportStatus.IN_PROGRESS,
            ReportStatus.RESOLVED,
            ReportStatus.REJECTED,
        },
        ReportStatus.RESOLVED: {ReportStatus.CLOSED, ReportStatus.REOPENED},
        ReportStatus.CLOSED: {ReportStatus.REOPENED},
        ReportStatus.REJECTED: {ReportStatus.REOPENED},
    }
)


class RejectReason(ChoiceSet):
    DUPLICATE = "duplicate"
    OUT_OF_SCOPE = "out_of_scope"
    NOT_ENOUGH_INFORMATION = "not_enough_information"
    SPAM = "spam"

    CHOICES = [
        (DUPLICATE, _("Duplicate of another report"), "secondary"),
        (OUT_OF_SCOPE, _("Outside the government's remit"), "secondary"),
        (NOT_ENOUGH_INFORMATION, _("Not enough information"), "warning"),
        (SPAM, _("Spam or abuse"), "danger"),
    ]


class ExtensionStatus(ChoiceSet):
    PENDING = "pending"
    APPROVED = "approved"
    REFUSED = "refused"

    CHOICES = [
        (PENDING, _("Awaiting a decision"), "warning"),
        (APPROVED, _("Approved"), "success"),
        (REFUSED, _("Refused"), "danger"),
    ]


EXTENSION_WORKFLOW = Workflow(
    {ExtensionStatus.PENDING: {ExtensionStatus.APPROVED, ExtensionStatus.REFUSED}}
)


class ReportSource(ChoiceSet):
    WEB = "web"
    APP = "app"
    OPEN311 = "open311"
    PHONE = "phone"
    EMAIL = "email"
    SOCIAL = "social"
    STAFF = "staff"

    CHOICES = [
        (WEB, _("Website"), "primary"),
        (APP, _("Mobile app"), "primary"),
        (OPEN311, _("Open311 client"), "info"),
        (PHONE, _("Hotline"), "secondary"),
        (EMAIL, _("E-mail"), "secondary"),
        (SOCIAL, _("Social media"), "secondary"),
        (STAFF, _("Entered by staff"), "dark"),
    ]

    # The citizen app's channels, where a photo is required.
    PHOTO_REQUIRED = frozenset({WEB, APP})


class Priority(ChoiceSet):
    LOW = "low"
    NORMAL = "normal"
    HIGH = "high"
    URGENT = "urgent"

    CHOICES = [
        (LOW, _("Low"), "secondary"),
        (NORMAL, _("Normal"), "info"),
        (HIGH, _("High"), "warning"),
        (URGENT, _("Urgent"), "danger"),
    ]


class PhotoKind(ChoiceSet):
    CITIZEN = "citizen"
    PROOF = "proof"

    CHOICES = [
        (CITIZEN, _("Sent by the citizen"), "secondary"),
        (PROOF, _("Proof of the fix"), "success"),
    ]


class DeadlineUnit(ChoiceSet):
    WORKING_HOURS = "working_hours"
    WORKING_DAYS = "working_days"

    CHOICES = [
        (WORKING_HOURS, _("working hours"), "secondary"),
        (WORKING_DAYS, _("working days"), "secondary"),
    ]


class DeadlineState(ChoiceSet):
    """Where an open report stands against its deadline (computed, not stored)."""

    ON_TRACK = "on_track"
    DUE_SOON = "due_soon"
    OVERDUE = "overdue"

    CHOICES = [
        (ON_TRACK, _("On track"), "success"),
        (DUE_SOON, _("Due soon"), "warning"),
        (OVERDUE, _("Overdue"), "danger"),
    ]


class AttributeDatatype(ChoiceSet):
    """Open311 GeoReport v2 attribute datatypes."""

    STRING = "string"
    NUMBER = "number"
    DATETIME = "datetime"
    TEXT = "text"
    SINGLEVALUELIST = "singlevaluelist"
    MULTIVALUELIST = "multivaluelist"

    CHOICES = [
        (STRING, _("Short text"), "secondary"),
        (NUMBER, _("Number"), "secondary"),
        (DATETIME, _("Date and time"), "secondary"),
        (TEXT, _("Long text"), "secondary"),
        (SINGLEVALUELIST, _("One choice from a list"), "secondary"),
        (MULTIVALUELIST, _("Several choices from a list"), "secondary"),
    ]
    LISTS = frozenset({SINGLEVALUELIST, MULTIVALUELIST})


class WebhookEvent(ChoiceSet):
    SUBMITTED = "report.submitted"
    STATUS_CHANGED = "report.status_changed"
    ANSWERED = "report.answered"
    RATED = "report.rated"
    ESCALATED = "report.escalated"

    CHOICES = [
        (SUBMITTED, _("A report was submitted"), "primary"),
        (STATUS_CHANGED, _("A report's status changed"), "info"),
        (ANSWERED, _("A public answer was given"), "success"),
        (RATED, _("A citizen rated the result"), "warning"),
        (ESCALATED, _("An overdue report was escalated"), "danger"),
    ]
