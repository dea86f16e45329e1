"""The citizen's pages, phone-first: send, follow, rate, the public map and list, photos and
the installable app's files."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.contrib.staticfiles import finders
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import FileResponse, Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from ioc.accounts.auth import client_ip
from ioc.core.access import restrict
from ioc.core.htmx import render_page
from ioc.core.workflow import IllegalTransition
from ioc.geo.selectors import communes
from ioc.reports import selectors, services
from ioc.reports.choices import (
    DeadlineState,
    ReportSource,
    ReportStatus,
)
from ioc.reports.forms import (
    UNKNOWN_CATEGORY,
    RateForm,
    ReportForm,
    TrackForm,
)
from ioc.reports.models import Category, Report, ReportPhoto
from ioc.reports.views.common import (
    COLOUR_HEX,
    PUBLIC_PAGE_SIZE,
    _language,
    _map_settings,
    _message,
    _photos,
    _status_legend,
    _timeline_rows,
)

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
            suggested, confidence = services.category_suggestion(data["description"])
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


MY_REPORTS_PAGE_SIZE = 20


@login_required
@require_GET
def my_reports(request):
    """A logged-in citizen's own reports: those waiting for her rating first, then newest."""
    language = _language()
    page = Paginator(selectors.reports_of_reporter(request.user), MY_REPORTS_PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    now = timezone.now()
    rows = [
        {
            "report": report,
            "category_name": report.category.display_name(language) if report.category_id else "",
            "waiting_rating": report.waits_for_rating,
            "overdue": selectors.deadline_state(report, now=now) == DeadlineState.OVERDUE,
        }
        for report in page
    ]
    return render(request, "reports/mine.html", {"page": page, "rows": rows})


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
