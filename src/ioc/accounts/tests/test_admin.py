"""The admin of agencies, users, API keys and login attempts."""

import re

import pytest
from django.contrib.contenttypes.models import ContentType
from django.urls import reverse

from ioc.accounts.choices import AgencyKind, ApiScope, Role
from ioc.accounts.models import Agency, ApiKey, LoginAttempt, User
from ioc.accounts.services import apikey_authenticate
from ioc.accounts.tests.factories import AgencyFactory, UserFactory, api_key
from ioc.core.models import TimelineEvent

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin_client(client, db):
    client.cookies["django_language"] = "en"
    client.force_login(UserFactory(username="quantri", role=Role.ADMIN))
    return client


def _verbs(obj) -> list[str]:
    return list(
        TimelineEvent.objects.filter(
            content_type=ContentType.objects.get_for_model(obj), object_id=str(obj.pk)
        ).values_list("verb", flat=True)
    )


@pytest.mark.parametrize("model", [Agency, User, ApiKey, LoginAttempt])
def test_each_list_opens(admin_client, model):
    # given
    url = reverse(f"admin:accounts_{model._meta.model_name}_changelist")

    # when
    response = admin_client.get(url)

    # then
    assert response.status_code == 200


def test_adding_a_key_shows_it_once_on_the_answer_page(admin_client):
    # when
    response = admin_client.post(
        reverse("admin:accounts_apikey_add"),
        {"name": "Cổng dịch vụ công", "scopes": [ApiScope.DOSSIERS, ApiScope.READ]},
    )

    # then
    key = ApiKey.objects.get()
    raw_key = re.search(r'<code id="raw-api-key"[^>]*>([^<]+)</code>', response.content.decode())[1]
    assert response.status_code == 200
    assert (key.name, key.scopes, key.created_by.username) == (
        "Cổng dịch vụ công",
        ["dossiers", "read"],
        "quantri",
    )
    assert apikey_authenticate(raw_key=raw_key, scope="dossiers", ip=None) == key
    assert (
        raw_key
        not in admin_client.get(reverse("admin:accounts_apikey_changelist")).content.decode()
    )
    assert _verbs(key) == ["created"]


def test_a_key_cannot_be_edited_in_the_admin(admin_client):
    # given
    key, _ = api_key(name="Old client", scopes=[ApiScope.READ])

    # when
    response = admin_client.post(
        reverse("admin:accounts_apikey_change", args=[key.pk]), {"name": "Renamed"}
    )

    # then
    key.refresh_from_db()
    assert response.status_code == 403
    assert key.name == "Old client"


def test_the_revoke_action_revokes_the_selected_keys(admin_client):
    # given
    chosen, _ = api_key(name="Old client", scopes=[ApiScope.READ])
    kept, _ = api_key(name="Current client", scopes=[ApiScope.READ])

    # when
    admin_client.post(
        reverse("admin:accounts_apikey_changelist"),
        {"action": "revoke", "_selected_action": [chosen.pk]},
    )

    # then
    chosen.refresh_from_db()
    kept.refresh_from_db()
    assert (chosen.revoked_at is not None, kept.revoked_at) == (True, None)
    assert _verbs(chosen) == ["created", "revoked"]


def test_an_agency_edited_in_the_admin_leaves_a_timeline_row(admin_client):
    # given
    agency = AgencyFactory(code="so-y-te", name="Sở Y tế", kind=AgencyKind.DEPARTMENT)

    # when
    response = admin_client.post(
        reverse("admin:accounts_agency_change", args=[agency.pk]),
        {
            "code": "so-y-te",
            "name": "Sở Y tế tỉnh",
            "kind": AgencyKind.DEPARTMENT,
            "is_active": "on",
        },
    )

    # then
    agency.refresh_from_db()
    assert response.status_code == 302
    assert agency.name == "Sở Y tế tỉnh"
    assert _verbs(agency) == ["changed"]


def test_giving_the_admin_role_in_the_admin_makes_a_superuser(admin_client):
    # given
    user = UserFactory(username="thao", role=Role.OPERATOR)
    form = {
        "username": "thao",
        "role": Role.ADMIN,
        "is_active": "on",
        "date_joined_0": "25/11/2026",
        "date_joined_1": "08:00",
    }

    # when
    response = admin_client.post(reverse("admin:accounts_user_change", args=[user.pk]), form)

    # then
    user.refresh_from_db()
    assert response.status_code == 302
    assert (user.role, user.is_staff, user.is_superuser) == (Role.ADMIN, True, True)
    assert _verbs(user) == ["changed"]


def test_login_attempts_are_read_only(admin_client):
    # when
    response = admin_client.get(reverse("admin:accounts_loginattempt_add"))

    # then
    assert response.status_code == 403
