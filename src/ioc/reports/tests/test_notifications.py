"""E-mails to reporters, escalation e-mails, signed webhooks; all sent after the commit."""

import hashlib
import hmac
import json
from datetime import timedelta
from unittest import mock

import pytest
from django.core import mail

from ioc.accounts.choices import Role
from ioc.accounts.tests.factories import UserFactory
from ioc.core.selectors import timeline_for
from ioc.reports import notifications, services
from ioc.reports.models import WebhookDelivery, WebhookSubscription
from ioc.reports.notifications import sign, webhook_request

pytestmark = pytest.mark.django_db


def test_reporter_is_told_in_vietnamese_of_receipt_and_routing_after_the_commit(
    submit, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        report = submit(reporter_email="dan@example.invalid")

    assert [(m.to, m.subject) for m in mail.outbox] == [
        (["dan@example.invalid"], f"Chúng tôi đã nhận phản ánh {report.tracking_code} của bạn"),
        (["dan@example.invalid"], f"Phản ánh {report.tracking_code} của bạn: Đã giao xử lý"),
    ]


def test_nothing_is_sent_for_a_rolled_back_change(submit, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True), pytest.raises(Exception):  # noqa: B017
        submit(category="nope")

    assert mail.outbox == []


def test_every_merged_reporter_is_told_when_resolved(
    submit, people, django_capture_on_commit_callbacks
):
    main = submit(reporter_email="a@example.invalid")
    duplicate = submit(reporter_email="b@example.invalid")
    services.report_merge(report=duplicate, into=main, actor=people["staff"])

    with django_capture_on_commit_callbacks(execute=True):
        services.report_resolve(report=main, answer="Đã vá", actor=people["staff"])

    resolved = [m.to for m in mail.outbox if m.subject.endswith(": Đã xử lý xong")]
    assert resolved == [["a@example.invalid"], ["b@example.invalid"]]


def test_escalation_tells_agency_heads_and_operators(
    submit, people, django_capture_on_commit_callbacks
):
    report = submit(reporter_email="")
    UserFactory(role=Role.OPERATOR, email="", username="no-mail-operator")

    with django_capture_on_commit_callbacks(execute=True):
        services.reports_escalate_overdue(now=report.due_at + timedelta(minutes=5))

    assert [(m.to, m.subject) for m in mail.outbox] == [
        (["head@example.invalid"], f"Phản ánh {report.tracking_code} đã quá hạn"),
        (["operator@example.invalid"], f"Phản ánh {report.tracking_code} đã quá hạn"),
    ]


def test_webhook_deliveries_are_signed_and_hold_no_personal_data(
    submit, people, django_capture_on_commit_callbacks
):
    subscription = WebhookSubscription.objects.create(
        name="Hệ thống 1022",
        url="http://127.0.0.1:9/hook",
        secret="s3cret",
        events=["report.status_changed"],
    )
    sent = []

    class Response:
        status = 204

        def __enter__(self):
            return self

        def __exit__(self, *args):
            return False

    def fake_urlopen(request, timeout):
        sent.append(request)
        return Response()

    with (
        mock.patch("ioc.reports.tasks.urllib.request.urlopen", fake_urlopen),
        django_capture_on_commit_callbacks(execute=True),
    ):
        report = submit(reporter_name="Nguyễn Văn A")

    assert len(sent) == 1
    body = sent[0].data
    expected = "sha256=" + hmac.new(b"s3cret", body, hashlib.sha256).hexdigest()
    assert sent[0].get_header("X-ioc-signature") == expected
    payload = json.loads(body)
    assert (payload["event"], payload["from_status"], payload["report"]["status"]) == (
        "report.status_changed",
        "new",
        "assigned",
    )
    assert payload["report"]["tracking_code"] == report.tracking_code
    assert "Nguyễn Văn A" not in body.decode()
    delivery = WebhookDelivery.objects.get(subscription=subscription)
    assert (delivery.attempts, delivery.response_status, delivery.delivered_at is not None) == (
        1,
        204,
        True,
    )


def test_failed_webhook_is_recorded_for_a_retry(submit, django_capture_on_commit_callbacks):
    WebhookSubscription.objects.create(name="x", url="http://127.0.0.1:9/hook", secret="k")

    def refuse(request, timeout):
        raise OSError("connection refused")

    with (
        mock.patch("ioc.reports.tasks.urllib.request.urlopen", refuse),
        django_capture_on_commit_callbacks(execute=True),
    ):
        submit()

    deliveries = WebhookDelivery.objects.order_by("event")
    assert [(d.event, d.attempts, d.delivered_at, d.error) for d in deliveries] == [
        ("report.status_changed", 1, None, "connection refused"),
        ("report.submitted", 1, None, "connection refused"),
    ]


def test_signature_is_the_hmac_of_the_exact_body():
    delivery = WebhookDelivery(
        subscription=WebhookSubscription(secret="k"), event="report.rated", payload={"a": "ổ gà"}
    )

    body, headers = webhook_request(delivery)

    assert body == '{"a":"ổ gà"}'.encode()
    assert headers["X-IOC-Signature"] == sign(body, "k")


def test_resolution_without_any_reporter_to_write_to_queues_no_email(
    submit, people, django_capture_on_commit_callbacks
):
    # given a report nobody can be told about: no e-mail, no account, nothing merged
    report = submit(reporter_email="")

    # when
    with django_capture_on_commit_callbacks() as callbacks:
        services.report_resolve(report=report, answer="Đã vá", actor=people["staff"])

    # then no e-mail task is queued (webhooks have no subscription here either)
    assert callbacks == []


def test_history_replayed_is_recorded_but_not_announced(
    submit, people, django_capture_on_commit_callbacks
):
    # given a webhook subscriber and an agency head with an e-mail
    WebhookSubscription.objects.create(
        name="Zalo OA", url="https://hooks.example.invalid/ioc", secret="s3cret"
    )

    # when a report's history is written after the fact: received, then escalated
    with django_capture_on_commit_callbacks(execute=True), notifications.history_replayed():
        report = submit(reporter_email="dan@example.invalid")
        services.report_escalate(report=report, now=report.due_at + timedelta(minutes=5))

    # then the timeline has it all, and nobody is told
    verbs = list(timeline_for(target=report).values_list("verb", flat=True))
    assert "submitted" in verbs and "escalated" in verbs
    assert mail.outbox == []
    assert WebhookDelivery.objects.count() == 0

    # and outside, the same events are announced again
    with django_capture_on_commit_callbacks(execute=True):
        later = submit(reporter_email="")
        services.report_escalate(report=later, now=report.due_at + timedelta(minutes=5))
    assert [(m.to, m.subject) for m in mail.outbox] == [
        (["head@example.invalid"], f"Phản ánh {later.tracking_code} đã quá hạn"),
        (["operator@example.invalid"], f"Phản ánh {later.tracking_code} đã quá hạn"),
    ]
    events = WebhookDelivery.objects.order_by("pk").values_list("event", flat=True)
    assert list(events) == ["report.submitted", "report.status_changed", "report.escalated"]
