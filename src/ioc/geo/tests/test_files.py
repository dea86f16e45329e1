"""The area folder is validated before anything is written; errors name file and feature."""

import json

import pytest

from ioc.geo.files import AreaDataError, read_area, read_manifest
from ioc.geo.testing import SHIPPED_AREA_DIR


def _edit_json(path, change):
    data = json.loads(path.read_text(encoding="utf-8"))
    change(data)
    path.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")


def _error(directory) -> str:
    with pytest.raises(AreaDataError) as error:
        read_area(directory)
    return str(error.value)


def test_shipped_manifest_describes_the_deployment():
    # when
    manifest = read_manifest(SHIPPED_AREA_DIR)

    # then
    assert manifest.name == "Trung tâm Điều hành thông minh — khu vực Bình Thuận (Lâm Đồng)"
    assert manifest.name_en == (
        "Intelligent Operations Center — Binh Thuan area (Lam Dong Province)"
    )
    assert (manifest.short_name, manifest.short_name_en) == ("IOC Bình Thuận", "Binh Thuan IOC")
    assert str(manifest.reorganised_on) == "2025-07-01"
    assert (manifest.legacy_province_code, manifest.current_province_code) == ("60", "68")
    assert sorted(manifest.layers) == [
        "current_communes",
        "current_province",
        "legacy_communes",
        "legacy_districts",
        "legacy_province",
        "mapping",
        "outline",
    ]


def test_shipped_area_has_the_expected_units():
    # when
    data = read_area(SHIPPED_AREA_DIR)

    # then
    levels = [(unit.structure, unit.level) for unit in data.units]
    assert levels.count(("legacy", "commune")) == 121
    assert levels.count(("current", "commune")) == 45
    assert len(data.successions) == 122
    assert data.outline["features"][0]["geometry"]["type"] == "MultiPolygon"


def test_missing_manifest_is_named(tmp_path):
    assert _error(tmp_path) == "manifest.json: file not found."


def test_manifest_naming_a_missing_file_is_named(area_copy):
    # given
    (area_copy / "lam_dong_province_2025.geojson").unlink()

    # then
    assert _error(area_copy) == (
        "lam_dong_province_2025.geojson: file not found "
        "(named by layers.current_province in the manifest)."
    )


def test_manifest_with_a_bad_date_is_named(area_copy):
    # given
    _edit_json(area_copy / "manifest.json", lambda m: m.update(reorganised_on="1/7/2025"))

    # then
    assert _error(area_copy) == (
        'manifest.json: "reorganised_on" must be a date written YYYY-MM-DD.'
    )


def test_manifest_with_an_unknown_layer_is_named(area_copy):
    # given
    _edit_json(
        area_copy / "manifest.json",
        lambda m: m["layers"].update(current_districts={"file": "manifest.json"}),
    )

    # then
    assert _error(area_copy).startswith('manifest.json: unknown layer "current_districts"; ')


def test_feature_without_a_code_is_named(area_copy):
    # given
    _edit_json(
        area_copy / "binh_thuan_districts_pre2025.geojson",
        lambda c: c["features"][2]["properties"].pop("code"),
    )

    # then
    assert _error(area_copy) == (
        'binh_thuan_districts_pre2025.geojson, feature 3: "code" is missing or empty.'
    )


def test_feature_with_a_point_geometry_is_named(area_copy):
    # given
    _edit_json(
        area_copy / "binh_thuan_wards_2025.geojson",
        lambda c: c["features"][44].update(
            geometry={"type": "Point", "coordinates": [108.9, 10.5]}
        ),
    )

    # then
    assert _error(area_copy) == (
        "binh_thuan_wards_2025.geojson, feature 45 (code 23272): "
        "the geometry must be a Polygon or MultiPolygon, not Point."
    )


def test_swapped_coordinates_are_named(area_copy):
    # given a province outline written lat, lon
    def swap(collection):
        geometry = collection["features"][0]["geometry"]
        geometry["coordinates"] = [
            [[[y, x] for x, y in ring] for ring in polygon] for polygon in geometry["coordinates"]
        ]

    _edit_json(area_copy / "binh_thuan_province_pre2025.geojson", swap)

    # then
    assert _error(area_copy) == (
        "binh_thuan_province_pre2025.geojson, feature 1 (code 60): "
        "the geometry lies outside longitude -180..180 and latitude -90..90."
    )


def test_duplicate_codes_are_named(area_copy):
    # given
    _edit_json(
        area_copy / "binh_thuan_wards_2025.geojson",
        lambda c: c["features"][1]["properties"].update(code="22918"),
    )

    # then
    assert _error(area_copy) == (
        "binh_thuan_wards_2025.geojson: code 22918 appears twice "
        "(feature 1 (code 22918) and feature 2 (code 22918))."
    )


def test_province_code_must_match_the_manifest(area_copy):
    # given
    _edit_json(
        area_copy / "lam_dong_province_2025.geojson",
        lambda c: c["features"][0]["properties"].update(code="62"),
    )

    # then
    assert _error(area_copy) == (
        "lam_dong_province_2025.geojson, feature 1 (code 62): "
        "the province code is 62 but the manifest says 68."
    )


def test_invalid_json_is_named(area_copy):
    # given
    (area_copy / "binh_thuan_districts_pre2025.geojson").write_text("{", encoding="utf-8")

    # then
    assert _error(area_copy).startswith("binh_thuan_districts_pre2025.geojson: not valid JSON (")


def test_mapping_to_an_unknown_ward_names_the_line(area_copy):
    # given
    path = area_copy / "binh_thuan_ward_mapping_2025.csv"
    path.write_text(
        path.read_text(encoding="utf-8").replace(
            "22957,Xã Thiện Nghiệp,22918", "22957,Xã Thiện Nghiệp,99999"
        ),
        encoding="utf-8",
    )

    # then
    assert _error(area_copy) == (
        "binh_thuan_ward_mapping_2025.csv, line 13: "
        'the new unit "99999" is not in the layer "current_communes".'
    )


def test_legacy_commune_in_an_unknown_district_names_the_line(area_copy):
    # given
    path = area_copy / "binh_thuan_ward_mapping_2025.csv"
    path.write_text(
        path.read_text(encoding="utf-8").replace(
            "602,Huyện Phú Quí,23278", "603,Huyện Phú Quí,23278"
        ),
        encoding="utf-8",
    )

    # then
    assert _error(area_copy) == (
        "binh_thuan_ward_mapping_2025.csv, line 123: "
        'parent 603 is not in the layer "legacy_districts".'
    )


def test_split_without_flag_is_refused(area_copy):
    # given the two Phong Phú rows lose their "yes"
    path = area_copy / "binh_thuan_ward_mapping_2025.csv"
    path.write_text(
        path.read_text(encoding="utf-8").replace(
            "Phú,22972,Xã Phan Rí Cửa,yes", "Phú,22972,Xã Phan Rí Cửa,"
        ),
        encoding="utf-8",
    )

    # then
    assert _error(area_copy) == (
        "binh_thuan_ward_mapping_2025.csv: the legacy unit 22978 is mapped to 2 new unit(s) "
        "on lines 20, 21, which does not agree with its split flags."
    )


def test_missing_csv_column_is_named(area_copy):
    # given
    path = area_copy / "binh_thuan_ward_mapping_2025.csv"
    path.write_text(
        path.read_text(encoding="utf-8").replace("new_ward_code", "ward_code_2025", 1),
        encoding="utf-8",
    )

    # then
    assert _error(area_copy).startswith(
        "binh_thuan_ward_mapping_2025.csv: column(s) new_ward_code missing; the file has "
    )


def test_manifest_may_not_name_a_file_outside_its_folder(area_copy):
    # given
    _edit_json(
        area_copy / "manifest.json",
        lambda m: m["layers"]["outline"].update(file="../outline.geojson"),
    )

    # then
    assert _error(area_copy) == (
        'manifest.json: "layers.outline.file" must be a file inside the area folder.'
    )
