from decimal import Decimal

import pytest
from django.utils import translation

from ioc.indicators.analytics import (
    achievement,
    analytics_value,
    analytics_values,
    traffic_light,
    year_on_year,
    year_to_date_value,
)
from ioc.indicators.dhis2 import parse_csv
from ioc.indicators.hierarchy import Hierarchy
from ioc.indicators.models import IndicatorAlert, OrgUnit, ThresholdRule
from ioc.indicators.services import data_values_import, indicator_update, target_set

HEADER = "dataelement,period,orgunit,categoryoptioncombo,attributeoptioncombo,value\n"


def _import(text):
    summary = data_values_import(rows=parse_csv(HEADER + text))
    assert summary.status == "SUCCESS", summary.conflicts
    return summary


@pytest.fixture
def province(loaded_geo):
    return Hierarchy.load().resolve("68").org_unit_id


@pytest.fixture
def revenue(loaded_geo, make_indicator):
    return make_indicator("REVENUE", unit="tỷ đồng")


def test_computed_indicator_is_evaluated_from_its_operands_aggregates(make_indicator, province):
    # given
    make_indicator("BEDS_USED")
    make_indicator("BEDS", time_aggregation="LAST")
    rate = make_indicator(
        "OCCUPANCY", numerator="#{BEDS_USED}", denominator="#{BEDS} * 30", factor=100
    )
    _import(
        "BEDS_USED,202401,22918,,,600\nBEDS,202401,22918,,,40\n"
        "BEDS_USED,202401,22924,,,300\nBEDS,202401,22924,,,10\n"
    )

    # when
    value = analytics_value(indicator=rate, period="202401", unit=province)

    # then
    assert value == Decimal(60)


def test_computed_indicator_without_data_is_none_and_can_count_missing_as_zero(
    make_indicator, province
):
    make_indicator("A")
    make_indicator("B")
    total = make_indicator("TOTAL", numerator="#{A} + #{B}")
    _import("A,202401,22918,,,5\n")

    skipped = analytics_value(indicator=total, period="202401", unit=province)
    indicator_update(indicator=total, missing_values="SKIP_IF_ALL_VALUES_MISSING")
    counted = analytics_value(indicator=total, period="202401", unit=province)
    nothing = analytics_value(indicator=total, period="202402", unit=province)

    assert (skipped, counted, nothing) == (None, Decimal(5), None)


def test_year_to_date_and_year_on_year(revenue, province):
    # given
    _import(
        "REVENUE,202301,68,,,100\nREVENUE,202302,68,,,100\nREVENUE,202303,68,,,100\n"
        "REVENUE,202401,68,,,120\nREVENUE,202402,68,,,90\nREVENUE,202403,68,,,150\n"
    )

    # when
    ytd = year_to_date_value(indicator=revenue, period="202403", unit=province)
    comparison = year_on_year(indicator=revenue, period="2024Q1", unit=province)

    # then
    assert ytd == Decimal(360)
    assert (comparison.value, comparison.previous, comparison.change_pct) == (
        Decimal(360),
        Decimal(300),
        Decimal("20.00"),
    )


def test_achievement_compares_the_year_to_date_with_the_target(revenue, province):
    # given
    target_set(indicator=revenue, org_unit=OrgUnit.objects.get(pk=province), year=2024, value=1200)
    _import("REVENUE,202401,68,,,100\nREVENUE,202402,68,,,100\nREVENUE,202403,68,,,100\n")

    # when
    result = achievement(indicator=revenue, period="2024Q1", unit=province)

    # then
    assert (result.actual, result.target, result.achievement_pct) == (
        Decimal(300),
        Decimal(1200),
        Decimal("25.00"),
    )
    assert result.expected == Decimal("298.360656")  # 91 of 366 days
    assert traffic_light(indicator=revenue, period="2024Q1", unit=province) == "green"
    assert traffic_light(indicator=revenue, period="202403", unit=province) == "green"


@pytest.mark.parametrize(
    ("direction", "actual", "light"),
    [
        ("HIGHER", 100, "green"),
        ("HIGHER", 95, "amber"),
        ("HIGHER", 80, "red"),
        ("LOWER", 100, "green"),
        ("LOWER", 105, "amber"),
        ("LOWER", 120, "red"),
    ],
)
def test_traffic_light_against_a_target_respects_direction(
    loaded_geo, make_indicator, province, direction, actual, light
):
    indicator = make_indicator("DENGUE", direction=direction, period_type="YEARLY")
    target_set(indicator=indicator, org_unit=OrgUnit.objects.get(pk=province), year=2024, value=100)
    _import(f"DENGUE,2024,68,,,{actual}\n")

    assert traffic_light(indicator=indicator, period="2024", unit=province) == light


@pytest.mark.parametrize(
    ("direction", "this_year", "light"),
    [
        ("HIGHER", 98, "amber"),
        ("HIGHER", 90, "red"),
        ("LOWER", 90, "green"),
        ("LOWER", 103, "amber"),
    ],
)
def test_traffic_light_without_target_uses_the_change_on_last_year(
    loaded_geo, make_indicator, province, direction, this_year, light
):
    indicator = make_indicator("X", direction=direction, period_type="YEARLY")
    _import(f"X,2023,68,,,100\nX,2024,68,,,{this_year}\n")

    assert traffic_light(indicator=indicator, period="2024", unit=province) == light


def test_no_data_no_target_is_unknown(revenue, province):
    assert traffic_light(indicator=revenue, period="2024", unit=province) == "unknown"
    assert analytics_value(indicator=revenue, period="2024", unit=province) is None


def test_values_for_many_units_and_periods_at_once(revenue, province):
    _import("REVENUE,202401,22918,,,5\nREVENUE,202402,22918,,,6\n")
    commune = Hierarchy.load().resolve("22918").org_unit_id

    values = analytics_values(
        indicator=revenue, periods=["202401", "2024Q1"], units=[commune, province]
    )

    assert values == {
        (commune, "202401"): Decimal(5),
        (commune, "2024Q1"): Decimal(11),
        (province, "202401"): Decimal(5),
        (province, "2024Q1"): Decimal(11),
    }


def test_a_bi_month_is_combined_from_the_months(revenue, province):
    _import("REVENUE,202401,68,,,5\nREVENUE,202402,68,,,6\nREVENUE,202403,68,,,7\n")

    assert analytics_value(indicator=revenue, period="202401B", unit=province) == Decimal(11)


def test_a_threshold_rule_raises_an_alert_when_a_value_crosses_it(make_indicator, province):
    # given
    dengue = make_indicator("DENGUE", direction="LOWER")
    ThresholdRule.objects.create(indicator=dengue, kind="above", threshold=50)

    # when
    _import("DENGUE,202407,22918,,,30\nDENGUE,202407,22924,,,25\n")

    # then
    hierarchy = Hierarchy.load()
    alerts = {
        (hierarchy.units[unit].qualified_code, period, value, message)
        for unit, period, value, message in IndicatorAlert.objects.values_list(
            "org_unit_id", "period", "value", "message"
        )
    }
    message = "DENGUE 202407: 55 is above 50."
    assert alerts == {
        ("current:68", "202407", Decimal(55), message),
        ("legacy:60", "202407", Decimal(55), message),
        ("legacy:593", "202407", Decimal(55), message),
    }


def test_an_alert_writes_its_numbers_as_the_language_does(make_indicator, province):
    # given
    revenue = make_indicator("REV")
    ThresholdRule.objects.create(
        indicator=revenue, org_unit=OrgUnit.objects.get(pk=province), kind="above", threshold=1000
    )

    # when a Vietnamese user imports a figure over the limit
    with translation.override("vi"):
        _import("REV,202401,68,,,1250.5\n")

    # then
    assert IndicatorAlert.objects.get().message == "REV 202401: 1.250,5 vượt ngưỡng 1.000."


def test_an_alert_is_withdrawn_when_the_value_falls_back(make_indicator, province):
    dengue = make_indicator("DENGUE", direction="LOWER")
    ThresholdRule.objects.create(
        indicator=dengue, org_unit=OrgUnit.objects.get(pk=province), kind="above", threshold=50
    )
    _import("DENGUE,202407,22918,,,60\n")

    _import("DENGUE,202407,22918,,,40\n")

    assert IndicatorAlert.objects.count() == 0


def test_change_and_off_target_rules(make_indicator, province):
    # given
    revenue = make_indicator("REV")
    target_set(indicator=revenue, org_unit=OrgUnit.objects.get(pk=province), year=2024, value=1200)
    ThresholdRule.objects.create(
        indicator=revenue, org_unit=OrgUnit.objects.get(pk=province), kind="change", threshold=50
    )
    ThresholdRule.objects.create(
        indicator=revenue,
        org_unit=OrgUnit.objects.get(pk=province),
        kind="off_target",
        threshold=90,
    )

    # when
    _import("REV,202401,68,,,100\nREV,202402,68,,,40\n")

    # then
    assert sorted(IndicatorAlert.objects.values_list("period", "value", "message")) == [
        ("202402", Decimal(40), "REV 202402: 71.17% of the expected target."),
        ("202402", Decimal(40), "REV 202402: changed by -60.00% vs the previous period."),
    ]
