"""Whatever a client sends, the answer is a 2xx or a 4xx, never a 500."""

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from ioc.accounts.tests.factories import api_key
from ioc.reports.tests.conftest import PHAN_THIET, jpeg_bytes

pytestmark = pytest.mark.django_db

TEXT = st.text(max_size=60)
NUMBER_TEXT = st.one_of(
    TEXT,
    st.floats(allow_nan=True, allow_infinity=True).map(str),
    st.just(str(PHAN_THIET[0])),
)
NO_500 = settings(
    max_examples=40,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)


@NO_500
@given(
    category=st.one_of(TEXT, st.sampled_from(["pothole", "unknown", "internal"])),
    description=TEXT,
    lat=NUMBER_TEXT,
    lon=st.one_of(NUMBER_TEXT, st.just(str(PHAN_THIET[1]))),
    email=TEXT,
    attributes=st.one_of(TEXT, st.just('{"size": [1, {"a": 2}]}')),
    photo=st.one_of(st.binary(max_size=200), st.just(jpeg_bytes())),
)
def test_submit_never_answers_500(
    client, world, category, description, lat, lon, email, attributes, photo
):
    from django.core.files.uploadedfile import SimpleUploadedFile

    response = client.post(
        "/api/v1/reports/",
        {
            "category": category,
            "description": description,
            "lat": lat,
            "lon": lon,
            "email": email,
            "attributes": attributes,
            "photos": [SimpleUploadedFile("x.jpg", photo, content_type="image/jpeg")],
            "device_id": "fuzz",
        },
    )

    assert response.status_code in (201, 400, 422, 429)


@NO_500
@given(
    fields=st.dictionaries(
        st.sampled_from(
            [
                "service_code",
                "lat",
                "long",
                "description",
                "email",
                "attribute[size]",
                "attribute[size][]",
                "address_string",
                "media_url",
                "first_name",
            ]
        ),
        TEXT,
    )
)
def test_open311_post_never_answers_500(client, world, fields):
    _key, raw = api_key(scopes=["open311"])

    response = client.post("/open311/v2/requests.json", {**fields, "api_key": raw})

    assert response.status_code in (201, 400, 403, 404)


@NO_500
@given(
    params=st.dictionaries(
        st.sampled_from(
            [
                "start_date",
                "end_date",
                "status",
                "service_code",
                "service_request_id",
                "page",
                "page_size",
            ]
        ),
        TEXT,
    )
)
def test_open311_get_never_answers_500(client, world, params):
    response = client.get("/open311/v2/requests.json", params)

    assert response.status_code in (200, 400)


@NO_500
@given(
    params=st.dictionaries(
        st.sampled_from(["from", "to", "commune", "legacy_district", "category", "agency"]), TEXT
    )
)
def test_stats_never_answers_500(client, world, params):
    response = client.get("/api/v1/reports/stats", params)

    assert response.status_code in (200, 400, 422)


# PostgreSQL refuses a NUL character in any text parameter of a query ("text fields
# cannot contain NUL"): each entry point must answer a 4xx before querying. Hypothesis
# found the Open311 one on PostgreSQL; these pin each entry point on both databases.


def test_open311_get_refuses_a_nul_character_naming_the_parameter(client, world):
    response = client.get("/open311/v2/requests.json", {"service_code": "pot\x00hole"})

    assert response.status_code == 400
    assert response.json() == [
        {"code": 400, "description": "service_code: contains a NUL character."}
    ]


@pytest.mark.parametrize("param", ["commune", "legacy_district", "category", "agency"])
def test_stats_with_a_nul_character_is_a_client_error(client, world, param):
    response = client.get("/api/v1/reports/stats", {"from": "2024-01-01", param: "a\x00b"})

    assert response.status_code in (400, 422)


def test_tracking_a_code_with_a_nul_character_is_a_400_naming_the_path(client, world):
    response = client.get("/api/v1/reports/track/PA-\x00")

    assert response.status_code == 400
    assert response.json() == {"detail": "path: contains a NUL character."}


def test_a_page_with_a_nul_character_in_its_query_is_a_400_naming_it(client, world):
    response = client.get("/reports/public/", {"q": "ổ gà\x00"})

    assert response.status_code == 400
    assert response.content.decode() == "q: contains a NUL character."
