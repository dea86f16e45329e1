import csv
import json
import time
from datetime import date

import pytest

from ioc.core.models import TimelineEvent
from ioc.geo.choices import Level, Structure
from ioc.geo.files import AreaDataError
from ioc.geo.models import AdminUnit, UnitSuccession
from ioc.geo.services import geo_load_area
from ioc.geo.testing import SHIPPED_AREA_DIR, load_test_geography

pytestmark = pytest.mark.django_db


def _count(structure, level):
    return AdminUnit.objects.filter(structure=structure, level=level).count()


def test_load_creates_both_structures_and_the_successions():
    # given an empty database
    # when the shipped area is loaded
    result = load_test_geography()

    # then
    assert _count(Structure.LEGACY, Level.PROVINCE) == 1
    assert _count(Structure.LEGACY, Level.DISTRICT) == 10
    assert _count(Structure.LEGACY, Level.COMMUNE) == 121
    assert _count(Structure.CURRENT, Level.PROVINCE) == 1
    assert _count(Structure.CURRENT, Level.DISTRICT) == 0
    assert _count(Structure.CURRENT, Level.COMMUNE) == 45
    assert UnitSuccession.objects.count() == 122
    assert result.counts(Structure.LEGACY, Level.COMMUNE).created == 121
    assert result.counts(Structure.CURRENT, Level.COMMUNE).created == 45
    assert result.successions.created == 122
    assert result.created == 178


def test_the_succession_rows_are_those_of_the_mapping_file():
    # given the mapping file
    with (SHIPPED_AREA_DIR / "binh_thuan_ward_mapping_2025.csv").open(encoding="utf-8") as f:
        expected = {(row["legacy_ward_code"], row["new_ward_code"]) for row in csv.DictReader(f)}

    # when
    load_test_geography()

    # then
    links = set(UnitSuccession.objects.values_list("predecessor__code", "successor__code"))
    assert links == expected
    assert len(links) == 122
    assert set(UnitSuccession.objects.values_list("effective_on", flat=True)) == {date(2025, 7, 1)}


def test_only_xa_phong_phu_is_split_between_two_communes():
    # when
    load_test_geography()

    # then
    partial = UnitSuccession.objects.filter(partial=True).order_by("successor__code")
    assert [(s.predecessor.code, s.predecessor.name, s.successor.code) for s in partial] == [
        ("22978", "Xã Phong Phú", "22972"),
        ("22978", "Xã Phong Phú", "22978"),
    ]
    assert UnitSuccession.objects.filter(partial=False).count() == 120


def test_units_have_parents_validity_and_names():
    # when
    load_test_geography()

    # then
    legacy_province = AdminUnit.objects.get(structure=Structure.LEGACY, code="60")
    phan_thiet = AdminUnit.objects.get(structure=Structure.LEGACY, code="593")
    ham_tien = AdminUnit.objects.get(structure=Structure.LEGACY, code="22918")
    lam_dong = AdminUnit.objects.get(structure=Structure.CURRENT, code="68")
    mui_ne = AdminUnit.objects.get(structure=Structure.CURRENT, code="22918")
    assert (legacy_province.name, legacy_province.name_en) == (
        "Tỉnh Bình Thuận",
        "Binh Thuan Province",
    )
    assert legacy_province.parent is None
    assert (phan_thiet.parent, phan_thiet.division_type) == (legacy_province, "thành phố")
    assert phan_thiet.name_en == "Phan Thiet City"
    assert (ham_tien.name, ham_tien.name_en, ham_tien.division_type) == (
        "Phường Hàm Tiến",
        "Ham Tien Ward",
        "phường",
    )
    assert ham_tien.parent == phan_thiet
    assert ham_tien.boundary is None
    assert (ham_tien.valid_from, ham_tien.valid_to) == (None, date(2025, 6, 30))
    assert (lam_dong.name, lam_dong.name_en, lam_dong.area_km2) == (
        "Tỉnh Lâm Đồng",
        "Lam Dong Province",
        24233.07,
    )
    assert (mui_ne.name, mui_ne.name_en, mui_ne.division_type) == (
        "Phường Mũi Né",
        "Mui Ne Ward",
        "phường",
    )
    assert (mui_ne.parent, mui_ne.area_km2, mui_ne.population) == (lam_dong, 118.59, None)
    assert (mui_ne.valid_from, mui_ne.valid_to) == (date(2025, 7, 1), None)
    assert mui_ne.boundary["type"] == "MultiPolygon"
    assert (
        AdminUnit.objects.filter(
            structure=Structure.CURRENT, level=Level.COMMUNE, centroid_lat__isnull=True
        ).count()
        == 0
    )


def test_legacy_district_areas_are_computed_from_their_polygons():
    # when
    load_test_geography()

    # then the ten districts add up to the official 7,942.6 km² within 0.1 %
    total = sum(
        AdminUnit.objects.filter(structure=Structure.LEGACY, level=Level.DISTRICT).values_list(
            "area_km2", flat=True
        )
    )
    assert total == pytest.approx(7942.6, rel=0.001)


def test_second_load_changes_nothing_and_is_fast():
    # given a loaded area
    load_test_geography()
    before = list(AdminUnit.objects.order_by("pk").values_list("pk", "updated_at"))
    events = TimelineEvent.objects.count()

    # when it is loaded again
    started = time.perf_counter()
    result = load_test_geography()
    seconds = time.perf_counter() - started

    # then
    assert not result.changed
    assert (result.created, result.updated, result.unchanged) == (0, 0, 178)
    assert (result.successions.created, result.successions.unchanged) == (0, 122)
    assert list(AdminUnit.objects.order_by("pk").values_list("pk", "updated_at")) == before
    assert TimelineEvent.objects.count() == events
    assert seconds < 0.5


def test_first_load_is_fast_and_leaves_a_timeline_event():
    # when
    started = time.perf_counter()
    load_test_geography()
    seconds = time.perf_counter() - started

    # then
    assert seconds < 1.0
    event = TimelineEvent.objects.get(verb="geo_loaded")
    assert event.target == AdminUnit.objects.get(structure=Structure.CURRENT, code="68")
    assert event.actor_label == "geo_load"
    assert event.data["units"]["current.commune"]["created"] == 45


def test_a_changed_file_updates_only_what_changed(area_copy):
    # given a loaded area whose wards file then renames one ward and re-maps Phong Phú
    geo_load_area(directory=area_copy)
    path = area_copy / "binh_thuan_wards_2025.geojson"
    collection = json.loads(path.read_text(encoding="utf-8"))
    collection["features"][0]["properties"]["fullName"] = "Phường Mũi Né Mới"
    path.write_text(json.dumps(collection, ensure_ascii=False), encoding="utf-8")
    mapping = area_copy / "binh_thuan_ward_mapping_2025.csv"
    lines = mapping.read_text(encoding="utf-8").splitlines()
    lines = [
        line
        for line in lines
        if not line.startswith("595,Huyện Tuy Phong,22978,Xã Phong Phú,22972")
    ]
    mapping.write_text(
        "\n".join(lines).replace(",22978,Xã Tuy Phong,yes", ",22978,Xã Tuy Phong,") + "\n",
        encoding="utf-8",
    )

    # when
    result = geo_load_area(directory=area_copy)

    # then
    counts = result.counts(Structure.CURRENT, Level.COMMUNE)
    assert (counts.created, counts.updated, counts.unchanged) == (0, 1, 44)
    assert AdminUnit.objects.get(structure=Structure.CURRENT, code="22918").name == (
        "Phường Mũi Né Mới"
    )
    assert (result.successions.updated, result.successions.deleted) == (1, 1)
    assert UnitSuccession.objects.count() == 121
    assert not UnitSuccession.objects.filter(partial=True).exists()


def test_a_malformed_file_writes_nothing_and_names_the_feature(area_copy):
    # given a ward whose polygon crosses itself
    path = area_copy / "binh_thuan_wards_2025.geojson"
    collection = json.loads(path.read_text(encoding="utf-8"))
    collection["features"][3]["geometry"] = {
        "type": "Polygon",
        "coordinates": [
            [[108.0, 10.9], [108.1, 11.0], [108.1, 10.9], [108.0, 11.0], [108.0, 10.9]]
        ],
    }
    path.write_text(json.dumps(collection, ensure_ascii=False), encoding="utf-8")

    # when
    with pytest.raises(AreaDataError) as error:
        geo_load_area(directory=area_copy)

    # then
    assert str(error.value).startswith(
        "binh_thuan_wards_2025.geojson, feature 4 (code 22945): the geometry is not valid ("
    )
    assert "Self-intersection" in str(error.value)
    assert AdminUnit.objects.count() == 0
