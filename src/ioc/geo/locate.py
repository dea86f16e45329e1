"""locate(lat, lon): the current commune and the legacy district of a point, from an
in-memory STRtree over the boundaries (built once per process, see ioc.geo.cache)."""

import math
import threading
from dataclasses import dataclass, field

import numpy as np
import shapely
from shapely.geometry import shape

from ioc.geo.cache import process_cache
from ioc.geo.choices import Level, Structure
from ioc.geo.models import AdminUnit, UnitSuccession

# A point this close (degrees, ≈ 33 m) to a commune but in none (a sliver between two
# simplified boundaries, or the waterline) is given to the nearest commune.
COMMUNE_TOLERANCE_DEG = 0.0003
# The legacy district boundaries come from another source than the communes': where a
# commune's point is in no district, the nearest of the commune's own legacy districts is
# taken (or, for a commune without recorded predecessors, the nearest within ≈ 550 m).
DISTRICT_TOLERANCE_DEG = 0.005
# Cells of 1/2048 degree (≈ 54 m; binary fractions, so a point's cell is exact): a cell
# that lies wholly inside one unit gives that unit to every point in it without a
# geometry test. Each process remembers at most this many cells (≈ 100 bytes each).
CELLS_PER_DEGREE = 2048
CELLS_REMEMBERED = 200_000


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

    def whole_cell_owner(self, cell: shapely.Geometry) -> int:
        """The unit that `hit` gives every point of the cell, or -1 when that is not
        certain: the cell lies inside a part of one unit (not on its border) and no unit
        of a lower code touches it."""
        if self.tree is None:
            return -1
        found = self.tree.query(cell, predicate="intersects")
        if not len(found):
            return -1
        first = found.min()
        return int(self.owners[first]) if shapely.contains_properly(self.parts[first], cell) else -1


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
    # (x, y) of a cell -> (commune, district) that hit() gives each of its points, -1
    # where a point needs its own test; filled as points arrive, dropped with the index
    cells: dict[tuple[int, int], tuple[int, int]] = field(default_factory=dict)
    # GEOS builds parts of a prepared geometry lazily, by the kind of test (a cell is
    # tested as a polygon, a point near a border by its distance), and two threads
    # building the same part at once corrupted memory (std::bad_alloc under load). The
    # geometry tests run one at a time; points in known cells need none.
    geometry_lock: threading.Lock = field(default_factory=threading.Lock)

    def cell_owners(self, lon: float, lat: float) -> tuple[int, int]:
        key = (math.floor(lon * CELLS_PER_DEGREE), math.floor(lat * CELLS_PER_DEGREE))
        owners = self.cells.get(key)
        if owners is not None:
            return owners
        x, y = key
        cell = shapely.box(
            x / CELLS_PER_DEGREE,
            y / CELLS_PER_DEGREE,
            (x + 1) / CELLS_PER_DEGREE,
            (y + 1) / CELLS_PER_DEGREE,
        )
        with self.geometry_lock:
            owners = (self.communes.whole_cell_owner(cell), self.districts.whole_cell_owner(cell))
        if len(self.cells) < CELLS_REMEMBERED:
            self.cells[key] = owners
        return owners


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
    index = process_cache.get("locate", _build_index)
    envelope = index.envelope
    if envelope is None or not (
        envelope[0] <= lon <= envelope[2] and envelope[1] <= lat <= envelope[3]
    ):
        return None
    # Most points fall in a cell known to lie inside one commune and one district: no
    # geometry test (each one releases the GIL, and under load hands the interpreter to
    # another thread: ≈ 0.6 ms of server CPU a report, docs/performance.md).
    commune, district = index.cell_owners(lon, lat)
    if commune < 0 or district < 0:
        point = shapely.Point(lon, lat)
        with index.geometry_lock:
            commune, district = _exact(index, point, commune, district)
        if commune is None:
            return None
    return Location(
        commune=index.communes.units[commune],
        legacy_district=index.districts.units[district] if district is not None else None,
    )


def _exact(
    index: _Index, point: shapely.Point, commune: int, district: int
) -> tuple[int | None, int | None]:
    """The commune and district of a point by its geometry, where its cell did not say."""
    found_commune: int | None = commune
    if commune < 0:
        found_commune = index.communes.hit(point)
        if found_commune is None:
            found_commune = index.communes.nearest(point, COMMUNE_TOLERANCE_DEG)
            if found_commune is None:
                return None, None
    found_district: int | None = district
    if district < 0:
        found_district = index.districts.hit(point)
        if found_district is None:
            found_district = _fallback_district(index, found_commune, point)
    return found_commune, found_district


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
    return process_cache.get("locate", _build_index).bounds
