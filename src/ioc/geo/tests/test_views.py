"""The staff page of communes and the units they replaced."""

import pytest
from django.urls import reverse

from ioc.accounts.choices import Role
from ioc.accounts.tests.factories import UserFactory

pytestmark = pytest.mark.django_db
URL = reverse("geo:commune-list")


def test_commune_directory_lists_45_communes_with_their_former_units(client, geo):
    client.force_login(UserFactory(role=Role.AGENCY_STAFF))

    response = client.get(URL)

    rows = response.context["rows"]
    assert response.status_code == 200
    assert len(rows) == 45
    mui_ne = next(row for row in rows if row.unit.code == "22918")
    assert mui_ne.predecessors == ("Phường Hàm Tiến", "Phường Mũi Né", "Xã Thiện Nghiệp")
    assert mui_ne.legacy_districts == ("Thành phố Phan Thiết",)
    assert {stat["key"]: stat["value"] for stat in response.context["stats"]} == {
        "communes": 45,
        "legacy_communes": 121,
        "legacy_districts": 10,
    }


def test_commune_search_finds_a_former_unit_without_accents(client, geo):
    client.force_login(UserFactory(role=Role.OPERATOR))

    response = client.get(URL, {"q": "thien nghiep"})

    assert [row.unit.code for row in response.context["rows"]] == ["22918"]
