"""The inbox: notifications made in bulk in every language, the bell's count, the list page
and marking as read."""

import re
from datetime import datetime, timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from django.utils.translation import gettext_noop

from ioc.accounts.choices import Role
from ioc.accounts.tests.factories import AgencyFactory, UserFactory
from ioc.inbox import selectors, services
from ioc.inbox.models import GroupDelivery, GroupNotification, Notification

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


# -- group notifications -------------------------------------------------------------------


def _notify_group(audience: str, code: str = "PA-1") -> None:
    services.notify_group(
        audience=audience,
        kind="report.assigned",
        title=gettext_noop("New report for your agency: %(code)s"),
        params={"code": code},
        url=lambda: f"/reports/{code}/",
    )


@pytest.fixture
def agency_people(bob):
    agency, other = AgencyFactory(code="phuong-1"), AgencyFactory(code="phuong-2")
    return {
        "staff": UserFactory(username="staff", role=Role.AGENCY_STAFF, agency=agency),
        "head": UserFactory(username="head", role=Role.AGENCY_HEAD, agency=agency),
        "elsewhere": UserFactory(username="elsewhere", role=Role.AGENCY_STAFF, agency=other),
        "gone": UserFactory(
            username="gone", role=Role.AGENCY_STAFF, agency=agency, is_active=False
        ),
        "agency": agency,
        "operator": bob,
    }


def _inbox(user) -> list[tuple[str, str]]:
    rows = Notification.objects.filter(recipient=user).order_by("pk")
    return [(n.kind, n.title_text("en")) for n in rows]


def test_a_group_notification_is_one_row_copied_to_each_member_when_they_look(
    agency_people, django_assert_num_queries
):
    audience = services.agency_audience(agency_people["agency"].pk)
    # One INSERT (on PostgreSQL after a lock, in a savepoint: test_..._order_of_their_keys).
    with django_assert_num_queries(1 if connection.vendor == "sqlite" else 4):
        _notify_group(audience)
    _notify_group(services.OPERATORS, "PA-2")

    assert Notification.objects.count() == 0  # nobody has looked yet
    staff, head = agency_people["staff"], agency_people["head"]
    # Its mark with the latest after it, moving the mark and one INSERT ... SELECT inside
    # a savepoint.
    with django_assert_num_queries(5):
        assert services.group_notifications_deliver(user=staff) == 1
    assert _inbox(staff) == [("report.assigned", "New report for your agency: PA-1")]
    assert _inbox(head) == []  # until the head looks too
    assert selectors.unread_count(user=head) == 0
    assert services.group_notifications_deliver(user=head) == 1
    assert services.group_notifications_deliver(user=agency_people["operator"]) == 1
    assert _inbox(agency_people["operator"]) == [
        ("report.assigned", "New report for your agency: PA-2")
    ]
    # Another agency's officer reads their mark; an inactive account, of no audience, nothing.
    for outsider, queries in ((agency_people["elsewhere"], 1), (agency_people["gone"], 0)):
        with django_assert_num_queries(queries):
            assert services.group_notifications_deliver(user=outsider) == 0
        assert _inbox(outsider) == []
    copy = Notification.objects.get(recipient=head)
    original = GroupNotification.objects.get(audience=audience)
    assert (copy.url, copy.created_at, copy.read_at) == (
        "/reports/PA-1/",
        original.created_at,
        None,
    )
    assert copy.title["vi"] == "Phản ánh mới giao cho cơ quan của bạn: PA-1"


def test_each_group_notification_is_copied_once(agency_people, django_assert_num_queries):
    staff = agency_people["staff"]
    audience = services.agency_audience(agency_people["agency"].pk)
    _notify_group(audience, "PA-1")
    assert services.group_notifications_deliver(user=staff) == 1

    with django_assert_num_queries(1):  # its mark, and nothing after it
        assert services.group_notifications_deliver(user=staff) == 0
    _notify_group(audience, "PA-2")
    _notify_group(audience, "PA-3")
    # Another request of the same account moved the mark first: this one copies nothing.
    delivery = GroupDelivery.objects.filter(user=staff)
    mark = delivery.get().through
    delivery.update(through=mark + 2)
    assert services.group_notifications_deliver(user=staff) == 0
    delivery.update(through=mark)  # as this request had read it
    assert services.group_notifications_deliver(user=staff) == 2

    assert [title for _kind, title in _inbox(staff)] == [
        "New report for your agency: PA-1",
        "New report for your agency: PA-2",
        "New report for your agency: PA-3",
    ]


def test_group_notifications_are_written_in_the_order_of_their_keys(agency_people):
    """A member's mark is the last key copied: on PostgreSQL, where transactions may commit
    out of the order of their keys, the writes of group notifications take a lock held to
    the commit; SQLite writes one transaction at a time."""
    audience = services.agency_audience(agency_people["agency"].pk)
    with CaptureQueriesContext(connection) as queries:
        _notify_group(audience)
        with services.notifications_collected():
            _notify_group(audience, "PA-2")
            _notify_group(services.OPERATORS, "PA-3")

    sqls = [query["sql"] for query in queries]
    locks = [n for n, sql in enumerate(sqls) if "pg_advisory_xact_lock" in sql]
    inserts = [n for n, sql in enumerate(sqls) if sql.startswith('INSERT INTO "inbox_group')]
    assert len(inserts) == 2 and GroupNotification.objects.count() == 3
    if connection.vendor == "postgresql":  # each INSERT right after its lock
        assert [n + 1 for n in locks] == inserts
    else:
        assert locks == []


def test_a_new_account_gets_the_group_notifications_made_after_it(agency_people):
    audience = services.agency_audience(agency_people["agency"].pk)
    _notify_group(audience, "PA-1")
    newcomer = UserFactory(
        username="newcomer", role=Role.AGENCY_STAFF, agency=agency_people["agency"]
    )
    _notify_group(audience, "PA-2")

    assert services.group_notifications_deliver(user=newcomer) == 1
    assert _inbox(newcomer) == [("report.assigned", "New report for your agency: PA-2")]
    # An account whose mark is missing (made around the signal) starts from now.
    GroupDelivery.objects.filter(user=newcomer).delete()
    _notify_group(audience, "PA-3")
    assert services.group_notifications_deliver(user=newcomer) == 0
    _notify_group(audience, "PA-4")
    assert services.group_notifications_deliver(user=newcomer) == 1
    assert _inbox(newcomer)[-1] == ("report.assigned", "New report for your agency: PA-4")


def test_the_bell_and_marking_all_read_include_the_groups_notifications(client, agency_people):
    staff = agency_people["staff"]
    _notify_group(services.agency_audience(agency_people["agency"].pk))
    client.force_login(staff)

    assert 'data-unread="1"' in client.get("/inbox/bell/").content.decode()
    _notify_group(services.agency_audience(agency_people["agency"].pk), "PA-2")
    client.post("/inbox/read/")

    assert list(Notification.objects.filter(recipient=staff).values_list("read_at", flat=True))
    assert Notification.objects.filter(recipient=staff, read_at=None).count() == 0
    assert Notification.objects.filter(recipient=staff).count() == 2


# -- pages -------------------------------------------------------------------------------------


def test_the_bell_shows_the_unread_count_and_polls(client, alice, django_assert_num_queries):
    _notify(alice)
    _notify(alice)
    client.force_login(alice)

    # session, user, one COUNT (a citizen is in no group: no mark to read)
    with django_assert_num_queries(3):
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
