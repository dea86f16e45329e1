from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError

from ioc.core.models import TimelineEvent
from ioc.geo.models import AdminUnit
from ioc.indicators.dhis2 import parse_csv
from ioc.indicators.models import Indicator, Sector, Target, plain_decimal
from ioc.indicators.services import data_values_import, indicator_update, org_unit_for


def test_the_four_sectors_are_seeded(db):
    assert list(Sector.objects.values_list("code", flat=True)) == [
        "socio-economic",
        "health",
        "education",
        "tourism",
    ]


def test_computed_indicator_with_known_operands_is_saved(make_indicator):
    # given
    make_indicator("BEDS_USED")
    make_indicator("BEDS")

    # when
    rate = make_indicator(
        "BED_OCCUPANCY", numerator="#{BEDS_USED}", denominator="#{BEDS}", factor=Decimal(100)
    )

    # then
    assert rate.is_computed
    assert Indicator.objects.get(code="BED_OCCUPANCY").factor == Decimal(100)


def test_formula_with_unknown_codes_is_refused_naming_them(make_indicator):
    make_indicator("A")

    with pytest.raises(ValidationError) as caught:
        make_indicator("RATE", numerator="#{A} + #{NOPE}", denominator="#{ALSO_NOPE}")

    assert caught.value.message_dict == {"numerator": ["Unknown indicator codes: NOPE."]}


def test_formula_syntax_error_names_the_field_and_position(make_indicator):
    make_indicator("A")

    with pytest.raises(ValidationError) as caught:
        make_indicator("RATE", numerator="#{A} *", denominator="")

    assert caught.value.message_dict["numerator"] == [
        "The expression ends too early (position 7): an operand is missing."
    ]


def test_denominator_that_is_always_zero_is_refused(make_indicator):
    make_indicator("A")

    with pytest.raises(ValidationError) as caught:
        make_indicator("RATE", numerator="#{A}", denominator="3 - 3")

    assert caught.value.message_dict == {"denominator": ["The denominator is always zero."]}


def test_division_by_constant_zero_inside_a_formula_is_refused(make_indicator):
    make_indicator("A")

    with pytest.raises(ValidationError) as caught:
        make_indicator("RATE", numerator="#{A} / 0")

    assert caught.value.message_dict == {"numerator": ["Division by zero at position 6."]}


def test_formulas_that_refer_to_each_other_in_a_cycle_are_refused(make_indicator):
    # given
    make_indicator("A")
    first = make_indicator("FIRST", numerator="#{A}")
    make_indicator("SECOND", numerator="#{FIRST} * 2")

    # when
    with pytest.raises(ValidationError) as caught:
        indicator_update(indicator=first, numerator="#{SECOND} + 1")

    # then
    assert caught.value.message_dict == {
        "numerator": ["The formula refers back to itself: FIRST → SECOND → FIRST."]
    }


def test_a_formula_referring_to_itself_is_a_cycle(make_indicator):
    with pytest.raises(ValidationError) as caught:
        make_indicator("SELF", numerator="#{SELF} + 1")

    assert caught.value.message_dict == {
        "numerator": ["The formula refers back to itself: SELF → SELF."]
    }


def test_catalogue_changes_are_kept_in_the_timeline_with_before_and_after(make_indicator):
    # given
    indicator = make_indicator("ARRIVALS", unit="lượt")

    # when
    indicator_update(indicator=indicator, unit="nghìn lượt", decimals=0)

    # then
    events = list(
        TimelineEvent.objects.filter(object_id=str(indicator.pk)).values_list("verb", "data")
    )
    assert [verb for verb, _data in events] == ["indicator_created", "indicator_changed"]
    change = events[1][1]
    assert change["changed"] == ["decimals", "unit"]
    assert (change["before"]["unit"], change["after"]["unit"]) == ("lượt", "nghìn lượt")
    assert (change["before"]["decimals"], change["after"]["decimals"]) == (1, 0)


def test_an_indicator_with_values_keeps_its_period_type_and_stays_collected(
    loaded_geo, make_indicator
):
    # given
    cases = make_indicator("CASES")
    make_indicator("OTHER")
    data_values_import(rows=parse_csv("de,pe,ou,coc,aoc,value\nCASES,202401,68,,,1\n"))

    # when
    with pytest.raises(ValidationError) as period_change:
        indicator_update(indicator=cases, period_type="QUARTERLY")
    with pytest.raises(ValidationError) as made_computed:
        indicator_update(indicator=Indicator.objects.get(code="CASES"), numerator="#{OTHER}")

    # then
    assert period_change.value.message_dict == {
        "period_type": ["The indicator has values: its period type cannot change."]
    }
    assert made_computed.value.message_dict == {
        "numerator": ["The indicator has values: it cannot become a computed one."]
    }


def test_a_code_used_by_a_formula_cannot_be_renamed(make_indicator):
    base = make_indicator("BASE")
    make_indicator("DOUBLE", numerator="#{BASE} * 2")

    with pytest.raises(ValidationError) as caught:
        indicator_update(indicator=base, code="BASE2")

    assert caught.value.message_dict == {
        "code": ["Other indicators' formulas use this code: change them first."]
    }


@pytest.mark.parametrize(
    ("stored", "plain"),
    [("1250.500000", "1250.5"), ("1000.000000", "1000"), ("-0.250000", "-0.25"), ("0E-6", "0")],
)
def test_stored_values_are_written_plainly(stored, plain):
    assert plain_decimal(Decimal(stored)) == plain


def test_a_target_is_named_with_its_plain_value(loaded_geo, make_indicator):
    indicator = make_indicator("HS_BEDS")
    unit = org_unit_for(AdminUnit.objects.get(structure="current", code="22918"))
    target = Target.objects.create(
        indicator=indicator, org_unit=unit, year=2026, value=Decimal("1250.5")
    )
    target.refresh_from_db()
    assert str(target) == f"{indicator.pk}/{unit.pk}/2026 = 1250.5"
