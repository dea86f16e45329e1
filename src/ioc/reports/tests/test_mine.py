"""A citizen's "My reports" page: only her own reports, those waiting for her rating first,
then newest first; status, dates, overdue marker; empty state; pages of 20."""

import re
from datetime import timedelta

import pytest
from django.utils import timezone

from ioc.accounts.choices import Role
from ioc.accounts.tests.factories import UserFactory
from ioc.reports.choices import ReportStatus
from ioc.reports.models import Report
from ioc.reports.tests.conftest import local

pytestmark = pytest.mark.django_db
# the session, the user, the count for the pages, one page of reports with their categories
QUERIES = 4


@pytest.fixture
def lan(world):
    return UserFactory(username="lan", role=Role.CITIZEN)


def _sent(submit, user, received, **fields):
    report = submit(reporter=user, actor=user)
    Report.objects.filter(pk=report.pk).update(received_at=received, **fields)
    return Report.objects.get(pk=report.pk)


def _codes(html: str) -> list[str]:
    return re.findall(r'data-testid="my-report" data-code="([^"]+)"', html)


def _page(client, language="en", query=""):
    client.cookies["django_language"] = language
    response = client.get("/reports/mine/" + query)
    assert response.status_code == 200
    return response.content.decode()


def test_anonymous_visitors_are_sent_to_login(client):
    response = client.get("/reports/mine/")
    assert response.status_code == 302
    assert response["Location"] == "/accounts/login/?next=/reports/mine/"


def test_only_her_own_reports_waiting_for_rating_first_then_newest(client, submit, lan):
    other = UserFactory(username="hoa", role=Role.CITIZEN)
    past = timezone.now() - timedelta(days=2)
    old = _sent(
        submit,
        lan,
        local(2026, 11, 1, 8, 0),
        status=ReportStatus.NEW,
        due_at=past,
        expected_at=past,
    )
    rated = _sent(submit, lan, local(2026, 11, 20, 8, 0), status=ReportStatus.RESOLVED, rating=5)
    waiting = _sent(submit, lan, local(2026, 11, 2, 8, 0), status=ReportStatus.RESOLVED)
    newest = _sent(submit, lan, local(2026, 11, 24, 8, 0), status=ReportStatus.IN_PROGRESS)
    hers_not = _sent(submit, other, local(2026, 11, 25, 8, 0))
    anonymous = submit()
    client.force_login(lan)

    html = _page(client)

    codes = [waiting.tracking_code, newest.tracking_code, rated.tracking_code, old.tracking_code]
    assert _codes(html) == codes
    assert hers_not.tracking_code not in html
    assert anonymous.tracking_code not in html
    assert html.count('data-testid="waiting-rating"') == 1
    assert html.count('data-testid="overdue"') == 1
    assert f'href="/reports/track/{old.tracking_code}/"' in html
    assert (
        '<span class="badge text-bg-success" data-testid="status" data-status="resolved">' in html
    )
    assert "Received 01/11/2026" in html


def test_vietnamese_page(client, submit, lan):
    _sent(submit, lan, local(2026, 11, 2, 8, 0), status=ReportStatus.RESOLVED)
    client.force_login(lan)

    html = _page(client, "vi")

    assert '<h1 class="h4 mb-3">Phản ánh của tôi</h1>' in html
    assert "Đang chờ bạn đánh giá" in html
    assert "Tiếp nhận 02/11/2026" in html


def test_empty_state_offers_to_send_a_report(client, world, lan):
    client.force_login(lan)

    html = _page(client)

    assert 'data-testid="no-reports"' in html
    assert "You have not sent any report from this account yet." in html
    assert 'href="/reports/new/"' in html


def test_staff_see_their_own_reports_too(client, submit, people):
    staff = people["staff"]
    mine = _sent(submit, staff, local(2026, 11, 3, 8, 0))
    someone_elses = submit()
    client.force_login(staff)

    html = _page(client)

    assert _codes(html) == [mine.tracking_code]
    assert someone_elses.tracking_code not in html


def test_pages_of_twenty(client, submit, lan):
    for day in range(1, 23):
        _sent(submit, lan, local(2026, 11, day, 8, 0))
    client.force_login(lan)

    first = _codes(_page(client))
    second = _codes(_page(client, query="?page=2"))

    assert len(first) == 20
    assert len(second) == 2
    assert set(first).isdisjoint(second)
    assert "1 / 2" in _page(client)


def test_query_count_does_not_grow_with_the_reports(client, submit, lan, django_assert_num_queries):
    _sent(submit, lan, local(2026, 11, 1, 8, 0))
    client.force_login(lan)
    client.cookies["django_language"] = "en"
    with django_assert_num_queries(QUERIES):
        client.get("/reports/mine/")
    for day in range(2, 12):
        _sent(submit, lan, local(2026, 11, day, 8, 0), status=ReportStatus.RESOLVED)
    with django_assert_num_queries(QUERIES):
        client.get("/reports/mine/")
