from decimal import Decimal

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from ioc.geo.models import AdminUnit
from ioc.indicators.aggregation import aggregates_from_scratch
from ioc.indicators.analytics import analytics_value
from ioc.indicators.dhis2 import parse_csv
from ioc.indicators.hierarchy import Hierarchy
from ioc.indicators.models import Aggregate, DataValue, Indicator, OrgUnit
from ioc.indicators.services import (
    aggregates_rebuild,
    data_value_set,
    data_values_import,
    facility_create,
    org_unit_for,
)

HEADER = "dataelement,period,orgunit,categoryoptioncombo,attributeoptioncombo,value\n"


def _import(text, **kwargs):
    summary = data_values_import(rows=parse_csv(HEADER + text), **kwargs)
    assert summary.status == "SUCCESS", summary.conflicts
    return summary


def _value(indicator, period, code, structure=None):
    unit = Hierarchy.load().resolve(code, structure=structure)
    return analytics_value(indicator=indicator, period=period, unit=unit.org_unit_id)


@pytest.fixture
def cases(loaded_geo, make_indicator):
    return make_indicator("CASES")


def test_a_legacy_commune_value_reaches_its_district_both_provinces_and_its_successor(cases):
    # when
    _import("CASES,202403,legacy:22915,,,4\n")

    # then
    figures = {
        code: _value(cases, "202403", code)
        for code in ("legacy:22915", "legacy:593", "legacy:60", "68", "22918", "legacy:594")
    }
    assert figures == {
        "legacy:22915": Decimal(4),
        "legacy:593": Decimal(4),
        "legacy:60": Decimal(4),
        "68": Decimal(4),
        "22918": Decimal(4),
        "legacy:594": None,
    }


def test_a_current_commune_value_reaches_the_legacy_district_most_of_it_came_from(cases):
    # 22933 (Hàm Thắng) was made of one ward of 593 and two communes of 597.
    _import("CASES,202601,22933,,,10\n")

    assert _value(cases, "202601", "legacy:597") == Decimal(10)
    assert _value(cases, "202601", "legacy:593") is None
    assert _value(cases, "202601", "legacy:60") == Decimal(10)


def test_on_a_tie_the_legacy_district_with_the_lowest_code_is_chosen(cases):
    # 22963 came from one commune of 593 and one of 598.
    _import("CASES,202601,22963,,,3\n")

    assert _value(cases, "202601", "legacy:593") == Decimal(3)
    assert _value(cases, "202601", "legacy:598") is None


def test_provinces_of_both_structures_count_every_value_once(cases):
    _import(
        "CASES,202401,22918,,,1\nCASES,202401,legacy:22915,,,2\n"
        "CASES,202401,legacy:593,,,4\nCASES,202401,68,,,8\n"
    )

    assert _value(cases, "202401", "68") == Decimal(15)
    assert _value(cases, "202401", "legacy:60") == Decimal(15)
    assert _value(cases, "202401", "22918") == Decimal(3)


@pytest.mark.parametrize(
    ("how", "quarter", "year"),
    [
        ("SUM", Decimal(60), Decimal(100)),
        ("LAST", Decimal(30), Decimal(40)),
        ("AVERAGE", Decimal(20), Decimal(25)),
    ],
)
def test_months_make_quarters_and_years_by_the_time_aggregation(
    loaded_geo, make_indicator, how, quarter, year
):
    # given
    indicator = make_indicator("X", time_aggregation=how)

    # when
    _import("X,202401,22918,,,10\nX,202403,22918,,,30\nX,202402,22918,,,20\nX,202404,22918,,,40\n")

    # then
    assert _value(indicator, "2024Q1", "22918") == quarter
    assert _value(indicator, "2024", "22918") == year
    assert _value(indicator, "2024", "68") == year
    assert _value(indicator, "2024S1", "68") == year


def test_a_last_value_is_the_level_at_the_end_of_the_period(loaded_geo, make_indicator):
    # given: schools counted per commune; one commune last reported in February
    schools = make_indicator("SCHOOLS", time_aggregation="LAST")

    # when
    _import(
        "SCHOOLS,202401,22918,,,5\nSCHOOLS,202403,22918,,,6\n"
        "SCHOOLS,202401,22924,,,3\nSCHOOLS,202402,22924,,,4\n"
    )

    # then: each area's figure of its last month with data
    assert _value(schools, "2024Q1", "68") == Decimal(6)
    assert _value(schools, "2024Q1", "22924") == Decimal(4)
    assert _value(schools, "2024", "68") == _value(schools, "202403", "68")


def test_a_stock_over_the_reorganisation_year_is_its_december_level_not_a_double_count(
    loaded_geo, make_indicator
):
    # given: rooms reported by the legacy wards until June, by the new ward from July
    rooms = make_indicator("ROOMS", time_aggregation="LAST")

    # when
    _import(
        "ROOMS,202506,legacy:22915,,,10\nROOMS,202506,legacy:22918,,,5\nROOMS,202512,22918,,,16\n"
    )

    # then
    assert _value(rooms, "2025", "68") == _value(rooms, "2025", "legacy:60") == Decimal(16)
    assert _value(rooms, "2025", "legacy:593") == Decimal(16)
    assert _value(rooms, "2025S1", "68") == Decimal(15)
    assert _value(rooms, "2025", "legacy:22915") == Decimal(10)


def test_an_average_over_the_reorganisation_year_is_the_mean_of_the_months(
    loaded_geo, make_indicator
):
    # given: an index reported by province 60 until June 2025, by province 68 from July
    index = make_indicator("IIP", time_aggregation="AVERAGE", area_aggregation="NONE")

    # when
    _import(
        "IIP,202505,legacy:60,,,100\nIIP,202506,legacy:60,,,110\n"
        "IIP,202507,68,,,120\nIIP,202508,68,,,130\n"
    )

    # then
    assert _value(index, "2025", "68") == _value(index, "2025", "legacy:60") == Decimal(115)
    assert _value(index, "2025Q2", "68") == Decimal(105)


@pytest.mark.parametrize(
    ("how", "expected"),
    [
        ("AVERAGE", Decimal(20)),
        ("POPULATION_WEIGHTED", Decimal(25)),
        ("SUM", Decimal(40)),
    ],
)
def test_area_aggregation_average_weighted_and_sum(loaded_geo, make_indicator, how, expected):
    # given
    AdminUnit.objects.filter(structure="current", code="22918").update(population=1000)
    AdminUnit.objects.filter(structure="current", code="22924").update(population=3000)
    indicator = make_indicator("RATE", area_aggregation=how)

    # when
    _import("RATE,202401,22918,,,10\nRATE,202401,22924,,,30\n")

    # then
    assert _value(indicator, "202401", "68") == expected


def test_no_area_aggregation_keeps_values_where_they_were_reported(loaded_geo, make_indicator):
    growth = make_indicator("GRDP_GROWTH", area_aggregation="NONE", period_type="YEARLY")

    _import("GRDP_GROWTH,2024,legacy:60,,,7.25\nGRDP_GROWTH,2024,22918,,,9\n")

    assert _value(growth, "2024", "legacy:60") == Decimal("7.25")
    assert _value(growth, "2024", "68") == Decimal("7.25")
    assert _value(growth, "2024", "22918") == Decimal(9)
    assert _value(growth, "2024", "legacy:593") is None


def test_a_facility_rolls_up_to_its_commune_its_legacy_district_and_the_provinces(cases):
    # given
    commune = AdminUnit.objects.get(structure="current", code="22918")
    district = AdminUnit.objects.get(structure="legacy", code="594")
    facility_create(
        code="BV-MN",
        name="Bệnh viện thử",
        kind="hospital",
        commune=commune,
        legacy_district=district,
    )

    # when
    _import("CASES,202601,facility:BV-MN,,,7\n")

    # then
    assert [
        _value(cases, "202601", code)
        for code in ("facility:BV-MN", "22918", "legacy:594", "legacy:593", "68", "legacy:60")
    ] == [Decimal(7), Decimal(7), Decimal(7), None, Decimal(7), Decimal(7)]


def test_the_same_facts_grouped_by_legacy_district_or_current_commune_give_the_same_totals(
    cases,
):
    # given: 2024 reported by legacy communes, 2026 by current communes and a facility
    facility_create(
        code="TH-01",
        name="Trường thử",
        kind="school",
        commune=AdminUnit.objects.get(structure="current", code="22933"),
    )
    _import(
        "CASES,202405,legacy:22915,,,4\nCASES,202405,legacy:22918,,,6\n"
        "CASES,202405,legacy:22978,,,5\nCASES,202405,legacy:22921,,,1\n"
        "CASES,202605,22933,,,3\nCASES,202605,22963,,,2\nCASES,202605,23134,,,8\n"
        "CASES,202605,facility:TH-01,,,1\n"
    )
    hierarchy = Hierarchy.load()
    communes = [
        u.org_unit_id for u in hierarchy.by_code["current"].values() if u.level == "commune"
    ]
    districts = [
        u.org_unit_id for u in hierarchy.by_code["legacy"].values() if u.level == "district"
    ]

    for year, total in (("2024", Decimal(16)), ("2026", Decimal(14))):
        # when
        by_commune = sum(
            analytics_value(indicator=cases, period=year, unit=u) or 0 for u in communes
        )
        by_district = sum(
            analytics_value(indicator=cases, period=year, unit=u) or 0 for u in districts
        )

        # then
        assert by_commune == by_district == total
        assert _value(cases, year, "68") == _value(cases, year, "legacy:60") == total


def test_drafts_do_not_count_until_submitted(cases):
    unit = org_unit_for(AdminUnit.objects.get(structure="current", code="22918"))

    data_value_set(indicator=cases, org_unit=unit, period="202401", value=5, status="draft")
    draft = _value(cases, "2024", "68")
    data_value_set(indicator=cases, org_unit=unit, period="202401", value=5, status="submitted")

    assert (draft, _value(cases, "2024", "68")) == (None, Decimal(5))


def test_deleting_the_last_value_removes_the_aggregates(cases):
    unit = org_unit_for(AdminUnit.objects.get(structure="current", code="22918"))
    data_value_set(indicator=cases, org_unit=unit, period="202401", value=5)

    data_value_set(indicator=cases, org_unit=unit, period="202401", value=None)

    assert Aggregate.objects.count() == 0
    assert DataValue.objects.get().deleted_at is not None


def _table(indicator):
    return {
        (row.indicator_id, row.org_unit_id, row.period): [
            row.value_sum,
            row.unit_count,
            row.weighted_sum,
            row.weight_sum,
        ]
        for row in Aggregate.objects.filter(indicator=indicator)
    }


def _scratch(indicator):
    rows = aggregates_from_scratch(indicator, Hierarchy.load())
    return {key: value for key, value in rows.items() if value[1]}


UNITS = ["22918", "22924", "legacy:22915", "legacy:22978", "legacy:593", "68", "facility:F1"]
MONTHS = ["202311", "202312", "202401", "202402", "202403", "202406", "202412"]
WRITE = st.tuples(
    st.sampled_from(UNITS),
    st.sampled_from(MONTHS),
    st.one_of(st.none(), st.decimals(min_value=0, max_value=1000, places=2)),
    st.sampled_from(["submitted", "draft", "approved"]),
)


@pytest.mark.parametrize("how", ["SUM", "LAST", "AVERAGE"])
@settings(
    max_examples=25,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(batches=st.lists(st.lists(WRITE, max_size=6), min_size=1, max_size=4))
def test_incremental_aggregates_equal_a_recomputation_after_random_writes(
    loaded_geo, make_indicator, how, batches
):
    # given
    indicator = Indicator.objects.filter(code=f"R{how}").first() or make_indicator(
        f"R{how}", time_aggregation=how, area_aggregation="AVERAGE"
    )
    AdminUnit.objects.filter(structure="current", code="22924").update(population=500)
    if not OrgUnit.objects.filter(facility__code="F1").exists():
        facility_create(
            code="F1",
            name="F1",
            kind="school",
            commune=AdminUnit.objects.get(structure="current", code="22924"),
        )
    DataValue.objects.filter(indicator=indicator).delete()
    Aggregate.objects.filter(indicator=indicator).delete()
    hierarchy = Hierarchy.load()

    # when
    for batch in batches:
        lines, seen = [], set()
        for code, month, value, status in batch:
            if (code, month) in seen:
                continue
            seen.add((code, month))
            unit = OrgUnit.objects.get(pk=hierarchy.resolve(code).org_unit_id)
            current = DataValue.objects.filter(indicator=indicator, org_unit=unit, period=month)
            if current.filter(status="approved", deleted_at__isnull=True).exists():
                continue
            if status == "submitted":
                lines.append(f"{indicator.code},{month},{code},,,{'' if value is None else value}")
            else:
                data_value_set(
                    indicator=indicator, org_unit=unit, period=month, value=value, status=status
                )
        if lines:
            _import("\n".join(lines) + "\n")

    # then
    assert _table(indicator) == _scratch(indicator)


def test_rebuild_gives_back_the_same_rows(cases):
    _import("CASES,202401,22918,,,5\nCASES,202402,legacy:22915,,,7\n")
    before = _table(cases)

    aggregates_rebuild(indicator=cases)

    assert _table(cases) == before
    assert len(before) == 24  # 5 units x (202401, 202402, Q1, S1, 2024), but 22915 in January
