"""The bell in both layouts (loaded by htmx after the page) and the inbox page, in a real
Chromium: a citizen on a phone and an officer on a desktop."""

import pytest
from django.utils.translation import gettext_noop

from ioc.accounts.choices import Role
from ioc.accounts.tests.factories import UserFactory
from ioc.inbox import services

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
PASSWORD = "correct horse battery"


def _log_in(page, live_server, username: str) -> None:
    page.goto(live_server.url + "/accounts/login/")
    page.get_by_label("Tên đăng nhập").fill(username)
    page.get_by_label("Mật khẩu").fill(PASSWORD)
    page.get_by_role("button", name="Đăng nhập").click()
    page.wait_for_load_state("networkidle")


def _notify(user, code: str, url: str) -> None:
    services.notify(
        recipient_ids=[user.pk],
        kind="report.status_changed",
        title=gettext_noop("Report %(code)s is overdue"),
        params={"code": code},
        url=url,
    )


def test_a_citizen_sees_the_bell_and_opens_a_notification_on_a_phone(
    phone_page, live_server, screenshot
):
    citizen = UserFactory(username="dan", role=Role.CITIZEN, password=PASSWORD)
    _notify(citizen, "PA-2611-AAAAAA", "/reports/track/")
    _notify(citizen, "PA-2611-BBBBBB", "/reports/track/")
    errors: list[str] = []
    phone_page.on("pageerror", lambda error: errors.append(str(error)))

    _log_in(phone_page, live_server, "dan")
    phone_page.goto(live_server.url + "/reports/track/")
    bell = phone_page.locator("#inbox-bell[data-unread='2']")
    bell.wait_for()
    screenshot(phone_page, "inbox-bell-citizen-phone")
    bell.click()
    # Generous: once timed out at 10 s in a full run on the loaded 2-core machine.
    phone_page.wait_for_url(live_server.url + "/inbox/", timeout=30_000)
    screenshot(phone_page, "inbox-list-citizen-phone")
    phone_page.get_by_role("button", name="Phản ánh PA-2611-BBBBBB đã quá hạn").click()
    phone_page.wait_for_url(live_server.url + "/reports/track/")
    phone_page.locator("#inbox-bell[data-unread='1']").wait_for()

    assert phone_page.evaluate("document.documentElement.scrollWidth") <= 390
    assert errors == []


def test_an_officer_marks_everything_read_from_the_staff_layout(page, live_server, screenshot):
    officer = UserFactory(username="officer", role=Role.AGENCY_STAFF, password=PASSWORD)
    _notify(officer, "PA-2611-CCCCCC", "/reports/queue/")

    _log_in(page, live_server, "officer")
    page.locator("#inbox-bell[data-unread='1']").wait_for()
    page.goto(live_server.url + "/inbox/")
    screenshot(page, "inbox-list-staff-desktop")
    page.locator("[data-testid=read-all]").click()
    page.wait_for_load_state("networkidle")

    assert page.locator("[data-testid=notification][data-read=false]").count() == 0
    assert page.locator("#inbox-bell").get_attribute("data-unread") == "0"
