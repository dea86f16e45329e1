"""Who is told of a report's events, and how: e-mails to reporters who gave an address, to
agency heads and operators on escalation, in-app notifications (ioc.inbox) to the people
concerned, and signed webhooks to subscribers.

`schedule()` is called inside a service's transaction: it writes the webhook deliveries
(an outbox) and the in-app notifications, committed with the change, and enqueues the
e-mail and delivery tasks only after the commit, so a rolled-back change tells nobody.
Inside `batched()` (the intake of several reports at once) the notifications of every
report are written in one INSERT, and each list of recipients is read once.
"""

import functools
import hashlib
import hmac
import json
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from typing import Any

from django.conf import settings
from django.db import transaction
from django.db.models import Q
from django.urls import get_script_prefix, reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, gettext_noop

from ioc.accounts.choices import Role
from ioc.accounts.models import User
from ioc.core import statements
from ioc.inbox.services import (
    OPERATORS,
    agency_audience,
    notifications_collected,
    notify,
    notify_group,
)
from ioc.reports.choices import ExtensionStatus, ReportStatus, WebhookEvent
from ioc.reports.models import (
    ExtensionRequest,
    Report,
    ReportAnswer,
    WebhookDelivery,
    WebhookSubscription,
)

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
) -> None:
    """Record the webhook deliveries and the in-app notifications; enqueue e-mails and
    deliveries after the commit. Inside `history_replayed()`, only the in-app
    notifications."""
    from ioc.reports import tasks

    for notice in _in_app_notices(report, event, answer):
        notice()
    if _replaying_history.get():
        return
    extra: dict[str, Any] = {}
    if event == WebhookEvent.STATUS_CHANGED:
        extra["from_status"] = from_status
    if answer is not None:
        extra["answer"] = answer.text
    deliveries = [
        WebhookDelivery(
            subscription=subscription, event=event, payload=public_payload(report, event, **extra)
        )
        for subscription in active_subscriptions()
        if subscription.wants(event, report.agency_id)
    ]
    statements.insert(deliveries)  # one INSERT built once per shape (core/statements.py)
    delivery_ids = [delivery.pk for delivery in deliveries]
    email_kind = _email_kind(report, event)
    report_id = report.pk

    def enqueue() -> None:
        for delivery_id in delivery_ids:
            tasks.deliver_webhook.enqueue(delivery_id)
        if email_kind:
            tasks.send_report_email.enqueue(report_id, email_kind, answer.pk if answer else None)

    if delivery_ids or email_kind:
        transaction.on_commit(enqueue)


_replaying_history: ContextVar[bool] = ContextVar("replaying_history", default=False)


@contextmanager
def history_replayed() -> Iterator[None]:
    """Inside, events are recorded but not announced: no e-mail is queued and no webhook
    delivery recorded. For history written after the fact (the demo's two years): its
    messages would have gone out when the events happened, and the first start of the
    worker would otherwise mail hundreds of old escalations."""
    token = _replaying_history.set(True)
    try:
        yield
    finally:
        _replaying_history.reset(token)


@contextmanager
def batched() -> Iterator[None]:
    """Inside, the in-app notifications of every `schedule()` go in one INSERT at the end
    and each list of recipients is read once (call it inside the transaction)."""
    token = _recipients_read.set({})
    try:
        with notifications_collected():
            yield
    finally:
        _recipients_read.reset(token)


def active_subscriptions() -> list[WebhookSubscription]:
    """The active subscriptions, from this process's cache of reference data."""
    from ioc.reports.reference import active_subscriptions as cached

    return cached()


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


# -- in-app notifications (ioc.inbox) --------------------------------------------------------
# Each notice is a function run in the change's transaction: one query for its recipients
# (none when they are known, or when it goes to a group: an agency's staff, the operators,
# whose members' inboxes copy it when they look) and one INSERT for all of them.


def _in_app_notices(report: Report, event: str, answer: ReportAnswer | None) -> list:
    notices = []
    code = report.tracking_code
    # Built only for a notice that has recipients (inbox.services.notify).
    track_url = _once(lambda: reverse("reports:track", args=[code]))
    staff_url = _once(lambda: _staff_url(report.pk))
    reporter_id = report.reporter_id
    if event == WebhookEvent.STATUS_CHANGED:
        status = report.status
        status_label = _label_of(status)
        if reporter_id:
            notices.append(
                lambda: notify(
                    recipient_ids=[reporter_id],
                    kind="report.status_changed",
                    title=gettext_noop("Your report %(code)s: %(status)s"),
                    body=gettext_noop("The status of your report %(code)s is now: %(status)s."),
                    params={"code": code, "status": status_label},
                    url=track_url,
                )
            )
        if status == ReportStatus.RESOLVED:
            merged_ids = _merged_reporter_ids(report)
            if merged_ids:
                notices.append(lambda: _notify_merged_reporters(report, merged_ids, track_url))
        if status == ReportStatus.ASSIGNED and report.agency_id:
            notices.append(lambda: _notify_agency_of_assignment(report, staff_url))
        if status == ReportStatus.TRIAGE:
            notices.append(lambda: _notify_operators_of_triage(report, staff_url))
    elif event == WebhookEvent.ANSWERED and answer is not None and reporter_id:
        text = answer.text
        notices.append(
            lambda: notify(
                recipient_ids=[reporter_id],
                kind="report.answered",
                title=gettext_noop("An answer to your report %(code)s"),
                body="%(text)s",
                params={"code": code, "text": text},
                url=track_url,
            )
        )
    elif event == WebhookEvent.ESCALATED:
        notices.append(lambda: _notify_escalation(report, staff_url))
    return notices


def _once(make: Callable[[], str]) -> Callable[[], str]:
    """make(), called the first time only (functools.cache builds a whole wrapper, twice
    for every event of every report: 3 % of a submission)."""
    made: list[str] = []

    def value() -> str:
        if not made:
            made.append(make())
        return made[0]

    return value


def _staff_url(pk: int) -> str:
    """reverse("reports:detail", args=[pk]), from the path reversed once per script
    prefix: intake writes one for each report, and reverse() was 1 % of a submission's
    instructions (docs/performance.md, session 8)."""
    head, tail = _staff_url_around(get_script_prefix())
    return f"{head}{int(pk)}{tail}"


_SENTINEL_PK = 987654321


@functools.lru_cache(maxsize=8)
def _staff_url_around(_script_prefix: str) -> tuple[str, str]:
    head, tail = reverse("reports:detail", args=[_SENTINEL_PK]).split(str(_SENTINEL_PK))
    return head, tail


def _label_of(status: str):
    """The status's label, rendered in each language by the inbox."""
    return lambda: ReportStatus.label(status)


def _name_of(obj, missing: str):
    """A category's or agency's name in each language ({language: name}), or `missing` (a
    message id) translated."""
    if obj is None:
        return gettext_lazy(missing)
    return {language: obj.display_name(language) for language, _name in settings.LANGUAGES}


# {conditions: user ids} inside batched(); None outside.
_recipients_read: ContextVar[dict[tuple, list[int]] | None] = ContextVar(
    "reports_recipients_read", default=None
)


def _escalation_recipients(agency_id: int | None) -> list[int]:
    """The operators and the head of the report's agency (one query)."""
    condition = Q(role=Role.OPERATOR)
    if agency_id:
        condition |= Q(role=Role.AGENCY_HEAD, agency_id=agency_id)
    return _read_once(
        ("escalation", str(agency_id)),
        lambda: list(User.objects.filter(condition, is_active=True).values_list("pk", flat=True)),
    )


def _read_once(key: tuple, read: Callable[[], list[int]]) -> list[int]:
    """read(), once per key inside batched()."""
    known = _recipients_read.get()
    if known is not None and key in known:
        return known[key]
    ids = read()
    if known is not None:
        known[key] = ids
    return ids


def _merged_reporter_ids(report: Report) -> list[int]:
    """The accounts of the reporters merged into the report, but its own reporter."""
    return [
        pk
        for pk in report.merged_reports.exclude(reporter=None).values_list("reporter_id", flat=True)
        if pk != report.reporter_id
    ]


def _notify_merged_reporters(
    report: Report, reporter_ids: list[int], track_url: Callable[[], str]
) -> int:
    return notify(
        recipient_ids=reporter_ids,
        kind="report.merged_resolved",
        title=gettext_noop("Report %(code)s is resolved"),
        body=gettext_noop(
            "Your report was merged into %(code)s, which deals with the same problem; "
            "it is now resolved."
        ),
        params={"code": report.tracking_code},
        url=track_url,
    )


def _notify_agency_of_assignment(report: Report, staff_url: Callable[[], str]) -> None:
    notify_group(
        audience=agency_audience(report.agency_id),
        kind="report.assigned",
        title=gettext_noop("New report for your agency: %(code)s"),
        body=gettext_noop("Report %(code)s (%(category)s) is now with %(agency)s."),
        params={
            "code": report.tracking_code,
            "category": _name_of(report.category, "no category"),
            "agency": _name_of(report.agency, "the triage queue"),
        },
        url=staff_url,
    )


def _notify_operators_of_triage(report: Report, staff_url: Callable[[], str]) -> None:
    notify_group(
        audience=OPERATORS,
        kind="report.triage",
        title=gettext_noop("Report %(code)s waits in triage"),
        body=gettext_noop("Choose the agency responsible for report %(code)s (%(category)s)."),
        params={
            "code": report.tracking_code,
            "category": _name_of(report.category, "no category"),
        },
        url=staff_url,
    )


def _notify_escalation(report: Report, staff_url: Callable[[], str]) -> int:
    heads = _escalation_recipients(report.agency_id)
    due = timezone.localtime(report.due_at).strftime("%d/%m/%Y %H:%M") if report.due_at else "—"
    return notify(
        recipient_ids=heads,
        kind="report.escalated",
        title=gettext_noop("Report %(code)s is overdue"),
        body=gettext_noop(
            "Report %(code)s (%(category)s) was due on %(due)s and is still open with %(agency)s."
        ),
        params={
            "code": report.tracking_code,
            "category": _name_of(report.category, "no category"),
            "due": due,
            "agency": _name_of(report.agency, "the triage queue"),
        },
        url=staff_url,
    )


def schedule_extension_decided(extension: ExtensionRequest) -> None:
    """Tell the staff member who asked for more time what was decided, after the commit."""
    requester_id = extension.requested_by_id
    if requester_id is None:
        return
    report = extension.report
    approved = extension.status == ExtensionStatus.APPROVED
    params = {
        "code": report.tracking_code,
        "due": timezone.localtime(report.due_at).strftime("%d/%m/%Y %H:%M")
        if report.due_at
        else "—",
        "note": extension.decision_note or "—",
    }
    url = reverse("reports:detail", args=[report.pk])

    def tell() -> None:
        notify(
            recipient_ids=[requester_id],
            kind=f"report.extension_{extension.status}",
            title=gettext_noop("More time for report %(code)s: approved")
            if approved
            else gettext_noop("More time for report %(code)s: refused"),
            body=gettext_noop("The deadline is now %(due)s. Note: %(note)s"),
            params=params,
            url=url,
        )

    transaction.on_commit(tell)
