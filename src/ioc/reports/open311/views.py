"""Open311 GeoReport v2 endpoints. The formats are fixed by the spec, so these are plain
Django views; each calls the same selectors and services as our own API.

Ids: a report's `service_request_id` is its tracking code (also its `token`: requests
are created at once, so a token resolves immediately). Only published reports are
listed. Status: "open" while the report waits for work, "closed" once resolved, closed
or rejected.
"""

import functools
import re
from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.storage import default_storage
from django.http import HttpRequest, HttpResponse
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt

from ioc.accounts.auth import API_KEY_HEADER, API_KEY_PARAMETER, client_ip
from ioc.accounts.choices import ApiScope
from ioc.accounts.exceptions import ApiKeyError
from ioc.accounts.services import apikey_authenticate
from ioc.core.middleware import nul_field
from ioc.reports import selectors
from ioc.reports import services as report_services
from ioc.reports.api import validation_message
from ioc.reports.choices import PhotoKind, RejectReason, ReportSource, ReportStatus
from ioc.reports.models import Category, Report, ReportAnswer, ReportPhoto
from ioc.reports.open311.render import FORMATS, Open311Error, error_response, respond, w3c

SPECIFICATION = "http://wiki.open311.org/GeoReport_v2"
CHANGESET = "2026-11-25T00:00:00+07:00"
MAX_SPAN = timedelta(days=90)
MAX_RESULTS = 1000
CLOSED_STATUSES = sorted(ReportStatus.DONE)
OPEN_STATUSES = sorted(ReportStatus.OPEN)
ATTRIBUTE_KEY = re.compile(r"^attribute\[(?P<code>[^\]]+)\](?P<list>\[\])?$")


def open311_view(methods: tuple[str, ...] = ("GET",)):
    """Check the format and method, answer errors in the spec's format."""

    def decorate(view):
        @functools.wraps(view)
        def wrapper(request: HttpRequest, fmt: str, **kwargs: Any) -> HttpResponse:
            fmt = fmt.lower()
            try:
                if fmt not in FORMATS:
                    raise Open311Error(
                        404, _("Unknown format “%(fmt)s”: use .json or .xml.") % {"fmt": fmt[:10]}
                    )
                if request.method not in methods:
                    raise Open311Error(
                        400,
                        _("Method %(method)s is not allowed here.") % {"method": request.method},
                    )
                _refuse_nul_characters(request)
                return view(request, fmt, **kwargs)
            except Open311Error as error:
                return error_response(fmt, error)

        return csrf_exempt(wrapper)

    return decorate


def _refuse_nul_characters(request: HttpRequest) -> None:
    """No text field of ours can hold a NUL character (PostgreSQL refuses it outright):
    a parameter carrying one is a bad request, named, before any query."""
    where = nul_field(request.path, request.GET if request.method == "GET" else request.POST)
    if where is not None:
        raise Open311Error(400, _("%(name)s: contains a NUL character.") % {"name": where})


def _absolute(request: HttpRequest, path: str) -> str:
    return request.build_absolute_uri(path)


# -- discovery and services ----------------------------------------------------------------------


@open311_view()
def discovery(request: HttpRequest, fmt: str) -> HttpResponse:
    base = _absolute(request, reverse("open311:discovery", kwargs={"fmt": "json"})).rsplit("/", 1)[
        0
    ]
    document = {
        "changeset": CHANGESET,
        "contact": getattr(settings, "IOC_OPEN311_CONTACT", settings.DEFAULT_FROM_EMAIL),
        "key_service": getattr(
            settings,
            "IOC_OPEN311_KEY_SERVICE",
            _("Ask the IOC's administrators for an API key with the open311 scope."),
        ),
        "endpoints": [
            {
                "specification": SPECIFICATION,
                "url": base,
                "changeset": CHANGESET,
                "type": "production",
                "formats": ["text/xml", "application/json"],
            }
        ],
    }
    return respond(
        fmt,
        document,
        root="discovery",
        item_names={"endpoints": "endpoint", "formats": "format"},
    )


def _service(category: Category) -> dict[str, Any]:
    has_attributes = any(a.is_active for a in category.attributes.all())
    return {
        "service_code": category.code,
        "service_name": category.name,
        "description": category.description,
        "metadata": has_attributes,
        "type": "realtime",
        "keywords": ",".join(category.keyword_list),
        "group": category.group,
    }


@open311_view()
def services_list(request: HttpRequest, fmt: str) -> HttpResponse:
    rows = [_service(category) for category in selectors.category_list()]
    return respond(fmt, rows, root="services", item="service")


@open311_view()
def service_definition(request: HttpRequest, fmt: str, code: str) -> HttpResponse:
    category = selectors.category_by_code(code)
    if category is None:
        raise Open311Error(404, _("No service has the code “%(code)s”.") % {"code": code[:60]})
    attributes = [
        {
            "variable": attribute.variable,
            "code": attribute.code,
            "datatype": attribute.datatype,
            "required": attribute.required,
            "datatype_description": attribute.datatype_description,
            "order": attribute.order,
            "description": attribute.description,
            "values": [
                {"key": str(v.get("key")), "name": str(v.get("name"))} for v in attribute.values
            ],
        }
        for attribute in category.attributes.all()
        if attribute.is_active
    ]
    return respond(
        fmt,
        {"service_code": category.code, "attributes": attributes},
        root="service_definition",
        item_names={"attributes": "attribute", "values": "value"},
    )


# -- requests ------------------------------------------------------------------------------------


REQUEST_FIELDS = (
    "id",
    "tracking_code",
    "status",
    "reject_reason",
    "category__name",
    "category__code",
    "description",
    "agency__name",
    "received_at",
    "updated_at",
    "expected_at",
    "address",
    "lat",
    "lon",
    "media_url",
)


def _request_rows(request: HttpRequest, reports: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Open311 rows from `.values(*REQUEST_FIELDS)`: three queries for any number of
    requests (the reports, their first citizen photo, their latest public answer)."""
    ids = [report["id"] for report in reports]
    photos: dict[int, str] = {}
    for report_id, name in (
        ReportPhoto.objects.filter(report_id__in=ids, kind=PhotoKind.CITIZEN)
        .order_by("-id")
        .values_list("report_id", "image")
    ):
        photos[report_id] = name  # the last written is the first photo
    notes: dict[int, str] = dict(
        ReportAnswer.objects.filter(report_id__in=ids, is_public=True)
        .order_by("report_id", "created_at", "id")
        .values_list("report_id", "text")
    )
    site = request.build_absolute_uri("/").rstrip("/")
    zone = timezone.get_current_timezone()
    rows = []
    for report in reports:
        note = notes.get(report["id"], "")
        if not note and report["status"] == ReportStatus.REJECTED and report["reject_reason"]:
            note = str(RejectReason.label(report["reject_reason"]))
        photo = photos.get(report["id"])
        media_url = report["media_url"]
        if photo:
            url = default_storage.url(photo)
            media_url = site + url if url.startswith("/") else url
        rows.append(
            {
                "service_request_id": report["tracking_code"],
                "status": "closed" if report["status"] in ReportStatus.DONE else "open",
                "status_notes": note,
                "service_name": report["category__name"] or "",
                "service_code": report["category__code"] or "",
                "description": report["description"],
                "agency_responsible": report["agency__name"] or "",
                "service_notice": "",
                "requested_datetime": w3c(report["received_at"], zone),
                "updated_datetime": w3c(report["updated_at"], zone),
                "expected_datetime": w3c(report["expected_at"], zone),
                "address": report["address"],
                "address_id": "",
                "zipcode": "",
                "lat": report["lat"],
                "long": report["lon"],
                "media_url": media_url,
            }
        )
    return rows


def _published() -> Any:
    return Report.objects.filter(published=True)


def _parse_datetime(value: str, field: str) -> datetime:
    try:
        moment = datetime.fromisoformat(value.strip().replace(" ", "+"))
    except ValueError:
        raise Open311Error(
            400,
            _("%(field)s: “%(value)s” is not a W3C datetime such as 2026-11-25T08:30:00+07:00.")
            % {"field": field, "value": value[:40]},
        ) from None
    return timezone.make_aware(moment) if timezone.is_naive(moment) else moment


def _optional_datetime(params: Any, field: str) -> datetime | None:
    value = params.get(field, "")
    return _parse_datetime(value, field) if value else None


def _list_requests(request: HttpRequest, fmt: str) -> HttpResponse:
    params = request.GET
    queryset = _published()
    ids = [part.strip() for part in params.get("service_request_id", "").split(",") if part.strip()]
    if len(ids) > MAX_RESULTS:
        raise Open311Error(
            400,
            _("service_request_id: at most %(max)s ids at a time.") % {"max": MAX_RESULTS},
        )
    if ids:
        # The ids override every other filter, as the spec says.
        rows = queryset.filter(tracking_code__in=[i.upper() for i in ids]).order_by("-received_at")
        return _respond_requests(request, fmt, rows)
    codes = [part.strip() for part in params.get("service_code", "").split(",") if part.strip()]
    if codes:
        known = set(Category.objects.filter(code__in=codes).values_list("code", flat=True))
        unknown = [code for code in codes if code not in known]
        if unknown:
            raise Open311Error(
                400,
                _("service_code: unknown code(s) %(codes)s.") % {"codes": ", ".join(unknown)[:200]},
            )
        queryset = queryset.filter(category__code__in=codes)
    start = (
        _parse_datetime(params["start_date"], "start_date") if params.get("start_date") else None
    )
    end = _parse_datetime(params["end_date"], "end_date") if params.get("end_date") else None
    if start and end and end < start:
        raise Open311Error(400, _("end_date: it is before start_date."))
    if start and end and end - start > MAX_SPAN:
        raise Open311Error(400, _("end_date: the span from start_date may be at most 90 days."))
    if start is None and end is None:
        end = timezone.now()
    if start is None:
        start = end - MAX_SPAN  # type: ignore[operator]
    if end is None:
        end = start + MAX_SPAN
    queryset = queryset.filter(received_at__gte=start, received_at__lte=end)
    statuses = [
        part.strip().lower() for part in params.get("status", "").split(",") if part.strip()
    ]
    if statuses:
        bad = [status for status in statuses if status not in ("open", "closed")]
        if bad:
            raise Open311Error(400, _("status: use open, closed or both (open,closed)."))
        wanted: list[str] = []
        if "open" in statuses:
            wanted += OPEN_STATUSES
        if "closed" in statuses:
            wanted += CLOSED_STATUSES
        queryset = queryset.filter(status__in=wanted)
    return _respond_requests(request, fmt, queryset.order_by("-received_at"))


def _page_number(params: Any, field: str, default: int, maximum: int) -> int:
    value = params.get(field, "")
    if not value:
        return default
    if not (value.isascii() and value.isdigit()) or not 1 <= int(value) <= maximum:
        raise Open311Error(
            400,
            _("%(field)s: give a whole number from 1 to %(max)s.")
            % {"field": field, "max": maximum},
        )
    return int(value)


def _respond_requests(request: HttpRequest, fmt: str, queryset: Any) -> HttpResponse:
    """At most 1,000 requests; the common `page` and `page_size` extension pages them."""
    page_size = _page_number(request.GET, "page_size", MAX_RESULTS, MAX_RESULTS)
    page = _page_number(request.GET, "page", 1, 1_000_000)
    start = (page - 1) * page_size
    reports = list(queryset.values(*REQUEST_FIELDS)[start : start + page_size])
    return respond(fmt, _request_rows(request, reports), root="service_requests", item="request")


def _authenticate(request: HttpRequest):
    raw_key = (
        request.POST.get(API_KEY_PARAMETER)
        or request.GET.get(API_KEY_PARAMETER)
        or request.headers.get(API_KEY_HEADER)
    )
    try:
        return apikey_authenticate(
            raw_key=raw_key or "", scope=ApiScope.OPEN311, ip=client_ip(request)
        )
    except ApiKeyError as error:
        raise Open311Error(403, "api_key: " + error.message) from error


def _attributes(post: Any) -> dict[str, Any]:
    values: dict[str, Any] = {}
    for key in post:
        match = ATTRIBUTE_KEY.match(key)
        if match:
            code = match["code"]
            values[code] = post.getlist(key) if match["list"] else post.get(key)
    return values


def _float(value: str, field: str) -> float:
    try:
        return float(value)
    except ValueError:
        raise Open311Error(
            400,
            _("%(field)s: “%(value)s” is not a number.") % {"field": field, "value": value[:30]},
        ) from None


def _create_request(request: HttpRequest, fmt: str) -> HttpResponse:
    post = request.POST
    api_key = _authenticate(request)
    code = post.get("service_code", "").strip()
    if not code:
        raise Open311Error(400, _("service_code: this field is required."))
    category = selectors.category_by_code(code)
    if category is None:
        # A bad parameter value, not an unknown URL: 400 (404 is for resources).
        raise Open311Error(
            400, _("service_code: no service has the code “%(code)s”.") % {"code": code[:60]}
        )
    lat_text, lon_text = post.get("lat", "").strip(), post.get("long", "").strip()
    if not (lat_text and lon_text):
        address = post.get("address_string", "").strip()
        point = selectors.locate_address(address) if address else None
        if point is None and (address or post.get("address_id")):
            raise Open311Error(
                400,
                _(
                    "lat, long: the address_string names no single commune or ward of the "
                    "area; send lat and long."
                ),
            )
        if point is None:
            raise Open311Error(400, _("lat, long: a location is required."))
        # Placed at the named commune's centroid: staff see the address to refine it.
        lat_text, lon_text = str(point[0]), str(point[1])
    description = post.get("description", "")
    if len(description) > report_services.MAX_DESCRIPTION:
        raise Open311Error(
            400,
            _("description: at most %(max)s characters.")
            % {"max": report_services.MAX_DESCRIPTION},
        )
    attributes = _attributes(post)
    name = " ".join(
        part for part in (post.get("first_name", ""), post.get("last_name", "")) if part
    ).strip()
    try:
        report = report_services.report_submit(
            category=category,
            description=description or category.name,
            lat=_float(lat_text, "lat"),
            lon=_float(lon_text, "long"),
            address=post.get("address_string", ""),
            attributes=attributes,
            media_url=post.get("media_url", ""),
            reporter_name=name,
            reporter_phone=post.get("phone", ""),
            reporter_email=post.get("email", ""),
            source=ReportSource.OPEN311,
            ip=client_ip(request),
            device_id=post.get("device_id", ""),
            actor=api_key,
        )
    except ValidationError as error:
        raise Open311Error(400, validation_message(error)) from error
    row = {
        "service_request_id": report.tracking_code,
        "service_notice": "",
        "account_id": post.get("account_id", ""),
    }
    return respond(fmt, [row], root="service_requests", item="request", status=201)


@open311_view(methods=("GET", "POST"))
def requests(request: HttpRequest, fmt: str) -> HttpResponse:
    if request.method == "POST":
        return _create_request(request, fmt)
    return _list_requests(request, fmt)


@open311_view()
def request_detail(request: HttpRequest, fmt: str, request_id: str) -> HttpResponse:
    reports = list(_published().filter(tracking_code=request_id.upper()).values(*REQUEST_FIELDS))
    if not reports:
        raise Open311Error(404, _("No request has the id “%(id)s”.") % {"id": request_id[:40]})
    return respond(fmt, _request_rows(request, reports), root="service_requests", item="request")


@open311_view()
def token(request: HttpRequest, fmt: str, token: str) -> HttpResponse:
    report = Report.objects.filter(tracking_code=token.upper()).only("tracking_code").first()
    if report is None:
        raise Open311Error(404, _("No request has the token “%(token)s”.") % {"token": token[:40]})
    row = {"service_request_id": report.tracking_code, "token": report.tracking_code}
    return respond(fmt, [row], root="service_requests", item="request")
