"""Reads of the geo app: locate a point, boundary layers, the deployment, area choices.

Boundaries rarely change but are read by every home page and every located report, so
the derived structures (the STRtree index, serialised GeoJSON, the area filter) are built
once per process and cached. The cache must not assume one process: at most every
`IOC_GEO_CACHE_SECONDS` (default 5) it compares a cheap stamp of the geo tables (count and
latest change of the units, count and highest id of the successions) and rebuilds when
another process changed them. `geo_load_area` also clears it at once in its own process.
"""

import gzip
import hashlib
import json
import math
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any, TypeVar

import numpy as np
import shapely
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.db.models import Count, Max, QuerySet
from django.utils.translation import gettext as _
from shapely.geometry import shape

from ioc.core.access import restrict
from ioc.geo.choices import Level, Structure
from ioc.geo.files import AreaDataError, read_manifest
from ioc.geo.models import AdminUnit, UnitSuccession
from ioc.geo.names import fold, sort_key

T = TypeVar("T")

# A point this close (degrees, ≈ 33 m) to a commune but in none (a sliver between two
# simplified boundaries, or the waterline) is given to the nearest commune.
COMMUNE_TOLERANCE_DEG = 0.0003
# The legacy district boundaries come from another source than the communes': where a
# commune's point is in no district, the nearest of the commune's own legacy districts is
# taken (or, for a commune without recorded predecessors, the nearest within ≈ 550 m).
DISTRICT_TOLERANCE_DEG = 0.005


# -- results --------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class UnitRef:
    """A small, cacheable reference to an administrative unit."""

    id: int
    code: str
    name: str
    name_en: str

    def display_name(self, language: str) -> str:
        return self.name_en if language == "en" and self.name_en else self.name


@dataclass(frozen=True, slots=True)
class Location:
    """Where a point lies: its current commune and the legacy district it was in."""

    commune: UnitRef
    legacy_district: UnitRef | None


@dataclass(frozen=True)
class LocalizedDeployment:
    name: str
    short_name: str
    language: str


@dataclass(frozen=True)
class Deployment:
    """The deployment as its manifest (settings.IOC_GEO_DIR) names it."""

    name: str
    name_en: str
    short_name: str
    short_name_en: str
    legacy_province_code: str | None
    current_province_code: str | None
    reorganised_on: date
    directory: Path

    @property
    def province_codes(self) -> tuple[str, ...]:
        codes = (self.legacy_province_code, self.current_province_code)
        return tuple(code for code in codes if code)

    def localized(self, language: str) -> LocalizedDeployment:
        english = language == "en"
        return LocalizedDeployment(
            name=self.name_en if english else self.name,
            short_name=self.short_name_en if english else self.short_name,
            language=language,
        )


@dataclass(frozen=True)
class GeoJsonLayer:
    """A serialised FeatureCollection with its ETag, as the API sends it."""

    content: bytes
    gzipped: bytes  # the same, gzip-compressed once (≈ 4 times smaller)
    etag: str
    feature_count: int

    def as_dict(self) -> dict[str, Any]:
        return json.loads(self.content)


# -- the process cache, checked against a stamp of the database -------------------------


class _StampedCache:
    def __init__(self) -> None:
        self._lock = threading.RLock()
        self._values: dict[Any, Any] = {}
        self._stamp: tuple | None = None
        self._checked_at = -math.inf
        self._interval = 0.0  # read from the settings at each check

    def get(self, key: Any, build: Callable[[], T]) -> T:
        now = time.monotonic()
        if now - self._checked_at >= self._interval:
            with self._lock:
                if now - self._checked_at >= self._interval:
                    stamp = _database_stamp()
                    if stamp != self._stamp:
                        self._values = {}
                        self._stamp = stamp
                    self._checked_at = time.monotonic()
                    self._interval = _check_seconds()
        try:
            return self._values[key]
        except KeyError:
            pass
        with self._lock:
            values = self._values
            if key not in values:
                values[key] = build()
            return values[key]

    def clear(self) -> None:
        with self._lock:
            self._values = {}
            self._stamp = None
            self._checked_at = -math.inf


_cache = _StampedCache()


def _check_seconds() -> float:
    return float(getattr(settings, "IOC_GEO_CACHE_SECONDS", 5.0))


def _database_stamp() -> tuple:
    units = AdminUnit.objects.aggregate(count=Count("id"), latest=Max("updated_at"))
    links = UnitSuccession.objects.aggregate(count=Count("id"), last=Max("id"))
    return (units["count"], units["latest"], links["count"], links["last"])


def geo_cache_clear() -> None:
    """Forget this process's geo caches (the next read rebuilds them)."""
    _cache.clear()


locate_cache_clear = geo_cache_clear


# -- locate ---------------------------------------------------------------------------


@dataclass(frozen=True)
class _Layer:
    units: tuple[UnitRef, ...]  # sorted by code
    parts: np.ndarray  # prepared polygons (multipolygons exploded), in unit order
    owners: np.ndarray  # parts -> index in units
    tree: shapely.STRtree | None
    shapes: tuple[shapely.Geometry, ...]  # whole unit geometries, for distances

    def hit(self, point: shapely.Point) -> int | None:
        """The unit that contains (or touches) the point; the lowest code on a border."""
        if self.tree is None:
            return None
        found = self.tree.query(point, predicate="intersects")
        return int(self.owners[found.min()]) if len(found) else None

    def nearest(self, point: shapely.Point, max_distance: float) -> int | None:
        if self.tree is None:
            return None
        found = self.tree.query(point, predicate="dwithin", distance=max_distance)
        if len(found) > 1:
            # The nearest part; on a tie, the lowest code.
            found = np.sort(found)
            found = found[[int(np.argmin(shapely.distance(self.parts[found], point)))]]
        return int(self.owners[found[0]]) if len(found) else None


@dataclass(frozen=True)
class _Index:
    communes: _Layer
    districts: _Layer
    # commune index -> indices of the legacy districts its predecessors belonged to
    commune_districts: dict[int, tuple[int, ...]]
    # (min_lon, min_lat, max_lon, max_lat) of the communes, and the same widened by the
    # tolerance (a point outside that is outside without any geometry test)
    bounds: tuple[float, float, float, float] | None
    envelope: tuple[float, float, float, float] | None


def _layer(structure: str, level: str) -> _Layer:
    rows = (
        AdminUnit.objects.filter(structure=structure, level=level, boundary__isnull=False)
        .order_by("code")
        .values_list("id", "code", "name", "name_en", "boundary")
    )
    units: list[UnitRef] = []
    shapes: list[shapely.Geometry] = []
    parts: list[shapely.Geometry] = []
    owners: list[int] = []
    for pk, code, name, name_en, boundary in rows:
        geometry = shape(boundary)
        units.append(UnitRef(id=pk, code=code, name=name, name_en=name_en))
        shapes.append(geometry)
        for part in getattr(geometry, "geoms", [geometry]):
            parts.append(part)
            owners.append(len(units) - 1)
    part_array = np.array(parts, dtype=object)
    shapely.prepare(part_array)
    # Warm each prepared geometry now, so that no lazy GEOS state is built by two threads.
    for part in parts:
        shapely.intersects_xy(part, 0.0, 0.0)
    return _Layer(
        units=tuple(units),
        parts=part_array,
        owners=np.array(owners, dtype=np.int64),
        tree=shapely.STRtree(part_array) if parts else None,
        shapes=tuple(shapes),
    )


def _build_index() -> _Index:
    communes = _layer(Structure.CURRENT, Level.COMMUNE)
    districts = _layer(Structure.LEGACY, Level.DISTRICT)
    commune_position = {unit.id: i for i, unit in enumerate(communes.units)}
    district_position = {unit.id: i for i, unit in enumerate(districts.units)}
    links: dict[int, set[int]] = {}
    for successor_id, district_id in UnitSuccession.objects.filter(
        successor__structure=Structure.CURRENT, successor__level=Level.COMMUNE
    ).values_list("successor_id", "predecessor__parent_id"):
        if successor_id in commune_position and district_id in district_position:
            links.setdefault(commune_position[successor_id], set()).add(
                district_position[district_id]
            )
    bounds = envelope = None
    if communes.shapes:
        total = shapely.total_bounds(np.array(communes.shapes, dtype=object))
        low_x, low_y, high_x, high_y = (float(value) for value in total)
        bounds = (low_x, low_y, high_x, high_y)
        margin = COMMUNE_TOLERANCE_DEG
        envelope = (low_x - margin, low_y - margin, high_x + margin, high_y + margin)
    return _Index(
        communes=communes,
        districts=districts,
        commune_districts={key: tuple(sorted(value)) for key, value in links.items()},
        bounds=bounds,
        envelope=envelope,
    )


def locate(*, lat: float, lon: float) -> Location | None:
    """The current commune and legacy district at a WGS84 point; None outside the area.

    A point on a border between two units gets the one with the lowest code. A point up to
    ≈ 33 m outside every commune (a sliver between boundaries, the waterline) gets the
    nearest commune.
    """
    if not (math.isfinite(lat) and math.isfinite(lon)):
        return None
    index = _cache.get("locate", _build_index)
    envelope = index.envelope
    if envelope is None or not (
        envelope[0] <= lon <= envelope[2] and envelope[1] <= lat <= envelope[3]
    ):
        return None
    point = shapely.Point(lon, lat)
    commune = index.communes.hit(point)
    if commune is None:
        commune = index.communes.nearest(point, COMMUNE_TOLERANCE_DEG)
        if commune is None:
            return None
    district = index.districts.hit(point)
    if district is None:
        district = _fallback_district(index, commune, point)
    return Location(
        commune=index.communes.units[commune],
        legacy_district=index.districts.units[district] if district is not None else None,
    )


def _fallback_district(index: _Index, commune: int, point: shapely.Point) -> int | None:
    candidates = index.commune_districts.get(commune, ())
    if len(candidates) == 1:
        return candidates[0]
    if candidates:
        distances = [(point.distance(index.districts.shapes[i]), i) for i in candidates]
        return min(distances)[1]
    return index.districts.nearest(point, DISTRICT_TOLERANCE_DEG)


def area_bounds() -> tuple[float, float, float, float] | None:
    """(min_lon, min_lat, max_lon, max_lat) of the current communes; None before loading."""
    return _cache.get("locate", _build_index).bounds


# -- GeoJSON layers -------------------------------------------------------------------


def units_geojson(*, level: str, structure: str = Structure.CURRENT) -> dict[str, Any]:
    """A GeoJSON FeatureCollection of the units of one level and structure (a fresh dict)."""
    return units_geojson_layer(level=level, structure=structure).as_dict()


def units_geojson_layer(*, level: str, structure: str = Structure.CURRENT) -> GeoJsonLayer:
    """The same FeatureCollection, serialised once per process and data change (fast)."""
    _check_level_structure(level, structure)
    return _cache.get(("geojson", level, structure), lambda: _build_geojson(level, structure))


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


# -- the deployment -------------------------------------------------------------------


def deployment() -> Deployment:
    """The deployment named by the manifest in settings.IOC_GEO_DIR (read once per change)."""
    try:
        manifest = read_manifest(Path(settings.IOC_GEO_DIR))
    except AreaDataError as error:
        raise ImproperlyConfigured(
            _("IOC_GEO_DIR (%(directory)s) has no valid manifest: %(error)s")
            % {"directory": settings.IOC_GEO_DIR, "error": error}
        ) from error
    return Deployment(
        name=manifest.name,
        name_en=manifest.name_en,
        short_name=manifest.short_name,
        short_name_en=manifest.short_name_en,
        legacy_province_code=manifest.legacy_province_code,
        current_province_code=manifest.current_province_code,
        reorganised_on=manifest.reorganised_on,
        directory=manifest.directory,
    )


# -- units ----------------------------------------------------------------------------


def units_list(
    *,
    user: Any = None,
    structure: str | None = None,
    level: str | None = None,
    parent_code: str | None = None,
) -> QuerySet[AdminUnit]:
    """Units the user may see (the map is public), without their boundaries, by code."""
    queryset = restrict(AdminUnit.objects.all(), user, "view")
    if structure:
        queryset = queryset.filter(structure=structure)
    if level:
        queryset = queryset.filter(level=level)
    if parent_code:
        queryset = queryset.filter(parent__code=parent_code)
    return (
        queryset.select_related("parent")
        .defer("boundary", "parent__boundary")
        .order_by("structure", "code")
    )


def communes(*, structure: str = Structure.CURRENT, user: Any = None) -> QuerySet[AdminUnit]:
    """The communes (and wards) of a structure, by code, without boundaries."""
    return units_list(user=user, structure=structure, level=Level.COMMUNE)


def legacy_districts(*, user: Any = None) -> QuerySet[AdminUnit]:
    """The districts of the legacy structure (before 1 July 2025), by code."""
    return units_list(user=user, structure=Structure.LEGACY, level=Level.DISTRICT)


def unit_by_code(structure: str, code: str) -> AdminUnit | None:
    """The unit with this code in this structure (codes repeat across structures)."""
    return units_list(structure=structure).filter(code=code).first()


def unit_counts() -> dict[tuple[str, str], int]:
    """How many units each (structure, level) has; every pair is present (0 if none)."""
    return dict(_cache.get("counts", _build_counts))


def _build_counts() -> dict[tuple[str, str], int]:
    counts = {(structure, level): 0 for structure in Structure.values() for level in Level.values()}
    for row in AdminUnit.objects.values("structure", "level").annotate(n=Count("id")):
        counts[(row["structure"], row["level"])] = row["n"]
    return counts


@dataclass(frozen=True)
class AreaChoice:
    """One entry of the dashboards' area filter: `value` goes into the URL (`?area=`)."""

    value: str  # "commune:<code>" (current structure) or "district:<code>" (legacy)
    kind: str  # "commune" or "district"
    code: str
    name: str
    name_en: str

    def label(self, language: str) -> str:
        return self.name_en if language == "en" and self.name_en else self.name


def area_choices() -> list[AreaChoice]:
    """Current communes, then legacy districts, each sorted by name without diacritics."""
    return list(_cache.get("area_choices", _build_area_choices))


def area_choice(value: str) -> AreaChoice | None:
    """The choice for a URL value such as "commune:22945"; None if there is no such area."""
    return next((choice for choice in area_choices() if choice.value == value), None)


def units_for_area_filter(*, language: str = "vi") -> list[tuple[str, list[tuple[str, str]]]]:
    """The area filter's option groups: [(group label, [(value, label), ...]), ...]."""
    groups = {
        "commune": _("Communes and wards (since 1 July 2025)"),
        "district": _("Districts (before 1 July 2025)"),
    }
    result = []
    for kind, label in groups.items():
        options = [(c.value, c.label(language)) for c in area_choices() if c.kind == kind]
        if options:
            result.append((label, options))
    return result


def _build_area_choices() -> list[AreaChoice]:
    choices: list[AreaChoice] = []
    for kind, queryset in (("commune", communes()), ("district", legacy_districts())):
        rows = sorted(queryset.values_list("code", "name", "name_en"), key=lambda r: sort_key(r[1]))
        choices.extend(
            AreaChoice(value=f"{kind}:{code}", kind=kind, code=code, name=name, name_en=name_en)
            for code, name, name_en in rows
        )
    return choices


@dataclass(frozen=True)
class CommuneRow:
    """A current commune with the legacy units it came from, for the staff directory."""

    unit: AdminUnit
    predecessors: tuple[str, ...]
    legacy_districts: tuple[str, ...]


def commune_directory(*, user: Any, query: str = "") -> list[CommuneRow]:
    """Current communes sorted by name, each with its predecessors; `query` matches names
    with or without diacritics (of the commune or of a former unit)."""
    units = communes(user=user).prefetch_related("predecessors__parent")
    folded_query = fold(query.strip())
    rows = []
    for unit in units:
        predecessors = sorted(unit.predecessors.all(), key=lambda old: sort_key(old.name))
        names = tuple(old.name for old in predecessors)
        districts = tuple(sorted({old.parent.name for old in predecessors if old.parent}))
        haystack = fold(" ".join((unit.name, *names)))
        if folded_query and folded_query not in haystack:
            continue
        rows.append(CommuneRow(unit=unit, predecessors=names, legacy_districts=districts))
    return sorted(rows, key=lambda row: sort_key(row.unit.name))


def area_stats() -> list[dict[str, Any]]:
    """Headline tiles of the area: units of each structure, counted from the records."""
    counts = unit_counts()
    return [
        {
            "key": "communes",
            "value": counts[(Structure.CURRENT, Level.COMMUNE)],
            "label": _("communes and wards since 1 July 2025"),
        },
        {
            "key": "legacy_communes",
            "value": counts[(Structure.LEGACY, Level.COMMUNE)],
            "label": _("communes before the 2025 merger"),
        },
        {
            "key": "legacy_districts",
            "value": counts[(Structure.LEGACY, Level.DISTRICT)],
            "label": _("former districts, kept for comparisons"),
        },
    ]
