"""ApiKeyAuth and StaffSessionAuth on a test-only API that answers errors as the real one does."""

from datetime import timedelta

import pytest
from django.test import Client
from django.urls import path
from django.utils import timezone
from django.utils.crypto import get_random_string
from ninja import NinjaAPI, Router
from ninja.errors import AuthenticationError, HttpError

from ioc import api as ioc_api
from ioc.accounts.auth import ApiKeyAuth, StaffSessionAuth
from ioc.accounts.choices import ApiScope, Role
from ioc.accounts.models import ApiKey
from ioc.accounts.services import apikey_revoke
from ioc.accounts.tests.factories import UserFactory, api_key

router = Router()


@router.get("/reports", auth=ApiKeyAuth(ApiScope.REPORTS))
def reports(request):
    return {"api_key": request.api_key.prefix, "auth": request.auth.prefix}


@router.post("/open311/requests", auth=ApiKeyAuth(ApiScope.OPEN311))
def open311_request(request):
    return {"api_key": request.api_key.prefix}


@router.get("/operations", auth=StaffSessionAuth(roles={Role.OPERATOR}))
def operations(request):
    return {"user": request.auth.username}


@router.post("/operations", auth=StaffSessionAuth(roles={Role.OPERATOR}))
def operations_change(request):
    return {"user": request.auth.username}


@router.get("/either", auth=[StaffSessionAuth(optional=True), ApiKeyAuth(ApiScope.REPORTS)])
def either(request):
    return {"by": "api key" if isinstance(request.auth, ApiKey) else "session"}


test_api = NinjaAPI(urls_namespace="accounts-auth-test")
test_api.add_router("/", router)
test_api.add_exception_handler(AuthenticationError, ioc_api.authentication_error)
test_api.add_exception_handler(HttpError, ioc_api.http_error)
urlpatterns = [path("api/", test_api.urls)]

pytestmark = [pytest.mark.urls(__name__), pytest.mark.django_db]


@pytest.fixture
def client():
    english = Client()
    english.cookies["django_language"] = "en"
    return english


def test_a_key_in_the_header_is_accepted_and_set_on_the_request(client):
    # given
    key, raw_key = api_key(scopes=[ApiScope.REPORTS])

    # when
    response = client.get("/api/reports", headers={"X-API-Key": raw_key})

    # then
    assert (response.status_code, response.json()) == (
        200,
        {"api_key": key.prefix, "auth": key.prefix},
    )


def test_a_key_in_the_query_string_is_accepted(client):
    # given
    key, raw_key = api_key(scopes=[ApiScope.REPORTS])

    # when
    response = client.get("/api/reports", {"api_key": raw_key})

    # then
    assert (response.status_code, response.json()) == (
        200,
        {"api_key": key.prefix, "auth": key.prefix},
    )


def test_a_key_in_an_open311_form_is_accepted(client):
    # given
    key, raw_key = api_key(scopes=[ApiScope.OPEN311])

    # when
    response = client.post(
        "/api/open311/requests", {"api_key": raw_key, "service_code": "den-duong"}
    )

    # then
    assert (response.status_code, response.json()) == (200, {"api_key": key.prefix})


def test_a_missing_key_gets_401_saying_where_to_send_it(client):
    # when
    response = client.get("/api/reports")

    # then
    assert (response.status_code, response.json()) == (
        401,
        {"detail": "API key required: send it in the X-API-Key header or the api_key parameter."},
    )


def test_a_malformed_key_gets_401(client):
    # when
    response = client.get("/api/reports", headers={"X-API-Key": "secret"})

    # then
    assert (response.status_code, response.json()) == (
        401,
        {"detail": "Malformed API key: a key looks like ioc_xxxxxxxx_ followed by 32 characters."},
    )


def test_an_unknown_key_gets_401(client):
    # when
    response = client.get("/api/reports", headers={"X-API-Key": "ioc_abcd1234_" + "x" * 32})

    # then
    assert (response.status_code, response.json()) == (
        401,
        {"detail": "Unknown API key: check that the whole key was copied."},
    )


def test_a_revoked_key_gets_401(client):
    # given
    key, raw_key = api_key(scopes=[ApiScope.REPORTS])
    apikey_revoke(key=key)
    key.refresh_from_db()

    # when
    response = client.get("/api/reports", headers={"X-API-Key": raw_key})

    # then
    assert response.status_code == 401
    assert response.json()["detail"].startswith(f"This API key ({key.prefix}) was revoked at ")


def test_an_expired_key_gets_401(client):
    # given
    key, raw_key = api_key(scopes=[ApiScope.REPORTS], expires_at=timezone.now() + timedelta(days=1))
    ApiKey.objects.filter(pk=key.pk).update(expires_at=timezone.now() - timedelta(minutes=1))

    # when
    response = client.get("/api/reports", headers={"X-API-Key": raw_key})

    # then
    assert response.status_code == 401
    assert response.json()["detail"].startswith(f"This API key ({key.prefix}) expired at ")


def test_a_key_without_the_scope_gets_403(client):
    # given
    _, raw_key = api_key(scopes=[ApiScope.OPEN311])

    # when
    response = client.get("/api/reports", headers={"X-API-Key": raw_key})

    # then
    assert (response.status_code, response.json()) == (
        403,
        {"detail": "This API key does not have the scope “reports” (it has: open311)."},
    )


def test_no_session_gets_401(client):
    # when
    response = client.get("/api/operations")

    # then
    assert (response.status_code, response.json()) == (
        401,
        {"detail": "Authentication required: your session has expired or you are not logged in."},
    )


def test_a_session_with_another_role_gets_403(client):
    # given
    client.force_login(UserFactory(role=Role.AGENCY_STAFF))

    # when
    response = client.get("/api/operations")

    # then
    assert (response.status_code, response.json()) == (
        403,
        {"detail": "Your role (Agency staff) may not use this part of the API."},
    )


@pytest.mark.parametrize("role", [Role.OPERATOR, Role.ADMIN])
def test_a_session_with_the_role_or_an_administrator_passes(client, role):
    # given
    client.force_login(UserFactory(username="thao", role=role))

    # when
    response = client.get("/api/operations")

    # then
    assert (response.status_code, response.json()) == (200, {"user": "thao"})


def test_a_session_post_without_the_csrf_token_gets_403():
    # given
    client = Client(enforce_csrf_checks=True)
    client.cookies["django_language"] = "en"
    client.force_login(UserFactory(role=Role.OPERATOR))

    # when
    response = client.post("/api/operations")

    # then
    assert (response.status_code, response.json()) == (
        403,
        {
            "detail": (
                "CSRF check failed: send the X-CSRFToken header with the csrftoken cookie's value."
            )
        },
    )


def test_a_session_post_with_the_csrf_token_passes():
    # given
    client = Client(enforce_csrf_checks=True)
    client.force_login(UserFactory(username="thao", role=Role.OPERATOR))
    token = get_random_string(32)
    client.cookies["csrftoken"] = token

    # when
    response = client.post("/api/operations", headers={"X-CSRFToken": token})

    # then
    assert (response.status_code, response.json()) == (200, {"user": "thao"})


def test_either_a_session_or_a_key_opens_a_shared_endpoint(client):
    # given
    _, raw_key = api_key(scopes=[ApiScope.REPORTS])
    by_key = client.get("/api/either", headers={"X-API-Key": raw_key})
    client.force_login(UserFactory(role=Role.AGENCY_HEAD))

    # when
    by_session = client.get("/api/either")

    # then
    assert (by_key.status_code, by_key.json()) == (200, {"by": "api key"})
    assert (by_session.status_code, by_session.json()) == (200, {"by": "session"})


def test_neither_a_session_nor_a_key_gets_the_key_message(client):
    # when
    response = client.get("/api/either")

    # then
    assert (response.status_code, response.json()) == (
        401,
        {"detail": "API key required: send it in the X-API-Key header or the api_key parameter."},
    )
