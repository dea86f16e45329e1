"""Open311 GeoReport v2 at /open311/v2/: every endpoint in JSON and XML, the spec's
errors and status codes; JSON validated against the schemas in open311_schemas.py."""

from datetime import timedelta
from xml.etree import ElementTree

import jsonschema
import pytest
from django.utils import timezone

from ioc.accounts.tests.factories import api_key
from ioc.reports import services
from ioc.reports.models import Report
from ioc.reports.tests import open311_schemas as schemas
from ioc.reports.tests.conftest import PHAN_THIET, local

pytestmark = pytest.mark.django_db
BASE = "/open311/v2/"
XML_TYPE = "text/xml; charset=utf-8"
JSON_TYPE = "application/json; charset=utf-8"


@pytest.fixture
def key(world):
    _key, raw = api_key(scopes=["open311"], name="Ứng dụng Open311")
    return raw


def _post(client, key, fmt="json", **fields):
    data = {
        "api_key": key,
        "service_code": "pothole",
        "lat": str(PHAN_THIET[0]),
        "long": str(PHAN_THIET[1]),
        "description": "Ổ gà lớn trước chợ",
        "email": "dan@example.invalid",
        "first_name": "Dân",
        "last_name": "Nguyễn",
    }
    data.update(fields)
    data = {k: v for k, v in data.items() if v is not None}
    return client.post(f"{BASE}requests.{fmt}", data)


def _xml(response):
    assert response["Content-Type"] == XML_TYPE
    assert response.content.startswith(b'<?xml version="1.0" encoding="UTF-8"?>\n')
    return ElementTree.fromstring(response.content)  # noqa: S314 (our own output)


def test_discovery_in_json_and_xml(client, world):
    as_json = client.get(f"{BASE}discovery.json")
    as_xml = client.get(f"{BASE}discovery.xml")

    assert as_json["Content-Type"] == JSON_TYPE
    jsonschema.validate(as_json.json(), schemas.DISCOVERY)
    assert as_json.json()["endpoints"][0]["url"] == "http://testserver/open311/v2"
    root = _xml(as_xml)
    assert root.tag == "discovery"
    assert [f.text for f in root.findall("endpoints/endpoint/formats/format")] == [
        "text/xml",
        "application/json",
    ]


def test_services_list_public_categories(client, world):
    services.category_attribute_create(
        category=world["pothole"], code="size", description="Kích thước?"
    )

    body = client.get(f"{BASE}services.json").json()
    root = _xml(client.get(f"{BASE}services.xml"))

    jsonschema.validate(body, schemas.SERVICES)
    assert [(s["service_code"], s["metadata"]) for s in body] == [
        ("streetlight", False),
        ("pothole", True),
        ("noise", False),
    ]
    assert body[0]["keywords"] == "đèn,chiếu sáng"
    assert root.tag == "services"
    assert [s.findtext("service_code") for s in root.findall("service")] == [
        "streetlight",
        "pothole",
        "noise",
    ]
    assert root.find("service/metadata").text == "false"


def test_service_definition_lists_the_attributes(client, world):
    services.category_attribute_create(
        category=world["pothole"],
        code="size",
        description="Kích thước?",
        datatype="singlevaluelist",
        required=True,
        values=[{"key": "small", "name": "Nhỏ"}, {"key": "large", "name": "Lớn"}],
    )

    body = client.get(f"{BASE}services/pothole.json").json()
    root = _xml(client.get(f"{BASE}services/pothole.xml"))

    jsonschema.validate(body, schemas.SERVICE_DEFINITION)
    assert body["attributes"][0]["values"] == [
        {"key": "small", "name": "Nhỏ"},
        {"key": "large", "name": "Lớn"},
    ]
    assert root.tag == "service_definition"
    assert [v.findtext("key") for v in root.findall("attributes/attribute/values/value")] == [
        "small",
        "large",
    ]


@pytest.mark.parametrize("path", ["services/nope.json", "requests/PA-0000-XXXXXX.json"])
def test_unknown_resource_is_404_in_the_spec_format(client, world, path):
    response = client.get(BASE + path)

    assert response.status_code == 404
    jsonschema.validate(response.json(), schemas.ERRORS)
    assert response.json()[0]["code"] == 404


def test_error_in_xml(client, world):
    response = client.get(f"{BASE}services/nope.xml")

    root = _xml(response)
    assert response.status_code == 404
    assert root.tag == "errors"
    assert root.findtext("error/code") == "404"
    assert root.findtext("error/description") == "No service has the code “nope”."


def test_post_request_creates_a_report_and_answers_its_id(client, key, world):
    # when
    response = _post(
        client,
        key,
        **{"account_id": "acc-7", "media_url": "https://example.invalid/p.jpg"},
    )

    # then
    assert response.status_code == 201
    body = response.json()
    jsonschema.validate(body, schemas.POST_RESPONSE)
    report = Report.objects.get()
    assert body == [
        {"service_request_id": report.tracking_code, "service_notice": "", "account_id": "acc-7"}
    ]
    assert (report.source, report.reporter_name, report.reporter_email) == (
        "open311",
        "Dân Nguyễn",
        "dan@example.invalid",
    )
    assert report.status == "assigned"
    row = client.get(f"{BASE}requests/{report.tracking_code}.json").json()[0]
    assert row["media_url"] == "https://example.invalid/p.jpg"


def test_post_request_in_xml(client, key):
    root = _xml(_post(client, key, fmt="xml"))

    assert root.tag == "service_requests"
    assert root.findtext("request/service_request_id") == Report.objects.get().tracking_code


def test_post_list_attribute_values(client, key, world):
    services.category_attribute_create(
        category=world["pothole"],
        code="hazards",
        description="Nguy hiểm?",
        datatype="multivaluelist",
        values=[{"key": "night", "name": "Ban đêm"}, {"key": "rain", "name": "Khi mưa"}],
    )
    client.post(
        f"{BASE}requests.json",
        {
            "api_key": key,
            "service_code": "pothole",
            "lat": str(PHAN_THIET[0]),
            "long": str(PHAN_THIET[1]),
            "attribute[hazards][]": ["night", "rain"],
        },
    )

    report = Report.objects.get()
    assert report.attributes == {"hazards": ["night", "rain"]}
    assert report.description == "Ổ gà, hư hỏng mặt đường"


@pytest.mark.parametrize(
    ("fields", "status", "description"),
    [
        ({"api_key": None}, 403, "api_key: "),
        ({"api_key": "ioc_abcdefgh_" + "x" * 32}, 403, "api_key: "),
        ({"service_code": None}, 400, "service_code: this field is required."),
        ({"service_code": "nope"}, 400, "service_code: no service has the code “nope”."),
        ({"lat": None, "long": None}, 400, "lat, long: a location is required."),
        (
            {"lat": None, "long": None, "address_string": "12 Trần Phú"},
            400,
            "lat, long: the address_string names no single commune or ward of the area",
        ),
        ({"lat": "abc"}, 400, "lat: “abc” is not a number."),
        ({"lat": "10.6", "long": "107.75"}, 400, "lat: The point (10.6, 107.75) is outside"),
        ({"description": "x" * 4001}, 400, "description: at most 4000 characters."),
        ({"email": "nope"}, 400, "email: Enter a valid e-mail address."),
        ({"media_url": "javascript:alert(1)"}, 400, "media_url: Enter a valid http(s) URL."),
    ],
)
def test_bad_post_gets_the_spec_error(client, key, fields, status, description):
    response = _post(client, key, **fields)

    assert response.status_code == status
    jsonschema.validate(response.json(), schemas.ERRORS)
    assert response.json()[0]["code"] == status
    assert response.json()[0]["description"].startswith(description)
    assert Report.objects.count() == 0


def test_key_without_the_open311_scope_is_403(client, world):
    _key, raw = api_key(scopes=["reports"])

    response = _post(client, raw)

    assert response.status_code == 403
    assert response.json()[0]["code"] == 403


def test_token_resolves_to_the_request_id(client, key):
    code = _post(client, key).json()[0]["service_request_id"]

    body = client.get(f"{BASE}tokens/{code}.json").json()
    root = _xml(client.get(f"{BASE}tokens/{code}.xml"))

    jsonschema.validate(body, schemas.TOKEN)
    assert body == [{"service_request_id": code, "token": code}]
    assert root.findtext("request/token") == code


def test_request_detail_in_json_and_xml(client, submit, people):
    report = services.report_resolve(report=submit(), answer="Đã vá", actor=people["staff"])

    body = client.get(f"{BASE}requests/{report.tracking_code}.json").json()
    root = _xml(client.get(f"{BASE}requests/{report.tracking_code}.xml"))

    jsonschema.validate(body, schemas.REQUESTS)
    row = body[0]
    assert (row["service_request_id"], row["status"], row["status_notes"]) == (
        report.tracking_code,
        "closed",
        "Đã vá",
    )
    assert row["requested_datetime"].endswith("+07:00")
    assert row["media_url"].startswith("http://testserver/media/reports/")
    assert (row["lat"], row["long"]) == (PHAN_THIET[0], PHAN_THIET[1])
    assert "dan@example.invalid" not in str(body)
    assert root.tag == "service_requests"
    assert root.findtext("request/status") == "closed"
    assert root.findtext("request/lat") == str(PHAN_THIET[0])


def test_requests_filters(client, submit, people):
    open_one = submit()
    closed = services.report_resolve(report=submit(), answer="Xong", actor=people["staff"])
    light = submit(category="streetlight")
    old = submit(received_at=timezone.now() - timedelta(days=120))
    hidden = submit()
    Report.objects.filter(pk=hidden.pk).update(published=False)

    def codes(**params):
        response = client.get(f"{BASE}requests.json", params)
        jsonschema.validate(response.json(), schemas.REQUESTS)
        return {row["service_request_id"] for row in response.json()}

    assert codes() == {open_one.tracking_code, closed.tracking_code, light.tracking_code}
    assert codes(status="closed") == {closed.tracking_code}
    assert codes(status="open,closed", service_code="streetlight") == {light.tracking_code}
    assert codes(service_request_id=f"{old.tracking_code},{hidden.tracking_code}") == {
        old.tracking_code
    }
    start = (timezone.now() - timedelta(days=130)).isoformat()
    end = (timezone.now() - timedelta(days=100)).isoformat()
    assert codes(start_date=start, end_date=end) == {old.tracking_code}


@pytest.mark.parametrize(
    ("params", "description"),
    [
        (
            {"start_date": "2026-01-01T00:00:00+07:00", "end_date": "2026-06-01T00:00:00+07:00"},
            "end_date: the span from start_date may be at most 90 days.",
        ),
        ({"start_date": "yesterday"}, "start_date: “yesterday” is not a W3C datetime"),
        ({"status": "pending"}, "status: use open, closed or both (open,closed)."),
        ({"service_code": "pothole,nope"}, "service_code: unknown code(s) nope."),
        ({"page": "²"}, "page: give a whole number from 1 to 1000000."),
    ],
)
def test_bad_request_filters_get_400(client, world, params, description):
    response = client.get(f"{BASE}requests.json", params)

    assert response.status_code == 400
    assert response.json()[0]["description"].startswith(description)


def test_unknown_format_is_404(client, world):
    response = client.get(f"{BASE}services.yaml")

    assert response.status_code == 404
    assert response.json() == [
        {"code": 404, "description": "Unknown format “yaml”: use .json or .xml."}
    ]


def test_datetimes_carry_the_time_zone(client, submit):
    report = submit(received_at=local(2026, 11, 20, 8, 30))

    row = client.get(f"{BASE}requests/{report.tracking_code}.json").json()[0]

    assert row["requested_datetime"] == "2026-11-20T08:30:00+07:00"


def test_requests_are_paged_with_page_and_page_size(client, submit):
    newest_first = [submit(received_at=local(2026, 11, day, 9, 0)) for day in (20, 21, 22)][::-1]
    start = "2026-11-01T00:00:00+07:00"

    first = client.get(f"{BASE}requests.json", {"start_date": start, "page_size": 2})
    second = client.get(f"{BASE}requests.json", {"start_date": start, "page_size": 2, "page": 2})
    bad = client.get(f"{BASE}requests.json", {"page_size": 5000})

    assert [r["service_request_id"] for r in first.json()] == [
        r.tracking_code for r in newest_first[:2]
    ]
    assert [r["service_request_id"] for r in second.json()] == [newest_first[2].tracking_code]
    assert bad.status_code == 400
    assert bad.json()[0]["description"] == "page_size: give a whole number from 1 to 1000."


def test_xml_escapes_text_and_drops_characters_xml_forbids(client, submit):
    report = submit(description="Nước ngập < 5 cm & bẩn\x0b")

    root = _xml(client.get(f"{BASE}requests/{report.tracking_code}.xml"))

    assert root.findtext("request/description") == "Nước ngập < 5 cm & bẩn"


def test_too_many_ids_is_400_not_a_crash(client, world):
    ids = ",".join(f"PA-2611-{i:06d}" for i in range(1001))

    response = client.get(f"{BASE}requests.json", {"service_request_id": ids})

    assert response.status_code == 400
    assert response.json()[0]["description"] == "service_request_id: at most 1000 ids at a time."


def test_address_string_naming_one_ward_places_the_request_there(client, key):
    response = _post(client, key, lat=None, long=None, address_string="12 Trần Hưng Đạo, P. Mũi Né")

    assert response.status_code == 201
    report = Report.objects.get()
    assert (report.commune.code, report.address) == ("22918", "12 Trần Hưng Đạo, P. Mũi Né")
