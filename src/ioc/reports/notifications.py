"""Who is told of a report's events, and how: e-mails to reporters who gave an address, to
agency heads and operators on escalation, and signed webhooks to subscribers.

`schedule()` is called inside a service's transaction: it writes the webhook deliveries
(an outbox, committed with the change) and enqueues the tasks only after the commit, so a
rolled-back change tells nobody.
"""

import hashlib
import hmac
import json
from typing import Any

from django.conf import settings
from django.db import transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from ioc.accounts.choices import Role
from ioc.accounts.models import User
from ioc.reports.choices import ReportStatus, WebhookEvent
from ioc.reports.models import Report, ReportAnswer, WebhookDelivery, WebhookSubscription

SIGNATURE_HEADER = "X-IOC-Signature"
EVENT_HEADER = "X-IOC-Event"
# Status changes a reporter hears about by e-mail.
REPORTER_STATUSES = frozenset(
    {
        ReportStatus.ASSIGNED,
        ReportStatus.IN_PROGRESS,
        ReportStatus.RESOLVED,
        ReportStatus.REJECTED,
        ReportStatus.REOPENED,
    }
)


def sign(body: bytes, secret: str) -> str:
    """The value of the X-IOC-Signature header: "sha256=" + hex HMAC-SHA256 of the body."""
    digest = hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()
    return f"sha256={digest}"


def public_payload(report: Report, event: str, **extra: Any) -> dict[str, Any]:
    """What a webhook says of a report: no personal data."""
    return {
        "event": event,
        "sent_at": timezone.now().isoformat(),
        "report": {
            "id": report.pk,
            "tracking_code": report.tracking_code,
            "status": report.status,
            "category": report.category.code if report.category_id else None,
            "agency": report.agency.code if report.agency_id else None,
            "commune": report.commune.code if report.commune_id else None,
            "lat": report.lat,
            "lon": report.lon,
            "received_at": report.received_at.isoformat(),
            "due_at": report.due_at.isoformat() if report.due_at else None,
        },
        **extra,
    }


def schedule(
    *,
    report: Report,
    event: str,
    from_status: str = "",
    answer: ReportAnswer | None = None,
    subscriptions: list[WebhookSubscription] | None = None,
) -> None:
    """Record the webhook deliveries and enqueue e-mails and deliveries after the commit.

    `subscriptions`: the active ones, when the caller already read them."""
    from ioc.reports import tasks

    extra: dict[str, Any] = {}
    if event == WebhookEvent.STATUS_CHANGED:
        extra["from_status"] = from_status
    if answer is not None:
        extra["answer"] = answer.text
    deliveries = [
        WebhookDelivery(
            subscription=subscription, event=event, payload=public_payload(report, event, **extra)
        )
        for subscription in (active_subscriptions() if subscriptions is None else subscriptions)
        if subscription.wants(event, report.agency_id)
    ]
    delivery_ids = (
        [d.pk for d in WebhookDelivery.objects.bulk_create(deliveries)] if deliveries else []
    )
    email_kind = _email_kind(report, event)
    report_id = report.pk

    def enqueue() -> None:
        for delivery_id in delivery_ids:
            tasks.deliver_webhook.enqueue(delivery_id)
        if email_kind:
            tasks.send_report_email.enqueue(report_id, email_kind, answer.pk if answer else None)

    if delivery_ids or email_kind:
        transaction.on_commit(enqueue)


def active_subscriptions() -> list[WebhookSubscription]:
    return list(WebhookSubscription.objects.filter(is_active=True))


def _email_kind(report: Report, event: str) -> str:
    if event == WebhookEvent.ESCALATED:
        return "escalated"
    if event == WebhookEvent.ANSWERED:
        return "answered" if report.reporter_email or report.reporter_id else ""
    if event == WebhookEvent.SUBMITTED:
        return "submitted" if report.reporter_email or report.reporter_id else ""
    # A resolution is also told to the reporters merged into this report; without any
    # reporter to write to, no e-mail task is queued at all.
    told = (
        report.reporter_email
        or report.reporter_id
        or (report.status == ReportStatus.RESOLVED and report.merged_reports.exists())
    )
    if event == WebhookEvent.STATUS_CHANGED and report.status in REPORTER_STATUSES and told:
        return f"status:{report.status}"
    return ""


def reporter_addresses(report: Report) -> list[str]:
    """The report's reporter and, for a resolution, every reporter merged into it."""
    reports = [report]
    if report.status == ReportStatus.RESOLVED:
        reports += list(report.merged_reports.select_related("reporter"))
    addresses = []
    for item in reports:
        address = item.reporter_email or (item.reporter.email if item.reporter_id else "")
        if address and address not in addresses:
            addresses.append(address)
    return addresses


def escalation_addresses(report: Report) -> list[str]:
    heads = User.objects.filter(is_active=True).exclude(email="")
    recipients = heads.filter(role=Role.OPERATOR)
    if report.agency_id:
        recipients = recipients | heads.filter(role=Role.AGENCY_HEAD, agency_id=report.agency_id)
    return sorted(set(recipients.values_list("email", flat=True)))


def compose_email(
    report: Report, kind: str, answer: ReportAnswer | None = None
) -> tuple[str, str, list[str]]:
    """(subject, body, recipients) of one e-mail, in the deployment's language."""
    with translation.override(settings.LANGUAGE_CODE):
        code = report.tracking_code
        if kind == "escalated":
            subject = _("Report %(code)s is overdue") % {"code": code}
            body = _(
                "Report %(code)s (%(category)s) was due on %(due)s and is still open with "
                "%(agency)s."
            ) % {
                "code": code,
                "category": report.category or _("no category"),
                "due": timezone.localtime(report.due_at).strftime("%d/%m/%Y %H:%M")
                if report.due_at
                else "—",
                "agency": report.agency or _("the triage queue"),
            }
            return subject, body, escalation_addresses(report)
        if kind == "submitted":
            subject = _("We received your report %(code)s") % {"code": code}
            body = _(
                "Thank you. Your report has the tracking code %(code)s; use it to follow it."
            ) % {"code": code}
        elif kind == "answered" and answer is not None:
            subject = _("An answer to your report %(code)s") % {"code": code}
            body = answer.text
        else:
            status = kind.removeprefix("status:")
            subject = _("Your report %(code)s: %(status)s") % {
                "code": code,
                "status": ReportStatus.label(status),
            }
            body = _("The status of your report %(code)s is now: %(status)s.") % {
                "code": code,
                "status": ReportStatus.label(status),
            }
        return subject, body, reporter_addresses(report)


def webhook_request(delivery: WebhookDelivery) -> tuple[bytes, dict[str, str]]:
    """The body and headers of a delivery's POST."""
    body = json.dumps(delivery.payload, ensure_ascii=False, separators=(",", ":")).encode()
    headers = {
        "Content-Type": "application/json; charset=utf-8",
        EVENT_HEADER: delivery.event,
        SIGNATURE_HEADER: sign(body, delivery.subscription.secret),
        "User-Agent": "IOC-webhooks/1",
    }
    return body, headers
