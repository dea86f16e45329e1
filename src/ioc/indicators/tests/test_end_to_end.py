"""The issue's "done when", as far as the engine goes: a new indicator with a formula added
in the admin, values from an agency's session and from another agency's DHIS2 file, and
the figure through the analytics API."""

import json

from django.urls import reverse

from ioc.accounts.choices import ApiScope, Role
from ioc.accounts.tests.factories import AgencyFactory, UserFactory, api_key
from ioc.indicators.models import Sector


def test_a_new_computed_indicator_shows_values_from_a_session_and_a_dhis2_file(
    loaded_geo, make_indicator, client
):
    # given: two agencies, each the source of one indicator
    health, statistics = AgencyFactory(code="soyte"), AgencyFactory(code="cucthongke")
    make_indicator("DOCTORS", source_agency=health, time_aggregation="LAST", is_public=True)
    make_indicator(
        "POPULATION",
        source_agency=statistics,
        period_type="YEARLY",
        time_aggregation="LAST",
        is_public=True,
    )
    administrator = UserFactory(role=Role.ADMIN)
    client.force_login(administrator)

    # when: the administrator adds "doctors per 10,000 people" in the admin
    response = client.post(
        reverse("admin:indicators_indicator_add"),
        {
            "code": "DOCTORS_PER_10K",
            "name": "Số bác sĩ trên 10.000 dân",
            "sector": Sector.objects.get(code="health").pk,
            "value_type": "NUMBER",
            "period_type": "YEARLY",
            "area_aggregation": "SUM",
            "time_aggregation": "LAST",
            "direction": "HIGHER",
            "decimals": "1",
            "numerator": "#{DOCTORS}",
            "denominator": "#{POPULATION}",
            "factor": "10000",
            "missing_values": "SKIP_IF_ANY_VALUE_MISSING",
            "is_active": "on",
            "is_public": "on",
        },
    )
    assert response.status_code == 302

    # and the health department's staff send December's doctors from their session
    client.force_login(UserFactory(role=Role.AGENCY_STAFF, agency=health))
    session = client.post(
        "/api/v1/indicators/dataValueSets",
        json.dumps(
            {
                "period": "202412",
                "dataValues": [
                    {"dataElement": "DOCTORS", "orgUnit": "22918", "value": "180"},
                    {"dataElement": "DOCTORS", "orgUnit": "legacy:594", "value": "120"},
                ],
            }
        ),
        content_type="application/json",
    )
    # and the statistics office's system imports the population as a DHIS2 CSV
    _key, raw_key = api_key(scopes=[ApiScope.INDICATORS], agency=statistics)
    client.logout()
    csv = client.post(
        "/api/v1/indicators/dataValueSets",
        "dataelement,period,orgunit,coc,aoc,value\nPOPULATION,2024,legacy:60,,,1250000\n",
        content_type="text/csv",
        headers={"X-API-Key": raw_key},
    )

    # then
    assert session.json()["importCount"]["imported"] == 2
    assert csv.json()["importCount"]["imported"] == 1
    figure = client.get(
        "/api/v1/indicators/analytics",
        {"indicator": "DOCTORS_PER_10K", "period": "2024", "unit": "68"},
    ).json()
    assert figure["value"] == 2.4
    assert figure["indicator"]["computed"] is True
