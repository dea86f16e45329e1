"""API keys: shown once, stored as a hash, scoped, revocable, expiring, and cheap to check."""

import hashlib
import re
import time
from datetime import UTC, datetime, timedelta

import pytest
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ValidationError
from django.utils import timezone, translation

from ioc.accounts import services
from ioc.accounts.choices import ApiScope, Role
from ioc.accounts.exceptions import (
    ApiKeyExpired,
    ApiKeyMalformed,
    ApiKeyMissing,
    ApiKeyRevoked,
    ApiKeyScopeDenied,
    ApiKeyUnknown,
)
from ioc.accounts.models import ApiKey
from ioc.accounts.services import apikey_authenticate, apikey_create, apikey_revoke
from ioc.accounts.tests.factories import AgencyFactory, UserFactory, api_key
from ioc.core.models import TimelineEvent

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def english():
    with translation.override("en"):
        yield


def test_apikey_create_returns_the_raw_key_once_and_stores_only_its_hash():
    # given
    agency = AgencyFactory(code="so-khcn")
    admin = UserFactory(username="quantri", role=Role.ADMIN)

    # when
    key, raw_key = apikey_create(
        name="Cổng Open311",
        scopes=[ApiScope.REPORTS, ApiScope.OPEN311, ApiScope.REPORTS],
        agency=agency,
        actor=admin,
    )

    # then
    assert re.fullmatch(r"ioc_[a-z0-9]{8}_[A-Za-z0-9_-]{32}", raw_key)
    key.refresh_from_db()
    assert raw_key.startswith(f"ioc_{key.prefix}_")
    assert key.key_hash == hashlib.sha256(raw_key.encode()).hexdigest()
    stored = [str(value) for value in ApiKey.objects.filter(pk=key.pk).values().get().values()]
    assert [value for value in stored if raw_key[13:] in value] == []
    assert (key.name, key.scopes, key.agency, key.created_by) == (
        "Cổng Open311",
        ["open311", "reports"],
        agency,
        admin,
    )
    event = TimelineEvent.objects.get(
        content_type=ContentType.objects.get_for_model(ApiKey), object_id=str(key.pk)
    )
    assert (event.verb, event.actor, event.data) == (
        "created",
        admin,
        {"scopes": ["open311", "reports"], "agency": "so-khcn"},
    )


def test_apikey_create_names_unknown_scopes_and_other_bad_fields():
    # when
    with pytest.raises(ValidationError) as error:
        apikey_create(
            name=" ",
            scopes=["reports", "bogus", "admin"],
            expires_at=timezone.now() - timedelta(days=1),
        )

    # then
    assert error.value.message_dict == {
        "name": ["Give the key a name that says who uses it."],
        "scopes": [
            "Unknown scope(s): bogus, admin; expected some of: open311, reports, indicators, "
            "dossiers, monitoring, read."
        ],
        "expires_at": ["The expiry date must be in the future."],
    }
    assert ApiKey.objects.count() == 0


def test_apikey_create_needs_a_scope():
    # when
    with pytest.raises(ValidationError) as error:
        apikey_create(name="Empty", scopes=[])

    # then
    assert error.value.message_dict == {"scopes": ["Give the key at least one scope."]}


def test_apikey_authenticate_returns_the_key_and_records_its_use():
    # given
    key, raw_key = api_key(scopes=[ApiScope.REPORTS])

    # when
    authenticated = apikey_authenticate(raw_key=raw_key, scope="reports", ip="203.0.113.7")

    # then
    key.refresh_from_db()
    assert authenticated == key
    assert key.last_used_ip == "203.0.113.7"
    assert key.last_used_at is not None


@pytest.mark.parametrize(
    ("raw_key", "exception", "message"),
    [
        (
            "",
            ApiKeyMissing,
            "API key required: send it in the X-API-Key header or the api_key parameter.",
        ),
        (
            "Bearer abc",
            ApiKeyMalformed,
            "Malformed API key: a key looks like ioc_xxxxxxxx_ followed by 32 characters.",
        ),
        (
            "ioc_abcd1234_" + "x" * 32,
            ApiKeyUnknown,
            "Unknown API key: check that the whole key was copied.",
        ),
    ],
    ids=["missing", "malformed", "unknown"],
)
def test_apikey_authenticate_refuses_a_bad_key_with_401_and_says_why(raw_key, exception, message):
    # given
    api_key(scopes=[ApiScope.REPORTS])

    # when
    with pytest.raises(exception) as error:
        apikey_authenticate(raw_key=raw_key, scope="reports", ip=None)

    # then
    assert (error.value.status_code, error.value.message) == (401, message)


def test_apikey_authenticate_refuses_a_revoked_key_with_401():
    # given
    key, raw_key = api_key(scopes=[ApiScope.REPORTS])
    apikey_revoke(key=key)
    ApiKey.objects.filter(pk=key.pk).update(revoked_at=datetime(2026, 11, 20, 3, 0, tzinfo=UTC))

    # when
    with pytest.raises(ApiKeyRevoked) as error:
        apikey_authenticate(raw_key=raw_key, scope="reports", ip=None)

    # then
    assert (error.value.status_code, error.value.message) == (
        401,
        f"This API key ({key.prefix}) was revoked at 10:00 20/11/2026.",
    )


def test_apikey_authenticate_refuses_an_expired_key_with_401():
    # given
    key, raw_key = api_key(scopes=[ApiScope.REPORTS], expires_at=timezone.now() + timedelta(days=1))
    ApiKey.objects.filter(pk=key.pk).update(expires_at=datetime(2026, 1, 31, 17, 0, tzinfo=UTC))

    # when
    with pytest.raises(ApiKeyExpired) as error:
        apikey_authenticate(raw_key=raw_key, scope="reports", ip=None)

    # then
    assert (error.value.status_code, error.value.message) == (
        401,
        f"This API key ({key.prefix}) expired at 00:00 01/02/2026.",
    )


def test_apikey_authenticate_refuses_a_key_without_the_scope_with_403():
    # given
    _, raw_key = api_key(scopes=[ApiScope.READ, ApiScope.INDICATORS])

    # when
    with pytest.raises(ApiKeyScopeDenied) as error:
        apikey_authenticate(raw_key=raw_key, scope="reports", ip=None)

    # then
    assert (error.value.status_code, error.value.message) == (
        403,
        "This API key does not have the scope “reports” (it has: indicators, read).",
    )


def test_a_key_works_until_its_expiry(monkeypatch):
    # given a key read a moment before it expires
    key, raw_key = api_key(scopes=[ApiScope.READ], expires_at=timezone.now() + timedelta(hours=1))
    before = apikey_authenticate(raw_key=raw_key, scope="read", ip=None)

    # when its hour has passed (the process still remembers the key)
    later = timezone.now() + timedelta(hours=1, seconds=1)
    monkeypatch.setattr(timezone, "now", lambda: later)

    # then
    assert before == key
    with pytest.raises(ApiKeyExpired):
        apikey_authenticate(raw_key=raw_key, scope="read", ip=None)


def test_a_key_read_is_remembered_for_a_few_seconds(django_assert_num_queries, monkeypatch):
    # given a key read once, then revoked by another process (no signal reaches this one)
    key, raw_key = api_key(scopes=[ApiScope.READ])
    apikey_authenticate(raw_key=raw_key, scope="read", ip=None)
    ApiKey.objects.filter(pk=key.pk).update(revoked_at=timezone.now())

    # when / then: within IOC_API_KEY_CACHE_SECONDS the key is not read again
    with django_assert_num_queries(0):
        assert apikey_authenticate(raw_key=raw_key, scope="read", ip=None) == key

    # and after them it is, and refused
    read_at = time.monotonic()
    monkeypatch.setattr(time, "monotonic", lambda: read_at + 5)
    with pytest.raises(ApiKeyRevoked):
        apikey_authenticate(raw_key=raw_key, scope="read", ip=None)


def test_a_key_changed_in_this_process_is_read_again_at_once():
    # given a key read once
    key, raw_key = api_key(scopes=[ApiScope.READ, ApiScope.REPORTS])
    apikey_authenticate(raw_key=raw_key, scope="reports", ip=None)

    # when an administrator narrows its scopes (a save, as the admin does)
    key.scopes = [ApiScope.READ]
    key.save()

    # then
    with pytest.raises(ApiKeyScopeDenied):
        apikey_authenticate(raw_key=raw_key, scope="reports", ip=None)


def test_without_the_cache_every_request_reads_the_key(settings, django_assert_num_queries):
    # given
    settings.IOC_API_KEY_CACHE_SECONDS = 0
    key, raw_key = api_key(scopes=[ApiScope.READ])
    apikey_authenticate(raw_key=raw_key, scope="read", ip=None)
    ApiKey.objects.filter(pk=key.pk).update(revoked_at=timezone.now())

    # when / then
    with django_assert_num_queries(1), pytest.raises(ApiKeyRevoked):
        apikey_authenticate(raw_key=raw_key, scope="read", ip=None)


def test_unknown_keys_are_not_remembered():
    # when
    for _attempt in range(3):
        with pytest.raises(ApiKeyUnknown):
            apikey_authenticate(raw_key="ioc_abcd1234_" + "x" * 32, scope="read", ip=None)

    # then
    assert hashlib.sha256(("ioc_abcd1234_" + "x" * 32).encode()).hexdigest() not in (
        services._keys_read
    )


def test_apikey_revoke_stops_the_key_and_records_it_once():
    # given
    key, raw_key = api_key(scopes=[ApiScope.READ])
    admin = UserFactory(username="quantri", role=Role.ADMIN)

    # when
    apikey_revoke(key=key, actor=admin)
    first_revocation = key.revoked_at
    apikey_revoke(key=key, actor=admin)

    # then
    key.refresh_from_db()
    assert key.revoked_at == first_revocation
    verbs = TimelineEvent.objects.filter(
        content_type=ContentType.objects.get_for_model(ApiKey), object_id=str(key.pk)
    ).values_list("verb", flat=True)
    assert list(verbs) == ["created", "revoked"]
    with pytest.raises(ApiKeyRevoked):
        apikey_authenticate(raw_key=raw_key, scope="read", ip=None)


def test_last_use_is_written_at_most_once_a_minute(django_assert_num_queries):
    # given
    key, raw_key = api_key(scopes=[ApiScope.READ])
    apikey_authenticate(raw_key=raw_key, scope="read", ip="203.0.113.7")
    first_use = ApiKey.objects.get(pk=key.pk).last_used_at

    # when
    with django_assert_num_queries(0):  # the key is remembered, and its last use is recent
        apikey_authenticate(raw_key=raw_key, scope="read", ip="198.51.100.1")

    # then
    key.refresh_from_db()
    assert (key.last_used_at, key.last_used_ip) == (first_use, "203.0.113.7")


def test_last_use_is_written_again_after_a_minute(django_assert_num_queries):
    # given
    key, raw_key = api_key(scopes=[ApiScope.READ])
    a_minute_ago = timezone.now() - timedelta(seconds=61)
    ApiKey.objects.filter(pk=key.pk).update(last_used_at=a_minute_ago, last_used_ip="203.0.113.7")

    # when
    with django_assert_num_queries(2):  # the look-up and the update
        apikey_authenticate(raw_key=raw_key, scope="read", ip="198.51.100.1")

    # then
    key.refresh_from_db()
    assert key.last_used_ip == "198.51.100.1"
    assert key.last_used_at > a_minute_ago
