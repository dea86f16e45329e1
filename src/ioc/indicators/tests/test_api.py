import io
import json

import pytest
from django.test import Client
from openpyxl import load_workbook

from ioc.accounts.choices import ApiScope, Role
from ioc.accounts.tests.factories import AgencyFactory, UserFactory, api_key
from ioc.indicators.models import DataValue

URL = "/api/v1/indicators/"
SETS = URL + "dataValueSets"
CSV = (
    "dataelement,period,orgunit,categoryoptioncombo,attributeoptioncombo,value\n"
    "CASES,202401,22918,,,5\nCASES,202402,legacy:22915,,,7\n"
)


@pytest.fixture
def cases(loaded_geo, make_indicator):
    return make_indicator("CASES", unit="ca", is_public=True)


@pytest.fixture
def key():
    return api_key(scopes=[ApiScope.INDICATORS])[1]


def _post(client, body, content_type="text/csv", key=None, query=""):
    headers = {"X-API-Key": key} if key else {}
    return client.post(SETS + query, body, content_type=content_type, headers=headers)


def test_catalogue_lists_public_indicators_with_their_rules(cases, make_indicator, client):
    # given
    make_indicator("SECRET")
    make_indicator(
        "RATE", numerator="#{CASES}", denominator="#{SECRET}", factor=100, is_public=True
    )

    # when
    response = client.get(URL)

    # then
    assert response.status_code == 200
    body = response.json()
    assert [item["code"] for item in body] == ["CASES", "RATE"]
    assert body[0]["sector"] == "socio-economic"
    assert body[0]["formula"] is None
    assert body[1]["formula"] == {
        "numerator": "#{CASES}",
        "denominator": "#{SECRET}",
        "factor": 100.0,
    }
    assert (body[0]["period_type"], body[0]["area_aggregation"], body[0]["time_aggregation"]) == (
        "MONTHLY",
        "SUM",
        "SUM",
    )


def test_catalogue_shows_everything_to_an_api_key(cases, make_indicator, client, key):
    make_indicator("SECRET")

    response = client.get(URL, headers={"X-API-Key": key})

    assert [item["code"] for item in response.json()] == ["CASES", "SECRET"]


def test_csv_import_answers_dhis2_summary(cases, client, key):
    response = _post(client, CSV, key=key)

    assert response.status_code == 200
    body = response.json()
    assert body["status"] == "SUCCESS"
    assert body["importCount"] == {"imported": 2, "updated": 0, "ignored": 0, "deleted": 0}
    assert DataValue.objects.filter(source="api").count() == 2


def test_json_import_with_dry_run_and_strategy(cases, client, key):
    body = {
        "dataValues": [
            {"dataElement": "CASES", "period": "202401", "orgUnit": "22918", "value": "5"}
        ]
    }

    dry = _post(client, json.dumps(body), "application/json", key, "?dryRun=true")
    real = _post(client, json.dumps(body), "application/json", key, "?importStrategy=CREATE")
    again = _post(client, json.dumps(body), "application/json", key, "?importStrategy=CREATE")

    assert dry.json()["importCount"]["imported"] == 1
    assert dry.json()["importOptions"] == {"dryRun": True, "importStrategy": "CREATE_AND_UPDATE"}
    assert real.json()["importCount"]["imported"] == 1
    assert again.json()["importCount"] == {"imported": 0, "updated": 0, "ignored": 1, "deleted": 0}
    assert DataValue.objects.count() == 1


def test_conflicts_answer_409_naming_row_and_column_and_write_nothing(cases, client, key):
    response = _post(client, CSV + "CASES,2024Q1,22918,,,1\n", key=key)

    assert response.status_code == 409
    body = response.json()
    assert body["status"] == "ERROR"
    assert body["conflicts"] == [
        {
            "object": "2024Q1",
            "value": (
                "Row 4, column period: “2024Q1” is not a Monthly period, as CASES is collected."
            ),
            "row": 4,
            "column": "period",
        }
    ]
    assert body["detail"] == body["conflicts"][0]["value"]
    assert DataValue.objects.count() == 0


def test_malformed_json_and_wrong_content_type_are_4xx(cases, client, key):
    broken = _post(client, '{"dataValues": [', "application/json", key)
    shapeless = _post(client, '{"values": []}', "application/json", key)
    xml = _post(client, "<dataValueSet/>", "application/xml", key)

    assert broken.status_code == 400
    assert broken.json()["detail"].startswith("The JSON cannot be read at line 1, column 17")
    assert shapeless.json()["detail"] == "The JSON must be an object with a “dataValues” list."
    assert (xml.status_code, xml.json()["detail"]) == (
        415,
        "Send application/json, text/csv or an XLSX spreadsheet (Content-Type was "
        "“application/xml”).",
    )


def test_an_oversized_file_is_refused_with_413(cases, client, key, settings):
    settings.IOC_INDICATORS_MAX_UPLOAD_BYTES = 1024

    response = _post(client, CSV + "CASES,202403,22918,,,1\n" * 60, key=key)

    assert response.status_code == 413
    assert "the limit is 0.0 MB" in response.json()["detail"]


def test_writes_need_a_key_or_a_session(cases, client):
    response = _post(client, CSV)

    assert response.status_code == 401


def test_a_key_of_another_scope_is_forbidden(cases, client):
    _key, raw = api_key(scopes=[ApiScope.REPORTS])

    response = _post(client, CSV, key=raw)

    assert response.status_code == 403


def test_a_leader_session_may_not_write(cases, client):
    client.force_login(UserFactory(role=Role.LEADER))

    response = _post(client, CSV)

    assert response.status_code == 403


def test_agency_staff_write_only_their_agencys_indicators(cases, make_indicator, client):
    # given
    agency = AgencyFactory()
    make_indicator("VISITS", source_agency=agency)
    client.force_login(UserFactory(role=Role.AGENCY_STAFF, agency=agency))
    body = "de,pe,ou,coc,aoc,value\nVISITS,202401,22918,,,5\nCASES,202401,22918,,,5\n"

    # when
    response = _post(client, body)

    # then
    assert response.status_code == 409
    assert [c["value"] for c in response.json()["conflicts"]] == [
        "Row 3, column dataelement: you may not write values of “CASES”."
    ]


def test_export_json_and_csv_with_children(cases, client, key):
    _post(client, CSV, key=key)

    as_json = client.get(
        SETS,
        {"dataElement": "CASES", "period": "2024", "orgUnit": "68", "children": "true"},
        headers={"X-API-Key": key},
    )
    as_csv = client.get(
        SETS,
        {
            "dataElement": "CASES",
            "period": "2024",
            "orgUnit": "legacy:593",
            "children": "true",
            "format": "csv",
        },
        headers={"X-API-Key": key},
    )
    only_own = client.get(
        SETS, {"dataElement": "CASES", "orgUnit": "68"}, headers={"X-API-Key": key}
    )

    assert [(v["period"], v["orgUnit"], v["value"]) for v in as_json.json()["dataValues"]] == [
        ("202401", "22918", "5"),
        ("202402", "legacy:22915", "7"),
    ]
    assert as_csv["Content-Type"] == "text/csv; charset=utf-8"
    lines = as_csv.content.decode().splitlines()
    assert lines[0].startswith("dataelement,period,orgunit")
    assert [[*line.split(",")[:3], line.split(",")[5]] for line in lines[1:]] == [
        ["CASES", "202401", "22918", "5"],
        ["CASES", "202402", "legacy:22915", "7"],
    ]
    assert only_own.json() == {"dataValues": []}


def test_export_needs_authentication(cases, client):
    assert client.get(SETS, {"dataElement": "CASES"}).status_code == 401


def test_analytics_answers_the_value_with_context(cases, client, key):
    _post(client, CSV, key=key)

    response = client.get(
        URL + "analytics", {"indicator": "CASES", "period": "2024Q1", "unit": "legacy:593"}
    )

    assert response.status_code == 200
    body = response.json()
    assert body["value"] == 12.0
    assert body["unit"] == {
        "code": "legacy:593",
        "name": "Thành phố Phan Thiết",
        "name_en": "Phan Thiet City",
        "structure": "legacy",
        "level": "district",
    }
    assert body["period"]["id"] == "2024Q1"
    assert (body["year_to_date"], body["previous_year"], body["status"]) == (12.0, None, "unknown")


def test_analytics_value_is_null_where_there_is_no_data(cases, client):
    response = client.get(URL + "analytics", {"indicator": "CASES", "period": "2019", "unit": "68"})

    assert response.status_code == 200
    assert response.json()["value"] is None


@pytest.mark.parametrize(
    ("params", "detail"),
    [
        (
            {"indicator": "NOPE", "period": "2024", "unit": "68"},
            "indicator: “NOPE” is not an indicator you may read.",
        ),
        (
            {"indicator": "CASES", "period": "2024Q5", "unit": "68"},
            "period: “2024Q5” is not a period: there is no quarter 5.",
        ),
        (
            {"indicator": "CASES", "period": "2024", "unit": "01"},
            "unit: “01” is not a reporting unit of this deployment.",
        ),
        (
            {"indicator": "CASES", "period": "20240105", "unit": "68"},
            "period: CASES is collected monthly; ask for such a period or a longer one.",
        ),
    ],
)
def test_analytics_bad_parameters_are_400_naming_the_field(cases, client, params, detail):
    response = client.get(URL + "analytics", params)

    assert (response.status_code, response.json()["detail"]) == (400, detail)


def test_non_public_indicator_is_not_readable_anonymously(cases, make_indicator, client, key):
    make_indicator("SECRET")

    anonymous = client.get(
        URL + "analytics", {"indicator": "SECRET", "period": "2024", "unit": "68"}
    )
    with_key = client.get(
        URL + "analytics",
        {"indicator": "SECRET", "period": "2024", "unit": "68"},
        headers={"X-API-Key": key},
    )

    assert (anonymous.status_code, with_key.status_code) == (400, 200)


def test_the_endpoints_are_in_the_openapi(client):
    paths = client.get("/api/v1/openapi.json").json()["paths"]

    assert {
        "/api/v1/indicators/",
        "/api/v1/indicators/dataValueSets",
        "/api/v1/indicators/analytics",
    } <= set(paths)
    assert set(paths["/api/v1/indicators/dataValueSets"]["post"]["requestBody"]["content"]) == {
        "application/json",
        "text/csv",
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    }


def test_dhis2_parameters_are_accepted_and_typos_refused(cases, client, key):
    accepted = _post(client, CSV, key=key, query="?async=false&preheatCache=true&atomicMode=ALL")
    typo = _post(client, CSV, key=key, query="?dryrun=true")

    assert accepted.status_code == 200
    assert typo.status_code == 400
    assert typo.json()["detail"].startswith("Unknown query parameter(s): dryrun.")
    assert DataValue.objects.count() == 2


def test_messages_are_vietnamese_by_default(cases, db):
    vietnamese = Client()

    response = vietnamese.get(
        URL + "analytics", {"indicator": "CASES", "period": "2024", "unit": "01"}
    )

    assert response.json()["detail"] == (
        "unit: “01” không phải là đơn vị báo cáo của hệ thống này."
    )


def test_a_csv_template_lists_the_rows_to_fill_and_imports_back(cases, client, key):
    # when
    response = client.get(
        SETS + "/template.csv",
        {"dataElement": "CASES", "period": "202401", "level": "district", "structure": "legacy"},
        headers={"X-API-Key": key},
    )

    # then
    lines = response.content.decode().splitlines()
    assert lines[:3] == [
        "dataelement,period,orgunit,categoryoptioncombo,attributeoptioncombo,value,storedby,"
        "lastupdated,comment,followup",
        "CASES,202401,legacy:593,,,,,,,false",
        "CASES,202401,legacy:594,,,,,,,false",
    ]
    assert len(lines) == 11
    filled = "\n".join(
        [lines[0]] + [line.replace(",,,,,,,false", ",,,1,,,,false") for line in lines[1:]]
    )
    imported = _post(client, filled, key=key)
    assert imported.json()["importCount"]["imported"] == 10


XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def test_an_xlsx_template_filled_in_imports_and_a_changed_one_is_refused(cases, client, key):
    # given
    response = client.get(
        SETS + "/template.xlsx",
        {"dataElement": "CASES", "period": "202401", "level": "commune"},
        headers={"X-API-Key": key},
    )
    workbook = load_workbook(io.BytesIO(response.content))
    sheet = workbook.active
    assert [cell.value for cell in sheet[1]][:3] == ["dataelement", "period", "orgunit"]
    assert [cell.value for cell in sheet[2]][10:] == ["Chỉ tiêu CASES", "Mui Ne Ward"]
    assert sheet.max_row == 46
    for row in range(2, 47):
        sheet.cell(row=row, column=6, value=2)
    sheet.cell(row=3, column=6, value="lots")
    filled = io.BytesIO()
    workbook.save(filled)

    # when
    bad_value = _post(client, filled.getvalue(), XLSX, key)
    sheet.cell(row=3, column=6, value=1)
    sheet.cell(row=1, column=3, value="commune")
    changed = io.BytesIO()
    workbook.save(changed)
    bad_template = _post(client, changed.getvalue(), XLSX, key)
    sheet.cell(row=1, column=3, value="orgunit")
    fixed = io.BytesIO()
    workbook.save(fixed)
    good = _post(client, fixed.getvalue(), XLSX, key)

    # then
    assert [c["value"] for c in bad_value.json()["conflicts"]] == [
        "Row 3, column F (value): “lots” is not a number."
    ]
    assert (bad_template.status_code, bad_template.json()["detail"]) == (
        400,
        "The spreadsheet does not follow the template: column C of row 1 is “commune”, "
        "expected “orgunit”. Download the template again.",
    )
    assert good.json()["importCount"]["imported"] == 45
