"""The deployment's area folder: `manifest.json` and its layer files, read and validated.

Pure file reading (no database): `read_manifest()` for the deployment's names and codes,
`read_area()` for every unit, boundary and succession the loader writes. Both are cached
per process by the files' modification times and sizes, so tests and repeated loads parse
the files once. Any problem raises `AreaDataError` naming the file and the feature or line.
The format is documented in docs/geography.md.
"""

import csv
import json
import math
import os
import re
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from datetime import date, timedelta
from pathlib import Path
from typing import Any, NoReturn

import numpy as np
import shapely
from django.utils.translation import gettext as _
from shapely.geometry import shape

from ioc.geo.choices import Level, Structure
from ioc.geo.names import english_name, split_division

MANIFEST = "manifest.json"
FORMAT = 1

# The layers a manifest may name: unit layers give (structure, level) of their units.
UNIT_LAYERS: dict[str, tuple[str, str]] = {
    "legacy_province": (Structure.LEGACY, Level.PROVINCE),
    "legacy_districts": (Structure.LEGACY, Level.DISTRICT),
    "legacy_communes": (Structure.LEGACY, Level.COMMUNE),
    "current_province": (Structure.CURRENT, Level.PROVINCE),
    "current_communes": (Structure.CURRENT, Level.COMMUNE),
}
OTHER_LAYERS = ("mapping", "outline")
REQUIRED_LAYERS = ("current_province", "current_communes")
# A layer that needs another one: districts need their province, communes of a structure
# with districts name their district, the mapping links legacy to current communes.
LAYER_NEEDS = {
    "legacy_districts": ("legacy_province",),
    "legacy_communes": ("legacy_districts",),
    "mapping": ("legacy_communes", "current_communes"),
}
UNIT_FIELDS = ("code", "name", "name_en", "division_type", "area_km2", "population", "parent_code")
MAPPING_FIELDS = ("predecessor", "successor", "partial")
DEFAULT_FIELDS = {"code": "code", "name": "name"}
CODE_PATTERN = re.compile(r"^[0-9A-Za-z_.-]{1,10}$")
NAME_MAX_LENGTH = 150
SPLIT_TRUE = {"yes", "y", "true", "1", "x", "có"}
SPLIT_FALSE = {"", "no", "n", "false", "0", "không"}
# The WGS84 ellipsoid: semi-major axis (km) and first eccentricity squared.
WGS84_A_KM = 6378.137
WGS84_E2 = 0.00669437999014


class AreaDataError(ValueError):
    """The manifest or a layer file is missing or malformed; the message says where."""


@dataclass(frozen=True)
class LayerSpec:
    name: str
    file: str
    fields: Mapping[str, str]
    code: str | None = None  # the expected code of a province layer's single feature


@dataclass(frozen=True)
class Manifest:
    directory: Path
    name: str
    name_en: str
    short_name: str
    short_name_en: str
    reorganised_on: date
    layers: Mapping[str, LayerSpec]
    source: str | None = None

    @property
    def legacy_province_code(self) -> str | None:
        layer = self.layers.get("legacy_province")
        return layer.code if layer else None

    @property
    def current_province_code(self) -> str | None:
        layer = self.layers.get("current_province")
        return layer.code if layer else None


@dataclass(frozen=True)
class UnitRecord:
    """One unit as the files describe it, ready to be compared with the database."""

    structure: str
    level: str
    code: str
    name: str
    name_en: str
    division_type: str
    parent_code: str | None  # in the same structure
    valid_from: date | None
    valid_to: date | None
    boundary: dict[str, Any] | None = field(default=None, repr=False)
    centroid_lat: float | None = None
    centroid_lon: float | None = None
    area_km2: float | None = None
    population: int | None = None
    has_population: bool = False  # the layer maps a population field


@dataclass(frozen=True)
class SuccessionRecord:
    predecessor_code: str  # a legacy commune
    successor_code: str  # a current commune
    partial: bool


@dataclass(frozen=True)
class AreaData:
    manifest: Manifest
    units: tuple[UnitRecord, ...]  # parents before children
    successions: tuple[SuccessionRecord, ...]
    outline: dict[str, Any] | None = field(default=None, repr=False)


_manifest_cache: dict[Path, tuple[tuple, Manifest]] = {}
_area_cache: dict[Path, tuple[tuple, AreaData]] = {}


def read_manifest(directory: Path) -> Manifest:
    """The manifest of an area folder, validated (layer files are only checked to exist)."""
    directory = Path(directory).resolve()
    path = directory / MANIFEST
    key = _stat_key(path, MANIFEST)
    cached = _manifest_cache.get(directory)
    if cached and cached[0] == key:
        return cached[1]
    manifest = _parse_manifest(directory, _read_json(path, MANIFEST))
    _manifest_cache[directory] = (key, manifest)
    return manifest


def read_area(directory: Path) -> AreaData:
    """Every unit, boundary and succession of an area folder, validated."""
    manifest = read_manifest(directory)
    files = sorted({layer.file for layer in manifest.layers.values()})
    key = (
        _stat_key(manifest.directory / MANIFEST, MANIFEST),
        *(_stat_key(manifest.directory / name, name) for name in files),
    )
    cached = _area_cache.get(manifest.directory)
    if cached and cached[0] == key:
        return cached[1]
    data = _parse_area(manifest)
    _area_cache[manifest.directory] = (key, data)
    return data


def clear_file_caches() -> None:
    _manifest_cache.clear()
    _area_cache.clear()


# -- the manifest ---------------------------------------------------------------------


def _parse_manifest(directory: Path, raw: Any) -> Manifest:
    if not isinstance(raw, dict):
        _fail(MANIFEST, _("the manifest must be a JSON object."))
    if raw.get("format", FORMAT) != FORMAT:
        _fail(
            MANIFEST,
            _("manifest format %(found)s is not supported (expected %(expected)s).")
            % {"found": raw.get("format"), "expected": FORMAT},
        )
    name = _language_pair(raw, "name")
    short_name = _language_pair(raw, "short_name")
    reorganised_on = raw.get("reorganised_on")
    try:
        reorganised = date.fromisoformat(str(reorganised_on))
    except ValueError:
        _fail(MANIFEST, _must_be("reorganised_on", _("a date written YYYY-MM-DD")))
    raw_layers = raw.get("layers")
    if not isinstance(raw_layers, dict):
        _fail(MANIFEST, _must_be("layers", _("an object")))
    known = (*UNIT_LAYERS, *OTHER_LAYERS)
    layers: dict[str, LayerSpec] = {}
    for layer_name, spec in raw_layers.items():
        if layer_name not in known:
            _fail(
                MANIFEST,
                _('unknown layer "%(name)s"; known layers: %(known)s.')
                % {"name": layer_name, "known": ", ".join(known)},
            )
        layers[layer_name] = _parse_layer(directory, layer_name, spec)
    for layer_name in REQUIRED_LAYERS:
        if layer_name not in layers:
            _fail(MANIFEST, _missing(f"layers.{layer_name}"))
    for layer_name, needed in LAYER_NEEDS.items():
        for other in needed:
            if layer_name in layers and other not in layers:
                _fail(
                    MANIFEST,
                    _('layer "%(name)s" needs the layer "%(needed)s".')
                    % {"name": layer_name, "needed": other},
                )
    source = raw.get("source")
    return Manifest(
        directory=directory,
        name=name[0],
        name_en=name[1],
        short_name=short_name[0],
        short_name_en=short_name[1],
        reorganised_on=reorganised,
        layers=layers,
        source=str(source) if source else None,
    )


def _language_pair(raw: dict, key: str) -> tuple[str, str]:
    value = raw.get(key)
    if not isinstance(value, dict) or not str(value.get("vi", "")).strip():
        _fail(MANIFEST, _must_be(key, _('an object with "vi" and "en" texts')))
    vietnamese = str(value["vi"]).strip()
    return vietnamese, str(value.get("en") or vietnamese).strip()


def _parse_layer(directory: Path, layer_name: str, spec: Any) -> LayerSpec:
    where = f"layers.{layer_name}"
    if not isinstance(spec, dict):
        _fail(MANIFEST, _must_be(where, _("an object")))
    file_name = spec.get("file")
    if not isinstance(file_name, str) or not file_name.strip():
        _fail(MANIFEST, _missing(f"{where}.file"))
    # A name inside the folder (a symbolic link in it may point elsewhere).
    path = Path(os.path.normpath(directory / file_name))
    if Path(file_name).is_absolute() or directory not in path.parents:
        _fail(MANIFEST, _must_be(f"{where}.file", _("a file inside the area folder")))
    if not path.is_file():
        _fail(
            file_name, _("file not found (named by %(where)s in the manifest).") % {"where": where}
        )
    allowed = MAPPING_FIELDS if layer_name == "mapping" else UNIT_FIELDS
    raw_fields = spec.get("fields", {})
    if not isinstance(raw_fields, dict) or not all(
        isinstance(value, str) and value for value in raw_fields.values()
    ):
        _fail(MANIFEST, _must_be(f"{where}.fields", _("an object of texts")))
    for field_name in raw_fields:
        if field_name not in allowed:
            _fail(
                MANIFEST,
                _('unknown field "%(field)s" in %(where)s; known fields: %(known)s.')
                % {"field": field_name, "where": where, "known": ", ".join(allowed)},
            )
    fields = dict(raw_fields) if layer_name == "mapping" else {**DEFAULT_FIELDS, **raw_fields}
    if layer_name == "mapping":
        for field_name in ("predecessor", "successor"):
            if field_name not in fields:
                _fail(MANIFEST, _missing(f"{where}.fields.{field_name}"))
    code = spec.get("code")
    if layer_name.endswith("_province") and not (code and CODE_PATTERN.match(str(code))):
        _fail(MANIFEST, _missing(f"{where}.code"))
    return LayerSpec(
        name=layer_name, file=file_name, fields=fields, code=str(code) if code else None
    )


# -- the layers -----------------------------------------------------------------------


def _parse_area(manifest: Manifest) -> AreaData:
    reorganised = manifest.reorganised_on
    validity = {
        Structure.LEGACY: (None, reorganised - timedelta(days=1)),
        Structure.CURRENT: (reorganised, None),
    }
    units: list[UnitRecord] = []
    codes: dict[str, set[str]] = {}  # layer -> its codes
    for layer_name, (structure, level) in UNIT_LAYERS.items():
        layer = manifest.layers.get(layer_name)
        if layer is None:
            continue
        valid_from, valid_to = validity[structure]
        parents = _parent_rule(manifest, layer_name, codes)
        if layer.file.lower().endswith(".csv"):
            records = _units_from_csv(manifest, layer, structure, level, parents)
        else:
            records = _units_from_geojson(manifest, layer, structure, level, parents)
        records = [replace(record, valid_from=valid_from, valid_to=valid_to) for record in records]
        codes[layer_name] = {record.code for record in records}
        units.extend(records)
    successions: tuple[SuccessionRecord, ...] = ()
    if "mapping" in manifest.layers:
        successions = _successions(manifest, codes)
    outline = None
    if "outline" in manifest.layers:
        outline = _read_feature_collection(manifest, manifest.layers["outline"].file)
        for index, feature in enumerate(outline["features"], start=1):
            _geometry(manifest.layers["outline"].file, _feature_label(index, None), feature)
    return AreaData(manifest=manifest, units=tuple(units), successions=successions, outline=outline)


@dataclass(frozen=True)
class _Parents:
    """How a layer's units find their parent: a fixed code, or a field checked against codes."""

    fixed: str | None
    allowed: set[str] | None
    parent_layer: str | None


def _parent_rule(manifest: Manifest, layer_name: str, codes: dict[str, set[str]]) -> _Parents:
    structure, level = UNIT_LAYERS[layer_name]
    province_layer = f"{structure}_province"
    district_layer = f"{structure}_districts"
    layer = manifest.layers[layer_name]
    if level == Level.PROVINCE:
        return _Parents(fixed=None, allowed=None, parent_layer=None)
    if level == Level.COMMUNE and district_layer in manifest.layers:
        if "parent_code" not in layer.fields:
            _fail(MANIFEST, _missing(f"layers.{layer_name}.fields.parent_code"))
        return _Parents(fixed=None, allowed=codes[district_layer], parent_layer=district_layer)
    province = manifest.layers.get(province_layer)
    return _Parents(fixed=province.code if province else None, allowed=None, parent_layer=None)


def _units_from_geojson(
    manifest: Manifest, layer: LayerSpec, structure: str, level: str, parents: _Parents
) -> list[UnitRecord]:
    collection = _read_feature_collection(manifest, layer.file)
    features = collection["features"]
    if level == Level.PROVINCE and len(features) != 1:
        _fail(
            layer.file,
            _("expected exactly one feature, found %(count)d.") % {"count": len(features)},
        )
    records: list[UnitRecord] = []
    seen: dict[str, str] = {}
    for index, feature in enumerate(features, start=1):
        if not isinstance(feature, dict) or feature.get("type") != "Feature":
            _fail(layer.file, _("not a GeoJSON Feature."), _feature_label(index, None))
        properties = feature.get("properties") or {}
        if not isinstance(properties, dict):
            _fail(layer.file, _must_be("properties", _("an object")), _feature_label(index, None))
        raw_code = properties.get(layer.fields["code"])
        where = _feature_label(index, raw_code)
        values = _unit_values(layer, properties, where)
        code = values["code"]
        if code in seen:
            _fail(
                layer.file,
                _("code %(code)s appears twice (%(first)s and %(second)s).")
                % {"code": code, "first": seen[code], "second": where},
            )
        seen[code] = where
        if level == Level.PROVINCE and layer.code and code != layer.code:
            _fail(
                layer.file,
                _("the province code is %(found)s but the manifest says %(expected)s.")
                % {"found": code, "expected": layer.code},
                where,
            )
        geometry, polygon = _geometry(layer.file, where, feature)
        parent_code = _parent_code(layer, parents, values, where)
        point = polygon.representative_point()
        area = values["area_km2"] if values["area_km2"] is not None else _area_km2(polygon)
        records.append(
            UnitRecord(
                structure=structure,
                level=level,
                code=code,
                name=values["name"],
                name_en=values["name_en"],
                division_type=values["division_type"],
                parent_code=parent_code,
                valid_from=None,
                valid_to=None,
                boundary=geometry,
                centroid_lat=round(point.y, 6),
                centroid_lon=round(point.x, 6),
                area_km2=area,
                population=values["population"],
                has_population="population" in layer.fields,
            )
        )
    return records


def _units_from_csv(
    manifest: Manifest, layer: LayerSpec, structure: str, level: str, parents: _Parents
) -> list[UnitRecord]:
    rows = _read_csv(manifest, layer.file, [layer.fields[name] for name in layer.fields])
    records: dict[str, UnitRecord] = {}
    first_line: dict[str, int] = {}
    for line, row in rows:
        where = _line_label(line)
        values = _unit_values(layer, row, where)
        code = values["code"]
        parent_code = _parent_code(layer, parents, values, where)
        record = UnitRecord(
            structure=structure,
            level=level,
            code=code,
            name=values["name"],
            name_en=values["name_en"],
            division_type=values["division_type"],
            parent_code=parent_code,
            valid_from=None,
            valid_to=None,
            area_km2=values["area_km2"],
            population=values["population"],
            has_population="population" in layer.fields,
        )
        if code in records:
            if records[code] != record:
                _fail(
                    layer.file,
                    _("unit %(code)s is described differently here and on line %(first)d.")
                    % {"code": code, "first": first_line[code]},
                    where,
                )
            continue
        records[code] = record
        first_line[code] = line
    if not records:
        _fail(layer.file, _("the file has no rows."))
    return list(records.values())


def _unit_values(layer: LayerSpec, source: Mapping[str, Any], where: str) -> dict[str, Any]:
    code = _text(layer, source, "code", where, required=True)
    if not CODE_PATTERN.match(code):
        _fail(
            layer.file,
            _('code "%(code)s" is not a unit code (letters and digits, at most 10).')
            % {"code": code},
            where,
        )
    name = _text(layer, source, "name", where, required=True)
    if len(name) > NAME_MAX_LENGTH:
        _fail(
            layer.file,
            _("the name is longer than %(max)d characters.") % {"max": NAME_MAX_LENGTH},
            where,
        )
    name_en = _text(layer, source, "name_en", where) or english_name(name)
    division_type = _text(layer, source, "division_type", where).lower() or split_division(name)[0]
    area = _number(layer, source, "area_km2", where)
    population = _number(layer, source, "population", where)
    return {
        "code": code,
        "name": name,
        "name_en": name_en[:NAME_MAX_LENGTH],
        "division_type": division_type[:30],
        "area_km2": round(area, 2) if area is not None else None,
        "population": int(population) if population is not None else None,
        "parent_code": _text(layer, source, "parent_code", where) or None,
    }


def _parent_code(
    layer: LayerSpec, parents: _Parents, values: Mapping[str, Any], where: str
) -> str | None:
    if parents.allowed is None:
        return parents.fixed
    parent_code = values["parent_code"]
    if parent_code is None:
        _fail(layer.file, _property_missing(layer.fields["parent_code"]), where)
    if parent_code not in parents.allowed:
        _fail(
            layer.file,
            _('parent %(code)s is not in the layer "%(layer)s".')
            % {"code": parent_code, "layer": parents.parent_layer},
            where,
        )
    return parent_code


def _successions(manifest: Manifest, codes: dict[str, set[str]]) -> tuple[SuccessionRecord, ...]:
    layer = manifest.layers["mapping"]
    rows = _read_csv(manifest, layer.file, list(layer.fields.values()))
    targets: dict[str, list[tuple[int, str]]] = {}
    flags: dict[str, list[bool]] = {}
    for line, row in rows:
        where = _line_label(line)
        predecessor = str(row[layer.fields["predecessor"]] or "").strip()
        successor = str(row[layer.fields["successor"]] or "").strip()
        if predecessor not in codes["legacy_communes"]:
            _fail(
                layer.file,
                _('the legacy unit "%(code)s" is not in the layer "%(layer)s".')
                % {"code": predecessor, "layer": "legacy_communes"},
                where,
            )
        if successor not in codes["current_communes"]:
            _fail(
                layer.file,
                _('the new unit "%(code)s" is not in the layer "%(layer)s".')
                % {"code": successor, "layer": "current_communes"},
                where,
            )
        if any(existing == successor for _line, existing in targets.get(predecessor, [])):
            _fail(
                layer.file,
                _("%(predecessor)s → %(successor)s appears twice.")
                % {"predecessor": predecessor, "successor": successor},
                where,
            )
        partial = False
        if "partial" in layer.fields:
            flag = str(row[layer.fields["partial"]] or "").strip().lower()
            if flag not in SPLIT_TRUE | SPLIT_FALSE:
                _fail(
                    layer.file,
                    _('"%(value)s" is not a split flag (write "yes" or leave it empty).')
                    % {"value": flag},
                    where,
                )
            partial = flag in SPLIT_TRUE
        targets.setdefault(predecessor, []).append((line, successor))
        flags.setdefault(predecessor, []).append(partial)
    records: list[SuccessionRecord] = []
    for predecessor, successors in targets.items():
        lines = ", ".join(str(line) for line, _successor in successors)
        split = len(successors) > 1
        if "partial" in layer.fields and any(flag != split for flag in flags[predecessor]):
            _fail(
                layer.file,
                _(
                    "the legacy unit %(code)s is mapped to %(count)d new unit(s) on lines "
                    "%(lines)s, which does not agree with its split flags."
                )
                % {"code": predecessor, "count": len(successors), "lines": lines},
            )
        records.extend(
            SuccessionRecord(predecessor, successor, partial=split)
            for _line, successor in successors
        )
    return tuple(records)


# -- reading --------------------------------------------------------------------------


def _read_json(path: Path, label: str) -> Any:
    try:
        with path.open(encoding="utf-8-sig") as handle:
            return json.load(handle)
    except FileNotFoundError:
        _fail(label, _("file not found."))
    except (json.JSONDecodeError, UnicodeDecodeError) as error:
        _fail(label, _("not valid JSON (%(error)s).") % {"error": error})


def _read_feature_collection(manifest: Manifest, file_name: str) -> dict[str, Any]:
    collection = _read_json(manifest.directory / file_name, file_name)
    if (
        not isinstance(collection, dict)
        or collection.get("type") != "FeatureCollection"
        or not isinstance(collection.get("features"), list)
    ):
        _fail(file_name, _("not a GeoJSON FeatureCollection."))
    if not collection["features"]:
        _fail(file_name, _("the collection has no features."))
    return collection


def _read_csv(
    manifest: Manifest, file_name: str, columns: list[str]
) -> list[tuple[int, dict[str, str]]]:
    try:
        with (manifest.directory / file_name).open(encoding="utf-8-sig", newline="") as handle:
            reader = csv.DictReader(handle)
            header = reader.fieldnames or []
            missing = [column for column in dict.fromkeys(columns) if column not in header]
            if missing:
                _fail(
                    file_name,
                    _("column(s) %(missing)s missing; the file has %(found)s.")
                    % {"missing": ", ".join(missing), "found": ", ".join(header) or "-"},
                )
            rows = []
            for row in reader:
                if None in row or any(value is None for value in row.values()):
                    _fail(
                        file_name,
                        _("the row does not have as many values as the header."),
                        _line_label(reader.line_num),
                    )
                rows.append((reader.line_num, row))
            return rows
    except UnicodeDecodeError as error:
        _fail(file_name, _("not UTF-8 text (%(error)s).") % {"error": error})
    except csv.Error as error:
        _fail(file_name, _("not valid CSV (%(error)s).") % {"error": error})


def _geometry(
    file_name: str, where: str, feature: dict[str, Any]
) -> tuple[dict[str, Any], shapely.Geometry]:
    geometry = feature.get("geometry")
    geometry_type = geometry.get("type") if isinstance(geometry, dict) else None
    if not isinstance(geometry, dict) or geometry_type not in ("Polygon", "MultiPolygon"):
        _fail(
            file_name,
            _("the geometry must be a Polygon or MultiPolygon, not %(type)s.")
            % {"type": geometry_type or _("nothing")},
            where,
        )
    try:
        polygon = shape(geometry)
    except (ValueError, TypeError, AttributeError, IndexError, shapely.errors.ShapelyError) as e:
        _fail(file_name, _("the geometry cannot be read (%(error)s).") % {"error": e}, where)
    if polygon.is_empty:
        _fail(file_name, _("the geometry is empty."), where)
    min_x, min_y, max_x, max_y = polygon.bounds
    if not (-180 <= min_x <= max_x <= 180 and -90 <= min_y <= max_y <= 90):
        _fail(
            file_name,
            _("the geometry lies outside longitude -180..180 and latitude -90..90."),
            where,
        )
    if not polygon.is_valid:
        _fail(
            file_name,
            _("the geometry is not valid (%(reason)s).")
            % {"reason": shapely.is_valid_reason(polygon)},
            where,
        )
    return {"type": geometry_type, "coordinates": geometry["coordinates"]}, polygon


def _area_km2(polygon: shapely.Geometry) -> float:
    """Area on the WGS84 ellipsoid, through the cylindrical equal-area projection."""
    e = math.sqrt(WGS84_E2)

    def project(coordinates: np.ndarray) -> np.ndarray:
        sin_lat = np.sin(np.radians(coordinates[:, 1]))
        q = (1 - WGS84_E2) * (
            sin_lat / (1 - WGS84_E2 * sin_lat**2)
            - np.log((1 - e * sin_lat) / (1 + e * sin_lat)) / (2 * e)
        )
        return np.column_stack((WGS84_A_KM * np.radians(coordinates[:, 0]), WGS84_A_KM * q / 2))

    return round(float(shapely.transform(polygon, project).area), 2)


def _text(
    layer: LayerSpec, source: Mapping[str, Any], name: str, where: str, required: bool = False
) -> str:
    key = layer.fields.get(name)
    value = source.get(key) if key else None
    text = "" if value is None else str(value).strip()
    if required and not text:
        _fail(layer.file, _property_missing(key or name), where)
    return text


def _number(layer: LayerSpec, source: Mapping[str, Any], name: str, where: str) -> float | None:
    key = layer.fields.get(name)
    value = source.get(key) if key else None
    if value is None or value == "":
        return None
    try:
        if isinstance(value, bool):
            raise ValueError
        number = float(value)
    except (TypeError, ValueError):
        number = math.nan
    if not math.isfinite(number) or number < 0:
        _fail(
            layer.file,
            _('"%(property)s" must be a number of at least 0, not %(value)s.')
            % {"property": key, "value": json.dumps(value, ensure_ascii=False)},
            where,
        )
    return number


def _stat_key(path: Path, label: str) -> tuple:
    try:
        stat = path.stat()
    except FileNotFoundError:
        _fail(label, _("file not found."))
    return (path.name, stat.st_mtime_ns, stat.st_size)


def _feature_label(index: int, code: Any) -> str:
    if code in (None, ""):
        return _("feature %(index)d") % {"index": index}
    return _("feature %(index)d (code %(code)s)") % {"index": index, "code": code}


def _line_label(line: int) -> str:
    return _("line %(line)d") % {"line": line}


def _missing(key: str) -> str:
    return _('"%(key)s" is missing.') % {"key": key}


def _must_be(key: str, expected: str) -> str:
    return _('"%(key)s" must be %(expected)s.') % {"key": key, "expected": expected}


def _property_missing(key: str) -> str:
    return _('"%(property)s" is missing or empty.') % {"property": key}


def _fail(file_name: str, problem: str, where: str | None = None) -> NoReturn:
    if where:
        raise AreaDataError(f"{file_name}, {where}: {problem}")
    raise AreaDataError(f"{file_name}: {problem}")
