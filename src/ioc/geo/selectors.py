"""Reads of the geo app: locate a point, boundary layers, the deployment, area choices.

locate() lives in ioc.geo.locate, the GeoJSON layers in ioc.geo.geojson and the process
cache they share in ioc.geo.cache; this module re-exports them so that callers import
every geo read from one place.
"""

from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.db.models import Count, QuerySet
from django.utils.translation import gettext as _

from ioc.core.access import restrict
from ioc.geo.cache import geo_cache_clear, locate_cache_clear, process_cache
from ioc.geo.choices import Level, Structure
from ioc.geo.files import AreaDataError, read_manifest
from ioc.geo.geojson import GeoJsonLayer, unit_properties, units_geojson, units_geojson_layer
from ioc.geo.locate import Location, UnitRef, area_bounds, locate
from ioc.geo.models import AdminUnit
from ioc.geo.names import fold, sort_key

__all__ = [
    "GeoJsonLayer",
    "Location",
    "UnitRef",
    "area_bounds",
    "geo_cache_clear",
    "locate",
    "locate_cache_clear",
    "unit_properties",
    "units_geojson",
    "units_geojson_layer",
]


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
    return dict(process_cache.get("counts", _build_counts))


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
    return list(process_cache.get("area_choices", _build_area_choices))


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
