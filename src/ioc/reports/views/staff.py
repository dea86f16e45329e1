"""The staff's pages: the work queue with its export and bulk actions, a report's page and
its actions (assign, transfer, answer, resolve, merge...)."""

import csv
import io
from datetime import datetime, time

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from ioc.accounts.choices import Role
from ioc.accounts.decorators import staff_required
from ioc.accounts.models import Agency
from ioc.core.access import restrict
from ioc.core.filters import FilterError, parse_filters
from ioc.core.htmx import render_page
from ioc.core.workflow import IllegalTransition
from ioc.geo.selectors import communes
from ioc.reports import selectors, services
from ioc.reports.choices import (
    REPORT_WORKFLOW,
    DeadlineState,
    ExtensionStatus,
    ReportStatus,
)
from ioc.reports.forms import (
    AnswerForm,
    AssignForm,
    BulkForm,
    ExtensionDecisionForm,
    ExtensionForm,
    MergeForm,
    ReasonForm,
    RejectForm,
    ResolveForm,
    TransferForm,
)
from ioc.reports.models import Category, Report
from ioc.reports.views.common import (
    COLOUR_HEX,
    EXPORT_LIMIT,
    QUEUE_PAGE_SIZE,
    _language,
    _map_settings,
    _message,
    _photos,
    _timeline_rows,
)

# -- staff ----------------------------------------------------------------------------------


QUEUE_VIEWS = {
    "mine": gettext_lazy("Mine"),
    "due_soon": gettext_lazy("Due soon"),
    "overdue": gettext_lazy("Overdue"),
    "triage": gettext_lazy("Triage"),
    "all": gettext_lazy("All open"),
}


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
    into = (
        restrict(Report.objects.all(), request.user, "view")
        .filter(tracking_code=code.strip().upper())
        .first()
    )
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
