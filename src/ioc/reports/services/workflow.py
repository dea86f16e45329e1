"""The workflow's moves (declared in choices.REPORT_WORKFLOW), answers,
resolution, rating and merges."""

from collections.abc import Sequence
from datetime import datetime
from typing import IO, Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from ioc.accounts.models import Agency
from ioc.core.services import timeline_record
from ioc.core.workflow import IllegalTransition
from ioc.reports import figures, notifications
from ioc.reports.choices import REPORT_WORKFLOW, PhotoKind, RejectReason, ReportStatus, WebhookEvent
from ioc.reports.models import Report, ReportAnswer
from ioc.reports.services.common import (
    LOW_RATING_MAX,
    MAX_DESCRIPTION,
    Actor,
    _actor_label,
    _actor_user,
    _check_can_act,
    _check_operator,
    _clean_photos,
    _deadline,
    _record,
    _save_photos,
    clean_text,
)


@transaction.atomic
def report_transition(
    *,
    report: Report,
    to_status: str,
    actor: Actor,
    reason: str = "",
    agency: Agency | None = None,
    reject_reason: str = "",
    verb: str = "",
    data: dict[str, Any] | None = None,
    at: datetime | None = None,
) -> Report:
    """Move the report to `to_status` if the workflow table allows it and the actor may
    act on it; record who, when, from, to and why on the timeline.

    `agency`: the responsible agency after a move to assigned (assignment or transfer).
    `at`: when it happened, to replay a history (imports, demo data); default now.
    Raises IllegalTransition, PermissionDenied, ValidationError.
    """
    report = Report.objects.select_for_update().get(pk=report.pk)
    from_status = report.status
    _check_can_act(report, actor)
    REPORT_WORKFLOW.check(from_status, to_status)
    now = at or timezone.now()
    details = dict(data or {})
    if to_status == ReportStatus.ASSIGNED:
        if agency is None:
            raise ValidationError({"agency": _("Name the agency responsible.")})
        if from_status == ReportStatus.ASSIGNED and agency.pk == report.agency_id:
            raise ValidationError({"agency": _("The report is already with this agency.")})
        details["agency"] = agency.code
        if report.agency is not None:
            details["from_agency"] = report.agency.code
        report.agency = agency
    elif to_status == ReportStatus.TRIAGE:
        if report.agency is not None:
            details["from_agency"] = report.agency.code
        report.agency = None
    elif to_status == ReportStatus.REJECTED:
        if reject_reason not in RejectReason.values():
            raise ValidationError(
                {
                    "reason": _("Give a reason: one of %(reasons)s.")
                    % {"reasons": ", ".join(RejectReason.values())}
                }
            )
        report.reject_reason = reject_reason
        details["reject_reason"] = reject_reason
        if reject_reason == RejectReason.SPAM:
            report.published = False
    if to_status == ReportStatus.RESOLVED:
        report.resolved_at = now
    if to_status == ReportStatus.CLOSED:
        report.closed_at = now
    if to_status in (ReportStatus.RESOLVED, ReportStatus.REJECTED) and report.completed_at is None:
        report.completed_at = now
        report.completed_on_time = report.due_at is None or now <= report.due_at
    if to_status == ReportStatus.REOPENED:
        if report.merged_into is not None:
            # Reopening a merged duplicate undoes the merge: it is handled on its own again.
            details["unmerged_from"] = report.merged_into.tracking_code
            report.merged_into = None
        report.reject_reason = ""
        report.closed_at = None
        report.escalated_at = None
        report.due_at = _deadline(report.category, now)
        report.expected_at = report.due_at
        details["due_at"] = report.due_at.isoformat()
    report.status = to_status
    figures.refresh_flags(report)
    report.save()
    figures.report_written(report)
    _record(
        at,
        target=report,
        actor=_actor_user(actor),
        actor_label=_actor_label(actor),
        verb=verb or _verb_for(from_status, to_status),
        from_state=from_status,
        to_state=to_status,
        reason=reason,
        data=details,
    )
    notifications.schedule(
        report=report, event=WebhookEvent.STATUS_CHANGED, from_status=from_status
    )
    return report


def _verb_for(from_status: str, to_status: str) -> str:
    match (from_status, to_status):
        case (ReportStatus.NEW, ReportStatus.ASSIGNED):
            return "routed"
        case (ReportStatus.TRIAGE, ReportStatus.ASSIGNED):
            return "assigned"
        case (_, ReportStatus.ASSIGNED) | (_, ReportStatus.TRIAGE) if from_status != "new":
            return "transferred"
        case (_, ReportStatus.IN_PROGRESS):
            return "started"
        case _:
            return to_status


def report_assign(
    *, report: Report, agency: Agency, actor: Actor, reason: str = "", at: datetime | None = None
) -> Report:
    """An operator gives a report of the triage queue to an agency."""
    _check_operator(actor)
    return report_transition(
        report=report,
        to_status=ReportStatus.ASSIGNED,
        actor=actor,
        agency=agency,
        reason=reason,
        at=at,
    )


def report_transfer(
    *,
    report: Report,
    agency: Agency | None,
    reason: str,
    actor: Actor,
    at: datetime | None = None,
) -> Report:
    """The responsible agency (or an operator) hands the report to another agency, or back
    to the operators' triage queue (`agency=None`), saying why."""
    reason = clean_text(reason)
    if not reason:
        raise ValidationError({"reason": _("Say why the report is transferred.")})
    if agency is None:
        return report_transition(
            report=report, to_status=ReportStatus.TRIAGE, actor=actor, reason=reason, at=at
        )
    return report_transition(
        report=report,
        to_status=ReportStatus.ASSIGNED,
        actor=actor,
        agency=agency,
        reason=reason,
        at=at,
    )


def report_start(*, report: Report, actor: Actor, at: datetime | None = None) -> Report:
    return report_transition(report=report, to_status=ReportStatus.IN_PROGRESS, actor=actor, at=at)


@transaction.atomic
def report_answer(
    *,
    report: Report,
    text: str,
    actor: Actor,
    public: bool = True,
    at: datetime | None = None,
) -> ReportAnswer:
    """A public answer to the citizen, or (public=False) an internal note."""
    _check_can_act(report, actor)
    text = clean_text(text)
    if not text:
        raise ValidationError({"text": _("Write the answer.")})
    if len(text) > MAX_DESCRIPTION:
        raise ValidationError(
            {"text": _("The text is too long (at most %(max)s).") % {"max": MAX_DESCRIPTION}}
        )
    user = _actor_user(actor)
    answer = ReportAnswer.objects.create(
        report=report,
        is_public=public,
        text=text,
        author=user,
        author_label=_actor_label(actor),
        agency=(user.agency if user else getattr(actor, "agency", None)) or report.agency,
    )
    if at is not None:
        ReportAnswer.objects.filter(pk=answer.pk).update(created_at=at)
        answer.created_at = at
    _record(
        at,
        target=report,
        actor=user,
        actor_label=_actor_label(actor),
        verb="answered" if public else "noted",
        data={"answer": answer.pk},
    )
    if public:
        notifications.schedule(report=report, event=WebhookEvent.ANSWERED, answer=answer)
    return answer


@transaction.atomic
def report_resolve(
    *,
    report: Report,
    answer: str,
    actor: Actor,
    proof_photos: Sequence[IO[bytes] | bytes] = (),
    at: datetime | None = None,
) -> Report:
    """Mark the report resolved with a public answer and optional proof-of-fix photos."""
    clean = _clean_photos(proof_photos, "proof_photos")
    if not clean_text(answer):
        raise ValidationError({"answer": _("Tell the citizen what was done.")})
    report = report_transition(report=report, to_status=ReportStatus.RESOLVED, actor=actor, at=at)
    _save_photos(report, clean, PhotoKind.PROOF, _actor_user(actor))
    report_answer(report=report, text=answer, actor=actor, public=True, at=at)
    return report


def report_reject(
    *, report: Report, reason: str, note: str = "", actor: Actor, at: datetime | None = None
) -> Report:
    """Reject with a reason of RejectReason (duplicate, out of scope, ...)."""
    return report_transition(
        report=report,
        to_status=ReportStatus.REJECTED,
        actor=actor,
        reject_reason=reason,
        reason=clean_text(note),
        at=at,
    )


def report_reopen(
    *, report: Report, reason: str, actor: Actor, at: datetime | None = None
) -> Report:
    """Send a resolved, closed or rejected report back to its agency (or to triage)."""
    reason = clean_text(reason)
    if not reason:
        raise ValidationError({"reason": _("Say why the report is reopened.")})
    return report_transition(
        report=report, to_status=ReportStatus.REOPENED, actor=actor, reason=reason, at=at
    )


def report_close(
    *, report: Report, actor: Actor, reason: str = "", at: datetime | None = None
) -> Report:
    return report_transition(
        report=report, to_status=ReportStatus.CLOSED, actor=actor, reason=reason, at=at
    )


@transaction.atomic
def report_rate(
    *,
    report: Report,
    rating: int,
    comment: str = "",
    actor: Actor = None,
    at: datetime | None = None,
) -> Report:
    """The citizen rates the result of a resolved report: 3-5 stars close it; 1-2 send it
    back for review (reopened) instead of closing it silently."""
    report = Report.objects.select_for_update().get(pk=report.pk)
    if report.status != ReportStatus.RESOLVED:
        raise IllegalTransition(
            _("Only a resolved report can be rated; this one is “%(status)s”.")
            % {"status": ReportStatus.label(report.status)}
        )
    if not isinstance(rating, int) or isinstance(rating, bool) or not 1 <= rating <= 5:
        raise ValidationError({"rating": _("Give a rating from 1 to 5 stars.")})
    comment = clean_text(comment)
    if len(comment) > MAX_DESCRIPTION:
        raise ValidationError({"comment": _("The comment is too long.")})
    report.rating, report.rating_comment = rating, comment
    report.rated_at = at or timezone.now()
    figures.refresh_flags(report)
    fields = ["rating", "rating_comment", "rated_at", "updated_at", *figures.FLAG_FIELDS]
    report.save(update_fields=fields)
    figures.report_written(report)
    _record(
        at,
        target=report,
        actor=_actor_user(actor),
        actor_label=_actor_label(actor) if actor else "citizen",
        verb="rated",
        data={"rating": rating},
    )
    notifications.schedule(report=report, event=WebhookEvent.RATED)
    if rating <= LOW_RATING_MAX:
        return report_transition(
            report=report,
            to_status=ReportStatus.REOPENED,
            actor=None,
            reason=_("The citizen rated the result %(rating)s/5: %(comment)s")
            % {"rating": rating, "comment": comment or "—"},
            verb="reopened_by_rating",
            at=at,
        )
    return report_transition(
        report=report, to_status=ReportStatus.CLOSED, actor=None, verb="closed_by_rating", at=at
    )


@transaction.atomic
def report_merge(*, report: Report, into: Report, actor: Actor) -> Report:
    """Merge a duplicate into another report: the duplicate is rejected as such and keeps
    its reporter, who is told (with every other) when the main report is resolved."""
    if report.pk == into.pk:
        raise ValidationError({"into": _("A report cannot be merged into itself.")})
    if into.merged_into_id:
        raise ValidationError(
            {"into": _("Report %(code)s is itself merged.") % {"code": into.tracking_code}}
        )
    if into.status not in ReportStatus.OPEN | {ReportStatus.RESOLVED}:
        raise ValidationError(
            {"into": _("Report %(code)s is no longer open.") % {"code": into.tracking_code}}
        )
    _check_can_act(into, actor)
    report = report_transition(
        report=report,
        to_status=ReportStatus.REJECTED,
        actor=actor,
        reject_reason=RejectReason.DUPLICATE,
        reason=into.tracking_code,
        verb="merged",
        data={"into": into.tracking_code},
    )
    report.merged_into = into
    report.save(update_fields=["merged_into", "updated_at"])
    # Reports merged earlier into the duplicate follow it to the main report.
    Report.objects.filter(merged_into=report).update(merged_into=into)
    timeline_record(
        target=into,
        actor=_actor_user(actor),
        actor_label=_actor_label(actor),
        verb="duplicate_merged",
        data={"duplicate": report.tracking_code},
    )
    return report
