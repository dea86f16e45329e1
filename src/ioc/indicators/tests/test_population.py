"""Population-weighted averages: the weights are the population indicator's latest values
(falling back to the admin unit's population), and stay right when a population changes."""

from decimal import Decimal

import pytest

from ioc.geo.models import AdminUnit
from ioc.indicators.aggregation import aggregates_from_scratch
from ioc.indicators.analytics import analytics_value
from ioc.indicators.dhis2 import parse_csv
from ioc.indicators.hierarchy import Hierarchy
from ioc.indicators.models import Aggregate, OrgUnit
from ioc.indicators.services import data_value_set, data_values_import

HEADER = "dataelement,period,orgunit,categoryoptioncombo,attributeoptioncombo,value\n"


def _import(text):
    summary = data_values_import(rows=parse_csv(HEADER + text))
    assert summary.status == "SUCCESS", summary.conflicts
    return summary


def _value(indicator, period, code):
    unit = Hierarchy.load().resolve(code)
    return analytics_value(indicator=indicator, period=period, unit=unit.org_unit_id)


def _unit(code):
    return OrgUnit.objects.get(pk=Hierarchy.load().resolve(code).org_unit_id)


@pytest.fixture
def world(loaded_geo, make_indicator):
    """Population 1,000 in ward 22918 and 3,000 in ward 22924 (2024); a rate of 10 and 30
    in January 2024, weighted by population; the admin units' own figures are other."""
    AdminUnit.objects.filter(structure="current", code="22918").update(population=5)
    AdminUnit.objects.filter(structure="current", code="22924").update(population=5)
    population = make_indicator("SE_POPULATION", period_type="YEARLY", time_aggregation="LAST")
    rate = make_indicator("RATE", area_aggregation="POPULATION_WEIGHTED")
    _import("SE_POPULATION,2024,22918,,,1000\nSE_POPULATION,2024,22924,,,3000\n")
    _import("RATE,202401,22918,,,10\nRATE,202401,22924,,,30\n")
    return {"population": population, "rate": rate}


def test_the_weights_are_the_population_indicators_values(world):
    # (10 x 1,000 + 30 x 3,000) / 4,000 = 25, not the plain mean 20
    assert _value(world["rate"], "202401", "68") == Decimal(25)
    assert _value(world["rate"], "2024", "68") == Decimal(25)
    assert Hierarchy.load().resolve("22918").population == 1000


def test_a_changed_population_reweights_every_aggregate_at_once(world):
    # when: ward 22918 grows to 3,000
    data_value_set(
        indicator=world["population"], org_unit=_unit("22918"), period="2024", value=3000
    )

    # then: (10 x 3,000 + 30 x 3,000) / 6,000 = 20
    assert _value(world["rate"], "202401", "68") == Decimal(20)
    assert _value(world["rate"], "2024Q1", "68") == Decimal(20)
    assert _value(world["rate"], "202401", "legacy:60") == Decimal(20)


def test_the_latest_population_wins_and_a_unit_without_one_falls_back(world):
    # a later year's figure replaces 2024's; ward 22924's is deleted: its admin figure (5)
    _import("SE_POPULATION,2025,22918,,,2000\n")
    data_value_set(
        indicator=world["population"], org_unit=_unit("22924"), period="2024", value=None
    )

    # (10 x 2,000 + 30 x 5) / 2,005
    expected = (Decimal(20150) / Decimal(2005)).quantize(Decimal("0.000001"))
    assert _value(world["rate"], "202401", "68") == expected


def test_values_imported_with_the_population_are_weighted_by_it(loaded_geo, make_indicator):
    make_indicator("SE_POPULATION", period_type="YEARLY", time_aggregation="LAST")
    rate = make_indicator("RATE", area_aggregation="POPULATION_WEIGHTED")

    # one file: the rates first, then the populations they are weighted by
    _import(
        "RATE,202401,22918,,,10\nRATE,202401,22924,,,30\n"
        "SE_POPULATION,2024,22918,,,1000\nSE_POPULATION,2024,22924,,,3000\n"
    )

    assert _value(rate, "202401", "68") == Decimal(25)


def test_incremental_weighted_rows_equal_a_rebuild_from_scratch(world):
    data_value_set(
        indicator=world["population"], org_unit=_unit("22918"), period="2024", value=1500
    )
    _import("RATE,202402,22918,,,12\nRATE,202401,22924,,,31\n")

    stored = {
        (row.org_unit_id, row.period): (
            row.value_sum,
            row.unit_count,
            row.weighted_sum,
            row.weight_sum,
        )
        for row in Aggregate.objects.filter(indicator=world["rate"])
    }
    rebuilt = {
        (unit, period): tuple(sums)
        for (_indicator, unit, period), sums in aggregates_from_scratch(
            world["rate"], Hierarchy.load()
        ).items()
    }
    assert stored == rebuilt
    province = Hierarchy.load().resolve("68").org_unit_id
    assert stored[(province, "202401")] == (
        Decimal(41),
        2,
        Decimal(108000),
        4500,
    )  # 10 x 1,500 + 31 x 3,000


def test_reweighting_an_averaged_indicator_equals_a_rebuild_from_scratch(world, make_indicator):
    # given: a monthly index averaged over time, in a legacy ward until June 2025 and the
    # two current wards after, weighted by population
    index = make_indicator(
        "INDEX", area_aggregation="POPULATION_WEIGHTED", time_aggregation="AVERAGE"
    )
    _import(
        "INDEX,202505,legacy:22915,,,100\nINDEX,202506,legacy:22915,,,110\n"
        "INDEX,202507,22918,,,120\nINDEX,202508,22924,,,130\nINDEX,202508,22918,,,90\n"
        "SE_POPULATION,2024,legacy:22915,,,2000\n"
    )

    # when: both populations change in one file, with a value of the index
    _import(
        "SE_POPULATION,2025,22918,,,1500\nSE_POPULATION,2025,22924,,,500\n"
        "INDEX,202509,22924,,,140\n"
    )

    # then
    stored = {
        (row.org_unit_id, row.period): (
            row.value_sum,
            row.unit_count,
            row.weighted_sum,
            row.weight_sum,
        )
        for row in Aggregate.objects.filter(indicator=index)
    }
    rebuilt = {
        (unit, period): tuple(sums)
        for (_indicator, unit, period), sums in aggregates_from_scratch(
            index, Hierarchy.load()
        ).items()
    }
    assert stored == rebuilt
    # August: (90 x 1,500 + 130 x 500) / 2,000 = 100
    assert _value(index, "202508", "68") == Decimal(100)
