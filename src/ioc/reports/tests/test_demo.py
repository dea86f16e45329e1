"""The field-reports demo: the article's figures for old Phan Thiết come out of the records,
the rows are the services' own, and a second run creates nothing."""

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
from django.contrib.contenttypes.models import ContentType
from django.utils import timezone

from ioc.accounts.demo import load_demo_agencies, load_demo_users
from ioc.accounts.models import User
from ioc.core.models import TimelineEvent
from ioc.geo.selectors import geo_cache_clear
from ioc.geo.testing import load_test_geography
from ioc.inbox.models import Notification
from ioc.inbox.services import group_notifications_deliver
from ioc.reports import demo
from ioc.reports.models import AnswerTemplate, Category, Report, ReportAnswer, RoutingRule
from ioc.reports.selectors import report_work_queue

pytestmark = pytest.mark.django_db

TZ = ZoneInfo("Asia/Ho_Chi_Minh")
TODAY = datetime(2026, 11, 25, 12, 0, tzinfo=TZ)


@pytest.fixture
def agencies_and_categories(loaded_geo):
    load_demo_agencies()
    demo.load_categories()


def _counts() -> tuple[int, int, int]:
    return Report.objects.count(), TimelineEvent.objects.count(), ReportAnswer.objects.count()


def test_pilot_records_give_the_article_figures_for_old_phan_thiet(agencies_and_categories, client):
    # given
    demo.load_reports(parts=("pilot",), until=TODAY)

    # when
    response = client.get(
        "/api/v1/reports/stats",
        {"from": "2022-12-10", "to": "2024-11-21", "legacy_district": "593"},
    )

    # then
    figures = response.json()
    assert response.status_code == 200
    assert (
        figures["received"],
        figures["completed"],
        figures["in_progress"],
        figures["ratings"],
        figures["satisfied"],
        figures["satisfied_pct"],
    ) == (1104, 1025, 79, 981, 834, 85.0)
    assert Report.objects.exclude(legacy_district__code="593").count() == 0
    assert Report.objects.filter(received_at__lt=datetime(2022, 12, 10, tzinfo=TZ)).count() == 0


def test_second_run_creates_nothing(agencies_and_categories):
    # given
    until = datetime(2024, 12, 31, 23, 0, tzinfo=TZ)
    demo.load_reports(parts=("province",), until=until)
    before = _counts()

    # when
    demo.load_categories()
    demo.load_reports(parts=("province",), until=until)

    # then
    assert before == (38, 697, 31)
    assert _counts() == before
    assert (
        Category.objects.count(),
        RoutingRule.objects.filter(is_active=True).count(),
        AnswerTemplate.objects.count(),
    ) == (15, 394, 42)


def test_demo_report_has_the_timeline_the_services_write(agencies_and_categories):
    # given
    demo.load_reports(parts=("province",), until=datetime(2024, 12, 31, 23, 0, tzinfo=TZ))
    report = (
        Report.objects.filter(status="closed", rating__gte=3, category__isnull=False)
        .exclude(reporter_name="")
        .order_by("received_at", "device_id")
        .first()
    )

    # when
    events = TimelineEvent.objects.filter(
        content_type=ContentType.objects.get_for_model(Report), object_id=str(report.pk)
    ).order_by("created_at", "id")

    # then
    verbs = [event.verb for event in events]
    assert verbs[:2] == ["submitted", "routed"]
    assert verbs[-4:] == ["resolved", "answered", "rated", "closed_by_rating"]
    assert events.first().created_at == report.received_at
    assert events.last().created_at == report.closed_at
    assert report.completed_at == report.resolved_at


@pytest.fixture
def demo_accounts(transactional_db, settings, tmp_path):
    """The demo's agencies, categories and accounts, committed: the notifications are
    written after each commit, as in the real demo."""
    settings.VAR_DIR = tmp_path  # where load_demo_users keeps the generated passwords
    geo_cache_clear()
    load_test_geography()
    load_demo_agencies()
    demo.load_categories()
    load_demo_users()
    yield
    geo_cache_clear()


def _account_reports():
    return Report.objects.filter(device_id__startswith=demo.ACCOUNTS_PREFIX)


def _unread(username: str) -> tuple[int, int]:
    """(all, unread) of what the account's inbox shows (copying its groups' notifications)."""
    group_notifications_deliver(user=User.objects.get(username=username))
    notifications = Notification.objects.filter(recipient__username=username)
    return notifications.count(), notifications.filter(read_at=None).count()


@pytest.mark.django_db(transaction=True)
def test_demo_accounts_find_reports_a_triage_queue_and_escalations(demo_accounts, client):
    # when
    lines = demo.load_account_reports(until=TODAY)

    # then
    reports = _account_reports()
    citizen = reports.filter(reporter__username="demo.citizen")
    assert lines == [
        "11 reports around the demo accounts (11 new): 4 sent by demo.citizen, "
        "4 awaiting triage, 4 overdue and escalated"
    ]
    assert sorted(citizen.values_list("status", "rating")) == [
        ("closed", 5),
        ("in_progress", None),
        ("resolved", None),
        ("triage", None),
    ]
    assert [
        f"{timezone.localtime(report.received_at, TZ):%a %d/%m %H:%M}"
        for report in citizen.order_by("received_at")
    ] == ["Mon 09/11 06:50", "Thu 19/11 18:30", "Mon 23/11 19:45", "Wed 25/11 11:24"]
    assert reports.filter(status="triage", category=None).count() == 4
    assert reports.filter(status="triage", suggested_category=None).count() == 0
    escalated = reports.filter(escalated_at__isnull=False).order_by("received_at")
    assert [(r.agency.code, r.status) for r in escalated] == [
        ("ubnd-22924", "in_progress"),
        ("ubnd-22924", "in_progress"),
        ("ubnd-22924", "assigned"),
        ("moi-truong-do-thi", "assigned"),
    ]
    assert all(r.due_at < r.escalated_at < TODAY for r in escalated)
    # The staff's "overdue" filter, the operators' triage queue.
    staff, operator = (
        User.objects.get(username="demo.staff"),
        User.objects.get(username="demo.operator"),
    )
    assert report_work_queue(user=staff, view="overdue", now=TODAY).count() == 3
    assert report_work_queue(user=operator, view="triage", now=TODAY).count() == 4
    # Notifications (all, unread): read up to the moment each account last looked.
    assert [
        _unread(username)
        for username in ("demo.citizen", "demo.staff", "demo.head", "demo.operator", "demo.leader")
    ] == [(12, 4), (6, 1), (9, 4), (8, 8), (0, 0)]
    # The accounts act: the timeline names them.
    rated = citizen.get(status="closed")
    assert list(
        TimelineEvent.objects.filter(
            content_type=ContentType.objects.get_for_model(Report), object_id=str(rated.pk)
        )
        .order_by("created_at", "id")
        .values_list("verb", "actor_label")
    ) == [
        ("submitted", "demo.citizen"),
        ("routed", "system"),
        ("started", "demo.staff"),
        ("resolved", "demo.staff"),
        ("answered", "demo.staff"),
        ("rated", "demo.citizen"),
        ("closed_by_rating", "system"),
    ]
    # In old Phan Thiết but weeks old: nothing counts in the seed article's period.
    assert reports.exclude(legacy_district__code="593").count() == 0
    assert reports.filter(received_at__lt=datetime(2026, 11, 1, tzinfo=TZ)).count() == 0
    figures = client.get(
        "/api/v1/reports/stats",
        {"from": "2022-12-10", "to": "2024-11-21", "legacy_district": "593"},
    ).json()
    assert (figures["received"], figures["completed"], figures["ratings"]) == (0, 0, 0)


@pytest.mark.django_db(transaction=True)
def test_demo_accounts_reports_are_written_once(demo_accounts):
    # given
    demo.load_account_reports(until=TODAY)
    before = (_counts(), Notification.objects.count())

    # when: loaded again a week later
    lines = demo.load_account_reports(until=datetime(2026, 12, 2, 12, 0, tzinfo=TZ))

    # then
    assert lines == [
        "11 reports around the demo accounts (0 new): 4 sent by demo.citizen, "
        "4 awaiting triage, 4 overdue and escalated"
    ]
    assert (_counts(), Notification.objects.count()) == before
