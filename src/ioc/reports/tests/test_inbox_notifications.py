"""In-app notifications of the reports: who is told of what, with the change, in bulk."""

from datetime import timedelta

import pytest

from ioc.accounts.choices import Role
from ioc.accounts.tests.factories import UserFactory
from ioc.inbox.models import GroupNotification, Notification
from ioc.reports import notifications, services
from ioc.reports.notifications import schedule_extension_decided
from ioc.reports.tests.conftest import MUI_NE, everyone_looks

pytestmark = pytest.mark.django_db


def _told(since: int = 0) -> list[tuple[str, str, str]]:
    """Who was told what, in order, once each account has looked at its inbox (which
    copies the notifications of its groups); `since`: after the notification of that key."""
    everyone_looks()
    told = Notification.objects.filter(pk__gt=since).select_related("recipient").order_by("pk")
    return [(n.recipient.username, n.kind, n.title_text("en")) for n in told]


def _last() -> int:
    everyone_looks()
    return Notification.objects.order_by("pk").values_list("pk", flat=True).last() or 0


def test_reporter_agency_and_operators_are_told_of_a_new_report(
    submit, people, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        routed = submit(reporter=people["citizen"])
        triaged = submit(category="noise")
    code, triage_code = routed.tracking_code, triaged.tracking_code

    assert _told() == [
        ("citizen", "report.status_changed", f"Your report {code}: Assigned"),
        ("staff", "report.assigned", f"New report for your agency: {code}"),
        ("head", "report.assigned", f"New report for your agency: {code}"),
        ("operator", "report.triage", f"Report {triage_code} waits in triage"),
    ]
    # Stored once a group, copied to each member's inbox when they looked.
    assert list(GroupNotification.objects.order_by("pk").values_list("audience", "kind")) == [
        (f"agency:{routed.agency_id}", "report.assigned"),
        ("operators", "report.triage"),
    ]
    told = Notification.objects.get(recipient=people["head"])
    assert told.url == f"/reports/{routed.pk}/"
    assert told.body_text("vi") == (
        f"Phản ánh {code} (Ổ gà, hư hỏng mặt đường) hiện do UBND phường Phan Thiết xử lý."
    )
    assert told.body_text("en") == (
        f"Report {code} (Pothole) is now with Phan Thiet Ward People's Committee."
    )


@pytest.mark.parametrize("prefix", ["/", "/ioc/"])
def test_the_staff_link_is_the_reports_page_under_any_script_prefix(prefix):
    from django.urls import reverse, set_script_prefix

    set_script_prefix(prefix)
    try:
        assert notifications._staff_url(4321) == reverse("reports:detail", args=[4321])
        assert notifications._staff_url(4321) == f"{prefix}reports/4321/"
    finally:
        set_script_prefix("/")


def test_nothing_is_told_of_a_rolled_back_change(
    submit, people, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True), pytest.raises(Exception):  # noqa: B017
        submit(category="nope", reporter=people["citizen"])

    assert _told() == []


def test_reporter_is_told_of_each_status_change_and_public_answer_not_of_notes(
    submit, people, django_capture_on_commit_callbacks
):
    report = submit(reporter=people["citizen"])
    code = report.tracking_code
    since = _last()

    with django_capture_on_commit_callbacks(execute=True):
        services.report_start(report=report, actor=people["staff"])
        services.report_answer(report=report, text="Đội sẽ tới.", actor=people["staff"])
        services.report_answer(report=report, text="nội bộ", public=False, actor=people["staff"])

    assert _told(since) == [
        ("citizen", "report.status_changed", f"Your report {code}: In progress"),
        ("citizen", "report.answered", f"An answer to your report {code}"),
    ]
    answer = Notification.objects.get(kind="report.answered")
    assert answer.body == {"vi": "Đội sẽ tới.", "en": "Đội sẽ tới."}
    assert answer.url == f"/reports/track/{code}/"


def test_a_transfer_tells_the_new_agency(submit, people, world, django_capture_on_commit_callbacks):
    report = submit()
    newcomer = UserFactory(role=Role.AGENCY_STAFF, agency=world["transport"], username="new")
    UserFactory(role=Role.AGENCY_STAFF, agency=world["transport"], username="gone", is_active=False)
    since = _last()

    with django_capture_on_commit_callbacks(execute=True):
        services.report_transfer(
            report=report, agency=world["transport"], reason="Đường tỉnh", actor=people["staff"]
        )

    everyone_looks()
    assert [(n.recipient, n.kind) for n in Notification.objects.filter(pk__gt=since)] == [
        (newcomer, "report.assigned")
    ]


def test_every_merged_reporter_is_told_in_app_when_resolved(
    submit, people, django_capture_on_commit_callbacks
):
    main = submit(reporter=people["citizen"])
    other = UserFactory(username="other_citizen")
    duplicate = submit(reporter=other)
    services.report_merge(report=duplicate, into=main, actor=people["staff"])
    since = _last()

    with django_capture_on_commit_callbacks(execute=True):
        services.report_resolve(report=main, answer="Đã vá", actor=people["staff"])

    code = main.tracking_code
    assert _told(since) == [
        ("citizen", "report.status_changed", f"Your report {code}: Resolved"),
        ("other_citizen", "report.merged_resolved", f"Report {code} is resolved"),
        ("citizen", "report.answered", f"An answer to your report {code}"),
    ]


def test_escalation_tells_the_agency_head_and_operators_in_bulk(
    submit, people, django_capture_on_commit_callbacks, django_assert_num_queries
):
    report = submit(reporter_email="")
    UserFactory(role=Role.OPERATOR, username="second_operator")

    since = _last()
    with django_capture_on_commit_callbacks(execute=True):
        services.report_escalate(report=report, now=report.due_at + timedelta(minutes=5))
    told = Notification.objects.filter(pk__gt=since)
    assert sorted(n.recipient.username for n in told) == ["head", "operator", "second_operator"]
    told.delete()
    with django_assert_num_queries(2):  # the recipients, one INSERT
        notifications._notify_escalation(report, staff_url="/reports/1/")

    assert sorted(n.recipient.username for n in Notification.objects.filter(pk__gt=since)) == [
        "head",
        "operator",
        "second_operator",
    ]
    assert Notification.objects.first().title_text("vi") == (
        f"Phản ánh {report.tracking_code} đã quá hạn"
    )


def test_the_requester_is_told_of_the_extension_decision(
    submit, people, django_capture_on_commit_callbacks
):
    report = submit(point=MUI_NE, category="streetlight")
    until = report.due_at + timedelta(days=3)
    extension = services.report_request_extension(
        report=report,
        until=until,
        reason="Chờ vật tư",
        actor=UserFactory(role=Role.AGENCY_STAFF, agency=report.agency, username="asker"),
    )
    extension = services.report_decide_extension(
        extension=extension, approve=True, note="Đồng ý", actor=people["operator"]
    )

    with django_capture_on_commit_callbacks(execute=True):
        schedule_extension_decided(extension)

    notification = Notification.objects.get(kind="report.extension_approved")
    assert notification.recipient.username == "asker"
    assert notification.title_text("en") == (
        f"More time for report {report.tracking_code}: approved"
    )
    assert notification.body_text("en").endswith("Note: Đồng ý")
