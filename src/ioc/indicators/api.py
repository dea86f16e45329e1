"""API of the indicators app, mounted at /api/v1/indicators/ (docs/indicators.md).

- `GET /` the catalogue; `GET /analytics` one figure: public indicators for everybody,
  the rest for staff (session) and API keys of scope `indicators`.
- `POST /dataValueSets` DHIS2 import (JSON or CSV by Content-Type); `GET /dataValueSets`
  export (JSON, or CSV by `format=csv` or `Accept: text/csv`): staff sessions or API keys.
"""

from decimal import Decimal
from typing import Any, Literal

from django.http import HttpRequest, HttpResponse
from django.urls import reverse
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from ninja import Query, Router, Status
from ninja.errors import HttpError

from ioc.accounts.auth import API_KEY_HEADER, API_KEY_PARAMETER, ApiKeyAuth, StaffSessionAuth
from ioc.accounts.choices import ApiScope, Role
from ioc.core.periods import PeriodError, parse_period, year_to_date
from ioc.indicators import analytics, dhis2
from ioc.indicators.choices import DataValueSource, ImportState
from ioc.indicators.hierarchy import Hierarchy, UnitError
from ioc.indicators.import_jobs import (
    background_rows,
    import_job_create,
    import_job_progress,
    import_job_summary,
    upload_store,
)
from ioc.indicators.models import DataValueImport
from ioc.indicators.schemas import (
    AnalyticsOut,
    AnalyticsQuery,
    CatalogueQuery,
    DataValueSetOut,
    ErrorOut,
    ExportQuery,
    ImportJobAcceptedOut,
    ImportJobOut,
    ImportQuery,
    ImportSummaryOut,
    IndicatorOut,
    TemplateQuery,
)
from ioc.indicators.selectors import (
    data_values_export,
    export_code,
    indicator_by_code,
    indicators_list,
    writable_indicator_ids,
)
from ioc.indicators.services import Conflict, ImportSummary, data_values_import
from ioc.indicators.services import _actor as actor_label

router = Router(tags=["indicators"])

WRITE_ROLES = frozenset({Role.AGENCY_STAFF, Role.AGENCY_HEAD, Role.OPERATOR})
WRITE_AUTH = [StaffSessionAuth(WRITE_ROLES, optional=True), ApiKeyAuth(ApiScope.INDICATORS)]
READ_AUTH = [StaffSessionAuth(optional=True), ApiKeyAuth(ApiScope.INDICATORS)]
ERRORS = {400: ErrorOut, 401: ErrorOut, 403: ErrorOut, 404: ErrorOut, 422: ErrorOut}
CSV_TYPES = ("text/csv", "application/csv", "text/plain")
EXPORT_LIMIT = 200_000


def _viewer(request: HttpRequest) -> Any:
    """Who reads a public-or-more endpoint: a logged-in user, an API key (checked: a bad key
    is a 401, not a silent downgrade to the public view), or None."""
    user = getattr(request, "user", None)
    if user is not None and user.is_authenticated:
        return user
    key = request.headers.get(API_KEY_HEADER) or request.GET.get(API_KEY_PARAMETER)
    if key:
        return ApiKeyAuth(ApiScope.INDICATORS).authenticate(request, key)
    return None


def _indicator_out(indicator) -> dict[str, Any]:
    formula = None
    if indicator.is_computed:
        formula = {
            "numerator": indicator.numerator,
            "denominator": indicator.denominator,
            "factor": float(indicator.factor),
        }
    return {
        "code": indicator.code,
        "name": indicator.name,
        "name_en": indicator.name_en,
        "sector": indicator.sector.code,
        "sector_name": indicator.sector.name,
        "unit": indicator.unit,
        "value_type": indicator.value_type,
        "period_type": indicator.period_type,
        "area_aggregation": indicator.area_aggregation,
        "time_aggregation": indicator.time_aggregation,
        "direction": indicator.direction,
        "decimals": indicator.decimals,
        "definition": indicator.definition,
        "source_agency": indicator.source_agency.code if indicator.source_agency else None,
        "formula": formula,
    }


@router.get(
    "/",
    response={200: list[IndicatorOut], **ERRORS},
    auth=None,
    url_name="indicators_catalogue",
    summary="The catalogue of indicators",
)
def catalogue(request: HttpRequest, query: Query[CatalogueQuery]):
    """Active indicators the caller may see, with their aggregation rules and formulas."""
    viewer = _viewer(request)
    return [_indicator_out(item) for item in indicators_list(viewer=viewer, sector=query.sector)]


_IMPORT_BODY = {
    "requestBody": {
        "required": True,
        "content": {
            "application/json": {
                "schema": {
                    "type": "object",
                    "properties": {
                        "period": {"type": "string"},
                        "orgUnit": {"type": "string"},
                        "dataValues": {
                            "type": "array",
                            "items": {
                                "type": "object",
                                "required": ["dataElement", "value"],
                                "properties": {
                                    name: {"type": "string"}
                                    for name in (
                                        "dataElement",
                                        "period",
                                        "orgUnit",
                                        "categoryOptionCombo",
                                        "attributeOptionCombo",
                                        "value",
                                        "storedBy",
                                        "comment",
                                    )
                                },
                            },
                        },
                    },
                    "required": ["dataValues"],
                }
            },
            "text/csv": {
                "schema": {
                    "type": "string",
                    "description": "dataelement,period,orgunit,categoryoptioncombo,"
                    "attributeoptioncombo,value,storedby,lastupdated,comment,followup "
                    "(header row skipped)",
                }
            },
            "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet": {
                "schema": {
                    "type": "string",
                    "format": "binary",
                    "description": "The XLSX template (first sheet, header checked)",
                }
            },
        },
    }
}


def _read_body(request: HttpRequest) -> bytes:
    try:
        declared = int(request.META.get("CONTENT_LENGTH") or 0)
    except ValueError:
        declared = 0
    limit = dhis2.max_upload_bytes()
    try:
        dhis2.check_size(declared)
        # Read the stream ourselves: Django's request.body stops at 2.5 MB.
        content = request.read(limit + 1)
        dhis2.check_size(len(content))
    except dhis2.PayloadError as error:
        raise HttpError(413, str(error)) from error
    return content


@router.post(
    "/dataValueSets",
    response={
        200: ImportSummaryOut,
        202: ImportJobAcceptedOut,
        409: ImportSummaryOut,
        413: ErrorOut,
        415: ErrorOut,
        **ERRORS,
    },
    auth=WRITE_AUTH,
    url_name="indicators_data_value_sets_import",
    summary="Import data values (DHIS2 dataValueSets, JSON or CSV)",
    openapi_extra=_IMPORT_BODY,
)
def data_value_sets_import(request: HttpRequest, query: Query[ImportQuery]):
    """DHIS2-compatible import. All or nothing: any conflict (named by row and column)
    answers 409 with the summary and writes nothing; `dryRun=true` writes nothing either.
    `async=true` (or, without `async`, more rows than IOC_INDICATORS_IMPORT_BACKGROUND_ROWS)
    queues the import to the worker and answers 202 with the job to poll."""
    content_type = (request.content_type or "").lower()
    if content_type not in ("application/json", dhis2.XLSX_TYPE, *CSV_TYPES):
        raise HttpError(
            415,
            _(
                "Send application/json, text/csv or an XLSX spreadsheet "
                "(Content-Type was “%(type)s”)."
            )
            % {"type": content_type or "-"},
        )
    content = _read_body(request)
    try:
        if content_type == "application/json":
            rows = dhis2.parse_json(content)
            file_format = "json"
        elif content_type == dhis2.XLSX_TYPE:
            rows = dhis2.parse_xlsx(content)
            file_format = "xlsx"
        else:
            rows = dhis2.parse_csv(content)
            file_format = "csv"
    except dhis2.PayloadError as error:
        raise HttpError(400, str(error)) from error
    for name in ("dataElementIdScheme", "orgUnitIdScheme"):
        value = getattr(query, name)
        if value and value.lower() != "code":
            raise HttpError(400, _("%(name)s: only “code” is supported.") % {"name": name})
    actor = getattr(request, "api_key", None) or request.auth
    allowed = writable_indicator_ids(actor=actor)
    summary = _forbidden_rows(rows, allowed)
    background = query.async_ if query.async_ is not None else len(rows) > background_rows()
    if summary is None and background:
        job = import_job_create(
            upload=upload_store(content, file_format),
            file_format=file_format,
            rows_total=len(rows),
            strategy=query.importStrategy,
            structure=query.structure,
            dry_run=query.dryRun,
            actor=actor,
            source=DataValueSource.API,
        )
        return Status(202, _job_accepted(job))
    if summary is None:
        summary = data_values_import(
            rows=rows,
            strategy=query.importStrategy,
            dry_run=query.dryRun,
            actor=actor,
            id_scheme=query.idScheme,
            structure=query.structure,
            source=DataValueSource.API,
            file_format=file_format,
        )
    body = summary.as_dhis2()
    if summary.status == "ERROR":
        body["detail"] = "; ".join(c["value"] for c in body["conflicts"][:20])
        return Status(409, body)
    return Status(200, body)


JOB_TYPE = "DATAVALUE_IMPORT"


def _job_url(job: DataValueImport) -> str:
    return reverse("api:indicators_data_value_sets_job", kwargs={"job_id": job.pk})


def _job_accepted(job: DataValueImport) -> dict[str, Any]:
    return {
        "httpStatus": "Accepted",
        "httpStatusCode": 202,
        "status": "OK",
        "message": f"Initiated {JOB_TYPE}",
        "response": {
            "name": JOB_TYPE,
            "id": job.pk,
            "created": job.created_at.isoformat(),
            "jobType": JOB_TYPE,
            "relativeNotifierEndpoint": _job_url(job),
        },
    }


@router.get(
    "/dataValueSets/jobs/{job_id}",
    response={200: ImportJobOut, **ERRORS},
    auth=WRITE_AUTH,
    url_name="indicators_data_value_sets_job",
    summary="The state, progress and final import summary of an asynchronous import",
)
def data_value_sets_job(request: HttpRequest, job_id: int):
    """Poll until `completed`: then `importSummary` is DHIS2's summary (its `status` ERROR
    with the conflicts, or the job's error when it failed: nothing was written)."""
    actor = getattr(request, "api_key", None) or request.auth
    user, _label = actor_label(actor)
    mine = {"created_by": user} if user is not None else {"api_key": actor}
    job = DataValueImport.objects.filter(pk=job_id, **mine).first()
    if job is None:
        raise HttpError(404, _("job_id: no import %(id)s of yours.") % {"id": job_id})
    progress = import_job_progress(job)
    return {
        "id": job.pk,
        "jobType": JOB_TYPE,
        "state": job.state,
        "completed": job.state in (ImportState.DONE, ImportState.FAILED),
        "stage": progress["stage"],
        "rowsDone": progress["rows_done"],
        "rowsTotal": progress["rows_total"],
        "percent": progress["percent"],
        "error": job.error,
        "created": job.created_at.isoformat(),
        "dryRun": job.dry_run,
        "importSummary": import_job_summary(job),
    }


def _forbidden_rows(rows, allowed: set[int] | None) -> ImportSummary | None:
    """A refusal naming the rows of indicators the caller may not write, or None."""
    if allowed is None:
        return None
    from ioc.indicators.models import Indicator

    codes = dict(Indicator.objects.filter(pk__in=allowed).values_list("code", "pk"))
    conflicts = [
        Conflict(
            row.data_element,
            _("Row %(row)d, column %(column)s: you may not write values of “%(code)s”.")
            % {"row": row.row, "column": row.column("data_element"), "code": row.data_element},
            row.row,
            row.column("data_element"),
        )
        for row in rows
        if row.data_element not in codes
    ]
    if not conflicts:
        return None
    return ImportSummary(status="ERROR", ignored=len(rows), conflicts=conflicts)


def _split(values: list[str]) -> list[str]:
    return [part.strip() for value in values for part in value.split(",") if part.strip()]


@router.get(
    "/dataValueSets",
    response={200: DataValueSetOut, **ERRORS},
    auth=READ_AUTH,
    url_name="indicators_data_value_sets_export",
    summary="Export data values (DHIS2 dataValueSets, JSON or CSV)",
)
def data_value_sets_export(request: HttpRequest, query: Query[ExportQuery]):
    """Values of the given indicators, periods and units; `children=true` adds every unit
    that rolls up to `orgUnit` in either structure. CSV with `format=csv` or Accept."""
    viewer = getattr(request, "api_key", None) or request.auth
    indicators = []
    for code in _split(query.dataElement):
        indicator = indicator_by_code(code=code, viewer=viewer)
        if indicator is None:
            raise HttpError(
                400, _("dataElement: “%(code)s” is not an indicator you may read.") % {"code": code}
            )
        indicators.append(indicator)
    try:
        periods = [parse_period(text) for text in _split(query.period)]
    except PeriodError as error:
        raise HttpError(400, f"period: {error}") from error
    hierarchy = Hierarchy.load()
    try:
        units = [
            hierarchy.resolve(code, structure=query.structure) for code in _split(query.orgUnit)
        ]
    except UnitError as error:
        raise HttpError(400, f"orgUnit: {error}") from error
    values = data_values_export(
        viewer=viewer,
        indicators=indicators,
        periods=periods,
        units=units,
        children=query.children,
        hierarchy=hierarchy,
        limit=EXPORT_LIMIT,
    )
    wants_csv = query.format == "csv" or (
        query.format is None and "text/csv" in request.headers.get("Accept", "")
    )
    if wants_csv:
        response = HttpResponse(dhis2.write_csv(values), content_type="text/csv; charset=utf-8")
        response["Content-Disposition"] = 'attachment; filename="dataValueSets.csv"'
        return response
    return {"dataValues": values}


@router.get(
    "/dataValueSets/template.{file_format}",
    response={200: str, **ERRORS},
    auth=READ_AUTH,
    url_name="indicators_data_value_sets_template",
    summary="A CSV or XLSX template to fill in (one row per indicator, period and unit)",
    openapi_extra={
        "responses": {
            200: {
                "description": "The template",
                "content": {
                    "text/csv": {"schema": {"type": "string"}},
                    dhis2.XLSX_TYPE: {"schema": {"type": "string", "format": "binary"}},
                },
            }
        }
    },
)
def data_value_sets_template(
    request: HttpRequest, file_format: Literal["csv", "xlsx"], query: Query[TemplateQuery]
):
    """The rows to fill for the given indicators and periods, for every unit of a level
    (default: the current communes), values empty; fill them and send the file back to
    POST /dataValueSets. The XLSX adds the indicators' and units' names."""
    viewer = getattr(request, "api_key", None) or request.auth
    indicators = []
    for code in _split(query.dataElement):
        indicator = indicator_by_code(code=code, viewer=viewer)
        if indicator is None or indicator.is_computed:
            raise HttpError(
                400,
                _("dataElement: “%(code)s” is not an indicator you may fill in.") % {"code": code},
            )
        indicators.append(indicator)
    periods = []
    for text in _split(query.period):
        try:
            period = parse_period(text)
        except PeriodError as error:
            raise HttpError(400, f"period: {error}") from error
        for indicator in indicators:
            if period.type != indicator.period_type:
                raise HttpError(
                    400,
                    _("period: “%(period)s” is not a %(type)s period, as %(code)s is collected.")
                    % {
                        "period": text,
                        "type": indicator.get_period_type_display(),
                        "code": indicator.code,
                    },
                )
        periods.append(period.id)
    hierarchy = Hierarchy.load()
    structure = "facility" if query.level == "facility" else query.structure
    units = sorted(
        (u for u in hierarchy.by_code[structure].values() if u.level == query.level),
        key=lambda u: u.code,
    )
    if file_format == "xlsx":
        language = get_language() or "vi"
        content: bytes | str = dhis2.write_xlsx_template(
            [(i.code, i.display_name(language)) for i in indicators],
            periods,
            [(export_code(u), u.display_name(language)) for u in units],
        )
        content_type = dhis2.XLSX_TYPE
    else:
        content = dhis2.write_template(
            [i.code for i in indicators], periods, [export_code(u) for u in units]
        )
        content_type = "text/csv; charset=utf-8"
    response = HttpResponse(content, content_type=content_type)
    response["Content-Disposition"] = f'attachment; filename="dataValueSets-template.{file_format}"'
    return response


def _number(value: Decimal | None, decimals: int) -> float | None:
    return None if value is None else float(round(value, decimals))


@router.get(
    "/analytics",
    response={200: AnalyticsOut, **ERRORS},
    auth=None,
    url_name="indicators_analytics",
    summary="One aggregated figure of an indicator for a unit and a period",
)
def analytics_figure(request: HttpRequest, query: Query[AnalyticsQuery]):
    """The value (null where there is no data) for any unit of either structure or a
    facility and any period at least as long as the indicator's, with context: year to
    date, last year, target, achievement and the traffic-light status."""
    viewer = _viewer(request)
    indicator = indicator_by_code(code=query.indicator.strip(), viewer=viewer)
    if indicator is None:
        raise HttpError(
            400,
            _("indicator: “%(code)s” is not an indicator you may read.")
            % {"code": query.indicator},
        )
    try:
        period = parse_period(query.period)
    except PeriodError as error:
        raise HttpError(400, f"period: {error}") from error
    if not indicator.is_computed and analytics._rank(period.type) < analytics._rank(
        indicator.period_type
    ):
        raise HttpError(
            400,
            _("period: %(code)s is collected %(type)s; ask for such a period or a longer one.")
            % {"code": indicator.code, "type": indicator.get_period_type_display().lower()},
        )
    hierarchy = Hierarchy.load()
    try:
        unit = hierarchy.resolve(query.unit, structure=query.structure)
    except UnitError as error:
        raise HttpError(400, f"unit: {error}") from error
    unit_id = unit.org_unit_id
    digits = indicator.decimals
    # One reader: the rows of the period, last year and the year to date in one query.
    reader = analytics.Reader()
    last_year = period.same_period_last_year()
    to_date = [period] if period.type == "YEARLY" else year_to_date(period)
    reader.prefetch_many(
        [indicator],
        [unit_id],
        [
            p.id
            for p in {
                period,
                last_year,
                *to_date,
                *analytics.achievement_periods(indicator, period),
            }
        ],
    )
    comparison = analytics.compare(
        reader.value(indicator, unit_id, [period]), reader.value(indicator, unit_id, [last_year])
    )
    year = period.start.year
    target = analytics.target_value(indicator=indicator, year=year, unit=unit_id)
    result = analytics.achievement_of(reader, indicator, period, unit_id, target)
    return {
        "value": _number(comparison.value, digits),
        "indicator": {
            "code": indicator.code,
            "name": indicator.name,
            "name_en": indicator.name_en,
            "unit": indicator.unit,
            "decimals": digits,
            "direction": indicator.direction,
            "computed": indicator.is_computed,
        },
        "period": {
            "id": period.id,
            "type": str(period.type),
            "start": period.start.isoformat(),
            "end": period.end.isoformat(),
            "label": period.label(),
        },
        "unit": {
            "code": unit.qualified_code,
            "name": unit.name,
            "name_en": unit.name_en,
            "structure": unit.structure,
            "level": unit.level,
        },
        "year_to_date": _number(reader.value(indicator, unit_id, to_date), digits),
        "previous_year": _number(comparison.previous, digits),
        "change_pct": None if comparison.change_pct is None else float(comparison.change_pct),
        "target": _number(result.target, digits),
        "achievement_pct": None
        if result.achievement_pct is None
        else float(result.achievement_pct),
        "status": analytics.traffic_light_of(
            indicator, result.actual, result.expected, comparison.change_pct
        ),
    }
