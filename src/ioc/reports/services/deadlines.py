"""Deadlines: extensions asked and decided, escalation of overdue reports, and
resolved reports closed when the citizen does not rate them."""

from datetime import datetime, timedelta

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from ioc.accounts.choices import Role
from ioc.accounts.models import ApiKey, User
from ioc.core.services import timeline_record
from ioc.core.workflow import IllegalTransition
from ioc.reports import figures, notifications
from ioc.reports.choices import EXTENSION_WORKFLOW, ExtensionStatus, ReportStatus, WebhookEvent
from ioc.reports.models import ExtensionRequest, Report
from ioc.reports.services.common import Actor, _actor_label, _actor_user, _check_can_act, clean_text
from ioc.reports.services.workflow import report_transition


@transaction.atomic
def report_request_extension(
    *, report: Report, until: datetime, reason: str, actor: Actor
) -> ExtensionRequest:
    """The responsible agency asks for a later deadline; its head or an operator decides."""
    _check_can_act(report, actor)
    if report.status not in ReportStatus.WORKING:
        raise IllegalTransition(
            _("An extension can only be asked while the report is being handled.")
        )
    reason = clean_text(reason)
    if not reason:
        raise ValidationError({"reason": _("Say why more time is needed.")})
    if timezone.is_naive(until):
        raise ValidationError({"until": _("Give the date with its time zone.")})
    if report.due_at and until <= report.due_at:
        raise ValidationError({"until": _("The new deadline must be later than the current one.")})
    if report.extensions.filter(status=ExtensionStatus.PENDING).exists():
        raise ValidationError({"until": _("An extension request is already waiting.")})
    extension = ExtensionRequest.objects.create(
        report=report,
        reason=reason,
        previous_due_at=report.due_at,
        requested_due_at=until,
        requested_by=_actor_user(actor),
    )
    timeline_record(
        target=report,
        actor=_actor_user(actor),
        actor_label=_actor_label(actor),
        verb="extension_requested",
        to_state="",
        reason=reason,
        data={"extension": extension.pk, "until": until.isoformat()},
    )
    return extension


def _check_can_decide(extension: ExtensionRequest, actor: Actor) -> None:
    """The head of the responsible agency (or above), an operator or an administrator."""
    if actor is None or (isinstance(actor, ApiKey) and actor.agency_id is None):
        return
    if isinstance(actor, User) and (
        actor.is_admin_role
        or actor.role == Role.OPERATOR
        or (actor.role == Role.AGENCY_HEAD and extension.report.agency_id in actor._agency_ids())
    ):
        return
    raise PermissionDenied(_("Only the agency's head or an operator decides on extensions."))


@transaction.atomic
def report_decide_extension(
    *, extension: ExtensionRequest, approve: bool, actor: Actor, note: str = ""
) -> ExtensionRequest:
    extension = (
        ExtensionRequest.objects.select_for_update().select_related("report").get(pk=extension.pk)
    )
    target = ExtensionStatus.APPROVED if approve else ExtensionStatus.REFUSED
    EXTENSION_WORKFLOW.check(extension.status, target)
    _check_can_decide(extension, actor)
    extension.status = target
    extension.decided_by = _actor_user(actor)
    extension.decided_at = timezone.now()
    extension.decision_note = clean_text(note)
    extension.save()
    report = extension.report
    if approve:
        report.due_at = extension.requested_due_at
        report.expected_at = extension.requested_due_at
        report.escalated_at = None
        figures.refresh_flags(report)
        fields = ["due_at", "expected_at", "escalated_at", "updated_at", *figures.FLAG_FIELDS]
        report.save(update_fields=fields)
        figures.report_written(report)
    timeline_record(
        target=report,
        actor=_actor_user(actor),
        actor_label=_actor_label(actor),
        verb=f"extension_{target}",
        reason=extension.decision_note,
        data={
            "extension": extension.pk,
            "due_at": report.due_at.isoformat() if report.due_at else None,
        },
    )
    notifications.schedule_extension_decided(extension)
    return extension


# -- escalation ---------------------------------------------------------------------------------


def report_escalate(*, report: Report, now: datetime | None = None) -> bool:
    """Mark an overdue report escalated and tell the agency's heads and the operators;
    once per report (until a new deadline). Returns whether it escalated now."""
    now = now or timezone.now()
    with transaction.atomic():
        updated = Report.objects.filter(
            pk=report.pk,
            escalated_at=None,
            status__in=sorted(ReportStatus.OPEN),
            due_at__lt=now,
        ).update(escalated_at=now, updated_at=now)
        if not updated:
            return False
        report.refresh_from_db()
        timeline_record(
            target=report,
            verb="escalated",
            data={"due_at": report.due_at.isoformat() if report.due_at else None},
        )
        notifications.schedule(report=report, event=WebhookEvent.ESCALATED)
    return True


def reports_escalate_overdue(*, now: datetime | None = None) -> int:
    """Escalate every overdue report not yet escalated; returns how many."""
    from ioc.reports.selectors import reports_to_escalate

    return sum(report_escalate(report=report, now=now) for report in reports_to_escalate(now=now))


def reports_close_unrated(*, days: int = 7, now: datetime | None = None) -> int:
    """Close resolved reports the citizen has not rated within `days` days; returns how
    many. (A later rating of a closed report is no longer possible.)"""
    now = now or timezone.now()
    stale = Report.objects.filter(
        status=ReportStatus.RESOLVED, resolved_at__lt=now - timedelta(days=days)
    )
    count = 0
    for report in stale:
        report_transition(
            report=report,
            to_status=ReportStatus.CLOSED,
            actor=None,
            verb="closed_unrated",
            reason=_("Not rated within %(days)s days.") % {"days": days},
        )
        count += 1
    return count
