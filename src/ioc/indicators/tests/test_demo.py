"""The indicators' demo: the catalogue, the facilities, and values that give the figures
published for Bình Thuận through the engine's analytics."""

from collections import Counter
from decimal import Decimal

import pytest

from ioc.accounts.demo import load_demo_agencies
from ioc.geo.choices import Level, Structure
from ioc.geo.selectors import locate
from ioc.indicators.analytics import (
    achievement,
    analytics_value,
    analytics_values,
    year_to_date_value,
)
from ioc.indicators.demo import (
    DemoRange,
    apportion,
    load_demo_indicators,
    read_catalogue,
    read_facilities,
)
from ioc.indicators.models import (
    Aggregate,
    DataValue,
    DataValueImport,
    Facility,
    Indicator,
    OrgUnit,
    Target,
)

YEAR_2024 = DemoRange((2024, 1), (2024, 12))
ACROSS_THE_REORGANISATION = DemoRange((2025, 5), (2025, 8))


@pytest.fixture
def load_demo(loaded_geo):
    load_demo_agencies()

    def load(span: DemoRange) -> list[str]:
        return load_demo_indicators(span)

    return load


def province(structure: str) -> OrgUnit:
    code = "60" if structure == Structure.LEGACY else "68"
    return OrgUnit.objects.get(admin_unit__structure=structure, admin_unit__code=code)


def figure(code: str, period: str, structure: str = Structure.CURRENT) -> Decimal | None:
    return analytics_value(
        indicator=Indicator.objects.get(code=code), period=period, unit=province(structure)
    )


def total_over(code: str, period: str, *, structure: str, level: str) -> Decimal:
    units = OrgUnit.objects.filter(admin_unit__structure=structure, admin_unit__level=level)
    values = analytics_values(
        indicator=Indicator.objects.get(code=code), periods=[period], units=list(units)
    )
    return sum((value for value in values.values() if value is not None), Decimal(0))


def test_apportion_splits_a_total_exactly_in_proportion():
    # given / when
    parts = apportion(Decimal("10838"), [1.1, 0.7, 2.5], Decimal("0.01"))

    # then
    assert parts == [Decimal("2772.51"), Decimal("1764.33"), Decimal("6301.16")]
    assert sum(parts) == Decimal("10838.00")


def test_the_catalogue_file_has_at_least_60_indicators_in_the_four_sectors_each_with_notes():
    # given
    catalogue = read_catalogue()

    # when
    sectors = Counter(entry["sector"] for entry in catalogue["indicators"])

    # then
    assert sum(sectors.values()) >= 60
    assert set(sectors) == {"socio-economic", "health", "education", "tourism"}
    assert min(sectors.values()) >= 10
    assert all(entry["notes"] for entry in catalogue["indicators"])
    assert all(entry["name"] and entry["name_en"] for entry in catalogue["indicators"])


def test_without_geography_the_demo_says_so_and_loads_nothing(db):
    # given: no administrative units

    # when
    lines = load_demo_indicators(YEAR_2024)

    # then
    assert lines == ["No geography of Bình Thuận yet: run “ioc geo_load”, then the demo again."]
    assert not Indicator.objects.exists()


def test_the_demo_loads_the_catalogue_through_the_engine_with_its_formulas(load_demo):
    # given / when
    load_demo(YEAR_2024)

    # then
    catalogue = read_catalogue()
    added = list(Indicator.objects.order_by("pk").values_list("code", flat=True))
    assert added == [entry["code"] for entry in catalogue["indicators"]]  # the file's order
    occupancy = Indicator.objects.get(code="HEALTH_BED_OCCUPANCY")
    assert occupancy.numerator == "#{HEALTH_INPATIENT_DAYS}"
    assert occupancy.denominator == "#{HEALTH_BED_DAYS}"
    assert occupancy.factor == 100
    assert occupancy.source_agency.code == "so-y-te"
    assert Indicator.objects.get(code="SE_BUDGET_REVENUE").source_agency.code == "so-tai-chinh"


def test_the_published_2024_figures_come_out_of_the_analytics(load_demo):
    # given
    load_demo(YEAR_2024)

    # when / then: the same figures for the legacy province and the current one
    for structure in (Structure.LEGACY, Structure.CURRENT):
        assert figure("TOUR_ARRIVALS", "2024", structure) == Decimal("9680000")
        assert figure("TOUR_REVENUE", "2024", structure) == Decimal("25530")
        assert figure("TOUR_ACCOMMODATIONS", "2024", structure) == Decimal("644")
        assert figure("TOUR_ROOMS", "2024", structure) == Decimal("20251")
        assert figure("SE_BUDGET_REVENUE", "2024", structure) == Decimal("10838")
        assert figure("SE_BUDGET_REVENUE_VS_ESTIMATE", "2024", structure) == Decimal("108.38")
        assert figure("SE_GRDP_GROWTH", "2024", structure) == Decimal("7.25")
        assert figure("SE_GRDP_GROWTH_AGRI", "2024", structure) == Decimal("3.43")
        assert figure("SE_GRDP_GROWTH_IND", "2024", structure) == Decimal("11.07")
        assert figure("SE_GRDP_GROWTH_SERV", "2024", structure) == Decimal("7.6")
        assert figure("SE_GRDP_SHARE_AGRI", "2024", structure) == Decimal("24.79")
        assert figure("SE_GRDP_SHARE_IND", "2024", structure) == Decimal("35.96")
        assert figure("SE_GRDP_SHARE_SERV", "2024", structure) == Decimal("33.88")
        assert figure("SE_GRDP_SHARE_TAX", "2024", structure) == Decimal("5.37")
        assert figure("SE_POPULATION", "2024", structure) == Decimal("1250000")
        assert figure("EDU_STUDENTS", "2024", structure) == Decimal("300000")


def test_the_published_2024_monthly_tourism_figures_come_out_of_the_analytics(load_demo):
    # given
    load_demo(YEAR_2024)
    unit = province(Structure.CURRENT)

    def to_november(code: str) -> Decimal:
        indicator = Indicator.objects.get(code=code)
        return year_to_date_value(indicator=indicator, period="202411", unit=unit)

    # when / then
    assert figure("TOUR_ARRIVALS", "202409") == Decimal("935000")
    assert figure("TOUR_ARRIVALS", "202411") == Decimal("826700")
    assert figure("TOUR_ARRIVALS_INTERNATIONAL", "202409") == Decimal("29000")
    assert figure("TOUR_REVENUE", "202409") == Decimal("2232")
    assert figure("TOUR_REVENUE", "202411") == Decimal("2120")
    assert to_november("TOUR_ARRIVALS") == Decimal("8797600")
    assert to_november("TOUR_ARRIVALS_INTERNATIONAL") == Decimal("345000")
    assert to_november("TOUR_REVENUE") == Decimal("23306")


def test_budget_revenue_2024_achieves_108_38_percent_of_its_target(load_demo):
    # given
    load_demo(YEAR_2024)
    revenue = Indicator.objects.get(code="SE_BUDGET_REVENUE")

    # when
    result = achievement(indicator=revenue, period="2024", unit=province(Structure.CURRENT))

    # then
    assert result.actual == Decimal("10838")
    assert result.target == Decimal("10000")
    assert result.achievement_pct == Decimal("108.38")


def test_tourism_peaks_in_the_summer_and_dengue_in_the_rainy_season(load_demo):
    # given
    load_demo(YEAR_2024)

    # when
    arrivals = {m: figure("TOUR_ARRIVALS", f"2024{m:02d}") for m in range(1, 13)}
    dengue_rainy = figure("HEALTH_DENGUE_CASES", "2024Q3")
    dengue_dry = figure("HEALTH_DENGUE_CASES", "2024Q1")

    # then
    assert max(arrivals, key=arrivals.get) in (6, 7, 8, 9)  # summer, and 2/9 in 2024
    assert arrivals[7] > arrivals[3] and arrivals[7] > arrivals[10]
    assert arrivals[2] > arrivals[3]  # Tết 2024 was in February
    assert dengue_rainy > 3 * dengue_dry


def test_legacy_districts_and_current_communes_give_the_province_total(load_demo):
    # given: values on legacy communes until June 2025, on current communes from July
    load_demo(ACROSS_THE_REORGANISATION)
    assert DataValue.objects.filter(
        period="202506", org_unit__admin_unit__structure=Structure.LEGACY
    ).exists()
    assert not DataValue.objects.filter(
        period="202507", org_unit__admin_unit__structure=Structure.LEGACY
    ).exists()

    for code in ("TOUR_ARRIVALS_DOMESTIC", "TOUR_REVENUE", "HEALTH_DENGUE_CASES"):
        # when
        by_districts = total_over(code, "2025", structure=Structure.LEGACY, level=Level.DISTRICT)
        by_communes = total_over(code, "2025", structure=Structure.CURRENT, level=Level.COMMUNE)

        # then
        province_total = figure(code, "2025")
        assert by_districts == by_communes == province_total
        assert province_total == figure(code, "202505") + figure(code, "202506") + figure(
            code, "2025Q3"
        )


def test_values_reported_by_district_add_up_to_the_province(load_demo):
    # given: retail sales by legacy district until June 2025, by current commune after
    load_demo(ACROSS_THE_REORGANISATION)

    # when
    by_districts = total_over(
        "SE_RETAIL_SALES", "2025", structure=Structure.LEGACY, level=Level.DISTRICT
    )
    by_communes = total_over(
        "SE_RETAIL_SALES", "2025Q3", structure=Structure.CURRENT, level=Level.COMMUNE
    )

    # then: a district's figure cannot be split over today's communes, so before July
    # 2025 only the districts (and the province) have it
    assert by_districts == figure("SE_RETAIL_SALES", "2025")
    assert by_communes == figure("SE_RETAIL_SALES", "2025Q3")
    assert total_over(
        "SE_RETAIL_SALES", "202506", structure=Structure.CURRENT, level=Level.COMMUNE
    ) == Decimal(0)


def test_a_second_run_changes_nothing(load_demo):
    # given
    load_demo(ACROSS_THE_REORGANISATION)
    counts = [
        model.objects.count()
        for model in (Indicator, Facility, DataValue, Aggregate, Target, DataValueImport)
    ]
    values = dict(DataValue.objects.values_list("pk", "value"))

    # when
    lines = load_demo(ACROSS_THE_REORGANISATION)

    # then
    assert [
        model.objects.count()
        for model in (Indicator, Facility, DataValue, Aggregate, Target, DataValueImport)
    ] == counts
    assert dict(DataValue.objects.values_list("pk", "value")) == values
    assert "(0 new)" in lines[0] and "(0 new)" in lines[1] and "(0 written)" in lines[2]


def test_a_smaller_range_gives_the_same_values_for_its_months(load_demo):
    # given
    load_demo(DemoRange((2024, 7), (2024, 7)))
    july = set(
        DataValue.objects.filter(period="202407").values_list(
            "indicator_id", "org_unit_id", "value"
        )
    )

    # when
    lines = load_demo(DemoRange((2024, 6), (2024, 8)))

    # then: July is already there, June and August are added
    assert len(july) > 500
    assert "(0 new)" in lines[0]
    assert (
        set(
            DataValue.objects.filter(period="202407").values_list(
                "indicator_id", "org_unit_id", "value"
            )
        )
        == july
    )
    assert set(DataValue.objects.values_list("period", flat=True).distinct()) == {
        "202406",
        "202407",
        "202408",
        "2024",  # the graduation exam, known in July
    }


def test_the_facilities_lie_in_their_communes(load_demo):
    # given
    load_demo(DemoRange((2024, 1), (2024, 1)))

    # when
    facilities = {facility.code: facility for facility in Facility.objects.all()}

    # then
    for row in read_facilities():
        facility = facilities[row["code"]]
        location = locate(lat=facility.lat, lon=facility.lon)
        assert facility.commune.code == row["commune"] == location.commune.code
        assert facility.legacy_district is not None
    kinds = Counter(facility.kind for facility in facilities.values())
    assert kinds == {"hospital": 4, "health_station": 7, "school": 14, "tourist_site": 9}


def test_a_stock_over_a_year_spanning_the_reorganisation_is_its_december_level(load_demo):
    # given
    load_demo(DemoRange((2025, 6), (2025, 12)))

    # when
    year = figure("TOUR_ROOMS", "2025")

    # then: the level at the end of the year, not June's plus December's
    assert year == figure("TOUR_ROOMS", "202512") == Decimal("21150")
    assert figure("TOUR_ROOMS", "2025S1", Structure.LEGACY) == figure("TOUR_ROOMS", "202506")


def test_an_index_over_a_year_spanning_the_reorganisation_is_the_average_of_its_months(
    load_demo,
):
    # given: the CPI reported for province 60 until June 2025, for province 68 after
    load_demo(DemoRange((2025, 1), (2025, 12)))
    months = [figure("SE_CPI", f"2025{month:02d}") for month in range(1, 13)]

    # when
    year = figure("SE_CPI", "2025")

    # then
    assert round(year, 2) == round(sum(months) / 12, 2)
