"""Background work of field reports: e-mails, webhook deliveries, escalation of overdue
reports. Each task is idempotent and safe to retry."""

import logging
import urllib.error
import urllib.request
from typing import Any

from django.core.mail import send_mail
from django.db import transaction
from django.tasks import DEFAULT_TASK_BACKEND_ALIAS, Task, task, task_backends
from django.utils import timezone

from ioc.reports.models import Report, ReportAnswer, WebhookDelivery
from ioc.reports.notifications import compose_email, webhook_request

logger = logging.getLogger("ioc.reports")


def enqueue_with_commit(task: Task, *args: Any) -> None:
    """Enqueue `task` with the caller's transaction. The database queue (the default)
    takes it in the transaction: both are committed, or neither. Another queue (Redis)
    is told after the commit, so that its worker finds the rows."""
    backend = type(task_backends[DEFAULT_TASK_BACKEND_ALIAS]).__name__
    if backend in {"DatabaseBackend", "ImmediateBackend", "DummyBackend"}:
        task.enqueue(*args)
    else:
        transaction.on_commit(lambda: task.enqueue(*args))


WEBHOOK_TIMEOUT_SECONDS = 10
WEBHOOK_MAX_ATTEMPTS = 5


@task
def send_report_email(report_id: int, kind: str, answer_id: int | None = None) -> int:
    """Send one e-mail about a report; returns the number of recipients."""
    report = Report.objects.select_related("category", "agency", "reporter").get(pk=report_id)
    answer = ReportAnswer.objects.filter(pk=answer_id).first() if answer_id else None
    subject, body, recipients = compose_email(report, kind, answer)
    if not recipients:
        return 0
    # One message per recipient: reporters must not see each other's addresses.
    for recipient in recipients:
        send_mail(subject, body, None, [recipient])
    return len(recipients)


@task
def deliver_webhook(delivery_id: int) -> bool:
    """POST one delivery, signed; a failure is recorded and may be retried by re-enqueuing."""
    delivery = WebhookDelivery.objects.select_related("subscription").get(pk=delivery_id)
    if delivery.delivered_at is not None or delivery.attempts >= WEBHOOK_MAX_ATTEMPTS:
        return delivery.delivered_at is not None
    body, headers = webhook_request(delivery)
    request = urllib.request.Request(  # noqa: S310 (an administrator's http(s) URL)
        delivery.subscription.url, data=body, headers=headers, method="POST"
    )
    delivery.attempts += 1
    try:
        with urllib.request.urlopen(request, timeout=WEBHOOK_TIMEOUT_SECONDS) as response:  # noqa: S310
            delivery.response_status = response.status
            delivery.delivered_at = timezone.now()
            delivery.error = ""
    except urllib.error.HTTPError as error:
        delivery.response_status = error.code
        delivery.error = str(error)[:2000]
    except (urllib.error.URLError, OSError) as error:
        delivery.error = str(error)[:2000]
    delivery.save(update_fields=["attempts", "response_status", "delivered_at", "error"])
    if delivery.delivered_at is None:
        logger.warning("Webhook delivery %s failed: %s", delivery.pk, delivery.error)
    return delivery.delivered_at is not None


@task
def publish_report_photos(
    report_id: int, names: list[str], kind: str, user_id: int | None = None
) -> int:
    """Re-encode a new report's uploads and publish them; returns the photos it has."""
    from ioc.accounts.models import User
    from ioc.reports.services import report_photos_publish

    report = Report.objects.get(pk=report_id)
    user = User.objects.filter(pk=user_id).first() if user_id else None
    return len(report_photos_publish(report=report, names=names, kind=kind, user=user))


@task
def escalate_overdue_reports() -> int:
    """Escalate overdue reports (run it every few minutes: `ioc reports_escalate`)."""
    from ioc.reports.services import reports_escalate_overdue

    return reports_escalate_overdue()
