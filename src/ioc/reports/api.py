"""Field reports API at /api/v1/reports/: the citizen app (submit, follow, rate, figures)
and the staff actions. Staff authenticate with their session or an API key of scope
"reports"; errors are {"detail": "<field>: <message>"} with a 4xx status."""

import functools
import json
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from ninja import File, Form, Query, Router, Status, UploadedFile
from ninja.errors import AuthorizationError, HttpError
from ninja.utils import check_csrf

from ioc.accounts.auth import API_KEY_HEADER, ApiKeyAuth, StaffSessionAuth, client_ip
from ioc.accounts.choices import ApiScope, Role
from ioc.accounts.exceptions import ApiKeyError
from ioc.accounts.models import Agency, ApiKey, User
from ioc.accounts.services import apikey_authenticate
from ioc.core.workflow import IllegalTransition
from ioc.geo.models import AdminUnit
from ioc.reports import selectors, services
from ioc.reports.choices import ReportSource, ReportStatus
from ioc.reports.models import Category, ExtensionRequest, Report
from ioc.reports.schemas import (
    AnswerIn,
    AnswerTemplateOut,
    AssignIn,
    CategoryOut,
    DuplicateOut,
    DuplicateQuery,
    ErrorOut,
    ExtensionDecisionIn,
    ExtensionIn,
    ExtensionOut,
    ListQuery,
    MergeIn,
    PublicListQuery,
    PublicPage,
    PublicReportOut,
    RateIn,
    ReasonIn,
    RejectIn,
    ReportPage,
    ReportUpdateIn,
    ResolveForm,
    StaffReportDetailOut,
    StaffReportOut,
    StatsOut,
    StatsQuery,
    SubmitForm,
    SubmittedOut,
    TransferIn,
)

router = Router(tags=["reports"])

STAFF_AUTH = [StaffSessionAuth(optional=True), ApiKeyAuth(ApiScope.REPORTS)]
ERRORS = {400: ErrorOut, 401: ErrorOut, 403: ErrorOut, 404: ErrorOut, 409: ErrorOut}
UNKNOWN_CATEGORY = "unknown"


def _no_code(code: str) -> str:
    return _("code: no report has the tracking code %(code)s.") % {"code": code[:30]}


def service_errors(view):
    """Turn the services' exceptions into 4xx answers that name the field."""

    @functools.wraps(view)
    def wrapper(request, *args, **kwargs):
        try:
            return view(request, *args, **kwargs)
        except ValidationError as error:
            raise HttpError(400, validation_message(error)) from error
        except IllegalTransition as error:
            raise HttpError(409, str(error)) from error
        except PermissionDenied as error:
            raise HttpError(403, str(error)) from error
        except services.RateLimited as error:
            raise HttpError(429, error.message) from error

    return wrapper


def validation_message(error: ValidationError) -> str:
    if hasattr(error, "error_dict"):
        return "; ".join(
            f"{field}: {' '.join(str(m) for m in messages)}"
            for field, messages in error.message_dict.items()
        )
    return " ".join(error.messages)


# -- helpers ---------------------------------------------------------------------------


def _language() -> str:
    return "en" if (get_language() or "").startswith("en") else "vi"


def _photo(photo) -> dict[str, Any]:
    return {
        "url": photo.image.url,
        "kind": photo.kind,
        "width": photo.width,
        "height": photo.height,
    }


def _answer(answer) -> dict[str, Any]:
    return {
        "text": answer.text,
        "agency": answer.agency.display_name(_language()) if answer.agency_id else None,
        "created_at": answer.created_at,
    }


def _timeline(report: Report, *, public: bool) -> list[dict[str, Any]]:
    return [
        {
            "at": event.created_at,
            "verb": event.verb,
            "from_status": event.from_state,
            "to_status": event.to_state,
            "reason": event.reason,
        }
        for event in selectors.report_timeline(report=report, public=public)
    ]


def public_report(report: Report) -> dict[str, Any]:
    language = _language()
    return {
        "tracking_code": report.tracking_code,
        "category": report.category.code if report.category_id else None,
        "category_name": report.category.display_name(language) if report.category_id else None,
        "description": report.description,
        "address": report.address,
        "lat": report.lat,
        "lon": report.lon,
        "commune": report.commune.code if report.commune_id else None,
        "commune_name": report.commune.display_name(language) if report.commune_id else None,
        "status": report.status,
        "status_label": ReportStatus.label(report.status),
        "status_colour": ReportStatus.colour(report.status),
        "agency": report.agency.display_name(language) if report.agency_id else None,
        "received_at": report.received_at,
        "expected_at": report.expected_at,
        "resolved_at": report.resolved_at,
        "rating": report.rating,
        "merged_into": report.merged_into.tracking_code if report.merged_into_id else None,
        "photos": [_photo(p) for p in report.photos.all()],
        "answers": [_answer(a) for a in selectors.report_public_answers(report)],
        "timeline": _timeline(report, public=True),
    }


def staff_report(report: Report) -> dict[str, Any]:
    return {
        "id": report.pk,
        "tracking_code": report.tracking_code,
        "category": report.category.code if report.category_id else None,
        "description": report.description,
        "address": report.address,
        "lat": report.lat,
        "lon": report.lon,
        "commune": report.commune.code if report.commune_id else None,
        "legacy_district": report.legacy_district.code if report.legacy_district_id else None,
        "status": report.status,
        "status_label": ReportStatus.label(report.status),
        "deadline_state": selectors.deadline_state(report),
        "priority": report.priority,
        "agency": report.agency.code if report.agency_id else None,
        "source": report.source,
        "published": report.published,
        "received_at": report.received_at,
        "due_at": report.due_at,
        "expected_at": report.expected_at,
        "resolved_at": report.resolved_at,
        "closed_at": report.closed_at,
        "rating": report.rating,
        "merged_into": report.merged_into.tracking_code if report.merged_into_id else None,
    }


def staff_report_detail(report: Report) -> dict[str, Any]:
    answers = list(report.answers.select_related("agency"))
    return {
        **staff_report(report),
        "reporter_name": report.reporter_name,
        "reporter_phone": report.reporter_phone,
        "reporter_email": report.reporter_email,
        "is_anonymous": report.is_anonymous,
        "attributes": report.attributes,
        "reject_reason": report.reject_reason,
        "rating_comment": report.rating_comment,
        "suggested_category": report.suggested_category.code
        if report.suggested_category_id
        else None,
        "suggestion_confidence": report.suggestion_confidence,
        "photos": [_photo(p) for p in report.photos.all()],
        "answers": [_answer(a) for a in answers if a.is_public],
        "internal_notes": [_answer(a) for a in answers if not a.is_public],
        "timeline": _timeline(report, public=False),
    }


def _staff_report_or_404(request: HttpRequest, report_id: int) -> Report:
    report = selectors.report_get(user=_viewer(request), pk=report_id)
    if report is None:
        raise HttpError(404, _("report: no report %(id)s that you may see.") % {"id": report_id})
    return report


def _viewer(request: HttpRequest) -> Any:
    """Whose view an API key gets: a key of an agency sees that agency's reports (as its
    staff would), a key without agency sees everything (as an operator)."""
    auth = request.auth  # type: ignore[attr-defined]
    if isinstance(auth, ApiKey):
        return _KeyViewer(auth)
    return auth


class _KeyViewer:
    """A stand-in user for restrict(): the API key's agency, or the whole deployment."""

    is_authenticated = True
    is_active = True

    def __init__(self, key: ApiKey) -> None:
        self.key = key
        self.pk = None
        self.agency_id = key.agency_id

    def access_scope(self, action: str):
        from ioc.core.access import AccessScope

        if self.key.agency_id is None:
            return AccessScope(everything=True)
        return AccessScope(agency_ids=frozenset({self.key.agency_id}))

    def _agency_ids(self) -> set[int]:
        return {self.key.agency_id} if self.key.agency_id else set()


def _agency(code: str | None, field: str = "agency") -> Agency | None:
    if not code:
        return None
    agency = Agency.objects.filter(code=code, is_active=True).first()
    if agency is None:
        raise HttpError(
            400, _("%(field)s: no agency has the code “%(code)s”.") % {"field": field, "code": code}
        )
    return agency


def _category_filter(code: str | None) -> Category | None:
    if not code:
        return None
    category = Category.objects.filter(code=code).first()
    if category is None:
        raise HttpError(400, _("category: unknown category “%(code)s”.") % {"code": code})
    return category


def _optional_api_key(request: HttpRequest) -> ApiKey | None:
    raw_key = request.headers.get(API_KEY_HEADER)
    if not raw_key:
        return None
    try:
        return apikey_authenticate(raw_key=raw_key, scope=ApiScope.REPORTS, ip=client_ip(request))
    except ApiKeyError as error:
        raise HttpError(error.status_code, error.message) from error


def _check_csrf_for_session(request: HttpRequest) -> None:
    if request.user.is_authenticated and check_csrf(request) is not None:
        raise AuthorizationError(
            message=_(
                "CSRF check failed: send the X-CSRFToken header with the csrftoken cookie's value."
            )
        )


# -- citizens and the public --------------------------------------------------------------------


@router.get("/categories", response=list[CategoryOut], auth=None, url_name="reports_categories")
def categories(request: HttpRequest):
    """Public categories with their questions (extra attributes), in the request's language."""
    language = _language()
    return [
        {
            "code": category.code,
            "name": category.display_name(language),
            "group": category.display_group(language),
            "description": category.display_description(language),
            "deadline_amount": category.deadline_amount,
            "deadline_unit": category.deadline_unit,
            "attributes": [
                {
                    "code": attribute.code,
                    "datatype": attribute.datatype,
                    "required": attribute.required,
                    "description": attribute.description_en
                    if language == "en" and attribute.description_en
                    else attribute.description,
                    "datatype_description": attribute.datatype_description,
                    "order": attribute.order,
                    "values": [
                        {"key": str(v.get("key")), "name": str(v.get("name"))}
                        for v in attribute.values
                    ],
                }
                for attribute in category.attributes.all()
                if attribute.is_active
            ],
        }
        for category in selectors.category_list(user=request.user)
    ]


@router.post(
    "/",
    response={201: SubmittedOut, **ERRORS, 429: ErrorOut},
    auth=None,
    url_name="reports_submit",
    summary="Send a report (multipart, with 1-5 photos)",
)
@service_errors
def submit(
    request: HttpRequest,
    data: Form[SubmitForm],
    photos: File[list[UploadedFile]] = None,  # type: ignore[assignment]
):
    """Anyone may send a report, with an account (session) or as a guest, who gets a
    tracking code. Anonymous submissions are limited per address and device. A trusted
    client (a call centre, a partner app) sends an X-API-Key of scope "reports": it is
    not rate-limited and may use every channel and internal categories. A 201 means the
    report is stored; its photos, checked already, are public once the task worker has
    re-encoded them (a few seconds). Without a category ("unknown"), the answer carries
    the category a classifier suggests from the text, with its confidence (0-1)."""
    key = _optional_api_key(request)
    if key is None:
        _check_csrf_for_session(request)
    channels = ReportSource.values() if key else [ReportSource.WEB, ReportSource.APP]
    if data.source not in channels:
        raise HttpError(
            400, _("source: use one of %(channels)s.") % {"channels": ", ".join(channels)}
        )
    attributes: dict[str, Any] = {}
    if data.attributes.strip():
        try:
            attributes = json.loads(data.attributes)
        except ValueError:
            attributes = None  # type: ignore[assignment]
        if not isinstance(attributes, dict):
            raise HttpError(400, _('attributes: give a JSON object like {"code": "value"}.'))
    user = request.user if request.user.is_authenticated else None
    category = None if data.category in ("", UNKNOWN_CATEGORY) else data.category
    suggested, confidence = (
        services.category_suggestion(data.description) if category is None else (None, None)
    )
    report = services.report_submit(
        category=category,
        description=data.description,
        lat=data.lat,
        lon=data.lon,
        address=data.address,
        photos=list(photos or []),
        attributes=attributes,
        reporter=user,
        reporter_name=data.name,
        reporter_phone=data.phone,
        reporter_email=data.email,
        is_anonymous=data.anonymous,
        source=data.source,
        ip=client_ip(request),
        device_id=data.device_id,
        actor=key or user,
        suggested_category=suggested,
        suggestion_confidence=confidence,
    )
    return Status(
        201,
        {
            "tracking_code": report.tracking_code,
            "status": report.status,
            "status_label": ReportStatus.label(report.status),
            "received_at": report.received_at,
            "expected_at": report.expected_at,
            "agency": report.agency.display_name(_language()) if report.agency_id else None,
            "suggested_category": suggested.code if suggested else None,
            "suggestion_confidence": confidence,
        },
    )


@router.get(
    "/track/{code}",
    response={200: PublicReportOut, 404: ErrorOut},
    auth=None,
    url_name="reports_track",
    summary="Follow a report by its tracking code",
)
def track(request: HttpRequest, code: str):
    """Status, timeline, public answers and the expected date; no personal data."""
    report = selectors.report_by_tracking_code(code)
    if report is None:
        raise HttpError(
            404, _("code: no report has the tracking code %(code)s.") % {"code": code[:30]}
        )
    return public_report(report)


@router.post(
    "/track/{code}/rate",
    response={200: PublicReportOut, **ERRORS},
    auth=None,
    url_name="reports_rate",
    summary="Rate the result of a resolved report",
)
@service_errors
def rate(request: HttpRequest, code: str, payload: RateIn):
    """1-5 stars and a comment; 1 or 2 stars send the report back for review."""
    report = selectors.report_by_tracking_code(code)
    if report is None:
        raise HttpError(
            404, _("code: no report has the tracking code %(code)s.") % {"code": code[:30]}
        )
    user = request.user if request.user.is_authenticated else None
    report = services.report_rate(
        report=report, rating=payload.rating, comment=payload.comment, actor=user
    )
    return public_report(report)


@router.get(
    "/duplicates",
    response={200: list[DuplicateOut], **ERRORS},
    auth=None,
    url_name="reports_duplicates",
    summary="Open reports like this one nearby (while the citizen writes)",
)
def duplicates(request: HttpRequest, query: Query[DuplicateQuery]):
    category = _category_filter(query.category)
    suggestions = selectors.report_duplicates(
        lat=query.lat, lon=query.lon, category=category, text=query.text, radius_m=query.radius
    )
    return [
        {
            "tracking_code": s.report.tracking_code,
            "description": s.report.description,
            "status": s.report.status,
            "distance_m": s.distance_m,
            "similarity": s.similarity,
            "received_at": s.report.received_at,
        }
        for s in suggestions
        if s.report.published
    ]


@router.get(
    "/stats",
    response={200: StatsOut, **ERRORS},
    auth=None,
    by_alias=True,
    url_name="reports_stats",
    summary="Figures of the reports received in a period, as they stood at its end",
)
def stats(request: HttpRequest, query: Query[StatsQuery]):
    """received, completed (first resolved or rejected by `to`), in_progress (still open
    at `to`), overdue (of those, past their deadline at `to`), ratings, satisfied (4-5
    stars), satisfied_pct, on_time_pct: for the reports received from `from` to `to`."""
    if query.to < query.from_:
        raise HttpError(400, _("to: the end of the period is before its start."))
    if query.category and not Category.objects.filter(code=query.category).exists():
        raise HttpError(400, _("category: unknown category “%(code)s”.") % {"code": query.category})
    if query.agency:
        _agency(query.agency)
    for field, structure, level in (
        ("commune", "current", "commune"),
        ("legacy_district", "legacy", "district"),
    ):
        code = getattr(query, field)
        if (
            code
            and not AdminUnit.objects.filter(code=code, structure=structure, level=level).exists()
        ):
            raise HttpError(
                400,
                _("%(field)s: no unit has the code “%(code)s”.") % {"field": field, "code": code},
            )
    figures = selectors.report_stats(
        start=query.from_,
        end=query.to,
        commune=query.commune,
        legacy_district=query.legacy_district,
        category=query.category,
        agency=query.agency,
    )
    return {"from": query.from_, "to": query.to, **figures.as_dict()}


def _public_summary(report: Report) -> dict[str, Any]:
    language = _language()
    return {
        "tracking_code": report.tracking_code,
        "category": report.category.code if report.category_id else None,
        "category_name": report.category.display_name(language) if report.category_id else None,
        "description": report.description,
        "lat": report.lat,
        "lon": report.lon,
        "commune": report.commune.code if report.commune_id else None,
        "status": report.status,
        "status_label": ReportStatus.label(report.status),
        "status_colour": ReportStatus.colour(report.status),
        "received_at": report.received_at,
        "expected_at": report.expected_at,
    }


def _bbox(value: str | None) -> tuple[float, float, float, float] | None:
    if not value:
        return None
    try:
        numbers = tuple(float(part) for part in value.split(","))
    except ValueError:
        numbers = ()
    if len(numbers) != 4 or numbers[0] > numbers[2] or numbers[1] > numbers[3]:
        raise HttpError(400, _("bbox: give min_lon,min_lat,max_lon,max_lat."))
    return numbers  # type: ignore[return-value]


@router.get(
    "/published",
    response={200: PublicPage, **ERRORS},
    auth=None,
    url_name="reports_published",
    summary="Published reports for the public map and list (no personal data)",
)
def published(request: HttpRequest, query: Query[PublicListQuery]):
    if query.status and query.status not in ReportStatus.values():
        raise HttpError(400, _("status: unknown status “%(status)s”.") % {"status": query.status})
    queryset = selectors.report_public_list(
        status=query.status,
        category=_category_filter(query.category),
        commune_code=query.commune,
        legacy_district_code=query.legacy_district,
        bbox=_bbox(query.bbox),
        received_from=query.from_,
        received_to=query.to,
    )
    page = queryset[query.offset : query.offset + query.limit]
    return {"count": queryset.count(), "results": [_public_summary(r) for r in page]}


@router.get(
    "/mine",
    response={200: list[PublicReportOut], **ERRORS},
    auth=StaffSessionAuth(roles=Role.values()),
    url_name="reports_mine",
    summary="The logged-in citizen's own reports",
)
def mine(request: HttpRequest):
    """Every report the user sent (published or not), newest first, as the public view."""
    reports = selectors.report_list(user=request.auth, mine=True).filter(  # type: ignore[attr-defined]
        reporter=request.auth  # type: ignore[attr-defined]
    )
    return [public_report(report) for report in reports[:200]]


# -- staff ------------------------------------------------------------------------------------


@router.get(
    "/",
    response={200: ReportPage, **ERRORS},
    auth=STAFF_AUTH,
    url_name="reports_list",
    summary="Reports the caller may see, with the work queue's filters",
)
def report_list(request: HttpRequest, query: Query[ListQuery]):
    viewer = _viewer(request)
    agency = _agency(query.agency)
    category = _category_filter(query.category)
    if query.status and query.status not in ReportStatus.values():
        raise HttpError(400, _("status: unknown status “%(status)s”.") % {"status": query.status})
    if query.deadline and query.deadline not in ("due_soon", "overdue"):
        raise HttpError(400, _("deadline: use due_soon or overdue."))
    queryset = selectors.report_list(
        user=viewer,
        status=query.status,
        agency=agency,
        category=category,
        commune_code=query.commune,
        legacy_district_code=query.legacy_district,
        deadline=query.deadline,
        mine=query.mine,
        search=query.q,
    ).select_related("merged_into")
    page = queryset[query.offset : query.offset + query.limit]
    return {"count": queryset.count(), "results": [staff_report(r) for r in page]}


@router.get(
    "/{int:report_id}",
    response={200: StaffReportDetailOut, **ERRORS},
    auth=STAFF_AUTH,
    url_name="reports_detail",
    summary="One report with the reporter's contact, notes and timeline",
)
def report_detail(request: HttpRequest, report_id: int):
    """Reading the reporter's contact details is logged on the report's timeline."""
    report = _staff_report_or_404(request, report_id)
    services.report_personal_data_viewed(report=report, actor=_actor(request))
    return staff_report_detail(report)


@router.patch("/{int:report_id}", response={200: StaffReportOut, **ERRORS}, auth=STAFF_AUTH)
@service_errors
def update(request: HttpRequest, report_id: int, payload: ReportUpdateIn):
    """Triage edits: the category (the deadline follows it while open), the priority,
    publication."""
    report = _staff_report_or_404(request, report_id)
    category = None
    if payload.category:
        category = Category.objects.filter(code=payload.category, is_active=True).first()
        if category is None:
            raise HttpError(
                400, _("category: unknown category “%(code)s”.") % {"code": payload.category}
            )
    report = services.report_update(
        report=report,
        actor=_actor(request),
        category=category,
        priority=payload.priority,
        published=payload.published,
    )
    return staff_report(report)


@router.get(
    "/answer-templates",
    response={200: list[AnswerTemplateOut], **ERRORS},
    auth=STAFF_AUTH,
    url_name="reports_answer_templates",
)
def templates(request: HttpRequest, category: str | None = None):
    """Ready answers for a category (and those for every category)."""
    rows = selectors.answer_templates(category=_category_filter(category))
    return [
        {"title": t.title, "text": t.text, "category": t.category.code if t.category_id else None}
        for t in rows.select_related("category")
    ]


def _actor(request: HttpRequest) -> User | ApiKey:
    return request.auth  # type: ignore[attr-defined,return-value]


@router.post("/{int:report_id}/assign", response={200: StaffReportOut, **ERRORS}, auth=STAFF_AUTH)
@service_errors
def assign(request: HttpRequest, report_id: int, payload: AssignIn):
    """An operator gives a report of the triage queue to an agency."""
    report = _staff_report_or_404(request, report_id)
    agency = _agency(payload.agency)
    report = services.report_assign(
        report=report, agency=agency, actor=_actor(request), reason=payload.reason
    )
    return staff_report(report)


@router.post("/{int:report_id}/transfer", response={200: StaffReportOut, **ERRORS}, auth=STAFF_AUTH)
@service_errors
def transfer(request: HttpRequest, report_id: int, payload: TransferIn):
    """Hand the report to another agency (or back to triage without `agency`), saying why."""
    report = _staff_report_or_404(request, report_id)
    report = services.report_transfer(
        report=report,
        agency=_agency(payload.agency),
        reason=payload.reason,
        actor=_actor(request),
    )
    return staff_report(report)


@router.post("/{int:report_id}/start", response={200: StaffReportOut, **ERRORS}, auth=STAFF_AUTH)
@service_errors
def start(request: HttpRequest, report_id: int):
    report = _staff_report_or_404(request, report_id)
    return staff_report(services.report_start(report=report, actor=_actor(request)))


@router.post(
    "/{int:report_id}/answers", response={201: StaffReportDetailOut, **ERRORS}, auth=STAFF_AUTH
)
@service_errors
def answer(request: HttpRequest, report_id: int, payload: AnswerIn):
    """A public answer to the citizen, or an internal note (`public: false`)."""
    report = _staff_report_or_404(request, report_id)
    services.report_answer(
        report=report, text=payload.text, public=payload.public, actor=_actor(request)
    )
    return Status(201, staff_report_detail(report))


@router.post("/{int:report_id}/resolve", response={200: StaffReportOut, **ERRORS}, auth=STAFF_AUTH)
@service_errors
def resolve(
    request: HttpRequest,
    report_id: int,
    data: Form[ResolveForm],
    proof_photos: File[list[UploadedFile]] = None,  # type: ignore[assignment]
):
    """Resolved, with the public answer and optional proof-of-fix photos (multipart)."""
    report = _staff_report_or_404(request, report_id)
    report = services.report_resolve(
        report=report,
        answer=data.answer,
        proof_photos=list(proof_photos or []),
        actor=_actor(request),
    )
    return staff_report(report)


@router.post("/{int:report_id}/reject", response={200: StaffReportOut, **ERRORS}, auth=STAFF_AUTH)
@service_errors
def reject(request: HttpRequest, report_id: int, payload: RejectIn):
    report = _staff_report_or_404(request, report_id)
    report = services.report_reject(
        report=report, reason=payload.reason, note=payload.note, actor=_actor(request)
    )
    return staff_report(report)


@router.post("/{int:report_id}/reopen", response={200: StaffReportOut, **ERRORS}, auth=STAFF_AUTH)
@service_errors
def reopen(request: HttpRequest, report_id: int, payload: ReasonIn):
    report = _staff_report_or_404(request, report_id)
    report = services.report_reopen(report=report, reason=payload.reason, actor=_actor(request))
    return staff_report(report)


@router.post("/{int:report_id}/close", response={200: StaffReportOut, **ERRORS}, auth=STAFF_AUTH)
@service_errors
def close(request: HttpRequest, report_id: int, payload: ReasonIn):
    report = _staff_report_or_404(request, report_id)
    report = services.report_close(report=report, reason=payload.reason, actor=_actor(request))
    return staff_report(report)


@router.post("/{int:report_id}/merge", response={200: StaffReportOut, **ERRORS}, auth=STAFF_AUTH)
@service_errors
def merge(request: HttpRequest, report_id: int, payload: MergeIn):
    """Merge this duplicate into another report (which keeps every reporter)."""
    report = _staff_report_or_404(request, report_id)
    into = selectors.report_by_tracking_code(payload.into)
    if into is None:
        raise HttpError(
            400, _("into: no report has the tracking code %(code)s.") % {"code": payload.into[:30]}
        )
    report = services.report_merge(report=report, into=into, actor=_actor(request))
    return staff_report(report)


def _extension(extension: ExtensionRequest) -> dict[str, Any]:
    return {
        "id": extension.pk,
        "status": extension.status,
        "reason": extension.reason,
        "previous_due_at": extension.previous_due_at,
        "requested_due_at": extension.requested_due_at,
        "decided_at": extension.decided_at,
        "decision_note": extension.decision_note,
    }


@router.post("/{int:report_id}/extensions", response={201: ExtensionOut, **ERRORS}, auth=STAFF_AUTH)
@service_errors
def request_extension(request: HttpRequest, report_id: int, payload: ExtensionIn):
    """Ask for a later deadline; the agency's head or an operator decides."""
    report = _staff_report_or_404(request, report_id)
    extension = services.report_request_extension(
        report=report, until=payload.until, reason=payload.reason, actor=_actor(request)
    )
    return Status(201, _extension(extension))


@router.post(
    "/{int:report_id}/extensions/{int:extension_id}/decision",
    response={200: ExtensionOut, **ERRORS},
    auth=STAFF_AUTH,
)
@service_errors
def decide_extension(
    request: HttpRequest, report_id: int, extension_id: int, payload: ExtensionDecisionIn
):
    report = _staff_report_or_404(request, report_id)
    extension = report.extensions.filter(pk=extension_id).first()
    if extension is None:
        raise HttpError(404, _("extension: no such request for this report."))
    extension = services.report_decide_extension(
        extension=extension, approve=payload.approve, note=payload.note, actor=_actor(request)
    )
    return _extension(extension)
