import gzip
import json

import pytest

pytestmark = pytest.mark.django_db

LOCATE = "/api/v1/geo/locate"
GEOJSON = "/api/v1/geo/units.geojson"
UNITS = "/api/v1/geo/units"


def test_locate_answers_the_commune_and_the_legacy_district(english_client, geo):
    # when
    response = english_client.get(LOCATE, {"lat": "10.933", "lon": "108.287"})

    # then
    assert response.status_code == 200
    assert response.json() == {
        "commune": {"code": "22918", "name": "Phường Mũi Né", "name_en": "Mui Ne Ward"},
        "legacy_district": {
            "code": "593",
            "name": "Thành phố Phan Thiết",
            "name_en": "Phan Thiet City",
        },
        "lat": 10.933,
        "lon": 108.287,
    }


def test_locate_outside_the_area_is_404(english_client, geo):
    # when
    response = english_client.get(LOCATE, {"lat": "10.8", "lon": "108.3"})

    # then
    assert response.status_code == 404
    assert response.json() == {"detail": "The point (10.8, 108.3) is outside the deployment area."}


@pytest.mark.parametrize(
    ("params", "detail"),
    [
        ({"lat": "abc", "lon": "108.3"}, "lat: Input should be a valid number"),
        ({"lat": "95", "lon": "108.3"}, "lat: Input should be less than or equal to 90"),
        ({"lat": "10.9", "lon": "-181"}, "lon: Input should be greater than or equal to -180"),
        ({"lat": "10.9"}, "lon: Field required"),
        ({"lat": "nan", "lon": "108.3"}, "lat: Input should be a finite number"),
    ],
)
def test_locate_names_the_bad_parameter(english_client, geo, params, detail):
    # when
    response = english_client.get(LOCATE, params)

    # then
    assert response.status_code == 422
    assert response.json()["detail"] == detail
    assert response.json()["errors"]


def test_locate_refuses_unknown_parameters(english_client, geo):
    # when
    response = english_client.get(LOCATE, {"latitude": "10.9", "lon": "108.3", "zoom": "3"})

    # then
    assert response.status_code == 400
    assert response.json() == {
        "detail": "Unknown query parameter(s): latitude, zoom. Allowed: lat, lon."
    }


def test_units_geojson_of_the_45_communes(english_client, geo):
    # when
    response = english_client.get(GEOJSON, {"level": "commune"})

    # then
    assert response.status_code == 200
    assert response["Content-Type"] == "application/geo+json"
    assert response["Cache-Control"] == "public, max-age=3600"
    collection = json.loads(response.content)
    assert collection["type"] == "FeatureCollection"
    assert len(collection["features"]) == 45
    assert {"code", "name", "name_en", "division_type", "level", "structure", "parent_code"} <= (
        set(collection["features"][0]["properties"])
    )
    assert collection["features"][0]["properties"]["name"] == "Phường Mũi Né"


def test_units_geojson_defaults_to_current_communes(english_client, geo):
    response = english_client.get(GEOJSON)

    assert len(json.loads(response.content)["features"]) == 45


def test_units_geojson_of_the_legacy_districts_and_provinces(english_client, geo):
    # when
    districts = english_client.get(GEOJSON, {"level": "district", "structure": "legacy"})
    legacy = english_client.get(GEOJSON, {"level": "province", "structure": "legacy"})
    current = english_client.get(GEOJSON, {"level": "province", "structure": "current"})

    # then
    assert len(json.loads(districts.content)["features"]) == 10
    assert [f["id"] for f in json.loads(legacy.content)["features"]] == ["60"]
    assert [f["id"] for f in json.loads(current.content)["features"]] == ["68"]


def test_units_geojson_is_gzipped_and_answers_304(english_client, geo):
    # given
    plain = english_client.get(GEOJSON, {"level": "commune"})

    # when
    zipped = english_client.get(
        GEOJSON, {"level": "commune"}, headers={"accept-encoding": "gzip, br"}
    )
    again = english_client.get(
        GEOJSON, {"level": "commune"}, headers={"if-none-match": plain["ETag"]}
    )

    # then
    assert zipped["Content-Encoding"] == "gzip"
    assert gzip.decompress(zipped.content) == plain.content
    assert "Accept-Encoding" in plain["Vary"]
    assert again.status_code == 304
    assert again.content == b""


@pytest.mark.parametrize(
    ("params", "detail"),
    [
        ({"level": "ward"}, "level: Input should be 'province', 'district' or 'commune'"),
        ({"structure": "2025"}, "structure: Input should be 'legacy' or 'current'"),
    ],
)
def test_units_geojson_names_a_bad_field(english_client, geo, params, detail):
    response = english_client.get(GEOJSON, params)

    assert response.status_code == 422
    assert response.json()["detail"] == detail


def test_current_structure_has_no_districts(english_client, geo):
    # when
    response = english_client.get(GEOJSON, {"level": "district", "structure": "current"})

    # then
    assert response.status_code == 400
    assert response.json()["detail"] == (
        "level: the current structure (since 1 July 2025) has no districts; ask for "
        "structure=legacy, or for level=commune or level=province."
    )


def test_units_geojson_refuses_unknown_parameters(english_client, geo):
    response = english_client.get(GEOJSON, {"level": "commune", "format": "topojson"})

    assert response.status_code == 400
    assert response.json()["detail"] == (
        "Unknown query parameter(s): format. Allowed: level, structure."
    )


def test_units_lists_children_without_geometry(english_client, geo):
    # when
    response = english_client.get(UNITS, {"structure": "legacy", "parent": "593"})

    # then
    assert response.status_code == 200
    units = response.json()
    assert len(units) == 15
    assert units[0] == {
        "code": "22915",
        "name": "Phường Mũi Né",
        "name_en": "Mui Ne Ward",
        "division_type": "phường",
        "level": "commune",
        "structure": "legacy",
        "parent_code": "593",
        "valid_from": None,
        "valid_to": "2025-06-30",
        "area_km2": None,
        "centroid": None,
    }


def test_units_filters_by_level_and_gives_centroids(english_client, geo):
    # when
    response = english_client.get(UNITS, {"structure": "current", "level": "commune", "parent": ""})

    # then
    units = response.json()
    assert len(units) == 45
    assert units[0]["code"] == "22918"
    assert set(units[0]["centroid"]) == {"lat", "lon"}
    assert "boundary" not in units[0]


def test_units_without_filters_lists_both_structures(english_client, geo):
    response = english_client.get(UNITS)

    assert len(response.json()) == 1 + 10 + 121 + 1 + 45


def test_units_with_an_unknown_parent_is_404(english_client, geo):
    response = english_client.get(UNITS, {"parent": "999"})

    assert response.status_code == 404
    assert response.json() == {"detail": "parent: no administrative unit has the code 999."}


def test_a_bad_parameter_is_named_in_vietnamese_by_default(client, geo):
    answers = [
        client.get(LOCATE, {"lat": "abc", "lon": "-181"}),
        client.get(GEOJSON, {"level": "ward"}),
        client.get(LOCATE, {"lat": "10.9"}),
    ]

    assert [answer.status_code for answer in answers] == [422, 422, 422]
    assert [answer.json()["detail"] for answer in answers] == [
        "lat: Phải là một số; lon: Phải lớn hơn hoặc bằng -180",
        "level: Phải là 'province', 'district' hoặc 'commune'",
        "lon: Bắt buộc phải có",
    ]
    assert answers[0].json()["errors"][0]["type"] == "float_parsing"  # pydantic's, for programs


def test_units_names_a_bad_level(english_client, geo):
    response = english_client.get(UNITS, {"level": "xa"})

    assert response.status_code == 422
    assert response.json()["detail"] == (
        "level: Input should be 'province', 'district' or 'commune'"
    )


def test_the_endpoints_are_public_and_documented(english_client, geo):
    # when
    schema = english_client.get("/api/v1/openapi.json").json()

    # then
    for path in ("/api/v1/geo/locate", "/api/v1/geo/units.geojson", "/api/v1/geo/units"):
        operation = schema["paths"][path]["get"]
        assert "security" not in operation
    locate_parameters = schema["paths"]["/api/v1/geo/locate"]["get"]["parameters"]
    assert [p["name"] for p in locate_parameters] == ["lat", "lon"]


def test_api_errors_are_vietnamese_by_default_and_english_on_request(client, geo):
    # given a point in the sea, asked once plainly and once by an English-speaking client
    params = {"lat": "10.8", "lon": "108.3"}

    # when
    default = client.get(LOCATE, params)
    english = client.get(LOCATE, params, headers={"accept-language": "en"})

    # then
    assert default.json() == {"detail": "Điểm (10.8, 108.3) nằm ngoài địa bàn triển khai."}
    assert english.json() == {"detail": "The point (10.8, 108.3) is outside the deployment area."}
