"""The field-reports demo: the article's figures for old Phan Thiết come out of the records,
the rows are the services' own, and a second run creates nothing."""

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
from django.contrib.contenttypes.models import ContentType

from ioc.accounts.demo import load_demo_agencies
from ioc.core.models import TimelineEvent
from ioc.reports import demo
from ioc.reports.models import AnswerTemplate, Category, Report, ReportAnswer, RoutingRule

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
