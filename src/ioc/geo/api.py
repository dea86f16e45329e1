"""Geography API at /api/v1/geo/: locate a point, boundary layers, the list of units.

Public (the administrative map is public knowledge) and read-only.
"""

from django.http import HttpRequest, HttpResponse
from django.utils.cache import patch_vary_headers
from django.utils.translation import gettext as _
from ninja import Query, Router
from ninja.errors import HttpError

from ioc.geo.choices import Level, Structure
from ioc.geo.schemas import (
    ErrorOut,
    FeatureCollectionOut,
    LocateOut,
    LocateQuery,
    UnitOut,
    UnitsGeoJsonQuery,
    UnitsQuery,
    ValidationErrorOut,
)
from ioc.geo.selectors import locate, unit_properties, units_geojson_layer, units_list

router = Router(tags=["geo"])

# Boundaries change once in years; browsers and proxies may keep them for an hour.
BOUNDARY_MAX_AGE = 3600
ERRORS = {400: ErrorOut, 404: ErrorOut, 422: ValidationErrorOut}


@router.get(
    "/locate",
    response={200: LocateOut, **ERRORS},
    auth=None,
    url_name="geo_locate",
    summary="Which commune (and former district) a point lies in",
)
def locate_point(request: HttpRequest, query: Query[LocateQuery]):
    """The current commune and the legacy district (before 1 July 2025) at a WGS84 point;
    404 outside the deployment's area."""
    location = locate(lat=query.lat, lon=query.lon)
    if location is None:
        raise HttpError(
            404,
            _("The point (%(lat)s, %(lon)s) is outside the deployment area.")
            % {"lat": query.lat, "lon": query.lon},
        )
    district = location.legacy_district
    return {
        "commune": _unit_ref(location.commune),
        "legacy_district": _unit_ref(district) if district else None,
        "lat": query.lat,
        "lon": query.lon,
    }


@router.get(
    "/units.geojson",
    response={200: FeatureCollectionOut, **ERRORS},
    auth=None,
    url_name="units_geojson",
    summary="Boundaries of one level as GeoJSON",
)
def units_geojson(request: HttpRequest, query: Query[UnitsGeoJsonQuery]):
    """A GeoJSON FeatureCollection (application/geo+json) of the units of one level and
    structure, with code, name, name_en, division_type, level, structure and parent_code
    in each feature's properties. Cached for an hour; answers 304 to a matching
    If-None-Match."""
    if query.level == Level.DISTRICT and query.structure == Structure.CURRENT:
        raise HttpError(
            400,
            _(
                "level: the current structure (since 1 July 2025) has no districts; "
                "ask for structure=legacy, or for level=commune or level=province."
            ),
        )
    layer = units_geojson_layer(level=query.level, structure=query.structure)
    if layer.etag in _etags(request.headers.get("If-None-Match", "")):
        response = HttpResponse(status=304)
    elif "gzip" in request.headers.get("Accept-Encoding", ""):
        response = HttpResponse(layer.gzipped, content_type="application/geo+json")
        response["Content-Encoding"] = "gzip"
    else:
        response = HttpResponse(layer.content, content_type="application/geo+json")
    response["ETag"] = layer.etag
    response["Cache-Control"] = f"public, max-age={BOUNDARY_MAX_AGE}"
    patch_vary_headers(response, ["Accept-Encoding"])
    return response


@router.get(
    "/units",
    response={200: list[UnitOut], **ERRORS},
    auth=None,
    url_name="geo_units",
    summary="Administrative units without their boundaries",
)
def units(request: HttpRequest, query: Query[UnitsQuery]):
    """Units filtered by structure, level and parent code, ordered by structure and code."""
    if (
        query.parent
        and not units_list(user=request.user, structure=query.structure)
        .filter(code=query.parent)
        .exists()
    ):
        raise HttpError(
            404,
            _("parent: no administrative unit has the code %(code)s.") % {"code": query.parent},
        )
    rows = units_list(
        user=request.user, structure=query.structure, level=query.level, parent_code=query.parent
    )
    return [
        {
            **unit_properties(unit),
            "valid_from": unit.valid_from,
            "valid_to": unit.valid_to,
            "area_km2": unit.area_km2,
            "centroid": {"lat": unit.centroid_lat, "lon": unit.centroid_lon}
            if unit.centroid_lat is not None and unit.centroid_lon is not None
            else None,
        }
        for unit in rows
    ]


def _unit_ref(unit) -> dict[str, str]:
    return {"code": unit.code, "name": unit.name, "name_en": unit.name_en}


def _etags(header: str) -> set[str]:
    tags = {tag.strip() for tag in header.split(",") if tag.strip()}
    # Weak comparison (RFC 9110 13.1.2): W/"x" matches "x".
    return tags | {tag[2:] for tag in tags if tag.startswith("W/")} | {f"W/{t}" for t in tags}
