import pytest
from django.urls import reverse

from ioc.geo.models import AdminUnit, UnitSuccession

pytestmark = pytest.mark.django_db


def test_admin_lists_and_searches_units(admin_client, geo):
    # when
    response = admin_client.get(
        reverse("admin:geo_adminunit_changelist"), {"structure": "current", "q": "Mũi Né"}
    )

    # then
    assert response.status_code == 200
    assert [unit.code for unit in response.context["cl"].result_list] == ["22918"]


def test_admin_unit_page_summarises_the_boundary_and_shows_successions(admin_client, geo):
    # given
    unit = AdminUnit.objects.get(structure="current", code="22918")

    # when
    response = admin_client.get(reverse("admin:geo_adminunit_change", args=[unit.pk]))

    # then
    html = response.content.decode()
    assert response.status_code == 200
    assert "MultiPolygon, 2 phần, " in html  # the admin is Vietnamese by default
    assert "Phường Hàm Tiến" in html  # a predecessor, in the inline


def test_admin_lists_successions(admin_client, geo):
    response = admin_client.get(
        reverse("admin:geo_unitsuccession_changelist"), {"partial__exact": "1"}
    )

    assert response.status_code == 200
    assert len(response.context["cl"].result_list) == 2
    assert UnitSuccession.objects.count() == 122
