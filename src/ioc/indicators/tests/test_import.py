from decimal import Decimal

import pytest
from django.utils import translation

from ioc.geo.models import AdminUnit
from ioc.indicators.dhis2 import PayloadError, parse_csv, parse_json
from ioc.indicators.models import Aggregate, DataValue, DataValueImport
from ioc.indicators.services import (
    DataValueError,
    data_value_set,
    data_values_import,
    org_unit_for,
)

HEADER = "dataelement,period,orgunit,categoryoptioncombo,attributeoptioncombo,value\n"


@pytest.fixture
def cases(loaded_geo, make_indicator):
    return make_indicator("CASES", value_type="INTEGER_ZERO_OR_POSITIVE")


def _import(text, **kwargs):
    return data_values_import(rows=parse_csv(HEADER + text), **kwargs)


def _values():
    return sorted(
        (v.period, v.org_unit.admin_unit.code, v.value, v.deleted_at is None)
        for v in DataValue.objects.select_related("org_unit__admin_unit")
    )


def test_create_imports_new_values_and_ignores_existing_ones(cases):
    # given
    _import("CASES,202401,22918,,,5\n")

    # when
    summary = _import(
        'CASES,202401,22918,,,9\n"CASES","202402","22918","","","7"\n', strategy="CREATE"
    )

    # then
    assert (
        summary.status,
        summary.imported,
        summary.updated,
        summary.ignored,
        summary.deleted,
    ) == (
        "SUCCESS",
        1,
        0,
        1,
        0,
    )
    assert _values() == [
        ("202401", "22918", Decimal(5), True),
        ("202402", "22918", Decimal(7), True),
    ]


def test_update_changes_existing_values_and_ignores_new_ones(cases):
    _import("CASES,202401,22918,,,5\n")

    summary = _import("CASES,202401,22918,,,9\nCASES,202402,22918,,,7\n", strategy="UPDATE")

    assert (summary.imported, summary.updated, summary.ignored, summary.deleted) == (0, 1, 1, 0)
    assert _values() == [("202401", "22918", Decimal(9), True)]


def test_create_and_update_does_both(cases):
    _import("CASES,202401,22918,,,5\n")

    summary = _import("CASES,202401,22918,,,9\nCASES,202402,22918,,,7\n")

    assert (summary.imported, summary.updated, summary.ignored, summary.deleted) == (1, 1, 0, 0)
    assert _values() == [
        ("202401", "22918", Decimal(9), True),
        ("202402", "22918", Decimal(7), True),
    ]


def test_delete_soft_deletes_existing_values_and_ignores_missing_ones(cases):
    # given
    _import("CASES,202401,22918,,,5\nCASES,202402,22918,,,7\n")

    # when
    summary = _import("CASES,202401,22918,,,\nCASES,202403,22918,,,1\n", strategy="DELETE")

    # then
    assert (summary.imported, summary.updated, summary.ignored, summary.deleted) == (0, 0, 1, 1)
    assert _values() == [
        ("202401", "22918", Decimal(5), False),
        ("202402", "22918", Decimal(7), True),
    ]
    assert list(Aggregate.objects.filter(period="2024").values_list("value_sum", flat=True)) == [
        Decimal(7),
        Decimal(7),
        Decimal(7),
        Decimal(7),
    ]


def test_an_empty_value_deletes_and_a_deleted_value_comes_back_when_written_again(cases):
    _import("CASES,202401,22918,,,5\n")

    deleting = _import("CASES,202401,22918,,,\n")
    reviving = _import("CASES,202401,22918,,,6\n")

    assert (deleting.deleted, reviving.imported) == (1, 1)
    assert _values() == [("202401", "22918", Decimal(6), True)]


def test_every_bad_row_is_a_conflict_naming_its_row_and_column(cases):
    # when
    summary = _import(
        "CASES,202413,22918,,,1\n"
        "NOPE,202401,22918,,,1\n"
        "CASES,202401,99999,,,1\n"
        "CASES,2024,22918,,,1\n"
        "CASES,202402,22918,,,2.5\n"
        "CASES,202403,22918,,,abc\n"
        "CASES,202404,22918,,,-1\n"
        "CASES,202405,22918,XYZ,,1\n"
        "CASES,202406,22918,,,1\n"
        "CASES,202406,current:22918,,,2\n"
    )

    # then
    assert summary.status == "ERROR"
    assert [c.value for c in summary.conflicts] == [
        "Row 2, column period: “202413” is not a period: there is no month 13.",
        "Row 3, column dataelement: “NOPE” is not an indicator of the catalogue.",
        "Row 4, column orgunit: “99999” is not a reporting unit of this deployment.",
        "Row 5, column period: “2024” is not a Monthly period, as CASES is collected.",
        "Row 6, column value: “2.5” is not a whole number.",
        "Row 7, column value: “abc” is not a number.",
        "Row 8, column value: “-1” must not be negative.",
        "Row 9, column categoryoptioncombo: Disaggregations (category option combinations) "
        "are not supported.",
        "Row 11, column orgunit: the same indicator, period and unit as row 10.",
    ]
    assert [(c.row, c.column) for c in summary.conflicts][:2] == [
        (2, "period"),
        (3, "dataelement"),
    ]


def test_one_bad_row_leaves_nothing_written(cases):
    # given
    _import("CASES,202401,22918,,,5\n")
    before = (_values(), list(Aggregate.objects.values_list("period", "value_sum")))

    # when
    summary = _import("CASES,202401,22918,,,8\nCASES,202402,22918,,,7\nCASES,202403,nowhere,,,1\n")

    # then
    assert (summary.imported, summary.updated, summary.ignored) == (0, 0, 3)
    assert (_values(), list(Aggregate.objects.values_list("period", "value_sum"))) == before
    assert DataValueImport.objects.count() == 1


def test_dry_run_counts_but_writes_nothing(cases):
    summary = _import("CASES,202401,22918,,,5\nCASES,202402,22918,,,7\n", dry_run=True)

    assert (summary.status, summary.imported, summary.dry_run) == ("SUCCESS", 2, True)
    assert DataValue.objects.count() == 0
    assert Aggregate.objects.count() == 0
    assert DataValueImport.objects.count() == 0


def test_json_top_level_period_and_org_unit_apply_to_every_value(cases):
    rows = parse_json(
        {
            "period": "202405",
            "orgUnit": "legacy:22915",
            "dataValues": [
                {"dataElement": "CASES", "value": "3"},
                {"dataElement": "CASES", "period": "202406", "value": 4},
            ],
        }
    )

    summary = data_values_import(rows=rows)

    assert summary.imported == 2
    assert _values() == [
        ("202405", "22915", Decimal(3), True),
        ("202406", "22915", Decimal(4), True),
    ]


def test_quoted_csv_values_with_commas_and_followup_are_read():
    rows = parse_csv(
        HEADER + '"CASES","202401","22918","","","5","nva","2024-02-01","a, b","true"\n'
    )

    assert (rows[0].value, rows[0].comment, rows[0].stored_by, rows[0].followup, rows[0].row) == (
        "5",
        "a, b",
        "nva",
        True,
        2,
    )


def test_bare_codes_resolve_in_the_chosen_structure(cases):
    summary = _import("CASES,202401,22918,,,5\n", structure="legacy")

    assert summary.imported == 1
    assert DataValue.objects.get().org_unit.admin_unit.structure == "legacy"


def test_a_file_over_the_size_limit_is_refused_before_parsing(settings):
    settings.IOC_INDICATORS_MAX_UPLOAD_BYTES = 100

    with pytest.raises(PayloadError) as caught:
        parse_csv(b"x" * 101)

    assert str(caught.value) == (
        "The file is 0.0 MB; the limit is 0.0 MB. Split it into smaller files (for example "
        "one per year)."
    )


def test_the_size_limit_is_written_as_the_reader_writes_numbers(settings):
    settings.IOC_INDICATORS_MAX_UPLOAD_BYTES = 12 * 1048576 + 524288  # 12.5 MB

    with translation.override("vi"), pytest.raises(PayloadError) as caught:
        parse_csv(b"x" * (13 * 1048576 + 314573))  # 13.3 MB

    assert str(caught.value).startswith("Tệp có dung lượng 13,3 MB; giới hạn là 12,5 MB.")


def test_unknown_strategy_and_id_scheme_are_conflicts(cases):
    bad_strategy = _import("CASES,202401,22918,,,5\n", strategy="MERGE")
    bad_scheme = _import("CASES,202401,22918,,,5\n", id_scheme="uid")

    assert bad_strategy.status == bad_scheme.status == "ERROR"
    assert bad_strategy.conflicts[0].column == "importStrategy"
    assert bad_scheme.conflicts[0].column == "idScheme"
    assert DataValue.objects.count() == 0


def test_an_approved_value_is_locked_against_imports(cases):
    # given
    _import("CASES,202401,22918,,,5\n")
    value = DataValue.objects.get()
    data_value_set(
        indicator=cases, org_unit=value.org_unit, period="202401", value=5, status="approved"
    )

    # when
    summary = _import("CASES,202401,22918,,,6\n")

    # then
    assert summary.status == "ERROR"
    assert summary.conflicts[0].value == (
        "Row 2: the value is approved and locked; it cannot be changed."
    )
    assert DataValue.objects.get().value == Decimal(5)


def test_a_legacy_unit_cannot_report_after_the_reorganisation(cases):
    summary = _import("CASES,202506,legacy:22915,,,1\nCASES,202507,legacy:22915,,,1\n")

    assert [c.value for c in summary.conflicts] == [
        "Row 3, column orgunit: “legacy:22915” existed only until 30/06/2025: report 202507 "
        "for the unit that succeeded it."
    ]


def test_a_single_write_names_the_field_that_is_wrong(cases):
    unit = org_unit_for(AdminUnit.objects.get(structure="current", code="22918"))

    with pytest.raises(DataValueError) as caught:
        data_value_set(indicator=cases, org_unit=unit, period="2024Q1", value=1)

    assert caught.value.errors == {
        "period": "“2024Q1” is not a Monthly period, as CASES is collected."
    }
