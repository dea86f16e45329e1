"""The inbox: notifications made in bulk in every language, the bell's count, the list page
and marking as read."""

import re
from datetime import datetime, timedelta

import pytest
from django.utils import timezone
from django.utils.translation import gettext_noop

from ioc.accounts.choices import Role
from ioc.accounts.tests.factories import UserFactory
from ioc.inbox import selectors, services
from ioc.inbox.models import Notification

pytestmark = pytest.mark.django_db


@pytest.fixture
def alice():
    return UserFactory(username="alice", role=Role.CITIZEN)


@pytest.fixture
def bob():
    return UserFactory(username="bob", role=Role.OPERATOR)


def _notify(*users, url="/reports/track/PA-1/", **overrides):
    values = {
        "recipient_ids": [user.pk for user in users],
        "kind": "report.status_changed",
        "title": gettext_noop("Your report %(code)s: %(status)s"),
        "body": gettext_noop("The status of your report %(code)s is now: %(status)s."),
        "params": {"code": "PA-1", "status": lambda: "ok"},
        "url": url,
    }
    values.update(overrides)
    return services.notify(**values)


# -- services and selectors ------------------------------------------------------------------


def test_notify_makes_one_notification_per_recipient_in_one_insert(
    alice, bob, django_assert_num_queries
):
    with django_assert_num_queries(1):
        made = _notify(alice, bob, alice)

    assert made == 2
    assert sorted(Notification.objects.values_list("recipient__username", flat=True)) == [
        "alice",
        "bob",
    ]


def test_notify_renders_the_texts_in_every_language(alice):
    from ioc.reports.choices import ReportStatus

    _notify(alice, params={"code": "PA-1", "status": lambda: ReportStatus.label("resolved")})

    notification = Notification.objects.get()
    assert notification.title == {
        "vi": "Phản ánh PA-1 của bạn: Đã xử lý xong",
        "en": "Your report PA-1: Resolved",
    }
    assert notification.body_text("en") == "The status of your report PA-1 is now: Resolved."
    assert notification.title_text("vi") == "Phản ánh PA-1 của bạn: Đã xử lý xong"


def test_a_parameter_may_give_its_text_in_each_language(alice):
    _notify(
        alice,
        title=gettext_noop("New report for your agency: %(code)s"),
        body=gettext_noop("Report %(code)s (%(category)s) is now with %(agency)s."),
        params={
            "code": "PA-2",
            "category": {"vi": "Ổ gà", "en": "Pothole"},
            "agency": {"vi": "UBND phường Phú Thủy"},  # no English name: the deployment's
        },
    )

    notification = Notification.objects.get()
    assert notification.body == {
        "vi": "Phản ánh PA-2 (Ổ gà) hiện do UBND phường Phú Thủy xử lý.",
        "en": "Report PA-2 (Pothole) is now with UBND phường Phú Thủy.",
    }


def test_notify_without_recipients_writes_nothing(django_assert_num_queries):
    with django_assert_num_queries(0):
        assert _notify() == 0


def test_unread_count_and_marking_read(alice, bob):
    _notify(alice)
    _notify(alice)
    _notify(bob)
    first = Notification.objects.filter(recipient=alice).order_by("pk").first()

    assert selectors.unread_count(user=alice) == 2
    assert services.notification_mark_read(user=alice, notification_id=first.pk) == first
    assert selectors.unread_count(user=alice) == 1
    assert services.notifications_mark_all_read(user=alice) == 1
    assert selectors.unread_count(user=alice) == 0
    assert selectors.unread_count(user=bob) == 1


def test_nobody_marks_anothers_notification_read(alice, bob):
    _notify(bob)
    notification = Notification.objects.get()

    assert services.notification_mark_read(user=alice, notification_id=notification.pk) is None
    notification.refresh_from_db()
    assert notification.read_at is None


# -- pages -------------------------------------------------------------------------------------


def test_the_bell_shows_the_unread_count_and_polls(client, alice, django_assert_num_queries):
    _notify(alice)
    _notify(alice)
    client.force_login(alice)

    with django_assert_num_queries(3):  # session, user, one COUNT
        response = client.get("/inbox/bell/")

    html = response.content.decode()
    assert response.status_code == 200
    assert 'data-unread="2"' in html
    assert 'hx-trigger="every 45s"' in html


def test_the_bell_tells_a_logged_out_visitor_to_stop_polling(client):
    assert client.get("/inbox/bell/").status_code == 286


def test_staff_and_citizen_layouts_load_the_bell_for_logged_in_users_only(client, alice, bob):
    assert b"inbox-bell" not in client.get("/").content
    client.force_login(alice)
    assert b'hx-trigger="load"' in client.get("/").content
    client.force_login(bob)
    assert b'hx-trigger="load"' in client.get("/staff/").content


def test_list_page_in_the_readers_language(client, alice):
    _notify(alice)
    client.force_login(alice)

    client.cookies["django_language"] = "en"
    english = client.get("/inbox/").content.decode()
    client.cookies["django_language"] = "vi"
    vietnamese = client.get("/inbox/").content.decode()

    assert "Your report PA-1: ok" in english
    assert "Phản ánh PA-1 của bạn: ok" in vietnamese
    assert "layouts" not in english
    assert 'class="navbar' in english  # a citizen reads it in the public layout


def test_unread_filter_and_mark_all_read(client, alice):
    _notify(alice)
    client.force_login(alice)

    assert client.get("/inbox/?show=unread").content.count(b'data-testid="notification"') == 1
    response = client.post("/inbox/read/", {"next": "/inbox/?show=unread"})

    assert response["Location"] == "/inbox/?show=unread"
    assert client.get("/inbox/?show=unread").content.count(b'data-testid="notification"') == 0
    assert b'data-testid="no-notifications"' in client.get("/inbox/?show=unread").content


def test_opening_a_notification_marks_it_read_and_follows_its_link(client, alice):
    _notify(alice)
    notification = Notification.objects.get()
    client.force_login(alice)

    response = client.post(f"/inbox/{notification.pk}/read/", {"open": "1"})

    assert response.status_code == 302
    assert response["Location"] == "/reports/track/PA-1/"
    notification.refresh_from_db()
    assert notification.read_at is not None


def test_a_link_to_another_site_is_not_followed(client, alice):
    _notify(alice, url="https://evil.example/")
    notification = Notification.objects.get()
    client.force_login(alice)

    response = client.post(f"/inbox/{notification.pk}/read/", {"open": "1", "next": "//evil"})

    assert response["Location"] == "/inbox/"


def test_anothers_notification_is_not_found(client, alice, bob):
    _notify(bob)
    notification = Notification.objects.get()
    client.force_login(alice)

    assert client.post(f"/inbox/{notification.pk}/read/").status_code == 404
    assert client.get(f"/inbox/{notification.pk}/read/").status_code == 405


def test_the_list_needs_a_login(client):
    response = client.get("/inbox/")

    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")


def _page_times(client, language: str) -> list[str]:
    client.cookies["django_language"] = language
    html = client.get("/inbox/").content.decode()
    return re.findall(r"<time datetime=\"[^\"]+\">([^<]*)</time>", html)


def test_notification_ages_are_in_the_readers_language(client, alice):
    """Django 6.1's "1 day, 11 hours ago" has no Vietnamese in Django's catalogue: past today
    the page shows the day ("yesterday" or the date) and the time instead."""
    now = timezone.localtime()
    if now.hour == 0 and now.minute < 40:
        pytest.skip("37 minutes ago would be yesterday")
    yesterday = (now - timedelta(days=1)).replace(hour=9, minute=15, second=0, microsecond=0)
    long_ago = datetime(2026, 11, 1, 10, 5, tzinfo=now.tzinfo)
    _notify(alice)
    _notify(alice)
    _notify(alice)
    first, second, third = Notification.objects.order_by("pk")
    Notification.objects.filter(pk=first.pk).update(created_at=long_ago)
    Notification.objects.filter(pk=second.pk).update(created_at=yesterday)
    Notification.objects.filter(pk=third.pk).update(created_at=now - timedelta(minutes=37))
    client.force_login(alice)

    assert _page_times(client, "vi") == ["37\xa0phút trước", "Hôm qua 09:15", "1/11/2026 10:05"]
    assert _page_times(client, "en") == [
        "37\xa0minutes ago",
        "yesterday 09:15",
        "1/11/2026 10:05",
    ]
