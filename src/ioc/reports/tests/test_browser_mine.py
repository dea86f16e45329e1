"""A citizen on a phone opens "My reports" from the tabs, in Vietnamese and in English."""

from datetime import timedelta

import pytest
from django.conf import settings
from django.utils import timezone

from ioc.accounts.choices import Role
from ioc.accounts.tests.factories import UserFactory
from ioc.reports.choices import ReportStatus
from ioc.reports.models import Report
from ioc.reports.tests.conftest import MUI_NE, local

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
PASSWORD = "correct horse battery"


def test_my_reports_on_a_phone(phone_page, live_server, submit, screenshot):
    lan = UserFactory(username="lan", role=Role.CITIZEN, password=PASSWORD)
    rows = [
        ("pothole", local(2026, 11, 2, 8, 0), {"status": ReportStatus.RESOLVED}),
        ("pothole", local(2026, 11, 24, 9, 0), {"status": ReportStatus.IN_PROGRESS}),
        ("pothole", local(2026, 11, 10, 7, 0), {"status": ReportStatus.CLOSED, "rating": 4}),
        ("pothole", local(2026, 11, 5, 7, 0), {"expected_at": timezone.now() - timedelta(days=3)}),
    ]
    codes = []
    for category, received, fields in rows:
        report = submit(category=category, point=MUI_NE, reporter=lan, actor=lan)
        Report.objects.filter(pk=report.pk).update(received_at=received, **fields)
        codes.append(report.tracking_code)
    page = phone_page
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    page.goto(live_server.url + "/accounts/login/?next=/reports/new/")
    page.get_by_label("Tên đăng nhập").fill("lan")
    page.get_by_label("Mật khẩu").fill(PASSWORD)
    page.get_by_role("button", name="Đăng nhập").click()
    page.wait_for_url(live_server.url + "/reports/new/")

    page.get_by_test_id("tab-mine").click()
    page.wait_for_url(live_server.url + "/reports/mine/")
    screenshot(page, "reports-mine-vi-phone")
    shown = page.get_by_test_id("my-report").evaluate_all("els => els.map(e => e.dataset.code)")
    assert shown == [codes[0], codes[1], codes[2], codes[3]]
    assert page.locator("h1").inner_text() == "Phản ánh của tôi"

    page.context.add_cookies(
        [{"name": settings.LANGUAGE_COOKIE_NAME, "value": "en", "url": live_server.url}]
    )
    page.reload()
    screenshot(page, "reports-mine-en-phone")
    assert page.locator("h1").inner_text() == "My reports"
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    assert errors == []
