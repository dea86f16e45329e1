"""Imports of DHIS2 files and the XLSX template: the check (a dry run), the import, and
the page of a background job (progress, then the summary)."""

from __future__ import annotations

from pathlib import Path

from django.core.files.storage import default_storage
from django.core.files.uploadedfile import UploadedFile
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.crypto import get_random_string
from django.utils.translation import gettext as _

from ioc.accounts.decorators import staff_required
from ioc.core.htmx import htmx_partial, render_page
from ioc.core.periods import period_for
from ioc.indicators import dhis2, import_jobs
from ioc.indicators.choices import ImportState
from ioc.indicators.forms import ImportForm
from ioc.indicators.models import DataValueImport, Indicator, Sector
from ioc.indicators.selectors import indicators_list, writable_indicator_ids
from ioc.indicators.services import Conflict, ImportSummary, data_values_import
from ioc.indicators.views.common import ENTRY_ROLES, _language

IMPORT_DIR = "indicator-imports"


@staff_required(ENTRY_ROLES)
def import_values(request):
    """Upload a DHIS2 JSON/CSV file or the XLSX template: a dry run first, then the import."""
    form = ImportForm(request.POST or None, request.FILES or None)
    summary: ImportSummary | None = None
    token = ""
    file_name = ""
    error = ""
    if request.method == "POST" and request.POST.get("token"):
        # The confirmation of a checked file: the upload form below starts afresh, with
        # the options of that file, not bound to this POST (which has no file to check).
        form = ImportForm(initial=request.session.get("indicator_import_options", {}))
        token = request.POST["token"]
        if not token.isalnum():
            raise Http404(token)
        file_format = request.POST.get("file_format_confirmed", "")
        path = f"{IMPORT_DIR}/{token}.{file_format}"
        if file_format not in ("json", "csv", "xlsx") or not default_storage.exists(path):
            error = _("The checked file is no longer available: upload it again.")
        else:
            with default_storage.open(path, "rb") as handle:
                content = handle.read()
            summary, error, job = _run_import(
                request, content, file_format, dry_run=False, stored=path
            )
            if job is not None:
                return redirect("indicators:import-job", pk=job.pk)
            if summary is not None and summary.status != "ERROR":
                default_storage.delete(path)
                token = ""
        file_name = request.POST.get("file_name", "")
    elif request.method == "POST" and form.is_valid():
        upload: UploadedFile = form.cleaned_data["file"]
        file_name = upload.name
        file_format = form.detected_format()
        if not file_format:
            form.add_error(
                "file_format",
                _("Choose the format: the file name ends in none of .json, .csv, .xlsx."),
            )
        else:
            try:
                dhis2.check_size(upload.size)
            except dhis2.PayloadError as exc:
                form.add_error("file", str(exc))
            else:
                content = upload.read()
                request.session["indicator_import_options"] = {
                    "strategy": form.cleaned_data["strategy"],
                    "structure": form.cleaned_data["structure"],
                }
                summary, error, job = _run_import(request, content, file_format, dry_run=True)
                if job is not None:
                    return redirect("indicators:import-job", pk=job.pk)
                if summary is not None and summary.status != "ERROR":
                    token = get_random_string(32)
                    default_storage.save(f"{IMPORT_DIR}/{token}.{file_format}", _Content(content))
    context = {
        "form": form,
        "summary": summary,
        "result": summary.as_dhis2() if summary else None,
        "token": token,
        "file_name": file_name,
        "file_format": locals().get("file_format", ""),
        "error": error,
        "templates": _template_links(request),
    }
    return render_page(request, "indicators/import.html", context)


@staff_required(ENTRY_ROLES)
def import_job(request, pk: int):
    """A background import of the user's: a progress bar (htmx polls it every second while
    the worker runs), then the DHIS2 summary, as the import page shows it."""
    job = get_object_or_404(DataValueImport, pk=pk, created_by=request.user)
    progress = import_jobs.import_job_progress(job)
    result = import_jobs.import_job_summary(job)
    token = ""
    checked = result is not None and job.dry_run and job.state == ImportState.DONE
    if checked and job.status != "ERROR" and default_storage.exists(job.upload):
        token = Path(job.upload).stem
    context = {
        "job": job,
        "progress": progress,
        "finished": result is not None,
        "summary": job,
        "result": result,
        "token": token,
        "file_name": "",
        "file_format": job.file_format,
    }
    if htmx_partial(request):
        return render(request, "indicators/import_job.html#job", context)
    return render_page(request, "indicators/import_job.html", context)


def _run_import(
    request, content: bytes, file_format: str, *, dry_run: bool, stored: str = ""
) -> tuple[ImportSummary | None, str, DataValueImport | None]:
    """(summary, error, None), or (None, "", the queued job) for a file of more rows than
    IOC_INDICATORS_IMPORT_BACKGROUND_ROWS (the worker imports `stored`, or a new copy)."""
    options = request.session.get("indicator_import_options", {})
    if request.method == "POST" and not dry_run:
        strategy = options.get("strategy", "CREATE_AND_UPDATE")
        structure = options.get("structure", "current")
    else:
        strategy = request.POST.get("strategy", "CREATE_AND_UPDATE")
        structure = request.POST.get("structure", "current")
    try:
        rows = dhis2.parse(content, file_format)
    except dhis2.PayloadError as exc:
        return None, str(exc), None
    forbidden = _forbidden(rows, writable_indicator_ids(actor=request.user))
    if forbidden is not None:
        forbidden.dry_run = dry_run
        return forbidden, "", None
    if len(rows) > import_jobs.background_rows():
        job = import_jobs.import_job_create(
            upload=stored or import_jobs.upload_store(content, file_format),
            file_format=file_format,
            rows_total=len(rows),
            strategy=strategy,
            structure=structure,
            dry_run=dry_run,
            actor=request.user,
        )
        return None, "", job
    summary = data_values_import(
        rows=rows,
        strategy=strategy,
        dry_run=dry_run,
        actor=request.user,
        structure=structure,
        file_format=file_format,
    )
    return summary, "", None


def _forbidden(rows, allowed: set[int] | None) -> ImportSummary | None:
    """Rows of indicators the user may not write: the whole file is refused, naming them."""
    if allowed is None:
        return None
    codes = dict(Indicator.objects.values_list("code", "pk"))
    summary = ImportSummary(status="ERROR")
    for row in rows:
        pk = codes.get(row.data_element)
        if pk is not None and pk not in allowed:
            summary.conflicts.append(
                Conflict(
                    row.data_element,
                    _("Row %(row)d: your agency is not the source of “%(code)s”.")
                    % {"row": row.row, "code": row.data_element},
                    row=row.row,
                    column=row.columns.get("data_element", "dataelement"),
                )
            )
    if not summary.conflicts:
        return None
    summary.ignored = len(rows)
    return summary


class _Content:
    """Bytes for default_storage.save (a File needs chunks())."""

    def __init__(self, content: bytes) -> None:
        from django.core.files.base import ContentFile

        self.file = ContentFile(content)

    def __getattr__(self, name):
        return getattr(self.file, name)


def _template_links(request) -> list[dict]:
    """Templates per sector and period type, for the last complete period (the API's
    template endpoint: one row per indicator and current commune)."""
    language = _language()
    today = timezone.localdate()
    writable = writable_indicator_ids(actor=request.user)
    base = reverse("api:indicators_data_value_sets_template", kwargs={"file_format": "csv"})
    links = []
    for sector in Sector.objects.filter(is_active=True).order_by("order", "code"):
        by_type: dict[str, list[str]] = {}
        for indicator in indicators_list(viewer=request.user, sector=sector.code):
            if not indicator.is_computed and (writable is None or indicator.pk in writable):
                by_type.setdefault(indicator.period_type, []).append(indicator.code)
        for period_type, codes in by_type.items():
            period = period_for(period_type, today).previous()
            query = f"?dataElement={','.join(codes)}&period={period.id}"
            links.append(
                {
                    "name": sector.display_name(language),
                    "period": period.label(language),
                    "count": len(codes),
                    "csv": base + query,
                    "xlsx": base.replace(".csv", ".xlsx") + query,
                }
            )
    return links
