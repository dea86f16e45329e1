"""Pages of the field reports: the citizen's (send, follow, rate, public map and figures,
phone-first) and the staff's (work queue, report detail and its actions, dashboard).

Views read through the selectors and write through the services; every refusal of a
service (validation, illegal move, permission) comes back as a message, never a 500.
"""

import csv
import io
from datetime import date, datetime, time, timedelta

from django.conf import settings
from django.contrib import messages
from django.contrib.staticfiles import finders
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import FileResponse, Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import formats, timezone
from django.utils.http import urlencode
from django.utils.translation import get_language, gettext_lazy
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from ioc.accounts.auth import client_ip
from ioc.accounts.choices import Role
from ioc.accounts.decorators import staff_required
from ioc.accounts.models import Agency
from ioc.core.access import restrict
from ioc.core.filters import FilterError, parse_filters
from ioc.core.htmx import render_page
from ioc.core.periods import DateRange
from ioc.core.workflow import IllegalTransition
from ioc.geo.models import AdminUnit
from ioc.geo.selectors import communes, legacy_districts
from ioc.reports import selectors, services
from ioc.reports.choices import (
    REPORT_WORKFLOW,
    DeadlineState,
    ExtensionStatus,
    PhotoKind,
    ReportSource,
    ReportStatus,
)
from ioc.reports.forms import (
    UNKNOWN_CATEGORY,
    AnswerForm,
    AssignForm,
    BulkForm,
    ExtensionDecisionForm,
    ExtensionForm,
    MergeForm,
    RateForm,
    ReasonForm,
    RejectForm,
    ReportForm,
    ResolveForm,
    TrackForm,
    TransferForm,
)
from ioc.reports.models import Category, Report, ReportPhoto

# Bootstrap's contextual colours as hex, for map markers (the palette of the choices).
COLOUR_HEX = {
    "primary": "#0d6efd",
    "secondary": "#6c757d",
    "success": "#198754",
    "danger": "#dc3545",
    "warning": "#e0a800",
    "info": "#0aa2c0",
    "light": "#adb5bd",
    "dark": "#212529",
}
PUBLIC_PAGE_SIZE = 30
QUEUE_PAGE_SIZE = 50
EXPORT_LIMIT = 20_000
# Timeline verbs as the citizen and the staff read them.
VERB_LABELS = {
    "submitted": gettext_lazy("Report received"),
    "routed": gettext_lazy("Sent to the responsible agency"),
    "assigned": gettext_lazy("Assigned to an agency"),
    "transferred": gettext_lazy("Transferred"),
    "started": gettext_lazy("Work started"),
    "triage": gettext_lazy("Waiting for the operators to choose the agency"),
    "resolved": gettext_lazy("Resolved"),
    "closed": gettext_lazy("Closed"),
    "closed_by_rating": gettext_lazy("Closed after the citizen's rating"),
    "closed_unrated": gettext_lazy("Closed (not rated in time)"),
    "rejected": gettext_lazy("Rejected"),
    "merged": gettext_lazy("Merged into another report"),
    "reopened": gettext_lazy("Reopened"),
    "reopened_by_rating": gettext_lazy("Sent back for review after a low rating"),
    "rated": gettext_lazy("Rated by the citizen"),
    "answered": gettext_lazy("Public answer"),
    "noted": gettext_lazy("Internal note"),
    "escalated": gettext_lazy("Overdue: escalated to the agency head and the operators"),
    "extension_requested": gettext_lazy("More time requested"),
    "extension_approved": gettext_lazy("Extension approved"),
    "extension_refused": gettext_lazy("Extension refused"),
    "personal_data_viewed": gettext_lazy("Reporter's contact details viewed"),
    "updated": gettext_lazy("Details changed"),
    "duplicate_merged": gettext_lazy("A duplicate was merged into this report"),
    "photo_refused": gettext_lazy("A photo could not be read and was left out"),
}
PUBLIC_REASON_VERBS = frozenset({"rejected", "reopened", "reopened_by_rating", "merged"})


def _language() -> str:
    return "en" if (get_language() or "").startswith("en") else "vi"


def _map_settings() -> dict:
    return {
        "map_tile_url": settings.IOC_MAP_TILE_URL,
        "map_tile_attribution": settings.IOC_MAP_TILE_ATTRIBUTION,
    }


def _timeline_rows(report: Report, *, public: bool) -> list[dict]:
    rows = []
    for event in selectors.report_timeline(report=report, public=public):
        label = VERB_LABELS.get(event.verb)
        if label is None:
            label = ReportStatus.label(event.to_state) if event.to_state else event.verb
        show_reason = not public or event.verb in PUBLIC_REASON_VERBS
        rows.append(
            {
                "at": event.created_at,
                "verb": event.verb,
                "label": label,
                "to_status": event.to_state,
                "colour": ReportStatus.colour(event.to_state) if event.to_state else "secondary",
                "reason": event.reason if show_reason else "",
                "actor": "" if public else (event.actor or event.actor_label or ""),
            }
        )
    return rows


def _photos(report: Report, *, code: str = "") -> list[dict]:
    suffix = f"?code={code}" if code else ""
    return [
        {
            "url": reverse("reports:photo", args=[photo.pk]) + suffix,
            "kind": photo.kind,
            "proof": photo.kind == PhotoKind.PROOF,
        }
        for photo in report.photos.all()
    ]


def _status_legend() -> list[dict]:
    return [
        {"value": value, "label": label, "colour": colour, "hex": COLOUR_HEX[colour]}
        for value, label, colour in ReportStatus.CHOICES
        if value != ReportStatus.NEW
    ]


# -- citizens ------------------------------------------------------------------------------


def _apply_service_errors(form, error: ValidationError) -> None:
    """Put each message of a service's ValidationError next to the field it names."""
    aliases = {"long": "lat", "lon": "lat"}
    if not hasattr(error, "error_dict"):
        form.add_error(None, error.messages)
        return
    for field, field_messages in error.message_dict.items():
        field = aliases.get(field, field)
        form.add_error(field if field in form.fields else None, field_messages)


def _suggestion(description: str) -> tuple[Category | None, float | None]:
    for code, confidence in _suggestions(description):
        category = selectors.category_by_code(code)
        if category is not None:
            return category, confidence
    return None, None


def _suggestions(description: str) -> list[tuple[str, float]]:
    """The classifier's suggestions, if the module is there; a suggestion never blocks."""
    try:
        from ioc.reports.classifier import suggest_category
    except ImportError:
        return []
    try:
        return list(suggest_category(description))
    except Exception:  # a broken model must not stop a citizen from sending a report
        return []


def report_new(request):
    """Send a report: category (or "I don't know"), text, photos, place, contact."""
    language = _language()
    categories = list(selectors.category_list(user=request.user))
    status = 200
    if request.method == "POST":
        form = ReportForm(request.POST, request.FILES, categories=categories, language=language)
        if form.is_valid():
            data = form.cleaned_data
            user = request.user if request.user.is_authenticated else None
            suggested, confidence = _suggestion(data["description"])
            try:
                report = services.report_submit(
                    category=None if data["category"] == UNKNOWN_CATEGORY else data["category"],
                    description=data["description"],
                    lat=data["lat"],
                    lon=data["lon"],
                    address=data["address"],
                    photos=data["photos"],
                    reporter=user,
                    reporter_name=data["name"],
                    reporter_phone=data["phone"],
                    reporter_email=data["email"],
                    is_anonymous=data["anonymous"],
                    source=ReportSource.WEB,
                    ip=client_ip(request),
                    device_id=data["device_id"],
                    actor=user,
                    suggested_category=suggested,
                    suggestion_confidence=confidence,
                )
            except ValidationError as error:
                _apply_service_errors(form, error)
            except services.RateLimited as error:
                form.add_error(None, error.message)
                status = 429
            else:
                return redirect("reports:sent", code=report.tracking_code)
        if status == 200:
            status = 400
    else:
        form = ReportForm(categories=categories, language=language)
    context = {"form": form, **_map_settings()}
    return render(request, "reports/new.html", context, status=status)


@require_GET
def report_suggest(request):
    """htmx: the suggested categories for the text being written."""
    language = _language()
    rows = []
    for code, confidence in _suggestions(request.GET.get("description", "")[:4000]):
        category = selectors.category_by_code(code)
        if category is not None:
            rows.append(
                {
                    "code": code,
                    "name": category.display_name(language),
                    "percent": round(confidence * 100),
                }
            )
    return render(request, "reports/new.html#suggestions", {"suggestions": rows})


@require_GET
def report_nearby(request):
    """htmx: open published reports like this one nearby, while the citizen writes."""
    try:
        lat, lon = float(request.GET["lat"]), float(request.GET["lon"])
    except (KeyError, ValueError):
        return render(request, "reports/new.html#duplicates", {"duplicates": []})
    if not (-90 <= lat <= 90 and -180 <= lon <= 180):
        return render(request, "reports/new.html#duplicates", {"duplicates": []})
    code = request.GET.get("category", "")
    category = selectors.category_by_code(code) if code and code != UNKNOWN_CATEGORY else None
    suggestions = selectors.report_duplicates(
        lat=lat, lon=lon, category=category, text=request.GET.get("description", "")[:4000]
    )
    rows = [s for s in suggestions if s.report.published]
    return render(request, "reports/new.html#duplicates", {"duplicates": rows})


def report_sent(request, code: str):
    report = selectors.report_by_tracking_code(code)
    if report is None:
        raise Http404
    return render(request, "reports/sent.html", {"report": report})


def report_track_form(request):
    form = TrackForm(request.GET or None)
    status = 200
    if form.is_bound and form.is_valid():
        report = selectors.report_by_tracking_code(form.cleaned_data["code"])
        if report is not None:
            return redirect("reports:track", code=report.tracking_code)
        form.add_error("code", _("No report has this tracking code. Check the letters and digits."))
        status = 404
    elif form.is_bound:
        status = 400
    return render(request, "reports/track_form.html", {"form": form}, status=status)


def _track_context(report: Report, rate_form: RateForm | None = None) -> dict:
    language = _language()
    photos = _photos(report, code=report.tracking_code)
    return {
        "report": report,
        "category_name": report.category.display_name(language) if report.category_id else "",
        "commune_name": report.commune.display_name(language) if report.commune_id else "",
        "agency_name": report.agency.display_name(language) if report.agency_id else "",
        "timeline": _timeline_rows(report, public=True),
        "answers": selectors.report_public_answers(report),
        "photos": [p for p in photos if not p["proof"]],
        "proof_photos": [p for p in photos if p["proof"]],
        "can_rate": report.status == ReportStatus.RESOLVED,
        "rate_form": rate_form or RateForm(),
        "status_colour": ReportStatus.colour(report.status),
    }


def report_track(request, code: str):
    """Follow a report: status, public timeline and answers, expected date, rating."""
    report = selectors.report_by_tracking_code(code)
    if report is None:
        form = TrackForm(initial={"code": code[:20]})
        form.is_bound = False
        context = {"form": form, "not_found": code[:20]}
        return render(request, "reports/track_form.html", context, status=404)
    if report.tracking_code != code:
        return redirect("reports:track", code=report.tracking_code)
    return render(request, "reports/track.html", _track_context(report))


@require_POST
def report_rate(request, code: str):
    report = selectors.report_by_tracking_code(code)
    if report is None:
        raise Http404
    form = RateForm(request.POST)
    if form.is_valid():
        user = request.user if request.user.is_authenticated else None
        try:
            report = services.report_rate(
                report=report,
                rating=form.cleaned_data["rating"],
                comment=form.cleaned_data["comment"],
                actor=user,
            )
        except (ValidationError, IllegalTransition) as error:
            messages.error(request, _message(error))
        else:
            if report.status == ReportStatus.REOPENED:
                messages.warning(
                    request,
                    _(
                        "Thank you. With this rating the report goes back to the agency "
                        "for review; you will see the new answer here."
                    ),
                )
            else:
                messages.success(request, _("Thank you for your rating."))
        return redirect("reports:track", code=report.tracking_code)
    return render(request, "reports/track.html", _track_context(report, form), status=400)


def _public_filters(request) -> dict:
    params = request.GET
    category = params.get("category", "")
    status = params.get("status", "")
    commune = params.get("commune", "")
    return {
        "category": category if Category.objects.filter(code=category).exists() else "",
        "status": status if status in ReportStatus.values() else "",
        "commune": commune if communes().filter(code=commune).exists() else "",
    }


def report_public(request):
    """Published reports on a map and in a list; personal data is never shown."""
    language = _language()
    chosen = _public_filters(request)
    queryset = selectors.report_public_list(
        status=chosen["status"] or None,
        category=Category.objects.filter(code=chosen["category"]).first(),
        commune_code=chosen["commune"] or None,
    )
    page = Paginator(queryset.prefetch_related("photos"), PUBLIC_PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    colours = {value: COLOUR_HEX[colour] for value, _label, colour in ReportStatus.CHOICES}
    points = selectors.report_map_points(queryset)
    for point in points:
        point["colour"] = colours[point["status"]]
        point["url"] = reverse("reports:track", args=[point["code"]])
    context = {
        "page": page,
        "chosen": chosen,
        "query": {k: v for k, v in chosen.items() if v},
        "categories": [(c.code, c.display_name(language)) for c in selectors.category_list()],
        "communes": [(c.code, c.display_name(language)) for c in communes().order_by("name")],
        "statuses": _status_legend(),
        "points": points,
        **_map_settings(),
    }
    return render_page(request, "reports/public.html", context, partial="results")


def _year_start(today: date) -> date:
    return date(today.year, 1, 1)


def report_figures(request):
    """The public figures: every number counted from the records by report_stats."""
    language = _language()
    today = timezone.localdate()
    params = request.GET
    errors = []
    start, end = _year_start(today), today
    try:
        if params.get("from"):
            start = date.fromisoformat(params["from"])
        if params.get("to"):
            end = date.fromisoformat(params["to"])
    except ValueError:
        errors.append(_("Give the dates as YYYY-MM-DD."))
        start, end = _year_start(today), today
    if end < start:
        errors.append(_("The end of the period is before its start."))
        start, end = _year_start(today), today
    # Figures are counted as they stand at the end of the period: not beyond today.
    end = min(end, today)
    start = min(start, end)
    filters = {}
    for field, queryset in (
        ("commune", communes()),
        ("legacy_district", legacy_districts()),
        ("category", Category.objects.filter(is_active=True)),
    ):
        code = params.get(field, "")
        if code and queryset.filter(code=code).exists():
            filters[field] = code
        elif code:
            errors.append(_("Unknown %(field)s “%(code)s”.") % {"field": field, "code": code[:30]})
    by = params.get("by", "commune")
    if by not in ("commune", "legacy_district", "category"):
        by = "commune"
    stats = selectors.report_stats(start=start, end=end, **filters)
    groups = selectors.report_stats_by(group=by, start=start, end=end, **filters)
    rows = [
        {"code": g.code, "name": g.label(language) or _("Not set"), "stats": g.stats}
        for g in groups
    ]
    chart = {
        "names": [row["name"] for row in rows],
        "received": [row["stats"].received for row in rows],
        "completed": [row["stats"].completed for row in rows],
        "labels": {"received": _("Received"), "completed": _("Completed")},
    }
    context = {
        "stats": stats,
        "tiles": _figure_tiles(stats),
        "rows": rows,
        "chart": chart,
        "by": by,
        "start": start,
        "end": end,
        "filters": filters,
        "errors": errors,
        "communes": [(c.code, c.display_name(language)) for c in communes().order_by("name")],
        "districts": [
            (d.code, d.display_name(language)) for d in legacy_districts().order_by("name")
        ],
        "categories": [(c.code, c.display_name(language)) for c in selectors.category_list()],
        "by_choices": [
            ("commune", _("Commune or ward")),
            ("legacy_district", _("District (before 1 July 2025)")),
            ("category", _("Category")),
        ],
    }
    return render(request, "reports/figures.html", context, status=400 if errors else 200)


def _figure_tiles(stats, median_hours: float | None = None, *, with_median: bool = False):
    tiles = [
        {"key": "received", "value": stats.received, "label": _("reports received")},
        {"key": "completed", "value": stats.completed, "label": _("completed")},
        {"key": "in_progress", "value": stats.in_progress, "label": _("in progress")},
        {"key": "overdue", "value": stats.overdue, "label": _("overdue")},
        {"key": "ratings", "value": stats.ratings, "label": _("ratings")},
        {"key": "satisfied", "value": stats.satisfied, "label": _("satisfied (4-5 stars)")},
        {
            "key": "satisfied_pct",
            "value": stats.satisfied_pct,
            # xgettext:no-python-format
            "label": _("% satisfied"),
            "pct": True,
        },
        {
            "key": "on_time_pct",
            "value": stats.on_time_pct,
            # xgettext:no-python-format
            "label": _("% completed on time"),
            "pct": True,
        },
    ]
    if with_median:
        tiles.append(
            {
                "key": "median_hours",
                "value": median_hours,
                "label": _("median hours to resolve"),
                "hours": True,
            }
        )
    return tiles


def photo(request, pk: int):
    """A report's photo: of a published report, one the user may see, or with its code."""
    found = ReportPhoto.objects.select_related("report").filter(pk=pk).first()
    if found is None:
        raise Http404
    report = found.report
    allowed = (
        report.published
        or request.GET.get("code", "").strip().upper() == report.tracking_code
        or restrict(Report.objects.filter(pk=report.pk), request.user, "view").exists()
    )
    if not allowed:
        raise Http404
    try:
        handle = found.image.open("rb")
    except OSError:
        raise Http404 from None
    response = FileResponse(handle, content_type="image/jpeg")
    response["Cache-Control"] = "private, max-age=86400"
    return response


def service_worker(request):
    """The PWA's service worker, served under /reports/ so that it may control the
    citizen pages (a worker's scope is the folder it is served from)."""
    path = finders.find("reports/sw.js")
    with open(path, encoding="utf-8") as handle:
        body = handle.read()
    response = HttpResponse(body, content_type="text/javascript; charset=utf-8")
    response["Cache-Control"] = "no-cache"
    return response


def manifest(request):
    path = finders.find("reports/manifest.webmanifest")
    with open(path, encoding="utf-8") as handle:
        body = handle.read()
    return HttpResponse(body, content_type="application/manifest+json")


# -- staff ----------------------------------------------------------------------------------


QUEUE_VIEWS = {
    "mine": gettext_lazy("Mine"),
    "due_soon": gettext_lazy("Due soon"),
    "overdue": gettext_lazy("Overdue"),
    "triage": gettext_lazy("Triage"),
    "all": gettext_lazy("All open"),
}
DASHBOARD_ROLES = frozenset({Role.OPERATOR, Role.LEADER, Role.ADMIN, Role.AGENCY_HEAD})


def _is_operator(user) -> bool:
    return user.is_superuser or user.role in (Role.OPERATOR, Role.ADMIN)


def _queue_views(user) -> list[str]:
    views = ["mine", "due_soon", "overdue", "triage", "all"]
    if not _is_operator(user) and user.role != Role.LEADER:
        views.remove("triage")
    return views


def _queue_filters(request) -> tuple[dict, dict]:
    params = request.GET
    chosen = {
        "category": params.get("category", ""),
        "commune": params.get("commune", ""),
        "status": params.get("status", ""),
        "q": params.get("q", "").strip()[:100],
    }
    filters: dict = {}
    category = (
        Category.objects.filter(code=chosen["category"]).first() if chosen["category"] else None
    )
    if category is not None:
        filters["category"] = category
    else:
        chosen["category"] = ""
    if chosen["commune"] and communes().filter(code=chosen["commune"]).exists():
        filters["commune_code"] = chosen["commune"]
    else:
        chosen["commune"] = ""
    if chosen["status"] in ReportStatus.OPEN:
        filters["status"] = chosen["status"]
    else:
        chosen["status"] = ""
    if chosen["q"]:
        filters["search"] = chosen["q"]
    return chosen, filters


def _queue_rows(queryset, now) -> list[dict]:
    language = _language()
    rows = []
    for report in queryset:
        state = selectors.deadline_state(report, now=now)
        rows.append(
            {
                "report": report,
                "category": report.category.display_name(language) if report.category_id else "",
                "commune": report.commune.display_name(language) if report.commune_id else "",
                "agency": report.agency.display_name(language) if report.agency_id else "",
                "deadline_state": state,
                "deadline_label": DeadlineState.label(state) if state else "",
                "deadline_colour": DeadlineState.colour(state) if state else "secondary",
            }
        )
    return rows


@staff_required()
def queue(request):
    """The agency work queue: tabs, filters, bulk actions, CSV and XLSX export."""
    user = request.user
    language = _language()
    views = _queue_views(user)
    default = "mine" if user.role in Role.AGENCY else "all"
    view = request.GET.get("view", default)
    if view not in views:
        view = default
    chosen, filters = _queue_filters(request)
    status = filters.pop("status", None)
    # The top bar's area narrows the queue too (its period does not: open work is open).
    try:
        area = parse_filters(request.GET).area
    except FilterError:
        area = parse_filters({}).area
    if area.kind == "commune" and "commune_code" not in filters:
        filters["commune_code"] = area.code
    elif area.kind == "district":
        filters["legacy_district_code"] = area.code
    now = timezone.now()
    queryset = selectors.report_work_queue(user=user, view=view, now=now, **filters)
    if status:
        queryset = queryset.filter(status=status)
    export = request.GET.get("format", "")
    if export in ("csv", "xlsx"):
        return _export(queryset[:EXPORT_LIMIT], export, now)
    counts = selectors.report_work_queue_counts(user=user, views=views, now=now, **filters)
    page = Paginator(queryset, QUEUE_PAGE_SIZE).get_page(request.GET.get("page"))
    query = {k: v for k, v in chosen.items() if v}
    if area.param:
        query["area"] = area.param
    context = {
        "tabs": [{"key": key, "label": QUEUE_VIEWS[key], "count": counts[key]} for key in views],
        "view": view,
        "page": page,
        "rows": _queue_rows(page.object_list, now),
        "chosen": chosen,
        "query": query,
        "query_string": urlencode(query),
        "categories": [
            (c.code, c.display_name(language))
            for c in selectors.category_list(user=user, include_internal=True)
        ],
        "communes": [(c.code, c.display_name(language)) for c in communes().order_by("name")],
        "statuses": [
            (s, ReportStatus.label(s)) for s in ReportStatus.values() if s in ReportStatus.OPEN
        ],
        "can_bulk": user.role != Role.LEADER,
        "can_assign": _is_operator(user),
        "agencies": Agency.objects.filter(is_active=True).order_by("name"),
        "xlsx": _has_openpyxl(),
    }
    return render_page(request, "reports/queue.html", context, partial="results")


def _has_openpyxl() -> bool:
    try:
        import openpyxl  # noqa: F401
    except ImportError:
        return False
    return True


EXPORT_COLUMNS = [
    ("tracking_code", gettext_lazy("Tracking code")),
    ("received", gettext_lazy("Received")),
    ("category", gettext_lazy("Category")),
    ("status", gettext_lazy("Status")),
    ("deadline", gettext_lazy("Deadline state")),
    ("due", gettext_lazy("Due")),
    ("commune", gettext_lazy("Commune or ward")),
    ("agency", gettext_lazy("Agency")),
    ("address", gettext_lazy("Address")),
    ("description", gettext_lazy("Description")),
]


def _export(queryset, kind: str, now) -> HttpResponse:
    """The filtered list as CSV (UTF-8 with a BOM, for Excel) or XLSX; no contact details."""
    header = [str(label) for _key, label in EXPORT_COLUMNS]
    rows = []
    for row in _queue_rows(queryset, now):
        report = row["report"]
        rows.append(
            [
                report.tracking_code,
                timezone.localtime(report.received_at).strftime("%d/%m/%Y %H:%M"),
                row["category"],
                ReportStatus.label(report.status),
                str(row["deadline_label"]),
                timezone.localtime(report.due_at).strftime("%d/%m/%Y %H:%M")
                if report.due_at
                else "",
                row["commune"],
                row["agency"],
                report.address,
                report.description,
            ]
        )
    stamp = timezone.localtime(now).strftime("%Y%m%d-%H%M")
    if kind == "xlsx" and _has_openpyxl():
        from openpyxl import Workbook

        book = Workbook()
        sheet = book.active
        sheet.title = "reports"
        sheet.append(header)
        for values in rows:
            sheet.append(values)
        output = io.BytesIO()
        book.save(output)
        response = HttpResponse(
            output.getvalue(),
            content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        )
        response["Content-Disposition"] = f'attachment; filename="reports-{stamp}.xlsx"'
        return response
    output = io.StringIO()
    output.write("\ufeff")
    writer = csv.writer(output)
    writer.writerow(header)
    writer.writerows(rows)
    response = HttpResponse(output.getvalue(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="reports-{stamp}.csv"'
    return response


@require_POST
@staff_required()
def queue_bulk(request):
    """Assign several reports to an agency (operators) or mark them in progress."""
    user = request.user
    ids = [int(value) for value in request.POST.getlist("reports") if value.isdigit()]
    visible = list(selectors.report_list(user=user).filter(pk__in=ids).values_list("pk", flat=True))
    form = BulkForm(
        request.POST,
        report_ids=visible,
        agencies=Agency.objects.filter(is_active=True),
    )
    back = request.POST.get("next") or reverse("reports:queue")
    if not back.startswith("/"):
        back = reverse("reports:queue")
    if not form.is_valid():
        for field_errors in form.errors.values():
            for error in field_errors:
                messages.error(request, error)
        return redirect(back)
    done, refused = [], []
    for report in Report.objects.filter(pk__in=form.cleaned_data["reports"]).order_by("pk"):
        try:
            if form.cleaned_data["action"] == "assign":
                services.report_assign(
                    report=report, agency=form.cleaned_data["agency"], actor=user
                )
            else:
                services.report_start(report=report, actor=user)
        except (ValidationError, IllegalTransition, PermissionDenied) as error:
            refused.append(f"{report.tracking_code}: {_message(error)}")
        else:
            done.append(report.tracking_code)
    if done:
        messages.success(
            request,
            _("%(count)s report(s) updated: %(codes)s.")
            % {"count": len(done), "codes": ", ".join(done)},
        )
    for line in refused:
        messages.error(request, line)
    return redirect(back)


def _message(error: Exception) -> str:
    if isinstance(error, ValidationError):
        if hasattr(error, "error_dict"):
            return " ".join(" ".join(m) for m in error.message_dict.values())
        return " ".join(error.messages)
    return str(error)


def _actions(user, report: Report) -> dict[str, bool]:
    """Which action forms the detail page offers this user for this report."""
    can_act = user.role != Role.LEADER and selectors.report_can_act(user=user, report=report)
    allowed = REPORT_WORKFLOW.allowed(report.status)
    pending = report.extensions.filter(status=ExtensionStatus.PENDING).first()
    decides = pending is not None and (
        _is_operator(user)
        or (user.role == Role.AGENCY_HEAD and report.agency_id in user._agency_ids())
    )
    return {
        "assign": _is_operator(user)
        and report.status == ReportStatus.TRIAGE
        and ReportStatus.ASSIGNED in allowed,
        "transfer": can_act and report.status in ReportStatus.WORKING,
        "start": can_act and ReportStatus.IN_PROGRESS in allowed,
        "answer": can_act,
        "resolve": can_act and ReportStatus.RESOLVED in allowed,
        "reject": can_act and ReportStatus.REJECTED in allowed,
        "reopen": can_act and ReportStatus.REOPENED in allowed,
        "close": can_act and ReportStatus.CLOSED in allowed,
        "extend": can_act and report.status in ReportStatus.WORKING and pending is None,
        "merge": can_act
        and report.status in ReportStatus.OPEN
        and ReportStatus.REJECTED in allowed
        and report.merged_into_id is None,
        "decide": decides,
        "pending": pending,
    }


@staff_required()
def report_detail(request, pk: int):
    """Everything about one report, its timeline and the actions allowed here and now."""
    user = request.user
    language = _language()
    report = selectors.report_get(user=user, pk=pk)
    if report is None:
        raise Http404
    actions = _actions(user, report)
    # Contact details are for the responsible agency and the whole-deployment roles, not
    # for another agency's staff who see a published report as the public does.
    may_see_contact = user.role in Role.WHOLE_DEPLOYMENT or selectors.report_can_act(
        user=user, report=report
    )
    has_personal_data = may_see_contact and bool(
        report.reporter_name or report.reporter_phone or report.reporter_email or report.reporter_id
    )
    if has_personal_data:
        services.report_personal_data_viewed(report=report, actor=user)
    agencies = Agency.objects.filter(is_active=True).order_by("name")
    answers = list(report.answers.select_related("agency", "author"))
    photos = _photos(report)
    state = selectors.deadline_state(report)
    context = {
        "report": report,
        "duplicates": _duplicates(user, report) if actions["merge"] else [],
        "merged_reports": list(
            report.merged_reports.select_related("category").order_by("received_at")
        ),
        "category_name": report.category.display_name(language) if report.category_id else "",
        "commune_name": report.commune.display_name(language) if report.commune_id else "",
        "district_name": report.legacy_district.display_name(language)
        if report.legacy_district_id
        else "",
        "agency_name": report.agency.display_name(language) if report.agency_id else "",
        "status_colour": ReportStatus.colour(report.status),
        "deadline_state": state,
        "deadline_label": DeadlineState.label(state) if state else "",
        "deadline_colour": DeadlineState.colour(state) if state else "",
        "has_personal_data": has_personal_data,
        "may_see_contact": may_see_contact,
        "timeline": _timeline_rows(report, public=False),
        "public_answers": [a for a in answers if a.is_public],
        "internal_notes": [a for a in answers if not a.is_public],
        "photos": [p for p in photos if not p["proof"]],
        "proof_photos": [p for p in photos if p["proof"]],
        "extensions": report.extensions.all(),
        "actions": actions,
        "any_action": any(v for k, v in actions.items() if k != "pending"),
        "templates": selectors.answer_templates(category=report.category),
        "forms": {
            "assign": AssignForm(agencies=agencies, prefix="assign"),
            "transfer": TransferForm(agencies=agencies, prefix="transfer"),
            "answer": AnswerForm(prefix="answer"),
            "resolve": ResolveForm(prefix="resolve"),
            "reject": RejectForm(prefix="reject"),
            "reopen": ReasonForm(prefix="reopen"),
            "close": ReasonForm(prefix="close"),
            "extend": ExtensionForm(prefix="extend"),
            "merge": MergeForm(prefix="merge"),
            "decide": ExtensionDecisionForm(
                prefix="decide",
                initial={"extension": actions["pending"].pk if actions["pending"] else None},
            ),
        },
        "point": {
            "lat": report.lat,
            "lon": report.lon,
            "colour": COLOUR_HEX[ReportStatus.colour(report.status)],
        },
        **_map_settings(),
    }
    return render(request, "reports/detail.html", context)


def _duplicates(user, report: Report) -> list[dict]:
    """Open reports that look like this one and that the user may merge it into."""
    language = _language()
    suggestions = selectors.report_duplicates(
        lat=report.lat,
        lon=report.lon,
        category=report.category,
        text=report.description,
        exclude=report,
    )
    reachable = set(
        restrict(
            Report.objects.filter(pk__in=[s.report.pk for s in suggestions]), user, "change"
        ).values_list("pk", flat=True)
    )
    return [
        {
            "report": s.report,
            "distance_m": round(s.distance_m),
            "similarity": round(s.similarity * 100),
            "category_name": s.report.category.display_name(language)
            if s.report.category_id
            else "",
            "status_colour": ReportStatus.colour(s.report.status),
        }
        for s in suggestions
        if s.report.pk in reachable
    ]


def _merge(request, report: Report, code: str) -> str:
    into = selectors.report_by_tracking_code(code)
    if into is not None:
        into = selectors.report_get(user=request.user, pk=into.pk)
    if into is None:
        raise ValidationError(
            {"into": _("No report has the tracking code %(code)s.") % {"code": code}}
        )
    services.report_merge(report=report, into=into, actor=request.user)
    return _("Merged into %(code)s: the reporters are told when it is resolved.") % {
        "code": into.tracking_code
    }


def _run_action(request, report: Report, action: str) -> None:
    """Check the action's form and call its service; the outcome becomes a message."""
    user = request.user
    agencies = Agency.objects.filter(is_active=True)
    data, files = request.POST, request.FILES
    forms = {
        "assign": lambda: AssignForm(data, agencies=agencies, prefix="assign"),
        "transfer": lambda: TransferForm(data, agencies=agencies, prefix="transfer"),
        "start": None,
        "answer": lambda: AnswerForm(data, prefix="answer"),
        "resolve": lambda: ResolveForm(data, files, prefix="resolve"),
        "reject": lambda: RejectForm(data, prefix="reject"),
        "reopen": lambda: ReasonForm(data, prefix="reopen"),
        "close": lambda: ReasonForm(data, prefix="close"),
        "extend": lambda: ExtensionForm(data, prefix="extend"),
        "merge": lambda: MergeForm(data, prefix="merge"),
        "decide": lambda: ExtensionDecisionForm(data, prefix="decide"),
    }
    make = forms[action]
    form = make() if make else None
    if form is not None and not form.is_valid():
        for field, field_errors in form.errors.items():
            label = form.fields[field].label if field in form.fields else ""
            for error in field_errors:
                messages.error(request, f"{label}: {error}" if label else error)
        return
    values = form.cleaned_data if form is not None else {}
    if user.role == Role.LEADER:
        raise PermissionDenied(_("Leaders read reports; they do not act on them."))
    match action:
        case "assign":
            services.report_assign(
                report=report, agency=values["agency"], reason=values["reason"], actor=user
            )
            done = _("Assigned.")
        case "transfer":
            services.report_transfer(
                report=report, agency=values["agency"], reason=values["reason"], actor=user
            )
            done = _("Transferred.")
        case "start":
            services.report_start(report=report, actor=user)
            done = _("Marked in progress.")
        case "answer":
            services.report_answer(
                report=report, text=values["text"], public=values["public"], actor=user
            )
            done = _("Public answer sent.") if values["public"] else _("Internal note saved.")
        case "resolve":
            services.report_resolve(
                report=report,
                answer=values["answer"],
                proof_photos=values["proof_photos"],
                actor=user,
            )
            done = _("Resolved: the citizen is told and may rate the result.")
        case "reject":
            services.report_reject(
                report=report, reason=values["reason"], note=values["note"], actor=user
            )
            done = _("Rejected.")
        case "reopen":
            services.report_reopen(report=report, reason=values["reason"], actor=user)
            done = _("Reopened.")
        case "close":
            services.report_close(report=report, reason=values["reason"], actor=user)
            done = _("Closed.")
        case "extend":
            # The end of the working day of the chosen date, local time.
            until = timezone.make_aware(datetime.combine(values["until"], time(17, 0)))
            services.report_request_extension(
                report=report, until=until, reason=values["reason"], actor=user
            )
            done = _("Extension requested.")
        case "merge":
            done = _merge(request, report, values["into"])
        case "decide":
            extension = report.extensions.filter(pk=values["extension"]).first()
            if extension is None:
                raise ValidationError(_("This extension request does not exist."))
            services.report_decide_extension(
                extension=extension, approve=values["approve"], note=values["note"], actor=user
            )
            done = _("Extension approved.") if values["approve"] else _("Extension refused.")
    messages.success(request, done)


ACTIONS = (
    "assign",
    "transfer",
    "start",
    "answer",
    "resolve",
    "reject",
    "reopen",
    "close",
    "extend",
    "merge",
    "decide",
)


@require_POST
@staff_required()
def report_act(request, pk: int, action: str):
    report = selectors.report_get(user=request.user, pk=pk)
    if report is None or action not in ACTIONS:
        raise Http404
    try:
        _run_action(request, report, action)
    except (ValidationError, IllegalTransition, PermissionDenied) as error:
        messages.error(request, _message(error))
    return redirect("reports:detail", pk=report.pk)


@staff_required(DASHBOARD_ROLES)
def dashboard(request):
    """Operators' and leaders' dashboard (agency heads: their agencies), reading the
    shell's area and period filters."""
    user = request.user
    language = _language()
    try:
        shell_filters = parse_filters(request.GET)
    except FilterError:
        shell_filters = parse_filters({})
    filters: dict = {}
    area = shell_filters.area
    if area.kind == "commune":
        filters["commune"] = area.code
    elif area.kind == "district":
        filters["legacy_district"] = area.code
    if user.role == Role.AGENCY_HEAD and not user.is_superuser:
        filters["agency_ids"] = user._agency_ids()
    # A period still running is counted up to today: "overdue at its end" must not
    # count reports whose deadline is still ahead.
    start, end = shell_filters.start, min(shell_filters.end, timezone.localdate())
    figures = selectors.report_dashboard_figures(start=start, end=end, **filters)
    stats, median, trend = figures.stats, figures.median_hours, figures.trend
    by_commune, by_agency, by_category = figures.by_commune, figures.by_agency, figures.by_category
    before_start, before_end = _previous_period(shell_filters.period, start, end)
    # Without the previous period's median: its histogram reads the boundary months row
    # by row, ≈ 40 ms of a past year's dashboard at 1 M reports (docs/performance.md).
    before = selectors.report_dashboard_figures(
        start=before_start, end=before_end, with_groups=False, with_median=False, **filters
    )
    tiles = _figure_tiles(stats, median, with_median=True)
    _compare_tiles(tiles, before.stats, before.median_hours, before_start, before_end)
    # The sparklines: the period's months, or the last twelve for a short period.
    sparkline_trend = trend
    if len(trend) < 6:
        sparkline_start = (end.replace(day=1) - timedelta(days=335)).replace(day=1)
        sparkline_trend = selectors.report_monthly_trend(start=sparkline_start, end=end, **filters)
    _add_sparklines(tiles, sparkline_trend)
    choropleth = {
        g.code: {
            "received": g.stats.received,
            "overdue": g.stats.overdue,
            "name": g.label(language),
        }
        for g in by_commune
        if g.code
    }
    context = {
        "tiles": tiles,
        "stats": stats,
        "choropleth": choropleth,
        "trend": {
            "months": [row["month"] for row in trend],
            "received": [row["received"] for row in trend],
            "completed": [row["completed"] for row in trend],
            "labels": {"received": _("Received"), "completed": _("Completed")},
        },
        "by_agency": sorted(
            by_agency, key=lambda g: (-g.stats.overdue, -g.stats.in_progress, g.name)
        ),
        "by_category": by_category,
        "language": language,
        "period_label": shell_filters.period.label(language),
        "start": start,
        "end": end,
        "scope_agency": user.agency if "agency_ids" in filters else None,
        "area_label": _area_label(area, language),
        **_map_settings(),
    }
    return render(request, "reports/dashboard.html", context)


# Whether a rise of the figure is good news (True), bad news (False) or neither (None).
RISE_IS_GOOD = {
    "received": None,
    "completed": True,
    "in_progress": False,
    "overdue": False,
    "ratings": True,
    "satisfied": True,
    "satisfied_pct": True,
    "on_time_pct": True,
    "median_hours": False,
}


def _previous_period(period, start: date, end: date) -> tuple[date, date]:
    """The period before, as long as the one shown: last month's first 25 days for this
    month up to the 25th; the same number of days before a custom range."""
    if isinstance(period, DateRange):
        days = end - start
        return start - days - timedelta(days=1), start - timedelta(days=1)
    before = period.shift(-1)
    if end >= period.end:
        return before.start, before.end
    return before.start, min(before.end, before.start + (end - start))


def _compare_tiles(tiles, before, before_median, before_start: date, before_end: date) -> None:
    """Add to each tile its change from the previous period: ▲/▼ and the change in %
    (in points for a percentage), coloured as good or bad news."""
    values = {**before.as_dict(), "median_hours": before_median}
    for tile in tiles:
        now, then = tile["value"], values.get(tile["key"])
        if now is None or then is None:
            continue
        if tile.get("pct"):
            change = round(now - then, 1)
            text = _("%(change)s points") % {"change": f"{abs(change):g}"}
        elif then:
            change = round(100 * (now - then) / then, 1)
            text = f"{abs(change):g}%"
        else:
            continue
        good = RISE_IS_GOOD.get(tile["key"])
        tone = (
            "secondary"
            if good is None or not change
            else ("success" if (change > 0) == good else "danger")
        )
        tile["change"] = {
            "arrow": "▲" if change > 0 else "▼" if change < 0 else "=",
            "text": text,
            "tone": tone,
            "title": _("%(value)s from %(start)s to %(end)s")
            % {
                "value": then,
                "start": formats.date_format(before_start, "SHORT_DATE_FORMAT"),
                "end": formats.date_format(before_end, "SHORT_DATE_FORMAT"),
            },
        }


def _add_sparklines(tiles, trend: list[dict]) -> None:
    """A line of the months under the received and completed tiles."""
    for tile in tiles:
        if tile["key"] not in ("received", "completed") or len(trend) < 3:
            continue
        values = [row[tile["key"]] for row in trend]
        top = max(values) or 1
        step = 100 / (len(values) - 1)
        tile["sparkline"] = {
            "points": " ".join(
                f"{i * step:.1f},{22 - 20 * value / top:.1f}" for i, value in enumerate(values)
            ),
            "label": _("%(first)s to %(last)s: %(values)s")
            % {
                "first": trend[0]["month"],
                "last": trend[-1]["month"],
                "values": ", ".join(str(value) for value in values),
            },
        }


def _area_label(area, language: str) -> str:
    if area.is_whole_deployment:
        return _("Whole deployment")
    structure = "current" if area.kind == "commune" else "legacy"
    unit = AdminUnit.objects.filter(structure=structure, code=area.code).first()
    return unit.display_name(language) if unit else area.code
