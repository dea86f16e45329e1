"""Request and response schemas of the geo API."""

from datetime import date
from typing import Any, Literal

from django.utils.translation import gettext as _
from ninja import Schema
from ninja.errors import HttpError
from pydantic import Field, ValidationInfo, field_validator, model_validator

LevelName = Literal["province", "district", "commune"]
StructureName = Literal["legacy", "current"]


class StrictQuery(Schema):
    """Query parameters that refuse unknown names with a 400 naming them.

    A typo such as `?latitude=` would otherwise be ignored silently. The check runs before
    the fields are validated, so an unknown name is reported even when a required one is
    missing. Outside a request (no context) it does nothing.
    """

    @model_validator(mode="before")
    @classmethod
    def _refuse_unknown_parameters(cls, data: Any, info: ValidationInfo) -> Any:
        request = (info.context or {}).get("request")
        if request is None:
            return data
        allowed = [field.alias or name for name, field in cls.model_fields.items()]
        unknown = sorted(set(request.GET) - set(allowed))
        if unknown:
            # Not a ValueError: pydantic lets it through, and the API answers 400.
            raise HttpError(
                400,
                _("Unknown query parameter(s): %(names)s. Allowed: %(allowed)s.")
                % {"names": ", ".join(unknown), "allowed": ", ".join(allowed)},
            )
        return data


class LocateQuery(StrictQuery):
    lat: float = Field(
        ge=-90, le=90, allow_inf_nan=False, description="Latitude, WGS84 degrees", examples=[10.933]
    )
    lon: float = Field(
        ge=-180,
        le=180,
        allow_inf_nan=False,
        description="Longitude, WGS84 degrees",
        examples=[108.287],
    )


class UnitsGeoJsonQuery(StrictQuery):
    level: LevelName = Field("commune", description="Administrative level")
    structure: StructureName = Field(
        "current", description="current: since 1 July 2025; legacy: before"
    )


class UnitsQuery(StrictQuery):
    structure: StructureName | None = Field(None, description="Both structures if empty")
    level: LevelName | None = Field(None, description="Every level if empty")
    parent: str | None = Field(
        None, max_length=10, pattern=r"^[0-9A-Za-z_.-]+$", description="Code of the parent unit"
    )

    @field_validator("structure", "level", "parent", mode="before")
    @classmethod
    def _empty_is_none(cls, value: Any) -> Any:
        return None if value == "" else value


class UnitRefOut(Schema):
    code: str
    name: str
    name_en: str


class LocateOut(Schema):
    commune: UnitRefOut
    legacy_district: UnitRefOut | None
    lat: float
    lon: float


class CentroidOut(Schema):
    lat: float
    lon: float


class UnitOut(Schema):
    code: str
    name: str
    name_en: str
    division_type: str
    level: LevelName
    structure: StructureName
    parent_code: str | None
    valid_from: date | None
    valid_to: date | None
    area_km2: float | None
    centroid: CentroidOut | None


class FeatureOut(Schema):
    type: Literal["Feature"]
    id: str
    geometry: dict[str, Any] | None
    properties: dict[str, Any]


class FeatureCollectionOut(Schema):
    type: Literal["FeatureCollection"]
    features: list[FeatureOut]
    bbox: list[float] | None = None


class ErrorOut(Schema):
    detail: str


class ValidationErrorOut(Schema):
    detail: str
    errors: list[dict[str, Any]]
