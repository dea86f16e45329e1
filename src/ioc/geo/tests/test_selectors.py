import json
import math
import time

import pytest

from ioc.geo import selectors
from ioc.geo.choices import Level, Structure
from ioc.geo.models import AdminUnit
from ioc.geo.selectors import (
    area_bounds,
    area_choice,
    area_choices,
    communes,
    deployment,
    legacy_districts,
    locate,
    unit_by_code,
    unit_counts,
    units_for_area_filter,
    units_geojson,
    units_geojson_layer,
)

pytestmark = pytest.mark.django_db

# The checks of SOURCE.md; each point lies ≥ 200 m inside both of its polygons.
CHECKS = [
    # place, lat, lon, commune, legacy district
    (
        "Phan Thiết centre",
        10.9289,
        108.1021,
        ("22945", "Phường Phan Thiết"),
        ("593", "Thành phố Phan Thiết"),
    ),
    ("Mũi Né", 10.933, 108.287, ("22918", "Phường Mũi Né"), ("593", "Thành phố Phan Thiết")),
    ("La Gi", 10.6589, 107.7708, ("23231", "Phường Phước Hội"), ("594", "Thị xã La Gi")),
    ("Phú Quý island", 10.53, 108.945, ("23272", "Đặc khu Phú Quý"), ("602", "Huyện Phú Quí")),
    ("Ma Lâm", 11.0817, 108.1225, ("23059", "Xã Hàm Thuận"), ("597", "Huyện Hàm Thuận Bắc")),
    ("Liên Hương", 11.2223, 108.7156, ("22969", "Xã Liên Hương"), ("595", "Huyện Tuy Phong")),
    ("Võ Xu", 11.1911, 107.5744, ("23191", "Xã Đức Linh"), ("600", "Huyện Đức Linh")),
]


@pytest.mark.parametrize(("place", "lat", "lon", "commune", "district"), CHECKS)
def test_locate_the_checks_of_the_source(geo, place, lat, lon, commune, district):
    # when
    location = locate(lat=lat, lon=lon)

    # then
    assert (location.commune.code, location.commune.name) == commune
    assert (location.legacy_district.code, location.legacy_district.name) == district


def test_locate_gives_english_names_and_ids(geo):
    # when
    location = locate(lat=10.9289, lon=108.1021)

    # then
    assert location.commune.name_en == "Phan Thiet Ward"
    assert location.legacy_district.name_en == "Phan Thiet City"
    assert location.commune.id == AdminUnit.objects.get(structure="current", code="22945").pk


@pytest.mark.parametrize(
    ("lat", "lon"),
    [
        (10.8, 108.3),  # the sea between Phan Thiết and Phú Quý
        (10.49431, 108.97944),  # 1 km east of Phú Quý
        (21.0285, 105.8542),  # Hà Nội
        (11.9404, 108.4583),  # Đà Lạt: Lâm Đồng, but not the deployment's area
        (0.0, 0.0),
        (float("nan"), 108.1),
    ],
)
def test_locate_outside_the_area_is_none(geo, lat, lon):
    assert locate(lat=lat, lon=lon) is None


def test_locate_on_a_shared_border_takes_the_lowest_code(geo):
    # given a vertex shared by Phường Mũi Né (22918) and Phường Phú Thuỷ (22924)
    lat, lon = 10.9504, 108.18762

    # when asked twice
    first = locate(lat=lat, lon=lon)
    second = locate(lat=lat, lon=lon)

    # then
    assert first.commune.code == second.commune.code == "22918"


def test_locate_just_off_the_waterline_takes_the_nearest_commune(geo):
    # 22 m east of Phú Quý's easternmost vertex: in no polygon, within the tolerance
    location = locate(lat=10.49431, lon=108.96964)

    assert location.commune.code == "23272"
    assert location.legacy_district.code == "602"


def test_locate_where_the_district_polygons_leave_a_gap_uses_the_communes_predecessors(geo):
    # a point of Xã La Dạ (its legacy communes were all in 597) outside every district polygon
    location = locate(lat=11.361535, lon=107.918005)

    assert location.commune.code == "23065"
    assert location.legacy_district.code == "597"


def test_locate_before_loading_is_none(db):
    assert locate(lat=10.9289, lon=108.1021) is None


def test_locate_is_fast_after_warm_up(geo):
    # given a warm index
    locate(lat=10.9289, lon=108.1021)

    # when
    started = time.perf_counter()
    for step in range(2000):
        locate(lat=10.5 + step * 0.0005, lon=107.4 + step * 0.0007)
    per_point = (time.perf_counter() - started) / 2000

    # then
    assert per_point < 0.0005


def by_geometry(lat, lon):
    """What locate() answers from the geometry alone, without its cells."""
    import shapely

    from ioc.geo import locate as locating

    index = locating.process_cache.get("locate", locating._build_index)
    commune, district = locating._exact(index, shapely.Point(lon, lat), -1, -1)
    if commune is None:
        return None
    legacy = None if district is None else index.districts.units[district]
    return (index.communes.units[commune], legacy)


def answered(lat, lon):
    location = locate(lat=lat, lon=lon)
    return location and (location.commune, location.legacy_district)


def test_locate_by_remembered_cells_agrees_with_the_geometry(geo):
    # given points everywhere in the area, borders and coast included, each twice: the
    # first time its cell is classified, the second time the cell answers
    import random

    from ioc.geo import locate as locating

    rng = random.Random(7)
    low_lon, low_lat, high_lon, high_lat = area_bounds()
    points = [(rng.uniform(low_lat, high_lat), rng.uniform(low_lon, high_lon)) for _ in range(3000)]
    # and points of Phan Thiết's wards, on a 30 m lattice (several to a cell)
    points += [(10.92 + i * 0.0003, 108.09 + j * 0.0003) for i in range(40) for j in range(40)]
    index = locating.process_cache.get("locate", locating._build_index)

    # when / then
    for lat, lon in points + points:
        assert answered(lat, lon) == by_geometry(lat, lon), (lat, lon)
    # and most of the city's cells answer without a geometry test
    city = {
        (math.floor(lon * locating.CELLS_PER_DEGREE), math.floor(lat * locating.CELLS_PER_DEGREE))
        for lat, lon in points[3000:]
    }
    whole = [key for key in city if min(index.cells[key]) >= 0]
    assert len(city) == 625
    assert len(whole) / len(city) > 0.85


def test_points_located_by_several_threads_at_once_agree_with_the_geometry(geo):
    # given a fresh index and eight threads locating points in cells not seen yet (under
    # the intake benchmark, two threads testing cells at once once crashed in GEOS; this
    # test did not reproduce that crash, it checks the answers the threads get)
    import random
    import threading

    selectors.geo_cache_clear()
    low_lon, low_lat, high_lon, high_lat = area_bounds()
    rng = random.Random(11)
    points = [(rng.uniform(low_lat, high_lat), rng.uniform(low_lon, high_lon)) for _ in range(2400)]
    answers: dict[int, object] = {}

    def locate_share(first: int) -> None:
        for number in range(first, len(points), 8):
            answers[number] = answered(*points[number])

    # when
    threads = [threading.Thread(target=locate_share, args=(first,)) for first in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)

    # then
    assert len(answers) == len(points)
    for number, (lat, lon) in enumerate(points):
        assert answers[number] == by_geometry(lat, lon), (lat, lon)


def test_the_cache_notices_a_change_made_elsewhere(geo, settings):
    # given a warm index, and no delay between checks of the stamp
    settings.IOC_GEO_CACHE_SECONDS = 0
    selectors.geo_cache_clear()
    assert locate(lat=10.9289, lon=108.1021).commune.name == "Phường Phan Thiết"

    # when another process renames the ward (saving bumps updated_at)
    ward = AdminUnit.objects.get(structure="current", code="22945")
    ward.name = "Phường Trung tâm"
    ward.save()

    # then
    assert locate(lat=10.9289, lon=108.1021).commune.name == "Phường Trung tâm"
    assert units_geojson(level="commune")["features"][3]["properties"]["name"] == (
        "Phường Trung tâm"
    )


def test_the_cache_waits_between_stamp_checks(geo, settings):
    # given a warm index and a long delay between checks
    settings.IOC_GEO_CACHE_SECONDS = 3600
    selectors.geo_cache_clear()
    locate(lat=10.9289, lon=108.1021)
    AdminUnit.objects.filter(structure="current", code="22945").update(name="Khác")

    # then the change is seen only after a clear (geo_load_area clears on commit)
    assert locate(lat=10.9289, lon=108.1021).commune.name == "Phường Phan Thiết"
    selectors.geo_cache_clear()
    assert locate(lat=10.9289, lon=108.1021).commune.name == "Khác"


def test_units_geojson_of_the_current_communes(geo):
    # when
    collection = units_geojson(level=Level.COMMUNE, structure=Structure.CURRENT)

    # then
    assert collection["type"] == "FeatureCollection"
    assert len(collection["features"]) == 45
    first = collection["features"][0]
    assert first["id"] == "22918"
    assert first["geometry"]["type"] == "MultiPolygon"
    assert first["properties"] == {
        "code": "22918",
        "name": "Phường Mũi Né",
        "name_en": "Mui Ne Ward",
        "division_type": "phường",
        "level": "commune",
        "structure": "current",
        "parent_code": "68",
        "valid_from": "2025-07-01",
        "valid_to": None,
        "area_km2": 118.59,
        "centroid": first["properties"]["centroid"],
        "legacy_district_codes": ["593"],
    }
    ham_thang = next(f for f in collection["features"] if f["id"] == "22933")
    assert ham_thang["properties"]["legacy_district_codes"] == ["593", "597"]
    assert collection["bbox"] == [107.39467, 10.48313, 108.96944, 11.55591]


def test_units_geojson_of_the_legacy_layers(geo):
    # when
    districts = units_geojson(level=Level.DISTRICT, structure=Structure.LEGACY)
    legacy_communes = units_geojson(level=Level.COMMUNE, structure=Structure.LEGACY)
    provinces = units_geojson(level=Level.PROVINCE, structure=Structure.LEGACY)

    # then
    assert [f["id"] for f in districts["features"]] == [str(c) for c in range(593, 603)]
    assert {f["properties"]["parent_code"] for f in districts["features"]} == {"60"}
    assert len(legacy_communes["features"]) == 121
    phong_phu = next(f for f in legacy_communes["features"] if f["id"] == "22978")
    assert phong_phu["geometry"] is None
    assert phong_phu["properties"]["successor_codes"] == ["22972", "22978"]
    assert [f["properties"]["name"] for f in provinces["features"]] == ["Tỉnh Bình Thuận"]


def test_units_geojson_is_serialised_once(geo):
    # given
    first = units_geojson_layer(level="commune")

    # when
    started = time.perf_counter()
    second = units_geojson_layer(level="commune")
    seconds = time.perf_counter() - started

    # then
    assert second is first
    assert seconds < 0.001
    assert json.loads(first.content)["features"][0]["id"] == "22918"


def test_units_geojson_refuses_an_unknown_level(geo):
    with pytest.raises(ValueError, match="Unknown level 'ward'"):
        units_geojson(level="ward", structure="current")


def test_deployment_reads_the_manifest_of_the_settings(settings):
    # when
    current = deployment()

    # then
    assert current.short_name == "IOC Bình Thuận"
    assert current.province_codes == ("60", "68")
    assert current.localized("en").name == (
        "Intelligent Operations Center — Binh Thuan area (Lam Dong Province)"
    )
    assert current.localized("vi").short_name == "IOC Bình Thuận"


def test_helpers_for_other_apps(geo):
    assert communes().count() == 45
    assert communes(structure=Structure.LEGACY).count() == 121
    assert [d.code for d in legacy_districts()] == [str(c) for c in range(593, 603)]
    assert unit_by_code("legacy", "22918").name == "Phường Hàm Tiến"
    assert unit_by_code("current", "22918").name == "Phường Mũi Né"
    assert unit_by_code("current", "593") is None
    assert unit_counts() == {
        ("legacy", "province"): 1,
        ("legacy", "district"): 10,
        ("legacy", "commune"): 121,
        ("current", "province"): 1,
        ("current", "district"): 0,
        ("current", "commune"): 45,
    }
    assert area_bounds() == (107.39467, 10.48313, 108.96944, 11.55591)


def test_area_filter_sorts_by_name_without_diacritics(geo):
    # when
    groups = units_for_area_filter(language="vi")

    # then
    (commune_label, commune_options), (district_label, district_options) = groups
    assert commune_label == "Communes and wards (since 1 July 2025)"
    assert len(commune_options) == 45
    assert commune_options[:4] == [
        ("commune:23005", "Xã Bắc Bình"),
        ("commune:23152", "Xã Bắc Ruộng"),
        ("commune:22960", "Phường Bình Thuận"),
        ("commune:23074", "Xã Đông Giang"),
    ]
    assert district_label == "Districts (before 1 July 2025)"
    assert district_options == [
        ("district:596", "Huyện Bắc Bình"),
        ("district:600", "Huyện Đức Linh"),
        ("district:601", "Huyện Hàm Tân"),
        ("district:597", "Huyện Hàm Thuận Bắc"),
        ("district:598", "Huyện Hàm Thuận Nam"),
        ("district:594", "Thị xã La Gi"),
        ("district:593", "Thành phố Phan Thiết"),
        ("district:602", "Huyện Phú Quí"),
        ("district:599", "Huyện Tánh Linh"),
        ("district:595", "Huyện Tuy Phong"),
    ]


def test_area_filter_in_english_and_its_choices(geo):
    # when
    groups = units_for_area_filter(language="en")

    # then
    assert groups[1][1][0] == ("district:596", "Bac Binh District")
    assert len(area_choices()) == 55
    assert area_choice("district:593").name == "Thành phố Phan Thiết"
    assert area_choice("commune:593") is None


def test_the_reusable_fixture_loads_the_shipped_area(loaded_geo):
    assert loaded_geo.counts("current", "commune").created == 45
    assert locate(lat=11.1911, lon=107.5744).commune.name == "Xã Đức Linh"
