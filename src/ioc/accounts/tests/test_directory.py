"""The agency directory page: who may open it, search without accents, htmx fragments."""

import pytest
from django.urls import reverse

from ioc.accounts.choices import AgencyKind, Role
from ioc.accounts.tests.factories import AgencyFactory, UserFactory

pytestmark = pytest.mark.django_db
URL = reverse("accounts:agency-list")


@pytest.fixture
def agencies():
    return [
        AgencyFactory(code="so-y-te", name="Sở Y tế", kind=AgencyKind.DEPARTMENT),
        AgencyFactory(code="dien-luc", name="Công ty Điện lực", kind=AgencyKind.UTILITY),
        AgencyFactory(
            code="ubnd-22924", name="UBND Phường Phú Thuỷ", kind=AgencyKind.COMMUNE_COMMITTEE
        ),
    ]


def _codes(response) -> list[str]:
    return [agency.code for agency in response.context["agencies"]]


def test_operator_sees_every_agency_grouped_by_kind(client, agencies):
    client.force_login(UserFactory(role=Role.OPERATOR))

    response = client.get(URL)

    assert response.status_code == 200
    assert _codes(response) == ["so-y-te", "ubnd-22924", "dien-luc"]


def test_search_ignores_accents_and_case(client, agencies):
    client.force_login(UserFactory(role=Role.LEADER))

    response = client.get(URL, {"q": "dien luc"})

    assert _codes(response) == ["dien-luc"]


def test_kind_filter_and_unknown_kind_is_ignored(client, agencies):
    client.force_login(UserFactory(role=Role.OPERATOR))

    utilities = client.get(URL, {"kind": AgencyKind.UTILITY})
    unknown = client.get(URL, {"kind": "<script>"})

    assert _codes(utilities) == ["dien-luc"]
    assert unknown.status_code == 200
    assert len(_codes(unknown)) == 3


def test_htmx_request_gets_only_the_table(client, agencies):
    client.force_login(UserFactory(role=Role.OPERATOR))

    response = client.get(URL, {"q": "y te"}, headers={"hx-request": "true"})

    html = response.content.decode()
    assert html.lstrip().startswith('<div class="card')
    assert "<html" not in html
    assert 'data-agency="so-y-te"' in html
    assert "HX-Request" in response["Vary"]


def test_citizen_and_visitor_do_not_get_the_staff_directory(client, agencies):
    anonymous = client.get(URL)
    client.force_login(UserFactory(role=Role.CITIZEN))
    citizen = client.get(URL)

    assert anonymous.status_code == 302
    assert anonymous["Location"].startswith(reverse("accounts:login"))
    assert citizen.status_code == 302
    assert citizen["Location"] == reverse("home")
