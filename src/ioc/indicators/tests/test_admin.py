"""An administrator adds and adjusts indicators in the admin, formulas validated."""

import pytest
from django.urls import reverse

from ioc.accounts.choices import Role
from ioc.accounts.tests.factories import UserFactory
from ioc.core.models import TimelineEvent
from ioc.indicators.models import (
    DataValue,
    DataValueImport,
    Facility,
    Indicator,
    IndicatorAlert,
    Sector,
    Target,
    ThresholdRule,
)

ADD = "admin:indicators_indicator_add"


@pytest.fixture
def admin_client(client, db):
    client.force_login(UserFactory(username="quantri", role=Role.ADMIN))
    return client


def _form(**fields):
    data = {
        "code": "OCCUPANCY",
        "name": "Công suất sử dụng giường bệnh",
        "name_en": "Bed occupancy",
        "sector": Sector.objects.get(code="health").pk,
        "unit": "%",
        "value_type": "PERCENTAGE",
        "period_type": "MONTHLY",
        "area_aggregation": "SUM",
        "time_aggregation": "SUM",
        "direction": "HIGHER",
        "decimals": "1",
        "definition": "",
        "numerator": "#{BEDS_USED}",
        "denominator": "#{BEDS} * 30",
        "factor": "100",
        "missing_values": "SKIP_IF_ANY_VALUE_MISSING",
        "is_active": "on",
    }
    data.update(fields)
    return data


@pytest.mark.parametrize(
    "model",
    [
        Sector,
        Indicator,
        Facility,
        Target,
        ThresholdRule,
        IndicatorAlert,
        DataValueImport,
        DataValue,
    ],
)
def test_each_list_opens(admin_client, model):
    url = reverse(f"admin:indicators_{model._meta.model_name}_changelist")

    assert admin_client.get(url).status_code == 200


def test_administrator_adds_a_computed_indicator_and_it_is_recorded(admin_client, make_indicator):
    # given
    make_indicator("BEDS_USED")
    make_indicator("BEDS")

    # when
    response = admin_client.post(reverse(ADD), _form())

    # then
    assert response.status_code == 302
    indicator = Indicator.objects.get(code="OCCUPANCY")
    assert (indicator.numerator, indicator.denominator, indicator.factor) == (
        "#{BEDS_USED}",
        "#{BEDS} * 30",
        100,
    )
    assert list(
        TimelineEvent.objects.filter(
            object_id=str(indicator.pk), verb="indicator_created"
        ).values_list("actor__username", flat=True)
    ) == ["quantri"]


def test_a_bad_formula_is_shown_on_its_field_and_nothing_is_saved(admin_client, make_indicator):
    make_indicator("BEDS")

    response = admin_client.post(reverse(ADD), _form(numerator="#{BEDS_USED} +"))

    assert response.status_code == 200
    assert response.context["adminform"].form.errors == {
        "numerator": ["The expression ends too early (position 15): an operand is missing."]
    }
    assert not Indicator.objects.filter(code="OCCUPANCY").exists()


def test_an_edit_in_the_admin_keeps_before_and_after(admin_client, make_indicator):
    make_indicator("BEDS_USED")
    make_indicator("BEDS")
    admin_client.post(reverse(ADD), _form())
    indicator = Indicator.objects.get(code="OCCUPANCY")

    admin_client.post(
        reverse("admin:indicators_indicator_change", args=[indicator.pk]), _form(decimals="2")
    )

    change = TimelineEvent.objects.get(object_id=str(indicator.pk), verb="indicator_changed")
    assert change.data["changed"] == ["decimals"]
    assert (change.data["before"]["decimals"], change.data["after"]["decimals"]) == (1, 2)
