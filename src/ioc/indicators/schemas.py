"""Request and response schemas of the indicators API (DHIS2-compatible where it says so)."""

from typing import Any, Literal

from ninja import Field, Schema

from ioc.geo.schemas import StrictQuery

StrategyName = Literal["CREATE", "UPDATE", "CREATE_AND_UPDATE", "DELETE"]
StructureName = Literal["legacy", "current"]


class ErrorOut(Schema):
    detail: str


class FormulaOut(Schema):
    numerator: str
    denominator: str
    factor: float


class IndicatorOut(Schema):
    code: str
    name: str
    name_en: str
    sector: str = Field(description="The sector's code")
    sector_name: str
    unit: str
    value_type: str
    period_type: str
    area_aggregation: str
    time_aggregation: str
    direction: str
    decimals: int
    definition: str
    source_agency: str | None = Field(description="The source agency's code")
    formula: FormulaOut | None = Field(description="Null for a collected indicator")


class CatalogueQuery(StrictQuery):
    sector: str | None = Field(None, description="A sector code: socio-economic, health...")


class ImportCountOut(Schema):
    imported: int
    updated: int
    ignored: int
    deleted: int


class ConflictOut(Schema):
    object: str
    value: str = Field(description="What is wrong, naming the row and the column")
    row: int
    column: str


class ImportOptionsOut(Schema):
    dryRun: bool
    importStrategy: str


class ImportSummaryOut(Schema):
    responseType: str
    status: Literal["SUCCESS", "WARNING", "ERROR"]
    importOptions: ImportOptionsOut
    description: str
    importCount: ImportCountOut
    conflicts: list[ConflictOut]
    detail: str | None = None


class JobReferenceOut(Schema):
    name: str
    id: int
    created: str
    jobType: str
    relativeNotifierEndpoint: str


class ImportJobAcceptedOut(Schema):
    """DHIS2's answer to an asynchronous import: the job and where to poll it."""

    httpStatus: str
    httpStatusCode: int
    status: str
    message: str
    response: JobReferenceOut


class ImportJobOut(Schema):
    id: int
    jobType: str
    state: Literal["queued", "running", "done", "failed"]
    completed: bool
    stage: str
    rowsDone: int
    rowsTotal: int
    percent: int
    error: str
    created: str
    dryRun: bool
    importSummary: dict[str, Any] | None = None


class ImportQuery(StrictQuery):
    dryRun: bool = Field(False, description="Check and count, write nothing")
    importStrategy: StrategyName = "CREATE_AND_UPDATE"
    idScheme: str = Field("code", description="Only `code` is supported")
    dataElementIdScheme: str | None = None
    orgUnitIdScheme: str | None = None
    structure: StructureName | None = Field(
        None, description="Where bare orgUnit codes are looked up first (default: current)"
    )
    atomicMode: Literal["ALL"] = Field(
        "ALL", description="Only ALL: any conflict and nothing is written"
    )
    async_: bool | None = Field(
        None,
        alias="async",
        description="true: queue to the worker, answer 202 with the job to poll; false: import "
        "at once; absent: queued above IOC_INDICATORS_IMPORT_BACKGROUND_ROWS rows",
    )
    preheatCache: bool | None = Field(None, description="Accepted and ignored")
    skipAudit: bool | None = Field(None, description="Accepted and ignored")
    api_key: str | None = Field(None, description="The API key, if not in X-API-Key")


class ExportQuery(StrictQuery):
    dataElement: list[str] = Field(..., description="Indicator codes (repeat or comma-separate)")
    period: list[str] = Field([], description="DHIS2 periods; a value inside one matches")
    orgUnit: list[str] = Field([], description="Unit codes (see docs: legacy:, facility:)")
    children: bool = Field(False, description="Also every unit that rolls up to orgUnit")
    structure: StructureName | None = None
    format: Literal["json", "csv"] | None = Field(None, description="Or choose by Accept")
    api_key: str | None = None


class DataValueOut(Schema):
    dataElement: str
    period: str
    orgUnit: str
    value: str
    storedBy: str
    lastUpdated: str
    created: str
    comment: str
    followup: bool
    status: str


class DataValueSetOut(Schema):
    dataValues: list[DataValueOut]


class AnalyticsQuery(StrictQuery):
    indicator: str = Field(..., description="An indicator code")
    period: str = Field(..., description="A DHIS2 period: 2024, 2024Q3, 202411...")
    unit: str = Field(..., description="A unit code: 68, 22918, legacy:593, facility:BV-01")
    structure: StructureName | None = None
    api_key: str | None = None


class AnalyticsUnitOut(Schema):
    code: str
    name: str
    name_en: str
    structure: str = Field(description="legacy, current or facility")
    level: str


class AnalyticsPeriodOut(Schema):
    id: str
    type: str
    start: str
    end: str
    label: str


class AnalyticsIndicatorOut(Schema):
    code: str
    name: str
    name_en: str
    unit: str
    decimals: int
    direction: str
    computed: bool


class AnalyticsOut(Schema):
    value: float | None = Field(description="Null where there is no data")
    indicator: AnalyticsIndicatorOut
    period: AnalyticsPeriodOut
    unit: AnalyticsUnitOut
    year_to_date: float | None
    previous_year: float | None
    change_pct: float | None = Field(description="vs the same period last year, in %")
    target: float | None
    achievement_pct: float | None
    status: str = Field(description="green, amber, red or unknown (docs/indicators.md)")


class TemplateQuery(StrictQuery):
    dataElement: list[str] = Field(..., description="Indicator codes (repeat or comma-separate)")
    period: list[str] = Field(..., description="DHIS2 periods of the indicators' period type")
    level: Literal["commune", "district", "province", "facility"] = "commune"
    structure: StructureName = "current"
    api_key: str | None = None
