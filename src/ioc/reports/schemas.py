"""Input and output schemas of the reports API (one per operation)."""

from datetime import date, datetime

from ninja import Schema
from pydantic import BaseModel, Field


class ErrorOut(Schema):
    detail: str


class CategoryAttributeValueOut(Schema):
    key: str
    name: str


class CategoryAttributeOut(Schema):
    code: str
    datatype: str
    required: bool
    description: str
    datatype_description: str
    order: int
    values: list[CategoryAttributeValueOut]


class CategoryOut(Schema):
    code: str
    name: str
    group: str
    description: str
    deadline_amount: int
    deadline_unit: str
    attributes: list[CategoryAttributeOut]


# The two schemas of every report submission are plain pydantic models: ninja's Schema
# reads each field of its input through a Python wrapper (DjangoGetter, for ORM objects),
# 2 % of a submission's instructions; these read dicts only, and their OpenAPI is the same.
class SubmitForm(BaseModel):
    category: str = Field(
        description='The category\'s code, or "unknown" when the citizen does not know.',
        max_length=60,
    )
    description: str = Field(description="What is wrong (at most 4,000 characters).")
    lat: float = Field(description="WGS84 latitude.")
    lon: float = Field(description="WGS84 longitude.")
    address: str = ""
    name: str = ""
    phone: str = ""
    email: str = ""
    anonymous: bool = False
    device_id: str = Field("", max_length=100)
    source: str = Field("web", description="web or app.")
    attributes: str = Field(
        "", description='Answers to the category\'s questions as a JSON object {"code": value}.'
    )


class SubmittedOut(BaseModel):
    tracking_code: str
    status: str
    status_label: str
    received_at: datetime
    expected_at: datetime | None
    agency: str | None
    suggested_category: str | None = Field(
        None, description='Without a category ("unknown"): the code a classifier suggests.'
    )
    suggestion_confidence: float | None = Field(None, description="Its confidence, 0-1.")


class TimelineEntryOut(Schema):
    at: datetime
    verb: str
    from_status: str
    to_status: str
    reason: str


class AnswerOut(Schema):
    text: str
    agency: str | None
    created_at: datetime


class PhotoOut(Schema):
    url: str
    kind: str
    width: int
    height: int


class PublicReportOut(Schema):
    """What anybody with the tracking code (or the public map) sees: no personal data."""

    tracking_code: str
    category: str | None
    category_name: str | None
    description: str
    address: str
    lat: float
    lon: float
    commune: str | None
    commune_name: str | None
    status: str
    status_label: str
    status_colour: str
    agency: str | None
    received_at: datetime
    expected_at: datetime | None
    resolved_at: datetime | None
    rating: int | None
    merged_into: str | None
    photos: list[PhotoOut]
    answers: list[AnswerOut]
    timeline: list[TimelineEntryOut]


class RateIn(Schema):
    rating: int = Field(ge=1, le=5)
    comment: str = Field("", max_length=4000)


class StaffReportOut(Schema):
    id: int
    tracking_code: str
    category: str | None
    description: str
    address: str
    lat: float
    lon: float
    commune: str | None
    legacy_district: str | None
    status: str
    status_label: str
    deadline_state: str | None
    priority: str
    agency: str | None
    source: str
    published: bool
    received_at: datetime
    due_at: datetime | None
    expected_at: datetime | None
    resolved_at: datetime | None
    closed_at: datetime | None
    rating: int | None
    merged_into: str | None


class StaffReportDetailOut(StaffReportOut):
    reporter_name: str
    reporter_phone: str
    reporter_email: str
    is_anonymous: bool
    attributes: dict
    reject_reason: str
    rating_comment: str
    suggested_category: str | None
    suggestion_confidence: float | None
    photos: list[PhotoOut]
    answers: list[AnswerOut]
    internal_notes: list[AnswerOut]
    timeline: list[TimelineEntryOut]


class ReportPage(Schema):
    count: int
    results: list[StaffReportOut]


class AssignIn(Schema):
    agency: str = Field(description="The agency's code.")
    reason: str = ""


class TransferIn(Schema):
    agency: str | None = Field(
        None, description="The agency's code; empty to send it back to the triage queue."
    )
    reason: str


class AnswerIn(Schema):
    text: str
    public: bool = True


class ResolveForm(Schema):
    answer: str


class RejectIn(Schema):
    reason: str = Field(description="duplicate, out_of_scope, not_enough_information or spam.")
    note: str = ""


class ReasonIn(Schema):
    reason: str = ""


class MergeIn(Schema):
    into: str = Field(description="Tracking code of the report the duplicate joins.")


class ExtensionIn(Schema):
    until: datetime = Field(description="The new deadline, with its time zone.")
    reason: str


class ExtensionDecisionIn(Schema):
    approve: bool
    note: str = ""


class ExtensionOut(Schema):
    id: int
    status: str
    reason: str
    previous_due_at: datetime | None
    requested_due_at: datetime
    decided_at: datetime | None
    decision_note: str


class StatsQuery(Schema):
    from_: date = Field(alias="from")
    to: date
    commune: str | None = None
    legacy_district: str | None = None
    category: str | None = None
    agency: str | None = None


class StatsOut(Schema):
    start: date = Field(alias="from")
    to: date
    received: int
    completed: int
    in_progress: int
    overdue: int
    ratings: int
    satisfied: int
    satisfied_pct: float | None
    on_time_pct: float | None


class DuplicateQuery(Schema):
    lat: float
    lon: float
    category: str | None = None
    text: str = ""
    radius: float = Field(100, gt=0, le=1000)


class DuplicateOut(Schema):
    tracking_code: str
    description: str
    status: str
    distance_m: float
    similarity: float
    received_at: datetime


class ListQuery(Schema):
    status: str | None = None
    agency: str | None = None
    category: str | None = None
    commune: str | None = None
    legacy_district: str | None = None
    deadline: str | None = Field(None, description="due_soon or overdue")
    mine: bool = False
    q: str = ""
    limit: int = Field(50, ge=1, le=500)
    offset: int = Field(0, ge=0)


class ReportUpdateIn(Schema):
    category: str | None = Field(None, description="A category code (triage may set it).")
    priority: str | None = Field(None, description="low, normal, high or urgent.")
    published: bool | None = None


class AnswerTemplateOut(Schema):
    title: str
    text: str
    category: str | None


class PublicListQuery(Schema):
    status: str | None = None
    category: str | None = None
    commune: str | None = None
    legacy_district: str | None = None
    bbox: str | None = Field(None, description="min_lon,min_lat,max_lon,max_lat")
    from_: date | None = Field(None, alias="from")
    to: date | None = None
    limit: int = Field(100, ge=1, le=1000)
    offset: int = Field(0, ge=0)


class PublicSummaryOut(Schema):
    tracking_code: str
    category: str | None
    category_name: str | None
    description: str
    lat: float
    lon: float
    commune: str | None
    status: str
    status_label: str
    status_colour: str
    received_at: datetime
    expected_at: datetime | None


class PublicPage(Schema):
    count: int
    results: list[PublicSummaryOut]
