"""Boundary layers as GeoJSON FeatureCollections, serialised once per process."""

import gzip
import hashlib
import json
from dataclasses import dataclass
from typing import Any

import numpy as np
import shapely
from shapely.geometry import shape

from ioc.geo.cache import process_cache
from ioc.geo.choices import Level, Structure
from ioc.geo.models import AdminUnit, UnitSuccession


@dataclass(frozen=True)
class GeoJsonLayer:
    """A serialised FeatureCollection with its ETag, as the API sends it."""

    content: bytes
    gzipped: bytes  # the same, gzip-compressed once (≈ 4 times smaller)
    etag: str
    feature_count: int

    def as_dict(self) -> dict[str, Any]:
        return json.loads(self.content)


def units_geojson(*, level: str, structure: str = Structure.CURRENT) -> dict[str, Any]:
    """A GeoJSON FeatureCollection of the units of one level and structure (a fresh dict)."""
    return units_geojson_layer(level=level, structure=structure).as_dict()


def units_geojson_layer(*, level: str, structure: str = Structure.CURRENT) -> GeoJsonLayer:
    """The same FeatureCollection, serialised once per process and data change (fast)."""
    _check_level_structure(level, structure)
    return process_cache.get(
        ("geojson", level, structure), lambda: _build_geojson(level, structure)
    )


def unit_properties(unit: AdminUnit) -> dict[str, Any]:
    """What every output (API list, GeoJSON) says of a unit, beside its own extras."""
    return {
        "code": unit.code,
        "name": unit.name,
        "name_en": unit.name_en,
        "division_type": unit.division_type,
        "level": unit.level,
        "structure": unit.structure,
        "parent_code": unit.parent.code if unit.parent else None,
    }


def _build_geojson(level: str, structure: str) -> GeoJsonLayer:
    units = list(
        AdminUnit.objects.filter(structure=structure, level=level)
        .select_related("parent")
        .defer("parent__boundary")
        .order_by("code")
    )
    extra: dict[int, dict[str, list[str]]] = {unit.pk: {} for unit in units}
    if structure == Structure.CURRENT and level == Level.COMMUNE:
        for successor_id, district_code in UnitSuccession.objects.filter(
            successor_id__in=extra
        ).values_list("successor_id", "predecessor__parent__code"):
            codes = extra[successor_id].setdefault("legacy_district_codes", [])
            if district_code and district_code not in codes:
                codes.append(district_code)
    if structure == Structure.LEGACY and level == Level.COMMUNE:
        for predecessor_id, successor_code in UnitSuccession.objects.filter(
            predecessor_id__in=extra
        ).values_list("predecessor_id", "successor__code"):
            extra[predecessor_id].setdefault("successor_codes", []).append(successor_code)
    features = []
    for unit in units:
        properties: dict[str, Any] = {
            **unit_properties(unit),
            "valid_from": unit.valid_from.isoformat() if unit.valid_from else None,
            "valid_to": unit.valid_to.isoformat() if unit.valid_to else None,
            "area_km2": unit.area_km2,
            "centroid": [unit.centroid_lon, unit.centroid_lat]
            if unit.centroid_lat is not None
            else None,
        }
        for key, codes in extra[unit.pk].items():
            properties[key] = sorted(codes)
        features.append(
            {
                "type": "Feature",
                "id": unit.code,
                "geometry": unit.boundary,
                "properties": properties,
            }
        )
    collection: dict[str, Any] = {"type": "FeatureCollection", "features": features}
    shapes = [shape(unit.boundary) for unit in units if unit.boundary]
    if shapes:
        collection["bbox"] = [
            float(v) for v in shapely.total_bounds(np.array(shapes, dtype=object))
        ]
    content = json.dumps(collection, ensure_ascii=False, separators=(",", ":")).encode()
    # Weak: the gzipped and the plain bodies are the same representation.
    etag = 'W/"' + hashlib.sha256(content).hexdigest()[:32] + '"'
    return GeoJsonLayer(
        content=content,
        gzipped=gzip.compress(content, compresslevel=6, mtime=0),
        etag=etag,
        feature_count=len(features),
    )


def _check_level_structure(level: str, structure: str) -> None:
    if level not in Level.values():
        raise ValueError(f"Unknown level {level!r}; expected one of {Level.values()}.")
    if structure not in Structure.values():
        raise ValueError(f"Unknown structure {structure!r}; expected one of {Structure.values()}.")
