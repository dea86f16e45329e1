"""The login page: Vietnamese by default, every attempt recorded, lock-out after failures."""

import logging
from datetime import timedelta

import pytest
from django.contrib.auth.signals import user_login_failed
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from ioc.accounts.models import LoginAttempt
from ioc.accounts.selectors import login_lockout_remaining
from ioc.accounts.services import login_attempt_record
from ioc.accounts.tests.factories import UserFactory

pytestmark = pytest.mark.django_db

PASSWORD = "correct horse battery"
LOGIN_URL = "/accounts/login/"


@pytest.fixture
def english_client():
    client = Client()
    client.cookies["django_language"] = "en"
    return client


@pytest.fixture
def lan(db):
    return UserFactory(username="lan", password=PASSWORD)


def _fail(client: Client, times: int, username: str = "lan", ip: str = "127.0.0.1") -> None:
    for _ in range(times):
        client.post(LOGIN_URL, {"username": username, "password": "wrong"}, REMOTE_ADDR=ip)


def _age_attempts(minutes: int) -> None:
    LoginAttempt.objects.update(created_at=timezone.now() - timedelta(minutes=minutes))


def test_the_login_page_is_in_vietnamese_by_default(client):
    # when
    response = client.get(LOGIN_URL)

    # then
    html = response.content.decode()
    assert (response.status_code, response["Content-Language"]) == (200, "vi")
    assert '<html lang="vi"' in html
    assert '<h1 class="h3 mb-4 text-center">Đăng nhập</h1>' in html
    assert "Mật khẩu" in html


def test_the_language_cookie_switches_the_login_page_to_english(english_client):
    # when
    response = english_client.get(LOGIN_URL)

    # then
    html = response.content.decode()
    assert (response.status_code, response["Content-Language"]) == (200, "en")
    assert '<html lang="en"' in html
    assert '<h1 class="h3 mb-4 text-center">Log in</h1>' in html
    assert "Password" in html


def test_the_login_form_helps_password_managers_and_keeps_next(english_client):
    # when
    response = english_client.get(LOGIN_URL, {"next": "/staff/"})

    # then
    html = response.content.decode()
    assert 'autocomplete="username"' in html
    assert 'autocomplete="current-password"' in html
    assert '<input type="hidden" name="next" value="/staff/">' in html


def test_a_correct_login_redirects_and_is_recorded(english_client, lan):
    # when
    response = english_client.post(
        LOGIN_URL,
        {"username": "lan", "password": PASSWORD, "next": "/staff/"},
        headers={"User-Agent": "Firefox/140"},
    )

    # then
    assert (response.status_code, response["Location"]) == (302, "/staff/")
    assert english_client.session["_auth_user_id"] == str(lan.pk)
    assert list(
        LoginAttempt.objects.values_list("username", "ip_address", "user_agent", "succeeded")
    ) == [("lan", "127.0.0.1", "Firefox/140", True)]


def test_a_wrong_password_shows_an_alert_and_is_recorded(english_client, lan):
    # when
    response = english_client.post(LOGIN_URL, {"username": "lan", "password": "wrong"})

    # then
    html = response.content.decode()
    assert response.status_code == 200
    assert (
        '<div class="alert alert-danger" role="alert">Please enter a correct username and '
        "password. Note that both fields may be case-sensitive.</div>"
    ) in html
    assert list(LoginAttempt.objects.values_list("username", "succeeded")) == [("lan", False)]


def test_five_failures_lock_the_username_even_with_the_correct_password(english_client, lan):
    # given
    _fail(english_client, 5)

    # when
    response = english_client.post(LOGIN_URL, {"username": "lan", "password": PASSWORD})

    # then
    assert response.status_code == 200
    assert "Too many failed attempts. Try again in 15 minutes." in response.content.decode()
    assert "_auth_user_id" not in english_client.session
    assert LoginAttempt.objects.filter(username="lan", succeeded=False).count() == 6


def test_four_failures_do_not_lock(english_client, lan):
    # given
    _fail(english_client, 4)

    # when
    response = english_client.post(LOGIN_URL, {"username": "lan", "password": PASSWORD})

    # then
    assert response.status_code == 302


def test_a_locked_attempt_does_not_even_try_the_password(english_client, lan):
    # given
    _fail(english_client, 5)
    failures_seen = []

    def on_failure(sender, **kwargs):
        failures_seen.append(kwargs["credentials"]["username"])

    user_login_failed.connect(on_failure)

    # when
    try:
        english_client.post(LOGIN_URL, {"username": "lan", "password": "another guess"})
    finally:
        user_login_failed.disconnect(on_failure)

    # then
    assert failures_seen == []


def test_the_page_says_how_many_minutes_are_left(english_client, lan):
    # given
    _fail(english_client, 5)
    _age_attempts(minutes=14)

    # when
    response = english_client.post(LOGIN_URL, {"username": "lan", "password": PASSWORD})

    # then
    assert "Too many failed attempts. Try again in 1 minute." in response.content.decode()


def test_after_the_window_the_correct_password_works_again(english_client, lan):
    # given
    _fail(english_client, 5)
    _age_attempts(minutes=16)

    # when
    response = english_client.post(LOGIN_URL, {"username": "lan", "password": PASSWORD})

    # then
    assert (response.status_code, response["Location"]) == (302, "/staff/")


def test_failures_before_the_last_success_do_not_count():
    # given
    for succeeded in [False, False, False, False, True, False, False, False, False]:
        login_attempt_record(username="lan", ip="127.0.0.1", user_agent="", succeeded=succeeded)

    # when
    after_four = login_lockout_remaining(username="lan", ip="127.0.0.1")
    login_attempt_record(username="lan", ip="127.0.0.1", user_agent="", succeeded=False)
    after_five = login_lockout_remaining(username="lan", ip="127.0.0.1")

    # then
    assert after_four == 0
    assert after_five == 900


def test_too_many_failures_from_one_address_lock_every_username_there(
    english_client, lan, settings
):
    # given
    settings.IOC_LOGIN_MAX_FAILURES_PER_IP = 3
    for username in ["an", "binh", "chi"]:
        _fail(english_client, 1, username=username, ip="198.51.100.4")

    # when
    same_address = english_client.post(
        LOGIN_URL, {"username": "lan", "password": PASSWORD}, REMOTE_ADDR="198.51.100.4"
    )
    other_address = english_client.post(
        LOGIN_URL, {"username": "lan", "password": PASSWORD}, REMOTE_ADDR="198.51.100.5"
    )

    # then
    assert "Too many failed attempts. Try again in 15 minutes." in same_address.content.decode()
    assert other_address.status_code == 302


def test_a_success_does_not_clear_the_address_count(settings):
    # given
    settings.IOC_LOGIN_MAX_FAILURES_PER_IP = 3
    for username, succeeded in [("an", False), ("binh", False), ("chi", False), ("lan", True)]:
        login_attempt_record(
            username=username, ip="198.51.100.4", user_agent="", succeeded=succeeded
        )

    # when
    remaining = login_lockout_remaining(username="dung", ip="198.51.100.4")

    # then
    assert remaining == 900


def test_every_attempt_goes_to_the_security_log(english_client, lan, caplog):
    # given
    caplog.set_level(logging.INFO, logger="ioc.security")

    # when
    english_client.post(LOGIN_URL, {"username": "lan", "password": "wrong"})
    english_client.post(LOGIN_URL, {"username": "lan", "password": PASSWORD})

    # then
    assert [
        (r.name, r.levelname, r.getMessage()) for r in caplog.records if r.name == "ioc.security"
    ] == [
        ("ioc.security", "WARNING", "login failed username=lan ip=127.0.0.1"),
        ("ioc.security", "INFO", "login succeeded username=lan ip=127.0.0.1"),
    ]


def test_logout_needs_a_post(client, lan):
    # given
    client.force_login(lan)

    # when
    by_get = client.get(reverse("accounts:logout"))
    by_post = client.post(reverse("accounts:logout"))

    # then
    assert by_get.status_code == 405
    assert (by_post.status_code, by_post["Location"]) == (302, "/")
    assert "_auth_user_id" not in client.session
